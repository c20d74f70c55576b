package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.Logger;
import org.apache.log4j.spi.LoggingEvent;
import org.h2.tools.Server;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cloudpark.testing.AdminClient;
import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/**
 * The database goes away during a park and a retrieve, for real: this deployment's store is an H2 server of its own,
 * stopped and started again by the test. Parks answer 503 in the sipfrag and the call stays connected; retrieves
 * answer 503; once the database is back everything works and nothing stray is stored. And when the database goes
 * away just after the SIP side has acted, the park still ends once, recorded when the store is back, devices cleared;
 * a park stuck with no dialog (whatever left it so) is found and ended FAILED; a recall that falls due while the
 * database is away rings once it is back.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StoreOutageIT {
    private static final String DB_URL = "CLOUDPARK_DB_URL";
    /** Short here, so that the test of the repair waits a second or two, not a minute. */
    private static final String REPAIR_PERIOD = "CLOUDPARK_STUCK_PARK_REPAIR_SECONDS";
    private static int port;
    private static Server database;
    private static String suiteUrl;

    @Deployment
    static WebArchive deployment() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        database = startDatabase();
        suiteUrl = System.getProperty(DB_URL);
        System.setProperty(DB_URL, databaseUrl());
        System.setProperty(REPAIR_PERIOD, "1");
        return Deployments.cloudpark();
    }

    private static String databaseUrl() {
        return "jdbc:h2:tcp://127.0.0.1:" + port + "/outage";
    }

    private static Server startDatabase() throws Exception {
        return Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists", "-baseDir",
                Path.of("target", "outage-db").toAbsolutePath().toString()).start();
    }

    @AfterAll
    static void restoreTheSuitesDatabase() {
        System.setProperty(DB_URL, suiteUrl);
        System.clearProperty(REPAIR_PERIOD);
        database.stop();
    }

    @Test
    void parkAndRetrieveAnswer503WhileTheStoreIsDownAndWorkOnceItIsBack() throws Exception {
        try (TestTenant acme = TestTenant.create("outage", "1601", "1650")) {
            TestPhone parker = acme.registeredPhone("1601");
            TestPhone client = acme.registeredPhone("1650");
            Calls.Connected talk = Calls.connect(client, parker);

            database.stop();
            assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());
            assertTrue(Calls.finalSipfrag(parker).startsWith("SIP/2.0 503"), "the store is down: 503 in the sipfrag");
            SipMessage reinvite = talk.callee().reinvite(parker.sdp());
            assertEquals(200, reinvite.status());
            assertTrue(reinvite.body().contains(client.mediaLine()), "and the call stays connected");
            client.awaitRequest("INVITE");
            assertEquals(503, Calls.dial(parker, "*88").status(), "a retrieve is told the same");
            assertEquals(503, new AdminClient(Deployments.HTTP_PORT, null).get("/health").status());

            database = startDatabase();
            awaitHealthy();
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size(),
                    "the failed park left nothing behind");
            assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());
            assertTrue(Calls.finalSipfrag(parker).startsWith("SIP/2.0 200"));
            assertEquals(200, Calls.dial(parker, "*88").status());
            assertEquals("RETRIEVED", acme.lastEndedPark().get("resolution").asText());
        }
    }

    @Test
    void aRetrieveTheStoreCannotRecordIsRecordedOnceItIsBackAndTheDevicesCleared() throws Exception {
        try (TestTenant acme = TestTenant.create("endlater", "1611", "1612", "1660")) {
            TestPhone parker = acme.registeredPhone("1611");
            TestPhone retriever = acme.registeredPhone("1612");
            TestPhone client = acme.registeredPhone("1660");
            Calls.parkAtSelf(acme, parker, client);
            client.leaveReinvitesUnanswered();

            CompletableFuture<Call> retrieve = Calls.dialAsync(retriever, "*881611");
            SipMessage reconnect = client.awaitRequest("INVITE"); // claimed: the store has done its part so far
            database.stop();
            client.acceptReinvite(reconnect);
            assertEquals(200, retrieve.join().status(), "the SIP side is done: the retriever talks to the client");

            database = startDatabase();
            ParkInfoDocument cleared = ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 20_000, "park-info"));
            assertEquals("retrieved", cleared.reason());
            assertEquals(List.of(), cleared.calls(), "the parker's devices are cleared");
            awaitHealthy();
            assertEquals("RETRIEVED", acme.lastEndedPark().get("resolution").asText());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size(),
                    "no ghost left RETRIEVING");
            assertEquals(1, acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json().size());
        }
    }

    @Test
    void aParkTheStoreCannotConfirmFailsAndTheCallGoesBackToTheParker() throws Exception {
        try (TestTenant acme = TestTenant.create("confirmlost", "1621", "1670")) {
            TestPhone parker = acme.registeredPhone("1621");
            TestPhone client = acme.registeredPhone("1670");
            Calls.Connected talk = Calls.connect(client, parker);
            client.leaveReinvitesUnanswered();

            assertEquals(202, talk.callee().refer("sip:*68@" + acme.domain()).status());
            SipMessage hold = client.awaitRequest("INVITE"); // stored HOLDING: the store has done its part so far
            database.stop();
            client.acceptReinvite(hold);
            assertTrue(Calls.finalSipfrag(parker).startsWith("SIP/2.0 503"), "the transferor hears how it ended");
            SipMessage resume = client.awaitRequest("INVITE");
            assertTrue(resume.body().contains(parker.mediaLine()), "the client is taken off hold, back to the parker");
            assertFalse(resume.body().contains("a=sendonly"));
            client.acceptReinvite(resume);

            database = startDatabase();
            ParkInfoDocument ended = ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 20_000, "park-info"));
            assertEquals("failed", ended.reason());
            assertEquals(List.of(), ended.calls());
            awaitHealthy();
            assertEquals("FAILED", acme.lastEndedPark().get("resolution").asText());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size(),
                    "no ghost left HOLDING");
        }
    }

    @Test
    void aParkStuckWithNoDialogHereIsEndedFailedAndItsDevicesCleared() throws Exception {
        try (TestTenant acme = TestTenant.create("ghost", "1631")) {
            TestPhone phone = acme.registeredPhone("1631");
            String ghost = "ghost-" + acme.domain();
            // what a flow that lost track of its park leaves: claimed on this node, and no dialog here
            try (Connection db = DriverManager.getConnection(databaseUrl(), "sa", "");
                 PreparedStatement insert = db.prepareStatement("insert into parked_call (id, tenant_id, extension,"
                         + " parked_uri, parker_uri, parker_extension, parked_at, recall_at, status, owner_node)"
                         + " select ?, id, '1631', 'sip:+14155550100@" + acme.domain() + "', 'sip:1631@" + acme.domain()
                         + "', '1631', localtimestamp, localtimestamp, 'RETRIEVING', ? from tenant where domain = ?")) {
                insert.setString(1, ghost);
                insert.setString(2, System.getProperty("CLOUDPARK_NODE_ID")); // this node's, as pom.xml sets it
                insert.setString(3, acme.domain());
                assertEquals(1, insert.executeUpdate());
            }

            ParkInfoDocument cleared = ParkInfoDocument.of(phone.awaitRequest("NOTIFY", 10_000, "park-info"));
            if ("refresh".equals(cleared.reason())) {
                // the registration's refresh may have been read after the ghost went in
                cleared = ParkInfoDocument.of(phone.awaitRequest("NOTIFY", 10_000, "park-info"));
            }
            assertEquals("failed", cleared.reason());
            assertEquals(ghost, cleared.parkId());
            assertEquals(List.of(), cleared.calls(), "the extension's devices are cleared");
            assertEquals("FAILED", acme.lastEndedPark().get("resolution").asText());
            assertEquals("repair", acme.lastEndedPark().get("endedBy").asText());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
        }
    }

    @Test
    void aRecallThatFallsDueWhileTheStoreIsDownRingsOnceItIsBack() throws Exception {
        try (TestTenant acme = TestTenant.create("recalllater", "1641", "1680");
             RecallLog recallLog = RecallLog.attach()) {
            acme.settings("{\"parkTimeoutSeconds\":3,\"recallRingSeconds\":10}");
            TestPhone parker = acme.registeredPhone("1641");
            TestPhone client = acme.registeredPhone("1680");
            String parkId = Calls.parkAtSelf(acme, parker, client).info().parkId();

            database.stop();
            recallLog.awaitLineAbout(parkId); // the recall fell due and could not claim the call
            database = startDatabase();

            SipMessage recall = parker.awaitRequest("INVITE", 10_000);
            assertEquals(RecallFlow.ALERT_INFO, recall.header("Alert-Info"), "the call is recalled, not left parked");
            Call answered = parker.answer(recall);
            assertTrue(client.awaitRequest("INVITE").body().contains(parker.mediaLine()), "the client is reconnected");
            answered.ack();
            awaitHealthy();
            assertEquals("RECALLED", acme.lastEndedPark().get("resolution").asText());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
            assertEquals(200, answered.bye().status());
        }
    }

    /** The hook of the test above: RecallFlow's log lines, one of which names the park. */
    private static final class RecallLog extends AppenderSkeleton implements AutoCloseable {
        private final List<String> lines = new CopyOnWriteArrayList<>();

        static RecallLog attach() {
            RecallLog log = new RecallLog();
            Logger.getLogger(RecallFlow.class.getName()).addAppender(log);
            return log;
        }

        void awaitLineAbout(String parkId) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 15_000;
            while (lines.stream().noneMatch(line -> line.contains(parkId))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("the recall of " + parkId + " never fell due: " + lines);
                }
                Thread.sleep(50);
            }
        }

        @Override
        protected void append(LoggingEvent event) {
            lines.add(String.valueOf(event.getRenderedMessage()));
        }

        @Override
        public void close() {
            Logger.getLogger(RecallFlow.class.getName()).removeAppender(this);
        }

        @Override
        public boolean requiresLayout() {
            return false;
        }
    }

    private static void awaitHealthy() throws InterruptedException {
        AdminClient anonymous = new AdminClient(Deployments.HTTP_PORT, null);
        long deadline = System.currentTimeMillis() + 15_000;
        while (anonymous.get("/health").status() != 200) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the store did not come back");
            }
            Thread.sleep(200);
        }
    }
}
