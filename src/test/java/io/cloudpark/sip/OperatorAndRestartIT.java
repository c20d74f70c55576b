package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/**
 * The operator hangs up a parked call; a restart closes the parked calls it lost instead of leaving ghosts; a call
 * another node holds is redirected there while that node lives, and closed by a survivor when it dies.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OperatorAndRestartIT {
    private static final String APP = "cloudpark";
    private static final String NODE_ID = "CLOUDPARK_NODE_ID";
    private static final String NODE_SIP_URI = "CLOUDPARK_NODE_SIP_URI";

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = APP, managed = false)
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void theOperatorHangsUpAParkedCall() {
        deployer.deploy(APP);
        try (TestTenant acme = TestTenant.create("operator", "901", "950"); TestTenant other = TestTenant.create("nosy")) {
            TestPhone parker = acme.registeredPhone("901");
            TestPhone client = acme.registeredPhone("950");
            String parkId = Calls.parkAtSelf(acme, parker, client).info().parkId();

            assertEquals(404, other.admin().delete("/api/tenants/" + other.domain() + "/parked-calls/" + parkId).status(),
                    "another tenant's path does not reach the call");
            assertEquals(204, acme.admin().delete("/api/tenants/" + acme.domain() + "/parked-calls/" + parkId).status());
            client.awaitRequest("BYE");
            ParkInfoDocument cleared = ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals("ended-by-operator", cleared.reason());
            assertTrue(cleared.calls().isEmpty());
            JsonNode ended = acme.lastEndedPark();
            assertEquals("ENDED_BY_OPERATOR", ended.get("resolution").asText());
            assertEquals("operator", ended.get("endedBy").asText());
            assertEquals(404, acme.admin().delete("/api/tenants/" + acme.domain() + "/parked-calls/" + parkId).status());
        } finally {
            deployer.undeploy(APP);
        }
    }

    @Test
    void aRestartClosesTheParkedCallsItLostAndClearsTheDevices() {
        deployer.deploy(APP);
        try (TestTenant acme = TestTenant.create("restart", "911", "950")) {
            TestPhone parker = acme.registeredPhone("911");
            TestPhone client = acme.registeredPhone("950");
            String parkId = Calls.parkAtSelf(acme, parker, client).info().parkId();

            deployer.undeploy(APP);
            deployer.deploy(APP);

            ParkInfoDocument cleared = ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals("failed", cleared.reason());
            assertEquals(parkId, cleared.parkId());
            assertTrue(cleared.calls().isEmpty(), "the registered device is cleared: its binding survived the restart");
            JsonNode ended = acme.lastEndedPark();
            assertEquals("FAILED", ended.get("resolution").asText());
            assertEquals("restart", ended.get("endedBy").asText());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json().size());
            assertEquals(404, Calls.dial(parker, "*88").status(), "no retrieve rings into a ghost");
        } finally {
            deployer.undeploy(APP);
        }
    }

    @Test
    void aRetrieveOfACallAnotherNodeHoldsIsRedirectedThereUntilThatNodeDiesThenASurvivorClosesIt() throws Exception {
        String itNode = System.getProperty(NODE_ID); // what failsafe set: the ITs after this one run as it-node
        System.setProperty(NODE_ID, "node-a");
        System.setProperty(NODE_SIP_URI, "sip:127.0.0.1:5071");
        deployer.deploy(APP);
        try (TestTenant acme = TestTenant.create("twonodes", "921", "950")) {
            TestPhone parker = acme.registeredPhone("921");
            TestPhone client = acme.registeredPhone("950");
            String parkId = Calls.parkAtSelf(acme, parker, client).info().parkId();

            // node b starts on the same database while node a, as far as its heartbeat says, still runs elsewhere
            deployer.undeploy(APP);
            nodeBeat("node-a", Instant.now().plus(1, ChronoUnit.HOURS), null);
            System.setProperty(NODE_ID, "node-b");
            System.clearProperty(NODE_SIP_URI);
            deployer.deploy(APP);

            SipMessage redirect = Calls.dial(parker, "*88").answer();
            assertEquals("SIP/2.0 302 Parked On node-a", redirect.startLine());
            assertEquals("<sip:*88@127.0.0.1:5071;park-id=" + parkId + ">",
                    redirect.header("Contact"), "node a's URI, naming the call; the load balancer follows it");
            JsonNode parked = acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json();
            assertEquals(1, parked.size(), "node b neither closed nor took node a's call: " + parked);
            assertEquals("PARKED", parked.get(0).get("status").asText());
            JsonNode nodes = acme.admin().get("/api/nodes").json();
            assertTrue(nodes.toString().contains("\"id\":\"node-a\",\"sipUri\":\"sip:127.0.0.1:5071\",\"alive\":true,\"self\":false"), nodes.toString());

            // node a stops beating; a survivor has taken up its reaping, not finished it yet
            nodeBeat("node-a", Instant.now().minus(1, ChronoUnit.HOURS), Instant.now());
            assertEquals("SIP/2.0 480 Parked On A Node That Is Down", Calls.dial(parker, "*88").answer().startLine());
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json().size());

            // as a reaper finds a node that died: node b closes node a's call FAILED and clears the devices
            nodeBeat("node-a", Instant.now().minus(1, ChronoUnit.HOURS), null);
            ParkInfoDocument cleared = ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals("failed", cleared.reason());
            assertEquals(parkId, cleared.parkId());
            JsonNode ended = acme.lastEndedPark();
            assertEquals("FAILED", ended.get("resolution").asText());
            assertEquals("reaper", ended.get("endedBy").asText());
            assertEquals(404, Calls.dial(parker, "*88").status(), "no retrieve rings into a ghost");
        } finally {
            System.setProperty(NODE_ID, itNode);
            System.clearProperty(NODE_SIP_URI);
            deployer.undeploy(APP);
        }
    }

    /** Sets a node's heartbeat row as another node would have left it, in the database the deployments share. */
    private static void nodeBeat(String node, Instant lastSeen, Instant reapedAt) throws Exception {
        try (Connection c = DriverManager.getConnection(System.getProperty("CLOUDPARK_DB_URL"), "sa", "");
             PreparedStatement update = c.prepareStatement("update node set last_seen = ?, reaped_at = ? where id = ?")) {
            update.setObject(1, LocalDateTime.ofInstant(lastSeen, ZoneOffset.UTC));
            update.setObject(2, reapedAt == null ? null : LocalDateTime.ofInstant(reapedAt, ZoneOffset.UTC));
            update.setString(3, node);
            assertEquals(1, update.executeUpdate());
        }
    }
}
