package io.cloudpark.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.cloudpark.testing.LauncherProcess;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;

/**
 * {@code java -jar target/cloudpark-standalone.jar} as README runs it (DESIGN §6): it serves on the ports it is given
 * from a fresh directory, and when it cannot have a port it says so and exits instead of hanging half-started.
 */
class LauncherIT {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final String DEMO = "demo.cloudpark.test";
    /** Bound on start-up and on giving up: a launcher still running by then hangs. */
    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path workingDirectory;

    /** What the test holds on the SIP port before the launcher starts, and the connector it must then name. */
    @ParameterizedTest(name = "SIP port taken on {0}")
    @CsvSource({"udp+tcp, SIP/udp", "udp, SIP/udp", "tcp, SIP/tcp"})
    void exitsWithAMessageWhenTheSipPortIsTaken(String taken, String refusedConnector) throws Exception {
        List<AutoCloseable> holders = new ArrayList<>();
        try {
            int sipPort = portFreeOnUdpAndTcp();
            if (taken.contains("udp")) {
                holders.add(new DatagramSocket(sipPort, LOOPBACK));
            }
            if (taken.contains("tcp")) {
                holders.add(new ServerSocket(sipPort, 50, LOOPBACK));
            }
            assertGivesUp(sipPort, freeTcpPort(), "could not open " + refusedConnector + " on port " + sipPort);
        } finally {
            for (AutoCloseable holder : holders) {
                holder.close();
            }
        }
    }

    @Test
    void exitsWithAMessageWhenTheHttpPortIsTaken() throws Exception {
        try (ServerSocket holder = new ServerSocket(0, 50, LOOPBACK)) {
            int httpPort = holder.getLocalPort();
            assertGivesUp(portFreeOnUdpAndTcp(), httpPort, "could not open HTTP/1.1 on port " + httpPort);
        }
    }

    private void assertGivesUp(int sipPort, int httpPort, String reason) throws Exception {
        try (LauncherProcess launcher = start(sipPort, httpPort)) {
            OptionalInt exit = launcher.awaitExit(BOUND);
            assertTrue(exit.isPresent(), () -> "still running " + BOUND.toSeconds() + " s after it could not open a port:\n"
                    + launcher.output());
            assertNotEquals(0, exit.getAsInt(), launcher::output);
            assertTrue(launcher.output().contains("cloudpark cannot start: " + reason),
                    () -> "expected \"cloudpark cannot start: " + reason + "\" in:\n" + launcher.output());
            assertFalse(launcher.output().contains(LauncherProcess.READY), launcher::output);
        }
    }

    @Test
    void servesHealthAndTheDemoTenantFromAFreshDirectory() throws Exception {
        int sipPort = portFreeOnUdpAndTcp();
        int httpPort = freeTcpPort();
        try (LauncherProcess launcher = start(sipPort, httpPort)) {
            assertTrue(launcher.awaitReady(BOUND), () -> "not ready (it ended, or was still starting after "
                    + BOUND.toSeconds() + " s):\n" + launcher.output());

            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());

            SipMessage challenge = registerWithoutCredentials(sipPort, "102");
            assertEquals(401, challenge.status(), challenge.toString());
            String offered = challenge.header("WWW-Authenticate");
            assertTrue(offered.startsWith("Digest ") && offered.contains("realm=\"" + DEMO + "\"")
                    && offered.contains("qop=\"auth\""), offered);

            try (TestPhone alice = new TestPhone(DEMO, "102", "demo102", sipPort)) {
                SipMessage registered = alice.register(3600);
                assertEquals(200, registered.status(), registered.toString());
            }
            assertTrue(Files.isDirectory(workingDirectory.resolve("data")), "the store is ./data of the working directory");
        }
    }

    private LauncherProcess start(int sipPort, int httpPort) throws IOException {
        return LauncherProcess.start(workingDirectory, Map.of(
                "CLOUDPARK_SIP_PORT", Integer.toString(sipPort),
                "CLOUDPARK_HTTP_PORT", Integer.toString(httpPort)));
    }

    /** A REGISTER as a phone sends it first, without credentials; returns the PBX's answer. */
    private static SipMessage registerWithoutCredentials(int sipPort, String extension) throws IOException {
        try (DatagramSocket phone = new DatagramSocket(0, LOOPBACK)) {
            phone.setSoTimeout(5_000);
            String contact = "sip:" + extension + "@127.0.0.1:" + phone.getLocalPort();
            String register = "REGISTER sip:" + DEMO + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + phone.getLocalPort() + ";branch=z9hG4bK-launcher-it\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: <sip:" + extension + "@" + DEMO + ">;tag=launcher-it\r\n"
                    + "To: <sip:" + extension + "@" + DEMO + ">\r\n"
                    + "Call-ID: launcher-it-" + phone.getLocalPort() + "\r\n"
                    + "CSeq: 1 REGISTER\r\n"
                    + "Contact: <" + contact + ">\r\n"
                    + "Expires: 3600\r\n"
                    + "Content-Length: 0\r\n\r\n";
            byte[] bytes = register.getBytes(StandardCharsets.US_ASCII);
            phone.send(new DatagramPacket(bytes, bytes.length, LOOPBACK, sipPort));
            byte[] buffer = new byte[65_535];
            DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
            phone.receive(answer);
            return SipMessage.parse(answer.getData(), answer.getLength());
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 50, LOOPBACK)) {
            return probe.getLocalPort();
        }
    }

    /** A port that neither a UDP nor a TCP socket holds now (the SIP connectors open both). */
    private static int portFreeOnUdpAndTcp() throws IOException {
        while (true) {
            try (ServerSocket tcp = new ServerSocket(0, 50, LOOPBACK);
                 DatagramSocket udp = new DatagramSocket(tcp.getLocalPort(), LOOPBACK)) {
                return udp.getLocalPort();
            } catch (BindException takenOnUdp) {
                // try another
            }
        }
    }
}
