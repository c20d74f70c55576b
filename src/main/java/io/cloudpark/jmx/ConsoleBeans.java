package io.cloudpark.jmx;

import java.lang.management.ManagementFactory;
import java.util.Optional;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.log4j.Logger;

import io.cloudpark.app.CloudparkApp;

/**
 * cloudpark's MXBeans in the platform MBean server, the one the container's consoles read: registered when the
 * application starts, and every one unregistered when it stops, so a redeploy neither leaks nor collides.
 */
public final class ConsoleBeans implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConsoleBeans.class);
    public static final String NODE = "io.cloudpark:type=Node";

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final ObjectName node;
    private final TenantBeans tenants;

    private ConsoleBeans(CloudparkApp app) throws JMException {
        node = new ObjectName(NODE);
        tenants = new TenantBeans(app);
        server.registerMBean(new NodeBean(app, tenants), node);
    }

    /** Empty when another cloudpark in this JVM holds the names: it still serves, without a console. */
    public static Optional<ConsoleBeans> register(CloudparkApp app) {
        try {
            ConsoleBeans beans = new ConsoleBeans(app);
            LOG.info("JMX: registered " + NODE);
            return Optional.of(beans);
        } catch (JMException e) {
            LOG.warn("JMX: cannot register " + NODE + " (is cloudpark deployed twice in one JVM?): " + e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        tenants.closeAll();
        try {
            server.unregisterMBean(node);
        } catch (JMException e) {
            LOG.warn("JMX: " + NODE + " was already gone: " + e.getMessage());
        }
    }
}
