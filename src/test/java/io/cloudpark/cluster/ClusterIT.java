package io.cloudpark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.cloudpark.testing.AdminClient;
import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/**
 * Three cloudpark nodes behind Kamailio on one PostgreSQL, as {@code deployment/cluster/local.sh up 3} starts them
 * (DESIGN §6). Every phone talks to Kamailio only; a phone that must reach one node preloads a Route to it, which
 * Kamailio honours for listed nodes, so which node holds what is chosen, not hashed. The node deaths come last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final int LB_PORT = Integer.getInteger("cloudpark.cluster.sipPort", 47060);
    private static final int RPC_PORT = Integer.getInteger("cloudpark.cluster.rpcPort", 47099);
    private static final int NODE_SIP_BASE = Integer.getInteger("cloudpark.cluster.nodeSipBase", 47070);
    private static final int NODE_HTTP_BASE = Integer.getInteger("cloudpark.cluster.nodeHttpBase", 47180);
    private static final int PG_PORT = Integer.getInteger("cloudpark.cluster.pgPort", 47432);
    private static final String PASSWORD = "cluster-it-secret";
    private static final Path LOCAL_SH = Path.of("deployment", "cluster", "local.sh").toAbsolutePath();

    private final List<TestTenant> tenants = new ArrayList<>();
    /** A state directory of this run's own: a database left by an earlier build (older schema) is never reused. */
    private Path clusterDir;

    @BeforeAll
    void up() throws Exception {
        clusterDir = Files.createTempDirectory("cloudpark-cluster-it-");
        // the postgres user, which local.sh runs PostgreSQL as under root, must reach its data directory
        Files.setPosixFilePermissions(clusterDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        localSh(240, "up", "3");
    }

    @AfterAll
    void down() throws Exception {
        tenants.forEach(TestTenant::close);
        localSh(60, "down");
        try (Stream<Path> paths = Files.walk(clusterDir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    @Test
    @Order(1)
    void aCallParkedOnOneNodeIsRetrievedThroughEachOfTheOthers() {
        TestTenant acme = tenant("anynode", "101", "201", "301");
        TestPhone parker = phone(acme, "101", 1);
        for (int retrievingNode : new int[] {2, 3}) {
            TestPhone client = phone(acme, "201", 1);
            TestPhone retriever = phone(acme, "301", retrievingNode);
            String parkId = parkAt(acme, parker, client, "101", 1);

            Call retrieve = Calls.dial(retriever, "*88101");
            assertEquals(200, retrieve.status(), "node " + retrievingNode + " sent the retriever to node 1: "
                    + retrieve.answer());
            SipMessage reconnect = client.awaitRequest("INVITE");
            assertTrue(reconnect.body().contains(retriever.mediaLine()), "the parked party now talks to the retriever");
            JsonNode ended = acme.lastEndedPark();
            assertEquals(parkId, ended.get("id").asText());
            assertEquals("RETRIEVED", ended.get("resolution").asText());
            retrieve.bye();
            client.awaitRequest("BYE");
        }
    }

    @Test
    @Order(2)
    void aPhoneRegisteredThroughOneNodeIsToldOfAParkOnAnother() {
        TestTenant acme = tenant("routing", "101", "102", "201");
        TestPhone watcher = phone(acme, "101", 3);
        TestPhone parker = phone(acme, "102", 2);
        TestPhone client = phone(acme, "201", 1);

        String parkId = parkAt(acme, parker, client, "101", 1);

        SipMessage notify = watcher.awaitRequest("NOTIFY", 5000, "park-info");
        ParkInfoDocument info = ParkInfoDocument.of(notify);
        assertEquals(parkId, info.parkId());
        List<String> vias = notify.headers("via");
        assertTrue(vias.get(0).contains("127.0.0.1:" + LB_PORT), "through Kamailio, by the stored Path: " + vias);
        assertTrue(vias.get(1).contains("127.0.0.1:" + nodeSipPort(1)), "from node 1, which holds the call: " + vias);
    }

    @Test
    @Order(3)
    void twoRetrieversOnTwoNodesRaceAndExactlyOneWins() throws Exception {
        TestTenant acme = tenant("race", "101", "201", "301", "302");
        TestPhone parker = phone(acme, "101", 1);
        TestPhone client = phone(acme, "201", 1);
        TestPhone onNode2 = phone(acme, "301", 2);
        TestPhone onNode3 = phone(acme, "302", 3);
        String parkId = parkAt(acme, parker, client, "101", 1);

        // the winner's reconnect waits for the parked party, so the loser is answered while the winner still waits
        client.leaveReinvitesUnanswered();
        Call viaNode2 = onNode2.call("sip:*88101@" + acme.domain(), onNode2.sdp(), false);
        Call viaNode3 = onNode3.call("sip:*88101@" + acme.domain(), onNode3.sdp(), false);
        SipMessage reconnect = client.awaitRequest("INVITE");

        CompletableFuture<SipMessage> final2 = CompletableFuture.supplyAsync(() -> viaNode2.awaitFinal(10_000));
        CompletableFuture<SipMessage> final3 = CompletableFuture.supplyAsync(() -> viaNode3.awaitFinal(10_000));
        SipMessage first = (SipMessage) CompletableFuture.anyOf(final2, final3).get(10, TimeUnit.SECONDS);
        assertEquals(480, first.status(), "the loser: " + first);
        JsonNode parked = acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json();
        assertEquals(1, parked.size());
        assertEquals("RETRIEVING", parked.get(0).get("status").asText(), "one claim, the winner's: " + parked);

        client.acceptReinvite(reconnect);
        CompletableFuture<SipMessage> winner = first == final2.getNow(null) ? final3 : final2;
        assertEquals(200, winner.get(10, TimeUnit.SECONDS).status());
        JsonNode history = acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json();
        assertEquals(1, history.size(), history.toString());
        assertEquals(parkId, history.get(0).get("id").asText());
        assertEquals("RETRIEVED", history.get(0).get("resolution").asText());
    }

    @Test
    @Order(4)
    void aRecallRingsTheParkerThroughKamailioFromTheNodeHoldingTheCall() {
        TestTenant acme = tenant("recall", "101", "201");
        acme.settings("{\"parkTimeoutSeconds\":2,\"recallRingSeconds\":5}");
        TestPhone parker = phone(acme, "101", 3);
        TestPhone client = phone(acme, "201", 1);
        String parkId = parkAt(acme, parker, client, "101", 1);

        SipMessage recall = parker.awaitRequest("INVITE", 6000);
        assertEquals("<urn:alert:service:recall>", recall.header("Alert-Info"));
        List<String> vias = recall.headers("via");
        assertTrue(vias.get(0).contains("127.0.0.1:" + LB_PORT) && vias.get(1).contains("127.0.0.1:" + nodeSipPort(1)),
                "node 1 rings the parker by its Path: " + vias);
        Call answered = parker.answer(recall);
        SipMessage reconnect = client.awaitRequest("INVITE");
        assertTrue(reconnect.body().contains(parker.mediaLine()));
        JsonNode ended = acme.lastEndedPark();
        assertEquals(parkId, ended.get("id").asText());
        assertEquals("RECALLED", ended.get("resolution").asText());
        assertEquals(200, answered.bye().status(), "the parker's BYE finds node 1 through Kamailio");
        assertEquals(reconnect.callId(), client.awaitRequest("BYE").callId());
    }

    @Test
    @Order(5)
    void theOperatorHangsUpThroughAnotherNodesApiAndTheOwnerHangsUpTheParkedParty() {
        TestTenant acme = tenant("operator", "101", "201");
        TestPhone parker = phone(acme, "101", 1);
        TestPhone client = phone(acme, "201", 1);
        String parkId = parkAt(acme, parker, client, "101", 1);
        parker.awaitRequest("NOTIFY", 5000, "park-info");

        assertEquals(204, admin(3).delete("/api/tenants/" + acme.domain() + "/parked-calls/" + parkId).status());
        ParkInfoDocument cleared = ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
        assertEquals("ended-by-operator", cleared.reason());
        SipMessage bye = client.awaitRequest("BYE", 5000);
        assertTrue(bye.headers("via").get(1).contains("127.0.0.1:" + nodeSipPort(1)), "from node 1, which held it: "
                + bye.headers("via"));
        assertEquals("ENDED_BY_OPERATOR", acme.lastEndedPark().get("resolution").asText());
    }

    @Test
    @Order(6)
    void aDrainingNodeGetsNoNewCallsFromKamailio() throws Exception {
        TestTenant acme = tenant("drain", "101", "201");
        TestPhone parker = phone(acme, "101", 1);
        assertEquals(200, admin(2).put("/api/nodes/self/draining", "{\"draining\":true}").status());
        try {
            awaitDispatcherFlags(2, false);
            TestPhone client = phone(acme, "201", 2); // asks for node 2, which Kamailio no longer sends anything new
            Calls.parkAt(acme, parker, client, "101");
            JsonNode parked = acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json();
            assertNotEquals("node2", parked.get(0).get("ownerNode").asText(), parked.toString());
        } finally {
            assertEquals(200, admin(2).put("/api/nodes/self/draining", "{\"draining\":false}").status());
        }
        awaitDispatcherFlags(2, true);
    }

    @Test
    @Order(7)
    void killingANodeThatHoldsNoParkedCallChangesNothing() throws Exception {
        TestTenant acme = tenant("bystander", "101", "201", "301");
        TestPhone parker = phone(acme, "101", 1);
        TestPhone client = phone(acme, "201", 1);
        TestPhone retriever = phone(acme, "301", 2);
        String parkId = parkAt(acme, parker, client, "101", 1);
        parker.awaitRequest("NOTIFY", 5000, "park-info");

        localSh(30, "kill", "3");
        awaitReaped("node3");
        // the survivors have finished with node 3: nothing of node 1's call was touched
        JsonNode parked = acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json();
        assertEquals(1, parked.size());
        assertEquals("PARKED", parked.get(0).get("status").asText());
        assertFalse(parker.receives("NOTIFY", 0), "no park-info change");
        assertFalse(client.receives("BYE", 0));

        assertEquals(200, Calls.dial(retriever, "*88101").status());
        assertEquals(parkId, acme.lastEndedPark().get("id").asText());
        // back with re-park off: its parks end FAILED when it dies (the next test)
        localSh(120, Map.of("CLOUDPARK_REPARK_ON_NODE_DEATH", "false"), "start", "3");
    }

    @Test
    @Order(8)
    void killingAnOwnerThatMovesNoCallsClosesItsParksFailedHangsUpTheParkedAndTheClusterGoesOn() throws Exception {
        TestTenant acme = tenant("owner", "101", "102", "201", "202", "301");
        TestPhone watcher101 = phone(acme, "101", 2);
        TestPhone watcher102 = phone(acme, "102", 1);
        TestPhone clientA = phone(acme, "201", 3);
        TestPhone clientB = phone(acme, "202", 3);
        TestPhone retriever = phone(acme, "301", 2);
        // node 3 runs with CLOUDPARK_REPARK_ON_NODE_DEATH=false (see the test before)
        String parkA = parkAt(acme, watcher101, clientA, "101", 3);
        String parkB = parkAt(acme, watcher102, clientB, "102", 3);
        watcher101.awaitRequest("NOTIFY", 5000, "park-info");
        watcher102.awaitRequest("NOTIFY", 5000, "park-info");

        localSh(30, "kill", "3");
        long killed = System.nanoTime();
        Call early = Calls.dial(retriever, "*88101");
        long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        assertTrue(early.status() == 480 || early.status() == 404, "a dead owner's call: 480, or 404 once closed: "
                + early.answer());
        assertTrue(answeredMs < 2_000, "answered in " + answeredMs + " ms");

        ParkInfoDocument clearedA = ParkInfoDocument.of(watcher101.awaitRequest("NOTIFY", 6000, "park-info"));
        ParkInfoDocument clearedB = ParkInfoDocument.of(watcher102.awaitRequest("NOTIFY", 6000, "park-info"));
        long clearedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        assertEquals("failed", clearedA.reason());
        assertEquals(parkA, clearedA.parkId());
        assertTrue(clearedA.calls().isEmpty());
        assertEquals(parkB, clearedB.parkId());
        assertTrue(clearedMs < 5_000, "cleared " + clearedMs + " ms after the kill");
        clientA.awaitRequest("BYE", 5000);
        clientB.awaitRequest("BYE", 5000);
        assertFalse(clientA.receives("REFER", 0), "not moved");
        JsonNode history = acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json();
        for (JsonNode ended : history) {
            assertEquals("FAILED", ended.get("resolution").asText());
            assertEquals("reaper", ended.get("endedBy").asText());
        }
        assertEquals(2, history.size());
        assertEquals(404, Calls.dial(retriever, "*88101").status(), "no ghost");

        // the survivors park and retrieve
        TestPhone clientC = phone(acme, "202", 2);
        String parkC = parkAt(acme, watcher101, clientC, "101", 2);
        assertEquals(200, Calls.dial(phone(acme, "301", 1), "*88101").status());
        assertEquals("RETRIEVED", acme.endedPark(parkC).get("resolution").asText());

        // node 3 rejoins and holds calls again
        localSh(120, "start", "3");
        assertTrue(node("node3", admin(2)).get("alive").asBoolean());
        String parkD = parkAt(acme, watcher102, phone(acme, "201", 3), "102", 3);
        assertEquals("node3", acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json()
                .get(0).get("ownerNode").asText());
        assertEquals(200, Calls.dial(retriever, "*88102").status());
        assertEquals("RETRIEVED", acme.endedPark(parkD).get("resolution").asText());
    }

    @Test
    @Order(9)
    void killingTheOwnerMovesItsParkedCallToASurvivorAndItsDevicesSeeNoChange() throws Exception {
        TestTenant acme = tenant("repark", "101", "102", "103", "201", "202", "203", "301");
        TestPhone watcher101 = phone(acme, "101", 2);
        TestPhone watcher102 = phone(acme, "102", 3);
        TestPhone client = phone(acme, "201", 1);
        TestPhone withoutRefer = phone(acme, "202", 1);
        withoutRefer.answerRefersWith(405); // a phone that cannot be transferred: its park cannot be moved
        String parkId = parkAt(acme, watcher101, client, "101", 1);
        String unmovable = parkAt(acme, watcher102, withoutRefer, "102", 1);
        // a party node 1 called (the callee of its call through Kamailio, where the others are callers)
        TestPhone parker103 = phone(acme, "103", 1);
        TestPhone called = phone(acme, "203", 1);
        Calls.Connected talk = Calls.connect(parker103, called);
        assertEquals(202, talk.caller().refer("sip:*68103@" + acme.domain()).status());
        called.awaitRequest("INVITE");
        assertTrue(Calls.finalSipfrag(parker103).startsWith("SIP/2.0 200"));
        talk.caller().bye();
        long versionBefore = ParkInfoDocument.of(watcher101.awaitRequest("NOTIFY", 5000, "park-info")).version();
        watcher102.awaitRequest("NOTIFY", 5000, "park-info");

        localSh(30, "kill", "1");
        long killed = System.nanoTime();
        Call moved = client.awaitTransfer(10_000);
        long movedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        assertEquals(200, moved.status(), "parked again on a survivor: " + moved.answer());
        assertTrue(movedMs < 8_000, "moved " + movedMs + " ms after the kill");
        SipMessage refer = client.awaitRequest("REFER");
        assertTrue(SipMessage.uriOf(refer.header("Refer-To")).startsWith("sip:*68101@" + acme.domain() + ";repark="),
                refer.toString());
        assertEquals(refer.callId(), client.awaitRequest("BYE", 5000).callId(), "Kamailio hangs up the old call");
        assertNotEquals(refer.callId(), moved.callId());
        JsonNode call = parkedCall(acme, parkId);
        assertEquals("PARKED", call.get("status").asText(), call.toString());
        assertTrue(List.of("node2", "node3").contains(call.get("ownerNode").asText()), call.toString());

        Call calledMoved = called.awaitTransfer(10_000);
        assertEquals(200, calledMoved.status(), "the callee is moved too: " + calledMoved.answer());
        assertEquals(talk.callee().callId(), called.awaitRequest("REFER").callId(), "REFERred in its old call");

        // the party that refuses the REFER: FAILED once the move is given up, and hung up by Kamailio
        ParkInfoDocument failed = ParkInfoDocument.of(watcher102.awaitRequest("NOTIFY", 10_000, "park-info"));
        assertEquals("failed", failed.reason());
        assertEquals(unmovable, failed.parkId());
        withoutRefer.awaitRequest("BYE", 5000);

        // a move the cluster did not sign is refused
        TestPhone retriever = phone(acme, "301", 3);
        Call forged = retriever.call("sip:*68101@" + acme.domain() + ";repark=" + parkId + ".1.00", retriever.sdp(), true);
        assertEquals(403, forged.status(), forged.answer().toString());

        // retrieved through Kamailio: the moved call, and the first change its extension's devices hear of
        Call retrieve = Calls.dial(retriever, "*88101");
        assertEquals(200, retrieve.status(), retrieve.answer().toString());
        SipMessage reconnect = client.awaitRequest("INVITE");
        assertEquals(moved.callId(), reconnect.callId());
        assertTrue(reconnect.body().contains(retriever.mediaLine()), "the parked party now talks to the retriever");
        ParkInfoDocument retrieved = ParkInfoDocument.of(watcher101.awaitRequest("NOTIFY", 5000, "park-info"));
        assertEquals("retrieved", retrieved.reason());
        assertEquals(parkId, retrieved.parkId());
        assertEquals(versionBefore + 1, retrieved.version(), "no change announced between the park and the retrieve");
        JsonNode history = acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json();
        assertEquals(2, history.size(), history.toString());
        for (JsonNode ended : history) {
            assertEquals(ended.get("id").asText().equals(parkId) ? "RETRIEVED" : "FAILED", ended.get("resolution").asText());
        }
        JsonNode stillParked = acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json();
        assertEquals(1, stillParked.size(), stillParked.toString());
        assertEquals("103", stillParked.get(0).get("extension").asText());
        assertEquals("PARKED", stillParked.get(0).get("status").asText());
        assertEquals(200, retrieve.bye().status());
        assertEquals(moved.callId(), client.awaitRequest("BYE").callId());
    }

    // ---------------------------------------------------------------- helpers

    private TestTenant tenant(String label, String... extensions) {
        TestTenant tenant = TestTenant.create(admin(2), LB_PORT, label, extensions);
        tenants.add(tenant);
        return tenant;
    }

    /** A phone of the extension whose out-of-dialog requests (its REGISTER, its calls) go to that node. */
    private static TestPhone phone(TestTenant tenant, String extension, int node) {
        TestPhone phone = tenant.phone(extension);
        phone.preloadRoute("sip:127.0.0.1:" + nodeSipPort(node));
        SipMessage ok = phone.register(300);
        assertEquals(200, ok.status(), ok.toString());
        return phone;
    }

    /** The client calls the parker through {@code node}, who parks it at {@code extension}: node holds it. */
    private static String parkAt(TestTenant tenant, TestPhone parker, TestPhone client, String extension, int node) {
        Calls.parkAt(tenant, parker, client, extension);
        JsonNode parked = tenant.admin().get("/api/tenants/" + tenant.domain() + "/parked-calls").json();
        JsonNode call = parked.get(parked.size() - 1);
        assertEquals("node" + node, call.get("ownerNode").asText(), parked.toString());
        return call.get("id").asText();
    }

    private static JsonNode parkedCall(TestTenant tenant, String parkId) {
        for (JsonNode call : tenant.admin().get("/api/tenants/" + tenant.domain() + "/parked-calls").json()) {
            if (call.get("id").asText().equals(parkId)) {
                return call;
            }
        }
        throw new AssertionError("park " + parkId + " is not parked");
    }

    private static int nodeSipPort(int node) {
        return NODE_SIP_BASE + node;
    }

    private static AdminClient admin(int node) {
        return new AdminClient(NODE_HTTP_BASE + node, PASSWORD);
    }

    private static JsonNode node(String id, AdminClient admin) {
        for (JsonNode node : admin.get("/api/nodes").json()) {
            if (node.get("id").asText().equals(id)) {
                return node;
            }
        }
        throw new AssertionError("no node " + id);
    }

    /** Until Kamailio's probes have the node active (OPTIONS 200) or not (no answer, or 503: draining). */
    private static void awaitDispatcherFlags(int node, boolean active) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String uri = "\"URI\":\"sip:127.0.0.1:" + nodeSipPort(node) + "\",\"FLAGS\":\"AP\"";
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RPC_PORT + "/RPC"))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"method\":\"dispatcher.list\",\"id\":1}"))
                            .build(), HttpResponse.BodyHandlers.ofString()).body().replaceAll("\\s", "");
            if (list.contains(uri) == active) {
                return;
            }
            assertTrue(System.currentTimeMillis() < deadline, "node " + node + " not " + (active ? "" : "in") + "active: " + list);
            Thread.sleep(100);
        }
    }

    /** Until a survivor has closed what the dead node held (its row says reaped). */
    private static void awaitReaped(String id) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (node(id, admin(2)).get("reapedAt").isNull()) {
            assertTrue(System.currentTimeMillis() < deadline, id + " not reaped in 10 s");
            Thread.sleep(100);
        }
    }

    private String localSh(int timeoutSeconds, String... args) throws IOException, InterruptedException {
        return localSh(timeoutSeconds, Map.of(), args);
    }

    /** @param nodeSettings settings of the nodes it starts, beside local.sh's own */
    private String localSh(int timeoutSeconds, Map<String, String> nodeSettings, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(LOCAL_SH.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = new HashMap<>();
        env.put("CLUSTER_SIP_PORT", Integer.toString(LB_PORT));
        env.put("CLUSTER_RPC_PORT", Integer.toString(RPC_PORT));
        env.put("CLUSTER_NODE_SIP_BASE", Integer.toString(NODE_SIP_BASE));
        env.put("CLUSTER_NODE_HTTP_BASE", Integer.toString(NODE_HTTP_BASE));
        env.put("CLUSTER_PG_PORT", Integer.toString(PG_PORT));
        env.put("CLUSTER_ADMIN_PASSWORD", PASSWORD);
        env.put("CLUSTER_DEMO_TENANT", "false");
        env.put("CLUSTER_DIR", clusterDir.toString());
        env.putAll(nodeSettings);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("local.sh " + String.join(" ", args) + " did not finish in " + timeoutSeconds + " s");
        }
        String text = output.join();
        assertEquals(0, process.exitValue(), "local.sh " + String.join(" ", args) + ":\n" + text);
        return text;
    }
}
