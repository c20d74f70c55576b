package io.cloudpark.standalone;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardServer;
import org.apache.catalina.loader.WebappLoader;
import org.mobicents.servlet.sip.catalina.SipProtocolHandler;
import org.mobicents.servlet.sip.catalina.SipStandardEngine;
import org.mobicents.servlet.sip.catalina.SipStandardHost;
import org.mobicents.servlet.sip.catalina.SipStandardService;
import org.mobicents.servlet.sip.core.SipApplicationDispatcherImpl;
import org.mobicents.servlet.sip.core.session.SipStandardManager;
import org.mobicents.servlet.sip.startup.SipContextConfig;
import org.mobicents.servlet.sip.startup.SipStandardContext;

import io.cloudpark.container.NonReportingStatsReporter;

/**
 * Restcomm SIP Servlets (Tomcat 7 flavour) booted in-process, without server.xml: one HTTP connector and one SIP
 * connector per transport (UDP and TCP) on the same port. Used by the standalone launcher and by the tests.
 */
public final class EmbeddedContainer {
    /**
     * Restcomm's {@code concurrencyControlMode} ({@code None}, {@code Transaction}, {@code SipSession},
     * {@code SipApplicationSession}), as {@code bin/setenv.sh} of the assembled container names it; cloudpark does not
     * depend on it (see {@code io.cloudpark.sip.Leg}), and the SIP tests run under each.
     */
    public static final String CONCURRENCY_CONTROL_MODE = "cloudpark.container.concurrencyControlMode";

    private final StandardServer server;
    private final SipStandardService service;
    private final SipStandardHost host;

    /**
     * @param baseDir   catalina.base: the container's work directories
     * @param confDir   holds {@code dar.properties} (application router) and {@code sip-stack.properties}
     */
    public EmbeddedContainer(Path baseDir, Path confDir, String bindAddress, int sipPort, int httpPort) throws Exception {
        Files.createDirectories(baseDir.resolve("webapps"));
        Path dar = requireFile(confDir.resolve("dar.properties"));
        Path stack = requireFile(confDir.resolve("sip-stack.properties"));
        System.setProperty("catalina.base", baseDir.toString());
        System.setProperty("catalina.home", baseDir.toString());
        System.setProperty("javax.servlet.sip.ar.spi.SipApplicationRouterProvider",
                "org.mobicents.servlet.sip.router.DefaultApplicationRouterProvider");
        System.setProperty("javax.servlet.sip.dar", dar.toUri().toString());
        NonReportingStatsReporter.install();

        server = new StandardServer();
        server.setPort(-1); // no shutdown port: stopping is the launcher's job

        service = new SipStandardService();
        service.setName("cloudpark");
        service.setSipApplicationDispatcherClassName(SipApplicationDispatcherImpl.class.getName());
        service.setCongestionControlCheckingInterval(-1);
        service.setConcurrencyControlMode(System.getProperty(CONCURRENCY_CONTROL_MODE, "None"));
        service.setGatherStatistics(false);
        service.setSipStackPropertiesFile(stack.toUri().toString());
        server.addService(service);

        SipStandardEngine engine = new SipStandardEngine();
        engine.setName("cloudpark");
        engine.setDefaultHost("localhost");
        service.setContainer(engine);

        host = new SipStandardHost();
        host.setName("localhost");
        host.setAppBase(baseDir.resolve("webapps").toString());
        host.setAutoDeploy(false);
        host.setDeployOnStartup(false);
        engine.addChild(host);

        Connector http = new Connector("HTTP/1.1");
        http.setPort(httpPort);
        http.setAttribute("address", bindAddress);
        service.addConnector(http);

        for (String transport : new String[] {"udp", "tcp"}) {
            Connector sip = new Connector(SipProtocolHandler.class.getName());
            SipProtocolHandler handler = (SipProtocolHandler) sip.getProtocolHandler();
            handler.setIpAddress(bindAddress);
            handler.setPort(sipPort);
            handler.setSignalingTransport(transport);
            service.addConnector(sip);
        }
    }

    private static Path requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("missing container configuration file: " + file.toAbsolutePath());
        }
        return file;
    }

    /** Starts the container; throws if any connector could not bind (Tomcat only logs that). */
    public void start() throws LifecycleException {
        server.init();
        server.start();
        for (Connector connector : service.findConnectors()) {
            if (!isOpen(connector)) {
                throw new LifecycleException("could not open " + describe(connector) + " on port "
                        + connector.getPort() + " (in use, or no such address?)");
            }
        }
        if (service.findSipConnectors().length == 0) {
            throw new LifecycleException("no SIP connector started: is the SIP port in use?");
        }
    }

    /** A SIP connector whose port could not be bound still reports STARTED: only its protocol handler knows. */
    private static boolean isOpen(Connector connector) {
        if (connector.getProtocolHandler() instanceof SipProtocolHandler sip) {
            return sip.isStarted();
        }
        return connector.getState().isAvailable();
    }

    private static String describe(Connector connector) {
        if (connector.getProtocolHandler() instanceof SipProtocolHandler sip) {
            return "SIP/" + sip.getSignalingTransport();
        }
        return connector.getProtocol();
    }

    /**
     * Deploys an exploded converged application (WEB-INF/sip.xml + web.xml) whose classes are on this JVM's class
     * path: the web application class loader delegates to the parent first, so there is one copy of every class.
     */
    public SipStandardContext deploy(String contextPath, Path docBase) {
        SipStandardContext context = new SipStandardContext();
        context.setName(contextPath.isEmpty() ? "ROOT" : contextPath);
        context.setPath(contextPath);
        context.setDocBase(docBase.toAbsolutePath().toString());
        context.setXmlNamespaceAware(true);
        SipContextConfig config = new SipContextConfig();
        config.setDefaultWebXml("org/apache/catalina/startup/NO_DEFAULT_XML");
        context.addLifecycleListener(config);
        context.setManager(new SipStandardManager());
        ClassLoader parent = EmbeddedContainer.class.getClassLoader();
        context.setParentClassLoader(parent);
        WebappLoader loader = new WebappLoader(parent);
        loader.setDelegate(true);
        context.setDelegate(true);
        context.setLoader(loader);
        host.addChild(context);
        return context;
    }

    public void undeploy(SipStandardContext context) {
        host.removeChild(context);
    }

    public void stop() throws LifecycleException {
        server.stop();
        server.destroy();
    }
}
