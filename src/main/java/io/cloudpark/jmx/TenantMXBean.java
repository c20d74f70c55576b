package io.cloudpark.jmx;

/**
 * {@code io.cloudpark:type=Tenant,domain=<domain>}: one tenant's park settings as read-write attributes, and its
 * parked calls. Every read comes from the database and every write is validated and stored exactly as
 * {@code PUT /api/tenants/{domain}/settings}; a refused value throws {@link IllegalArgumentException} naming the
 * field, and nothing changes.
 */
public interface TenantMXBean {
    String getDomain();

    String getName();

    String getParkCode();

    void setParkCode(String value);

    String getRetrieveCode();

    void setRetrieveCode(String value);

    String getGroupParkCode();

    void setGroupParkCode(String value);

    int getParkTimeoutSeconds();

    void setParkTimeoutSeconds(int value);

    int getRecallRingSeconds();

    void setRecallRingSeconds(int value);

    int getMaxParkedPerExtension();

    void setMaxParkedPerExtension(int value);

    /** PARKER_ONLY, PARKER_THEN_GROUP or GROUP_ONLY. */
    String getRecallPolicy();

    void setRecallPolicy(String value);

    int getRecallAttempts();

    void setRecallAttempts(int value);

    /** Extensions, comma-separated: a plain string so that jmxproxy's {@code set} can write it. */
    String getRecallGroup();

    void setRecallGroup(String value);

    /** An extension, or empty for hang-up. */
    String getRecallFallback();

    void setRecallFallback(String value);

    /** A sip: URI, or empty for plain hold. */
    String getMusicOnHoldUri();

    void setMusicOnHoldUri(String value);

    ParkedCallView[] listParkedCalls();

    /** Hangs up the parked party; the park ends ENDED_BY_OPERATOR. False if no such call is parked here. */
    boolean hangUp(String parkId);
}
