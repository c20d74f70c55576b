package io.cloudpark.admin;

/**
 * Who sent an admin API request. An operator ({@code tenantId} null) sees every tenant; a tenant admin sees only
 * the tenant {@code tenantId}, and every other tenant is to it as one that does not exist.
 */
record Caller(String name, Long tenantId) {

    boolean isOperator() {
        return tenantId == null;
    }

    boolean maySee(long tenant) {
        return tenantId == null || tenantId == tenant;
    }
}
