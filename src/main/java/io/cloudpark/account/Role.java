package io.cloudpark.account;

/** What an account may see: every tenant, or its own. */
public enum Role {
    /** Runs the service: every tenant, every account. */
    OPERATOR,
    /** Administers one tenant; every other tenant is to it as one that does not exist. */
    TENANT_ADMIN
}
