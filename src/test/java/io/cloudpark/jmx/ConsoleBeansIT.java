package io.cloudpark.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.TestTenant;

/**
 * The console MXBeans as a JMX client sees them, through the platform MBean server of the JVM the embedded container
 * runs in (the one JConsole attaches to), with the admin API as the witness of what the database holds.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConsoleBeansIT {
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    private NodeMXBean node() throws Exception {
        return JMX.newMXBeanProxy(server, new ObjectName(ConsoleBeans.NODE), NodeMXBean.class);
    }

    private TenantMXBean tenant(String objectName) throws Exception {
        return JMX.newMXBeanProxy(server, new ObjectName(objectName), TenantMXBean.class);
    }

    @Test
    void aTenantOpenedInTheConsoleReadsAndWritesTheSettingsTheApiSees() throws Exception {
        try (TestTenant acme = TestTenant.create("jmx", "601", "602")) {
            TenantMXBean settings = tenant(node().openTenant(acme.domain().toUpperCase()));
            assertEquals(acme.domain(), settings.getDomain());
            assertEquals(45, settings.getParkTimeoutSeconds());

            settings.setParkTimeoutSeconds(90);
            settings.setRecallGroup("601, 602"); // before the policy that needs it: each write is validated whole
            settings.setRecallPolicy("parker_then_group");
            JsonNode stored = acme.admin().get("/api/tenants/" + acme.domain() + "/settings").json();
            assertEquals(90, stored.get("parkTimeoutSeconds").asInt(), stored.toString());
            assertEquals("PARKER_THEN_GROUP", stored.get("recallPolicy").asText(), stored.toString());
            assertEquals("[\"601\",\"602\"]", stored.get("recallGroup").toString(), stored.toString());

            acme.settings("{\"recallRingSeconds\":12}");
            assertEquals(12, settings.getRecallRingSeconds(), "a change through the API is what the console reads next");

            JsonNode audit = acme.admin().get("/api/audit?tenant=" + acme.domain()).json();
            JsonNode timeout = null;
            for (JsonNode entry : audit) {
                if (entry.get("actor").asText().equals("jmx") && entry.get("after").get("parkTimeoutSeconds").asInt() == 90
                        && entry.get("before").get("parkTimeoutSeconds").asInt() == 45) {
                    timeout = entry;
                }
            }
            assertTrue(timeout != null, "the console's change is in the audit log, with before and after: " + audit);
            assertEquals("settings.update", timeout.get("action").asText());
        }
    }

    @Test
    void aRefusedValueNamesTheFieldAndChangesNothing() throws Exception {
        try (TestTenant acme = TestTenant.create("jmx-refused", "611")) {
            TenantMXBean settings = tenant(node().openTenant(acme.domain()));
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                    () -> settings.setParkTimeoutSeconds(86_401));
            assertTrue(tooLong.getMessage().contains("parkTimeoutSeconds: must be between 1 and 86400"), tooLong.getMessage());
            IllegalArgumentException clash = assertThrows(IllegalArgumentException.class, () -> settings.setRetrieveCode("*68"));
            assertTrue(clash.getMessage().contains("retrieveCode"), clash.getMessage());
            assertThrows(IllegalArgumentException.class, () -> settings.setRecallPolicy("SOMETIMES"));
            IllegalArgumentException nobody = assertThrows(IllegalArgumentException.class, () -> settings.setRecallFallback("699"));
            assertTrue(nobody.getMessage().contains("recallFallback: no extension 699"), "recall targets must exist: " + nobody.getMessage());
            JsonNode stored = acme.admin().get("/api/tenants/" + acme.domain() + "/settings").json();
            assertEquals(45, stored.get("parkTimeoutSeconds").asInt(), stored.toString());
            assertEquals("*88", stored.get("retrieveCode").asText(), stored.toString());
            assertEquals("PARKER_ONLY", stored.get("recallPolicy").asText(), stored.toString());
        }
    }

    @Test
    void anUnknownTenantIsNotOpenedAndAtMostFiftyStayOpen() throws Exception {
        NodeMXBean node = node();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> node.openTenant("nobody.example"));
        assertTrue(unknown.getMessage().contains("no tenant nobody.example"), unknown.getMessage());
        assertFalse(server.isRegistered(new ObjectName("io.cloudpark:type=Tenant,domain=nobody.example")));

        List<TestTenant> tenants = new ArrayList<>();
        try {
            for (int i = 0; i <= TenantBeans.MAX_OPEN; i++) {
                tenants.add(TestTenant.create("jmx-many" + i));
            }
            List<String> names = new ArrayList<>();
            for (TestTenant t : tenants) {
                names.add(node.openTenant(t.domain()));
            }
            assertFalse(server.isRegistered(new ObjectName(names.get(0))), "the least recently opened closed");
            assertTrue(server.isRegistered(new ObjectName(names.get(TenantBeans.MAX_OPEN))));
            assertTrue(server.queryNames(new ObjectName("io.cloudpark:type=Tenant,*"), null).size() <= TenantBeans.MAX_OPEN);

            assertTrue(node.closeTenant(tenants.get(1).domain()));
            assertFalse(server.isRegistered(new ObjectName(names.get(1))));
            assertFalse(node.closeTenant(tenants.get(1).domain()), "closing twice says it was not open");
        } finally {
            tenants.forEach(TestTenant::close);
        }
    }

    @Test
    void theNodeShowsItsStateWithOpenTypes() throws Exception {
        NodeMXBean node = node();
        assertEquals("it-node", node.getNodeId());
        assertEquals("UP", node.getDatabaseStatus());
        assertTrue(node.getTenants() >= 1);
        assertTrue(node.getParkResolutionsTotal().containsKey("RETRIEVED"), node.getParkResolutionsTotal().toString());
        // what a generic console gets: open types only (a TabularData for the map)
        Object raw = server.getAttribute(new ObjectName(ConsoleBeans.NODE), "ParkResolutionsTotal");
        assertTrue(raw instanceof javax.management.openmbean.TabularData, raw.getClass().getName());
    }
}
