package io.cloudpark.admin;

import org.apache.log4j.Logger;

import io.cloudpark.audit.AuditLog;
import io.cloudpark.park.StoreUnavailableException;

/** The admin API's side of the audit log: each change it made, under the signed-in account's name. */
final class Audit {
    private static final Logger LOG = Logger.getLogger(Audit.class);

    private final AuditLog log;

    Audit(AuditLog log) {
        this.log = log;
    }

    /**
     * Records a change that has been made. If the database fails just now the change stands (it was committed), so
     * the client is not told it failed; the entry goes to the error log instead.
     */
    void record(Exchange x, String tenantDomain, String action, Object before, Object after) {
        try {
            log.record(x.caller.name(), tenantDomain, action, before, after);
        } catch (StoreUnavailableException e) {
            LOG.error("audit entry not stored (" + e.getMessage() + "): " + x.caller.name() + " " + action + " "
                    + tenantDomain + " before=" + before + " after=" + after);
        }
    }
}
