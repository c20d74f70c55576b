package io.cloudpark.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudpark.testing.AdminClient;
import io.cloudpark.testing.Call;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.ParkInfoDocument;
import io.cloudpark.testing.SipMessage;
import io.cloudpark.testing.StockContainer;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The unchanged {@code target/cloudpark.war} in the Restcomm container an operator installs: assembled from Maven
 * Central by {@code deployment/container/assemble.sh}, started with {@code catalina.sh}, the war deployed through
 * Tomcat Manager's text API. Real SIP on loopback against it, first on H2, then, redeployed without a restart, on
 * PostgreSQL; its settings changed from the container's console (jmxproxy and Jolokia); and what an undeploy leaves.
 * The steps run in order: each starts from the deployment the one before left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StockContainerIT {
    private static final int SIP_PORT = Integer.getInteger("cloudpark.stock.sipPort", 55060);
    private static final int HTTP_PORT = Integer.getInteger("cloudpark.stock.httpPort", 58080);
    private static final int SHUTDOWN_PORT = Integer.getInteger("cloudpark.stock.shutdownPort", 58005);
    private static final String CONTEXT = "/cloudpark";
    private static final String ADMIN_PASSWORD = "stock-it-admin";
    private static final Path WAR = Path.of("target", "cloudpark.war").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path work = Path.of("target", "stock-container-it").toAbsolutePath();
    private StockContainer container;
    private EmbeddedPostgres postgres;
    private Path h2File;
    private final List<String> h2Tenants = new ArrayList<>();

    @BeforeAll
    void assembleAndStart() throws Exception {
        deleteTree(work);
        Files.createDirectories(work);
        h2File = work.resolve("h2/cloudpark");
        container = StockContainer.assembleAndStart(work.resolve("container"), SIP_PORT, HTTP_PORT, SHUTDOWN_PORT);
        postgres = EmbeddedPostgres.start();
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (container != null) {
                long pid = container.pid();
                container.undeploy(CONTEXT);
                container.close();
                ProcessHandle jvm = ProcessHandle.of(pid).orElse(null);
                assertTrue(jvm == null || jvm.onExit().get(40, TimeUnit.SECONDS) != null, "catalina.sh stop ends the JVM");
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    @Test
    @Order(1)
    void onH2TheWarServesParkNotifyAndRetrieve() throws Exception {
        String answer = container.deploy(CONTEXT, WAR, descriptor("h2", "jdbc:h2:file:" + h2File, "sa", ""));
        assertTrue(answer.startsWith("OK - Deployed application at context path " + CONTEXT), answer);
        assertTrue(container.cloudparkLog().contains("cloudpark serving: SIP [sip:127.0.0.1:" + SIP_PORT
                + ";transport=udp, sip:127.0.0.1:" + SIP_PORT + ";transport=tcp], HTTP [" + HTTP_PORT + "]"),
                "the start-up log names the ports the container serves:\n" + container.cloudparkLog());
        assertFalse(container.catalinaOut().contains("SEVERE"), "no SEVERE at deploy:\n" + container.catalinaOut());
        assertEquals(200, admin().get("/health").status());

        h2Tenants.add(parkAndRetrieve());
    }

    @Test
    @Order(2)
    void aSettingChangedThroughJmxproxyAndJolokiaGovernsTheNextPark() throws Exception {
        try (TestTenant acme = TestTenant.create(admin(), SIP_PORT, "console", "511", "512", "550")) {
            h2Tenants.add(acme.domain());
            String tenantBean = "io.cloudpark:type=Tenant,domain=" + acme.domain();
            String opened = container.jmxproxy("invoke", "io.cloudpark:type=Node", Map.of("op", "openTenant", "ps", acme.domain()));
            assertTrue(opened.startsWith("OK") && opened.contains("domain=" + acme.domain()), opened);

            String set = container.jmxproxy("set", tenantBean, Map.of("att", "ParkTimeoutSeconds", "val", "2"));
            assertTrue(set.startsWith("OK - Attribute set"), set);
            HttpResponse<String> written = container.jolokia(write(tenantBean, "RecallRingSeconds", 3), origin());
            assertEquals(200, JSON.readTree(written.body()).get("status").asInt(), written.body());
            assertEquals("2", container.jmxproxy("get", tenantBean, Map.of("att", "ParkTimeoutSeconds"))
                    .replaceAll("(?s).*ParkTimeoutSeconds = (\\d+).*", "$1"), "jmxproxy reads back what it wrote");

            // refused values: a clear error naming the field, and nothing changes
            String refused = container.jmxproxy("set", tenantBean, Map.of("att", "ParkTimeoutSeconds", "val", "0"));
            assertTrue(refused.startsWith("Error") && refused.contains("parkTimeoutSeconds: must be between 1 and 86400"), refused);
            JsonNode badPolicy = JSON.readTree(container.jolokia(write(tenantBean, "RecallPolicy", "SOMETIMES"), origin()).body());
            assertEquals(400, badPolicy.get("status").asInt(), badPolicy.toString());
            assertTrue(badPolicy.get("error").asText().contains("recallPolicy: must be one of"), badPolicy.toString());
            // the access policy: no writes from another site's page, none to MBeans that are not cloudpark's
            HttpResponse<String> forged = container.jolokia(write(tenantBean, "ParkTimeoutSeconds", 600), "http://evil.example");
            assertEquals(403, JSON.readTree(forged.body()).get("status").asInt(), forged.body());
            JsonNode foreign = JSON.readTree(container.jolokia(write("java.lang:type=Memory", "Verbose", true), origin()).body());
            assertEquals(403, foreign.get("status").asInt(), foreign.toString());
            JsonNode settings = acme.admin().get("/api/tenants/" + acme.domain() + "/settings").json();
            assertEquals(2, settings.get("parkTimeoutSeconds").asInt(), "the API sees what the console stored: " + settings);
            assertEquals(3, settings.get("recallRingSeconds").asInt(), settings.toString());
            assertEquals("PARKER_ONLY", settings.get("recallPolicy").asText(), settings.toString());

            TestPhone parker = acme.registeredPhone("511");
            TestPhone target = acme.registeredPhone("512");
            TestPhone client = acme.registeredPhone("550");
            Calls.Connected talk = Calls.connect(client, parker);
            assertEquals(202, talk.callee().refer("sip:*68512@" + acme.domain()).status());
            client.awaitRequest("INVITE");
            ParkInfoDocument parked = ParkInfoDocument.of(target.awaitRequest("NOTIFY", 5000, "park-info"));
            talk.callee().bye();
            ParkInfoDocument.ParkedCallEntry entry = parked.calls().get(0);
            assertEquals(Duration.ofSeconds(2), Duration.between(Instant.parse(entry.parkedAt()), Instant.parse(entry.recallAt())),
                    "the park's recall time follows the timeout set through jmxproxy");

            SipMessage recall = parker.awaitRequest("INVITE", 8000);
            assertEquals("<urn:alert:service:recall>", recall.header("Alert-Info"));
            Call answered = parker.answer(recall);
            client.awaitRequest("INVITE");
            assertEquals("recalled", ParkInfoDocument.of(target.awaitRequest("NOTIFY", 5000, "park-info")).reason());
            assertEquals("RECALLED", acme.lastEndedPark().get("resolution").asText());
            assertEquals(200, answered.bye().status());
        }
    }

    @Test
    @Order(3)
    void jolokiaListsTheParkedCallsAndHangsOneUp() throws Exception {
        try (TestTenant acme = TestTenant.create(admin(), SIP_PORT, "hangup", "521", "550")) {
            h2Tenants.add(acme.domain());
            TestPhone parker = acme.registeredPhone("521");
            TestPhone client = acme.registeredPhone("550");
            Calls.parkAtSelf(acme, parker, client);
            String tenantBean = "io.cloudpark:type=Tenant,domain=" + acme.domain();
            container.jmxproxy("invoke", "io.cloudpark:type=Node", Map.of("op", "openTenant", "ps", acme.domain()));

            JsonNode listed = JSON.readTree(container.jolokia(exec(tenantBean, "listParkedCalls"), origin()).body());
            assertEquals(1, listed.get("value").size(), listed.toString());
            JsonNode call = listed.get("value").get(0);
            assertEquals("521", call.get("extension").asText(), call.toString());
            assertEquals("PARKED", call.get("status").asText(), call.toString());
            JsonNode node = JSON.readTree(container.jolokia("{\"type\":\"read\",\"mbean\":\"io.cloudpark:type=Node\"}", origin()).body());
            assertEquals("UP", node.get("value").get("DatabaseStatus").asText(), node.toString());
            assertTrue(node.get("value").get("ParkedCalls").asInt() >= 1, node.toString());
            assertTrue(node.get("value").get("LiveSipSessions").asInt() >= 1, node.toString());

            JsonNode hungUp = JSON.readTree(container.jolokia(exec(tenantBean, "hangUp", call.get("id").asText()), origin()).body());
            assertTrue(hungUp.get("value").asBoolean(), hungUp.toString());
            client.awaitRequest("BYE");
            assertEquals("ENDED_BY_OPERATOR", acme.lastEndedPark().get("resolution").asText());
        }
    }

    @Test
    @Order(4)
    void undeployLeavesNoMBeanDriverThreadOrTimer() throws Exception {
        long pid = container.pid();
        int logAtUndeploy = container.catalinaOut().length();
        String answer = container.undeploy(CONTEXT);
        assertTrue(answer.startsWith("OK - Undeployed application at context path " + CONTEXT), answer);

        assertTrue(container.jmxproxy("qry", "io.cloudpark:*", Map.of()).contains("Number of results: 0"), "no MBean of cloudpark's");
        String threads = threadNames(pid);
        assertFalse(threads.contains("cloudpark-"), "no thread of cloudpark's:\n" + threads);
        assertFalse(threads.contains("HikariPool"), "no pool thread:\n" + threads);
        String undeployLog = container.catalinaOut().substring(logAtUndeploy);
        assertFalse(undeployLog.contains("SEVERE"), "Tomcat's leak checks found nothing:\n" + undeployLog);
        assertFalse(undeployLog.contains("failed to unregister"), undeployLog);

        // what the database holds afterwards: the H2 file is free again, with every park's one resolution
        try (Connection db = DriverManager.getConnection("jdbc:h2:file:" + h2File, "sa", "")) {
            assertEquals(List.of("RETRIEVED"), resolutions(db, h2Tenants.get(0)));
            assertEquals(List.of("RECALLED"), resolutions(db, h2Tenants.get(1)));
            assertEquals(List.of("ENDED_BY_OPERATOR"), resolutions(db, h2Tenants.get(2)));
        }
    }

    @Test
    @Order(5)
    void redeployedOnPostgresqlWithoutARestartItParksRetrievesAndRecalls() throws Exception {
        long pid = container.pid();
        String answer = container.deploy(CONTEXT, WAR,
                descriptor("postgres", postgres.getJdbcUrl("postgres", "postgres"), "postgres", ""));
        assertTrue(answer.startsWith("OK - Deployed application at context path " + CONTEXT), answer);
        assertEquals(pid, container.pid(), "the same container JVM");

        String retrieved = parkAndRetrieve();
        String recalled;
        try (TestTenant acme = TestTenant.create(admin(), SIP_PORT, "pg-recall", "531", "532", "550")) {
            recalled = acme.domain();
            String tenantBean = container.jmxproxy("invoke", "io.cloudpark:type=Node", Map.of("op", "openTenant", "ps", acme.domain()))
                    .replaceAll("(?s).*(io\\.cloudpark:\\S+).*", "$1");
            JsonNode written = JSON.readTree(container.jolokia(write(tenantBean, "ParkTimeoutSeconds", 1), origin()).body());
            assertEquals(200, written.get("status").asInt(), written.toString());
            TestPhone parker = acme.registeredPhone("531");
            TestPhone target = acme.registeredPhone("532");
            TestPhone client = acme.registeredPhone("550");
            Calls.Connected talk = Calls.connect(client, parker);
            assertEquals(202, talk.callee().refer("sip:*68532@" + acme.domain()).status());
            client.awaitRequest("INVITE");
            ParkInfoDocument.ParkedCallEntry entry = ParkInfoDocument.of(target.awaitRequest("NOTIFY", 5000, "park-info")).calls().get(0);
            assertEquals(Duration.ofSeconds(1), Duration.between(Instant.parse(entry.parkedAt()), Instant.parse(entry.recallAt())),
                    "the park's recall time follows the timeout written through Jolokia");
            talk.callee().bye();
            SipMessage recall = parker.awaitRequest("INVITE", 8000);
            assertEquals("<urn:alert:service:recall>", recall.header("Alert-Info"));
            Call answered = parker.answer(recall);
            client.awaitRequest("INVITE");
            assertEquals("RECALLED", acme.lastEndedPark().get("resolution").asText());
            assertEquals(200, answered.bye().status());
        }
        try (Connection db = postgres.getPostgresDatabase().getConnection()) {
            assertEquals(List.of("RETRIEVED"), resolutions(db, retrieved));
            assertEquals(List.of("RECALLED"), resolutions(db, recalled));
        }
    }

    /** Register, call, blind-transfer park, park-info to the target, retrieve by *88 from a third phone. */
    private String parkAndRetrieve() {
        try (TestTenant acme = TestTenant.create(admin(), SIP_PORT, "stock", "501", "502", "503", "550")) {
            TestPhone parker = acme.registeredPhone("501");
            TestPhone target = acme.registeredPhone("502");
            TestPhone retriever = acme.registeredPhone("503");
            TestPhone client = acme.registeredPhone("550");
            Calls.Connected talk = Calls.connect(client, parker);
            assertEquals(202, talk.callee().refer("sip:*68502@" + acme.domain()).status());
            client.awaitRequest("INVITE");
            ParkInfoDocument parked = ParkInfoDocument.of(target.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals("parked", parked.reason());
            assertEquals("sip:550@" + acme.domain(), parked.calls().get(0).parkedUri());
            assertTrue(Calls.finalSipfrag(parker).startsWith("SIP/2.0 200"));
            talk.callee().bye();

            Call retrieved = Calls.dial(retriever, "*88502");
            assertEquals(200, retrieved.status(), retrieved.answer().toString());
            assertTrue(retrieved.remoteSdp().contains(client.mediaLine()), "the retriever hears the client");
            ParkInfoDocument cleared = ParkInfoDocument.of(target.awaitRequest("NOTIFY", 5000, "park-info"));
            assertEquals("retrieved", cleared.reason());
            assertTrue(cleared.calls().isEmpty());
            assertEquals("RETRIEVED", acme.lastEndedPark().get("resolution").asText());
            assertEquals(200, retrieved.bye().status());
            return acme.domain();
        }
    }

    private AdminClient admin() {
        return new AdminClient(container.base() + CONTEXT, "admin", ADMIN_PASSWORD);
    }

    private String origin() {
        return container.base();
    }

    /** A context descriptor as an operator writes one: the Restcomm context class, namespace-aware, the settings. */
    private Path descriptor(String name, String dbUrl, String dbUser, String dbPassword) throws IOException {
        Path file = work.resolve(name + ".xml");
        Files.writeString(file, """
                <Context className="org.mobicents.servlet.sip.startup.SipStandardContext" xmlNamespaceAware="true">
                  <Parameter name="CLOUDPARK_DB_URL" value="%s" override="false"/>
                  <Parameter name="CLOUDPARK_DB_USER" value="%s" override="false"/>
                  <Parameter name="CLOUDPARK_DB_PASSWORD" value="%s" override="false"/>
                  <Parameter name="CLOUDPARK_ADMIN_PASSWORD" value="%s" override="false"/>
                  <Parameter name="CLOUDPARK_NODE_ID" value="stock-node" override="false"/>
                </Context>
                """.formatted(dbUrl, dbUser, dbPassword, ADMIN_PASSWORD), StandardCharsets.UTF_8);
        return file;
    }

    private static String write(String mbean, String attribute, Object value) throws IOException {
        return JSON.writeValueAsString(Map.of("type", "write", "mbean", mbean, "attribute", attribute, "value", value));
    }

    private static String exec(String mbean, String operation, Object... arguments) throws IOException {
        return JSON.writeValueAsString(Map.of("type", "exec", "mbean", mbean, "operation", operation, "arguments", arguments));
    }

    private static List<String> resolutions(Connection db, String domain) throws Exception {
        try (PreparedStatement query = db.prepareStatement("select h.resolution from park_history h join tenant t"
                + " on t.id = h.tenant_id where t.domain = ? order by h.ended_at")) {
            query.setString(1, domain);
            List<String> out = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    out.add(rows.getString(1));
                }
            }
            return out;
        }
    }

    private static String threadNames(long pid) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
        String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jcmd.waitFor(30, TimeUnit.SECONDS) && jcmd.exitValue() == 0, dump);
        StringBuilder names = new StringBuilder();
        dump.lines().filter(line -> line.startsWith("\"")).forEach(line -> names.append(line, 0, line.indexOf('"', 1) + 1).append('\n'));
        return names.toString();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
