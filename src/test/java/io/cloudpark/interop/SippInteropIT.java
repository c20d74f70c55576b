package io.cloudpark.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.cloudpark.app.Config;
import io.cloudpark.testing.AdminClient;
import io.cloudpark.testing.LauncherProcess;
import io.cloudpark.testing.SippPeer;

/**
 * Park cycles with phones we did not write: SIPp plays the peers of src/test/sipp against the standalone server,
 * started as README starts it, with its demo tenant. DESIGN §8 scenario 1, the retrieve:
 * <ol>
 *   <li>Alice (102, park-target-uas) and Bob (101, transferor-uas) register and wait;</li>
 *   <li>Dave (104, caller-uac) calls Bob, who parks him at Alice with REFER *68102 and hangs up;</li>
 *   <li>then Carol (103, retriever-uac) takes the call with *88102 and hangs up after a moment, which ends Dave's
 *       call; Alice's phone has been told of the park and of the retrieve.</li>
 * </ol>
 * And the recall (DESIGN §3), nobody retrieving:
 * <ol>
 *   <li>Erin (105, recall-parker-uas) registers; Dave (104, recall-caller-uac) calls her, and she parks him at her
 *       own extension with REFER *68 and hangs up;</li>
 *   <li>parkTimeoutSeconds later the PBX rings Erin with Dave as the caller and the recall Alert-Info, without SDP;
 *       her answer's offer reconnects Dave, his answer comes back in the ACK; she hangs up after a moment, which
 *       ends Dave's call; her phone has been told of the park and of the recall.</li>
 * </ol>
 * Each SIPp checks its own part of the exchange; the admin API must then show the park's resolution. Server ports:
 * 26060 (SIP) and 29080 (HTTP), clear of the other ITs' 15060/18080; on a host where something else holds them,
 * run with {@code -Dcloudpark.interop.sipPort=… -Dcloudpark.interop.httpPort=…}.
 */
class SippInteropIT {
    private static final int SIP_PORT = Integer.getInteger("cloudpark.interop.sipPort", 26060);
    private static final int HTTP_PORT = Integer.getInteger("cloudpark.interop.httpPort", 29080);
    private static final String DOMAIN = "demo.cloudpark.test";
    private static final String SETTINGS = "/api/tenants/" + DOMAIN + "/settings";
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration REGISTRATION = Duration.ofSeconds(10);
    /** The recall test's park timeout: short, so the test is; Erin answers long before the ring time is up. */
    private static final String QUICK_RECALL = "{\"parkTimeoutSeconds\":2,\"recallRingSeconds\":10}";

