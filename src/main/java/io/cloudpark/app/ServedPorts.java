package io.cloudpark.app;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Objects;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.servlet.ServletContext;
import javax.servlet.sip.SipServlet;

/**
 * What the container really listens on, for the start-up log: in an operator's container the CLOUDPARK_SIP_PORT and
 * CLOUDPARK_HTTP_PORT settings mean nothing (they configure the embedded launcher), the connectors in server.xml do.
 */
public final class ServedPorts {
    private ServedPorts() {
    }

    public static String describe(ServletContext context) {
        return "SIP " + context.getAttribute(SipServlet.OUTBOUND_INTERFACES) + ", HTTP " + httpConnectors()
                + ", context path '" + context.getContextPath() + "'";
    }

    /** Tomcat registers each connector as an MBean ({@code Catalina:type=Connector,port=…}); SIP connectors too. */
    private static List<String> httpConnectors() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            return server.queryNames(new ObjectName("*:type=Connector,*"), null).stream()
                    .map(name -> {
                        try {
                            String protocol = String.valueOf(server.getAttribute(name, "protocol"));
                            return protocol.toUpperCase().contains("HTTP") ? name.getKeyProperty("port") : null;
                        } catch (JMException e) {
                            return null;
                        }
                    })
                    .filter(Objects::nonNull)
                    .sorted()
                    .toList();
        } catch (JMException e) {
            return List.of();
        }
    }
}
