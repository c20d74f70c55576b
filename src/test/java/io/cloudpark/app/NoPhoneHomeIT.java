package io.cloudpark.app;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mobicents.servlet.sip.core.SipApplicationDispatcher;
import org.mobicents.servlet.sip.startup.StaticServiceHolder;
import org.restcomm.commons.statistics.reporter.RestcommStatsReporter;

import io.cloudpark.container.NonReportingStatsReporter;
import io.cloudpark.testing.Deployments;

/**
 * Restcomm's statistics reporter would post usage data to the vendor's server (daily and when the container stops).
 * In the running container it must be the reporter that never reports. The vendor's own reporter, aimed at a local
 * socket, shows that the check sees a report when one is made.
 */
@ExtendWith(ArquillianExtension.class)
class NoPhoneHomeIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void theRunningContainersReporterSendsNothingEvenWhenAskedTo() throws Exception {
        RestcommStatsReporter reporter = RestcommStatsReporter.getRestcommStatsReporter();
        assertInstanceOf(NonReportingStatsReporter.class, reporter, "the container uses the non-reporting reporter");
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            reporter.setRemoteServer("http://127.0.0.1:" + listener.getLocalPort() + "/rest/");
            reporter.report();
            reporter.stop();
            listener.setSoTimeout(1000);
            try (Socket ignored = listener.accept()) {
                throw new AssertionError("the reporter connected out");
            } catch (SocketTimeoutException expected) {
                // nothing connected
            }
        }
    }

    @Test
    void inAnOperatorsContainerTheApplicationSwitchesTheRunningReporterOff() throws Exception {
        SipApplicationDispatcher dispatcher = StaticServiceHolder.sipStandardService.getSipApplicationDispatcher();
        Field field = dispatcher.getClass().getDeclaredField("statsReporter");
        field.setAccessible(true);
        Object installedAtBoot = field.get(dispatcher);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // what a container not booted by cloudpark holds: the vendor's reporter, scheduled (here every second)
            RestcommStatsReporter stock = new RestcommStatsReporter();
            stock.setRemoteServer("http://127.0.0.1:" + listener.getLocalPort() + "/rest/");
            field.set(dispatcher, stock);
            stock.start(1, TimeUnit.SECONDS);

            NonReportingStatsReporter.replaceInRunningContainer();

            assertInstanceOf(NonReportingStatsReporter.class, field.get(dispatcher));
            listener.setSoTimeout(2500);
            try (Socket ignored = listener.accept()) {
                throw new AssertionError("the vendor's reporter still reported");
            } catch (SocketTimeoutException expected) {
                // its schedule was shut down before it ran
            }
        } finally {
            field.set(dispatcher, installedAtBoot);
        }
    }

    @Test
    void withoutItTheVendorsSenderWouldConnectOut() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(5000);
            RestcommStatsReporter stock = new RestcommStatsReporter();
            stock.setRemoteServer("http://127.0.0.1:" + listener.getLocalPort() + "/rest/");
            CompletableFuture.runAsync(stock::report);
            try (Socket connection = listener.accept()) {
                assertTrue(connection.isConnected());
            }
        }
    }
}
