package io.cloudpark.jmx;

import java.util.Map;

import io.cloudpark.app.CloudparkApp;
import io.cloudpark.sip.LiveSessionGauge;

/** The node's state, read live at each console refresh. */
final class NodeBean implements NodeMXBean {
    private final CloudparkApp app;
    private final TenantBeans tenants;

    NodeBean(CloudparkApp app, TenantBeans tenants) {
        this.app = app;
        this.tenants = tenants;
    }

    @Override public String getNodeId() { return app.config().nodeId(); }

    @Override public String getVersion() { return app.version(); }

    @Override public String getDatabaseStatus() { return app.database().isReachable() ? "UP" : "DOWN"; }

    @Override public int getParkedCalls() { return app.parkService().ownedBy(app.config().nodeId()).size(); }

    @Override public long getLiveSipSessions() { return app.metrics().gaugeValue(LiveSessionGauge.NAME); }

    @Override public long getTenants() { return app.database().tenants().countTenants(); }

    @Override public long getParksTotal() { return app.metrics().parks(); }

    @Override public Map<String, Long> getParkRefusalsTotal() { return app.metrics().refusals(); }

    @Override public Map<String, Long> getParkResolutionsTotal() { return app.metrics().resolutions(); }

    @Override public long getParkInfoNotifiesSent() { return app.metrics().notifiesSent(); }

    @Override public long getParkInfoNotifiesFailed() { return app.metrics().notifiesFailed(); }

    @Override public long getRegistrationsTotal() { return app.metrics().registrations(); }

    @Override public String openTenant(String domain) { return tenants.open(domain); }

    @Override public boolean closeTenant(String domain) { return tenants.close(domain); }
}
