package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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
 * away just after the SIP side has acted, the park still ends once, recorded when the store is back, devices cleared.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StoreOutageIT {
    private static final String DB_URL = "CLOUDPARK_DB_URL";
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
        System.setProperty(DB_URL, "jdbc:h2:tcp://127.0.0.1:" + port + "/outage");
        return Deployments.cloudpark();
    }

    private static Server startDatabase() throws Exception {
        return Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists", "-baseDir",
                Path.of("target", "outage-db").toAbsolutePath().toString()).start();
    }

    @AfterAll
    static void restoreTheSuitesDatabase() {
        System.setProperty(DB_URL, suiteUrl);
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
