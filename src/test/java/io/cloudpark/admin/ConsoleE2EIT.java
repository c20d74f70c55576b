package io.cloudpark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.cloudpark.testing.AdminClient;
import io.cloudpark.testing.Calls;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.TestPhone;
import io.cloudpark.testing.TestTenant;

/**
 * The console in a real browser: headless Chromium (Debian's {@code chromium}) driven by {@code e2e/console.mjs}
 * (playwright-core, from {@code npm ci --prefix e2e}) against the running application, while this side parks a
 * real call over SIP and checks what the console did. The script prints {@code E2E <step>} when it needs this side
 * and reads the answer on its standard input. Screenshots go to {@code target/console-e2e/}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConsoleE2EIT {
    private static final Path SCRIPT = Path.of("e2e/console.mjs");
    private static final Path PLAYWRIGHT = Path.of("e2e/node_modules/playwright-core/package.json");
    private static final Path CHROMIUM = Path.of(System.getProperty("cloudpark.e2e.chromium", "/usr/bin/chromium"));
    private static final Path SHOTS = Path.of("target/console-e2e");
    private static final long STEP_SECONDS = 60;

    private final AdminClient operator = AdminClient.operator();

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    @Test
    void anOperatorSeesAParkLiveHangsItUpAndEditsSettingsAndATenantAdminSeesOnlyItsTenant() throws Exception {
        if (!Files.exists(PLAYWRIGHT)) {
            fail("e2e/node_modules is missing: run `npm ci --prefix e2e` first (.ci/run does) for the browser test");
        }
        if (!Files.isExecutable(CHROMIUM)) {
            fail(CHROMIUM + " is missing: `apt-get install chromium` (.ci/run does) for the browser test");
        }
        try (TestTenant acme = TestTenant.create("console", "200", "650"); TestTenant rival = TestTenant.create("rival", "200")) {
            String adminName = "console-admin-" + UUID.randomUUID().toString().substring(0, 8);
            String adminPassword = "pw-" + adminName;
            AdminClient.Reply created = operator.post("/api/accounts", "{\"name\":\"" + adminName + "\",\"password\":\""
                    + adminPassword + "\",\"role\":\"TENANT_ADMIN\",\"tenant\":\"" + acme.domain() + "\"}");
            assertEquals(201, created.status(), created.body());
            TestPhone parker = acme.registeredPhone("200");
            TestPhone client = acme.registeredPhone("650");

            Files.createDirectories(SHOTS);
            ProcessBuilder builder = new ProcessBuilder("node", SCRIPT.toString())
                    .redirectError(SHOTS.resolve("node-stderr.txt").toFile());
            Map<String, String> env = builder.environment();
            env.put("CONSOLE_URL", "http://127.0.0.1:" + Deployments.HTTP_PORT);
            env.put("OPERATOR", "admin");
            env.put("OPERATOR_PASSWORD", Deployments.ADMIN_PASSWORD);
            env.put("TENANT", acme.domain());
            env.put("RIVAL", rival.domain());
            env.put("TENANT_ADMIN", adminName);
            env.put("TENANT_ADMIN_PASSWORD", adminPassword);
            env.put("SCREENSHOTS", SHOTS.toAbsolutePath().toString());
            env.put("CHROMIUM", CHROMIUM.toString());
            Process node = builder.start();
            try (Writer toNode = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8)) {
                BlockingQueue<String> fromNode = lines(node);

                expect(fromNode, node, "E2E park");
                Calls.parkAtSelf(acme, parker, client);
                JsonNode parked = operator.get("/api/tenants/" + acme.domain() + "/parked-calls").json();
                assertEquals(1, parked.size(), parked.toString());
                String parkId = parked.get(0).get("id").asText();
                say(toNode, "PARKED " + parkId);

                expect(fromNode, node, "E2E hung-up " + parkId);
                client.awaitRequest("BYE"); // the parked party is hung up over SIP
                assertEquals("ENDED_BY_OPERATOR", acme.lastEndedPark().get("resolution").asText());
                assertEquals("operator", acme.lastEndedPark().get("endedBy").asText(), acme.lastEndedPark().toString());
                say(toNode, "BYE_SEEN");

                expect(fromNode, node, "E2E settings parkTimeoutSeconds=77");
                assertEquals(77, operator.get("/api/tenants/" + acme.domain() + "/settings").json().get("parkTimeoutSeconds").asInt());
                say(toNode, "CHECKED");

                expect(fromNode, node, "E2E done");
                assertTrue(node.waitFor(STEP_SECONDS, TimeUnit.SECONDS), "the browser test ends");
                assertEquals(0, node.exitValue(), stderr());
            } finally {
                node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            for (String shot : new String[] {"console-desktop.png", "console-390px.png", "console-settings-error.png",
                    "console-tenant-admin.png"}) {
                assertTrue(Files.size(SHOTS.resolve(shot)) > 1000, shot);
            }
        }
    }

    /** The script's standard output, line by line, echoed to this test's. */
    private static BlockingQueue<String> lines(Process node) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    System.out.println("[console.mjs] " + line);
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(stdout failed: " + e + ")");
            }
        }, "console-e2e-stdout");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    /** Waits for the script to print {@code wanted}; fails with its stderr if it ends, or says anything else first. */
    private static void expect(BlockingQueue<String> lines, Process node, String wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith("E2E ")) {
                assertEquals(wanted, line, stderr());
                return;
            }
            if (line == null && !node.isAlive() && lines.isEmpty()) {
                fail("console.mjs ended (exit " + node.exitValue() + ") before \"" + wanted + "\":\n" + stderr());
            }
        }
        fail("console.mjs said nothing of \"" + wanted + "\" in " + STEP_SECONDS + " s:\n" + stderr());
    }

    private static void say(Writer toNode, String line) throws IOException {
        toNode.write(line + "\n");
        toNode.flush();
    }

    private static String stderr() {
        try {
            File file = SHOTS.resolve("node-stderr.txt").toFile();
            return file.exists() ? Files.readString(file.toPath()) : "";
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }
}
