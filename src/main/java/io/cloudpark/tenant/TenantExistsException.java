package io.cloudpark.tenant;

/** A tenant with that domain exists already. */
public class TenantExistsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TenantExistsException(String domain) {
        super("tenant exists: " + domain);
    }
}
