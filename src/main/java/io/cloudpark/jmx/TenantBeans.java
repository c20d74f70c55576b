package io.cloudpark.jmx;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.log4j.Logger;

import io.cloudpark.app.CloudparkApp;

/**
 * The tenant MBeans open in the console. At 10,000 tenants one MBean each would bury JConsole's tree and cost every
 * node memory for tenants nobody is looking at, so a tenant is registered when an operator opens it, and at most
 * {@link #MAX_OPEN} stay open, the least recently opened going first.
 */
final class TenantBeans {
    private static final Logger LOG = Logger.getLogger(TenantBeans.class);
    static final int MAX_OPEN = 50;

    private final CloudparkApp app;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    /** Access order: the eldest is the least recently opened. Guarded by this. */
    private final Map<String, ObjectName> open = new LinkedHashMap<>(16, 0.75f, true);

    TenantBeans(CloudparkApp app) {
        this.app = app;
    }

    /** Tenant domains are host names, which are valid unquoted ObjectName values. */
    static ObjectName name(String domain) {
        try {
            return new ObjectName("io.cloudpark:type=Tenant,domain=" + domain);
        } catch (JMException e) {
            throw new IllegalArgumentException("domain: not a valid tenant domain");
        }
    }

    synchronized String open(String rawDomain) {
        String domain = rawDomain == null ? "" : rawDomain.trim().toLowerCase(Locale.ROOT);
        if (app.parkService().tenant(domain).isEmpty()) {
            throw new IllegalArgumentException("domain: no tenant " + domain);
        }
        ObjectName name = open.get(domain);
        if (name == null) {
            name = name(domain);
            try {
                server.registerMBean(new TenantBean(app, domain), name);
            } catch (JMException e) {
                throw new IllegalStateException("cannot register " + name + ": " + e.getMessage(), e);
            }
            open.put(domain, name);
            LOG.info("JMX: opened tenant " + domain);
            closeEldestBeyondLimit();
        }
        return name.getCanonicalName();
    }

    private void closeEldestBeyondLimit() {
        Iterator<Map.Entry<String, ObjectName>> eldest = open.entrySet().iterator();
        while (open.size() > MAX_OPEN && eldest.hasNext()) {
            unregister(eldest.next().getValue());
            eldest.remove();
        }
    }

    synchronized boolean close(String domain) {
        ObjectName name = open.remove(domain == null ? "" : domain.trim().toLowerCase(Locale.ROOT));
        if (name == null) {
            return false;
        }
        unregister(name);
        return true;
    }

    synchronized void closeAll() {
        List<ObjectName> names = new ArrayList<>(open.values());
        open.clear();
        names.forEach(this::unregister);
    }

    private void unregister(ObjectName name) {
        try {
            server.unregisterMBean(name);
        } catch (JMException e) {
            LOG.warn("JMX: " + name + " was already gone: " + e.getMessage());
        }
    }
}
