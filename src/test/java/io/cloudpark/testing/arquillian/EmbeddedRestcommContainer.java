package io.cloudpark.testing.arquillian;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.arquillian.container.spi.client.container.DeployableContainer;
import org.jboss.arquillian.container.spi.client.container.DeploymentException;
import org.jboss.arquillian.container.spi.client.container.LifecycleException;
import org.jboss.arquillian.container.spi.client.protocol.ProtocolDescription;
import org.jboss.arquillian.container.spi.client.protocol.metadata.HTTPContext;
import org.jboss.arquillian.container.spi.client.protocol.metadata.ProtocolMetaData;
import org.jboss.arquillian.container.spi.client.protocol.metadata.Servlet;
import org.jboss.shrinkwrap.api.Archive;
import org.jboss.shrinkwrap.api.exporter.ExplodedExporter;
import org.mobicents.servlet.sip.startup.SipStandardContext;

import io.cloudpark.standalone.EmbeddedContainer;

/**
 * Arquillian adapter for the real embedded Restcomm SIP Servlets container (the one the standalone launcher runs),
 * in the test JVM: the archive is exported exploded and deployed; test classes and the application share one
 * class loader (parent-first), so tests can look at the application's state directly.
 */
public class EmbeddedRestcommContainer implements DeployableContainer<EmbeddedRestcommConfiguration> {
    private EmbeddedRestcommConfiguration configuration;
    private EmbeddedContainer container;
    private final Map<String, SipStandardContext> deployed = new ConcurrentHashMap<>();

    @Override
    public Class<EmbeddedRestcommConfiguration> getConfigurationClass() {
        return EmbeddedRestcommConfiguration.class;
    }

    @Override
    public void setup(EmbeddedRestcommConfiguration c) {
        configuration = c;
    }

    @Override
    public ProtocolDescription getDefaultProtocol() {
        return new ProtocolDescription("Local");
    }

    @Override
    public void start() throws LifecycleException {
        try {
            container = new EmbeddedContainer(Paths.get(configuration.getBaseDir()).toAbsolutePath(),
                    Paths.get(configuration.getConfDir()).toAbsolutePath(), configuration.getBindAddress(),
                    configuration.getSipPort(), configuration.getHttpPort());
            container.start();
        } catch (Exception e) {
            throw new LifecycleException("could not start the embedded Restcomm container", e);
        }
    }

    @Override
    public void stop() throws LifecycleException {
        try {
            container.stop();
            javax.sip.SipFactory.getInstance().resetFactory();
        } catch (Exception e) {
            throw new LifecycleException("could not stop the embedded Restcomm container", e);
        }
    }

    @Override
    public ProtocolMetaData deploy(Archive<?> archive) throws DeploymentException {
        String name = archive.getName().replaceFirst("\\.war$", "");
        String contextPath = name.equals("ROOT") ? "" : "/" + name;
        try {
            File root = Paths.get(configuration.getBaseDir(), "deployments").toAbsolutePath().toFile();
            root.mkdirs();
            Path dir = archive.as(ExplodedExporter.class).exportExplodedInto(new File(root, name)).toPath();
            SipStandardContext context = container.deploy(contextPath, dir);
            if (!context.getState().isAvailable()) {
                container.undeploy(context);
                throw new DeploymentException("context " + name + " failed to start: " + context.getState());
            }
            deployed.put(archive.getName(), context);
            HTTPContext http = new HTTPContext(configuration.getBindAddress(), configuration.getHttpPort());
            for (String mapping : context.findServletMappings()) {
                http.add(new Servlet(context.findServletMapping(mapping), contextPath));
            }
            return new ProtocolMetaData().addContext(http);
        } catch (DeploymentException e) {
            throw e;
        } catch (Exception e) {
            throw new DeploymentException("deploy failed: " + archive.getName(), e);
        }
    }

    @Override
    public void undeploy(Archive<?> archive) {
        SipStandardContext context = deployed.remove(archive.getName());
        if (context != null) {
            container.undeploy(context);
        }
    }
}