    private static Path sipp;
    private static Path workingDirectory;
    private static LauncherProcess server;
    private static AdminClient admin;
    private final List<SippPeer> peers = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        sipp = SippPeer.findSipp().orElseThrow(() -> new AssertionError("no sipp on the PATH: " + SippPeer.INSTALL_HINT));
        Path logs = Files.createDirectories(Path.of("target", "sipp"));
        // a fresh working directory: a new ./data store, which the launcher seeds with the demo tenant
        workingDirectory = Files.createTempDirectory(logs, "server-");
        server = LauncherProcess.start(workingDirectory, Map.of(
                "CLOUDPARK_SIP_PORT", Integer.toString(SIP_PORT),
                "CLOUDPARK_HTTP_PORT", Integer.toString(HTTP_PORT)));
        assertTrue(server.awaitReady(STARTUP),
                () -> "the standalone server is not ready (it ended, or was still starting after " + STARTUP.toSeconds()
                        + " s):\n" + server.output());
        admin = new AdminClient(HTTP_PORT, Config.DEFAULT_ADMIN_PASSWORD);
    }

    /** Stops the server and keeps what it logged next to its store, to read with the SIPp logs. */
    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
            Files.writeString(workingDirectory.resolve("launcher-output.log"), server.output());
        }
    }

    /** Peers still running after a failure would only run into their own timeouts. */
    @AfterEach
    void stopPeers() throws InterruptedException {
        for (SippPeer peer : peers) {
            peer.stop();
        }
    }

    @Test
    void carolRetrievesTheCallBobParkedAtAlice() throws Exception {
        int endedBefore = parkHistory().size();
        SippPeer alice = start("park-target-uas");
        SippPeer bob = start("transferor-uas");
        awaitRegistered("102", alice);
        awaitRegistered("101", bob);

        SippPeer dave = start("caller-uac");
        // Bob ends once the PBX has confirmed the park and he has hung up: Dave is parked at 102 from then on
        bob.assertPassed();

        SippPeer carol = start("retriever-uac");
        carol.assertPassed();
        dave.assertPassed();
        alice.assertPassed();

        JsonNode park = theOneParkEndedSince(endedBefore);
        assertEquals("RETRIEVED", park.get("resolution").asText(), park::toPrettyString);
        assertEquals("102", park.get("extension").asText(), park::toPrettyString);
        assertEquals("sip:104@" + DOMAIN, park.get("parked").get("uri").asText(), park::toPrettyString);
        assertEquals("sip:101@" + DOMAIN, park.get("parker").get("uri").asText(), park::toPrettyString);
        assertEquals("103", park.get("endedBy").asText(), park::toPrettyString);
    }

    @Test
    void theRecallGivesErinBackTheCallSheParkedAndNobodyRetrieved() throws Exception {
        int endedBefore = parkHistory().size();
        JsonNode settings = admin.get(SETTINGS).json();
        putSettings(QUICK_RECALL);
        try {
            SippPeer erin = start("recall-parker-uas");
            awaitRegistered("105", erin);

            SippPeer dave = start("recall-caller-uac");
            // Dave ends when Erin, having taken him back, hangs up; she ends once her phone saw it all
            dave.assertPassed();
            erin.assertPassed();
        } finally {
            // the tenant is shared with the other tests of the class: their parks must not be recalled early
            putSettings("{\"parkTimeoutSeconds\":" + settings.get("parkTimeoutSeconds")
                    + ",\"recallRingSeconds\":" + settings.get("recallRingSeconds") + "}");
        }

        JsonNode park = theOneParkEndedSince(endedBefore);
        assertEquals("RECALLED", park.get("resolution").asText(), park::toPrettyString);
        assertEquals("105", park.get("extension").asText(), park::toPrettyString);
        assertEquals("sip:104@" + DOMAIN, park.get("parked").get("uri").asText(), park::toPrettyString);
        assertEquals("sip:105@" + DOMAIN, park.get("parker").get("uri").asText(), park::toPrettyString);
        assertEquals("105", park.get("endedBy").asText(), park::toPrettyString);
    }

    private static void putSettings(String json) {
        AdminClient.Reply reply = admin.put(SETTINGS, json);
        assertEquals(200, reply.status(), () -> "PUT " + SETTINGS + " " + json + ": " + reply.body());
    }

    /** The demo tenant's ended parks, newest first. */
    private static JsonNode parkHistory() {
        return admin.get("/api/tenants/" + DOMAIN + "/park-history").json();
    }

    /** Each test parks one call: the history must have grown by that one since it held {@code before} entries. */
    private static JsonNode theOneParkEndedSince(int before) {
        JsonNode history = parkHistory();
        assertEquals(before + 1, history.size(), history::toPrettyString);
        return history.get(0);
    }

    private SippPeer start(String scenario) throws Exception {
        SippPeer peer = SippPeer.start(sipp, scenario, SIP_PORT);
        peers.add(peer);
        return peer;
    }

    /** The next peer may only call once this one's registration is in the store. */
    private static void awaitRegistered(String extension, SippPeer phone) throws InterruptedException {
        String path = "/api/tenants/" + DOMAIN + "/extensions/" + extension + "/registrations";
        Instant deadline = Instant.now().plus(REGISTRATION);
        while (admin.get(path).json().isEmpty()) {
            if (!phone.isRunning()) {
                fail(extension + " ended without registering" + phone.report());
            }
            if (Instant.now().isAfter(deadline)) {
                fail(extension + " not registered after " + REGISTRATION.toSeconds() + " s" + phone.report());
            }
            Thread.sleep(100);
        }
    }
}
