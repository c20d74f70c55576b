package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/** The operator hangs up a parked call; a restart closes the parked calls it lost instead of leaving ghosts. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OperatorAndRestartIT {
    private static final String APP = "cloudpark";
    private static final String NODE_ID = "CLOUDPARK_NODE_ID";

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
    void aRetrieveOfACallAnotherNodeHoldsLeavesItParkedThere() {
        String itNode = System.getProperty(NODE_ID); // what failsafe set: the ITs after this one run as it-node
        System.setProperty(NODE_ID, "node-a");
        deployer.deploy(APP);
        try (TestTenant acme = TestTenant.create("twonodes", "921", "950")) {
            TestPhone parker = acme.registeredPhone("921");
            TestPhone client = acme.registeredPhone("950");
            String parkId = Calls.parkAtSelf(acme, parker, client).info().parkId();

            // node b starts on the same database; the call's dialog is node a's, which nothing here can reach
            deployer.undeploy(APP);
            System.setProperty(NODE_ID, "node-b");
            deployer.deploy(APP);

            assertEquals("SIP/2.0 480 Parked On Another Node", Calls.dial(parker, "*88").answer().startLine());
            JsonNode parked = acme.admin().get("/api/tenants/" + acme.domain() + "/parked-calls").json();
            assertEquals(1, parked.size(), "node b neither closed nor took node a's call: " + parked);
            assertEquals(parkId, parked.get(0).get("id").asText());
            assertEquals("PARKED", parked.get(0).get("status").asText(), "the claim is given back");
            assertEquals(0, acme.admin().get("/api/tenants/" + acme.domain() + "/park-history").json().size());
            assertEquals(204, acme.admin().delete("/api/tenants/" + acme.domain() + "/parked-calls/" + parkId).status());
        } finally {
            System.setProperty(NODE_ID, itNode);
            deployer.undeploy(APP);
        }
    }
}
