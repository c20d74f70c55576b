package io.cloudpark.jmx;

import java.util.Map;

/**
 * {@code io.cloudpark:type=Node}: this node as the container's console (JConsole, jmxproxy, Jolokia) shows it. Open
 * types only. Tenants are not listed here: {@link #openTenant} puts one tenant's settings into the console.
 */
public interface NodeMXBean {
    String getNodeId();

    String getVersion();

    /** UP or DOWN, as {@code GET /health} says. */
    String getDatabaseStatus();

    /** Calls this node holds parked now, in every tenant. */
    int getParkedCalls();

    long getLiveSipSessions();

    long getTenants();

    long getParksTotal();

    Map<String, Long> getParkRefusalsTotal();

    Map<String, Long> getParkResolutionsTotal();

    long getParkInfoNotifiesSent();

    long getParkInfoNotifiesFailed();

    long getRegistrationsTotal();

    /**
     * Registers {@code io.cloudpark:type=Tenant,domain=<domain>} for this tenant and returns its object name. At most
     * {@value TenantBeans#MAX_OPEN} are open at once; opening one more closes the one least recently opened.
     */
    String openTenant(String domain);

    /** Unregisters the tenant's MBean; false if it was not open. */
    boolean closeTenant(String domain);
}
