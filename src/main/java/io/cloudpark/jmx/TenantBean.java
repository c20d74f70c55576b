package io.cloudpark.jmx;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

import org.apache.log4j.Logger;

import io.cloudpark.admin.Views;
import io.cloudpark.app.CloudparkApp;
import io.cloudpark.park.ParkService.PolicyChange;
import io.cloudpark.park.ParkingPolicy;
import io.cloudpark.park.RecallPolicy;
import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.tenant.Tenant;

/** A view onto one tenant in the database: it keeps only the domain, so every node and the API agree. */
final class TenantBean implements TenantMXBean {
    private static final Logger LOG = Logger.getLogger(TenantBean.class);

    /** Who a change made through the container's console is recorded as: JMX carries no user of ours. */
    static final String ACTOR = "jmx";

    private final CloudparkApp app;
    private final String domain;

    TenantBean(CloudparkApp app, String domain) {
        this.app = app;
        this.domain = domain;
    }

    private Tenant tenant() {
        return app.parkService().tenant(domain)
                .orElseThrow(() -> new IllegalStateException("tenant " + domain + " no longer exists"));
    }

    private ParkingPolicy policy() {
        return tenant().policy();
    }

    private void change(String field, Object value, UnaryOperator<ParkingPolicy.Builder> edit) {
        Tenant tenant = tenant();
        PolicyChange change = app.parkService().changePolicy(tenant, edit.apply(tenant.policy().toBuilder()).build());
        if (change instanceof PolicyChange.Invalid invalid) {
            LOG.info("JMX: refused " + field + "=" + value + " for " + domain + ": " + String.join("; ", invalid.violations()));
            throw new IllegalArgumentException(String.join("; ", invalid.violations()));
        }
        if (change instanceof PolicyChange.NoSuchTenant) {
            throw new IllegalStateException("tenant " + domain + " no longer exists");
        }
        LOG.info("JMX: " + domain + " " + field + " set to " + value);
        try {
            app.audit().record(ACTOR, domain, "settings.update", Views.settings(tenant.policy()),
                    Views.settings(((PolicyChange.Changed) change).tenant().policy()));
        } catch (StoreUnavailableException e) {
            LOG.error("audit entry not stored (" + e.getMessage() + "): " + ACTOR + " settings.update " + domain
                    + " " + field + "=" + value);
        }
    }

    @Override public String getDomain() { return domain; }

    @Override public String getName() { return tenant().name(); }

    @Override public String getParkCode() { return policy().parkCode(); }

    @Override public void setParkCode(String value) { change("parkCode", value, b -> b.parkCode(value)); }

    @Override public String getRetrieveCode() { return policy().retrieveCode(); }

    @Override public void setRetrieveCode(String value) { change("retrieveCode", value, b -> b.retrieveCode(value)); }

    @Override public String getGroupParkCode() { return policy().groupParkCode(); }

    @Override public void setGroupParkCode(String value) { change("groupParkCode", value, b -> b.groupParkCode(value)); }

    @Override public int getParkTimeoutSeconds() { return policy().parkTimeoutSeconds(); }

    @Override
    public void setParkTimeoutSeconds(int value) {
        change("parkTimeoutSeconds", value, b -> b.parkTimeoutSeconds(value));
    }

    @Override public int getRecallRingSeconds() { return policy().recallRingSeconds(); }

    @Override
    public void setRecallRingSeconds(int value) {
        change("recallRingSeconds", value, b -> b.recallRingSeconds(value));
    }

    @Override public int getMaxParkedPerExtension() { return policy().maxParkedPerExtension(); }

    @Override
    public void setMaxParkedPerExtension(int value) {
        change("maxParkedPerExtension", value, b -> b.maxParkedPerExtension(value));
    }

    @Override public String getRecallPolicy() { return policy().recallPolicy().name(); }

    @Override
    public void setRecallPolicy(String value) {
        RecallPolicy policy;
        try {
            policy = RecallPolicy.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("recallPolicy: must be one of " + Arrays.toString(RecallPolicy.values()));
        }
        change("recallPolicy", value, b -> b.recallPolicy(policy));
    }

    @Override public int getRecallAttempts() { return policy().recallAttempts(); }

    @Override public void setRecallAttempts(int value) { change("recallAttempts", value, b -> b.recallAttempts(value)); }

    @Override public String getRecallGroup() { return String.join(",", policy().recallGroup()); }

    @Override
    public void setRecallGroup(String value) {
        List<String> group = value == null || value.isBlank() ? List.of()
                : Arrays.stream(value.split(",")).map(String::trim).toList();
        change("recallGroup", value, b -> b.recallGroup(group));
    }

    @Override public String getRecallFallback() { return orEmpty(policy().recallFallback()); }

    @Override public void setRecallFallback(String value) { change("recallFallback", value, b -> b.recallFallback(value)); }

    @Override public String getMusicOnHoldUri() { return orEmpty(policy().musicOnHoldUri()); }

    @Override public void setMusicOnHoldUri(String value) { change("musicOnHoldUri", value, b -> b.musicOnHoldUri(value)); }

    @Override
    public ParkedCallView[] listParkedCalls() {
        return app.parkService().parkedInTenant(tenant()).stream().map(ParkedCallView::of).toArray(ParkedCallView[]::new);
    }

    @Override
    public boolean hangUp(String parkId) {
        boolean hungUp = app.operatorHangup().hangUp(tenant(), parkId);
        LOG.info("JMX: hang-up of " + parkId + " in " + domain + (hungUp ? "" : ": no such call parked"));
        return hungUp;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
