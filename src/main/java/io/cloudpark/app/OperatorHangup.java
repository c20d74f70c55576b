package io.cloudpark.app;

import io.cloudpark.tenant.Tenant;

/** The operator's hang-up of a parked call (admin API), carried out on the SIP side. */
@FunctionalInterface
public interface OperatorHangup {
    /** Hangs up the parked party and ends the park as ENDED_BY_OPERATOR; false if no such call is parked there. */
    boolean hangUp(Tenant tenant, String parkId);
}
