package io.cloudpark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

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

/** /api/openapi.json says what the live API does: the same paths and methods, and the answers have its shapes. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OpenApiIT {
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private final AdminClient operator = AdminClient.operator();

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    private JsonNode document() {
        AdminClient.Reply reply = operator.get("/api/openapi.json");
        assertEquals(200, reply.status(), reply.body());
        assertEquals("3.0.3", reply.json().get("openapi").asText());
        return reply.json();
    }

    @Test
    void everyDocumentedPathHasExactlyTheDocumentedMethods() {
        JsonNode paths = document().get("paths");
        for (Iterator<String> it = paths.fieldNames(); it.hasNext(); ) {
            String template = it.next();
            // parameters that name nothing: each request ends in a lookup that finds nothing, and changes nothing
            String path = "/api" + template.replace("{domain}", "nobody.invalid").replace("{extension}", "999")
                    .replace("{name}", "nobody").replace("{id}", "0");
            Set<String> documented = new TreeSet<>();
            paths.get(template).fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase()));
            for (String method : METHODS) {
                AdminClient.Reply reply = operator.send(method, path, method.equals("GET") || method.equals("DELETE") ? null : "{}");
                if (documented.contains(method)) {
                    assertNotEquals(405, reply.status(), method + " " + path);
                    assertFalse(reply.body().contains("no such resource"), method + " " + path + ": " + reply.body());
                } else {
                    assertEquals(405, reply.status(), method + " " + path + " is not documented: " + reply.body());
                    assertEquals(documented, new TreeSet<>(Arrays.asList(reply.header("Allow").split(", "))), path);
                }
            }
        }
    }

    @Test
    void theAnswersHaveTheDocumentedShapes() {
        JsonNode doc = document();
        try (TestTenant acme = TestTenant.create("openapi", "200", "201", "650")) {
            String d = acme.domain();
            TestPhone parker = acme.registeredPhone("200");
            assertEquals(201, operator.post("/api/tenants/" + d + "/park-groups", "{\"name\":\"g\",\"members\":[\"201\"]}").status());
            String account = "doc-" + UUID.randomUUID().toString().substring(0, 8);
            assertEquals(201, operator.post("/api/accounts", "{\"name\":\"" + account + "\",\"password\":\"pw-" + account
                    + "\",\"role\":\"TENANT_ADMIN\",\"tenant\":\"" + d + "\"}").status());
            check(doc, "/accounts/{name}/tokens", "post", "201",
                    operator.post("/api/accounts/" + account + "/tokens", "{\"name\":\"crm\"}"));
            Calls.parkAtSelf(acme, parker, acme.registeredPhone("650"));
            String id = operator.get("/api/tenants/" + d + "/parked-calls").json().get(0).get("id").asText();

            check(doc, "/me", "get", "200", operator.get("/api/me"));
            check(doc, "/tenants", "get", "200", operator.get("/api/tenants?q=" + d));
            check(doc, "/tenants/{domain}", "get", "200", operator.get("/api/tenants/" + d));
            check(doc, "/tenants/{domain}/settings", "get", "200", operator.get("/api/tenants/" + d + "/settings"));
            check(doc, "/tenants/{domain}/extensions", "get", "200", operator.get("/api/tenants/" + d + "/extensions"));
            check(doc, "/tenants/{domain}/extensions/{extension}", "get", "200", operator.get("/api/tenants/" + d + "/extensions/200"));
            check(doc, "/tenants/{domain}/extensions/{extension}/registrations", "get", "200",
                    operator.get("/api/tenants/" + d + "/extensions/200/registrations"));
            check(doc, "/tenants/{domain}/park-groups", "get", "200", operator.get("/api/tenants/" + d + "/park-groups"));
            check(doc, "/tenants/{domain}/park-groups/{name}", "get", "200", operator.get("/api/tenants/" + d + "/park-groups/g"));
            check(doc, "/tenants/{domain}/parked-calls", "get", "200", operator.get("/api/tenants/" + d + "/parked-calls"));
            check(doc, "/tenants/{domain}/parked-calls/{id}", "get", "200", operator.get("/api/tenants/" + d + "/parked-calls/" + id));
            check(doc, "/tenants/{domain}/extensions/{extension}", "delete", "200",
                    operator.delete("/api/tenants/" + d + "/extensions/200?force=true"));
            acme.lastEndedPark();
            check(doc, "/tenants/{domain}/park-history", "get", "200", operator.get("/api/tenants/" + d + "/park-history"));
            check(doc, "/tenants/{domain}/webhooks", "post", "201", operator.post("/api/tenants/" + d + "/webhooks",
                    "{\"url\":\"http://127.0.0.1:9/hook\",\"secret\":\"doc-secret-0123456789\",\"enabled\":false}"));
            check(doc, "/tenants/{domain}/webhooks", "get", "200", operator.get("/api/tenants/" + d + "/webhooks"));
            check(doc, "/accounts", "get", "200", operator.get("/api/accounts"));
            check(doc, "/accounts/{name}", "get", "200", operator.get("/api/accounts/" + account));
            check(doc, "/accounts/{name}/tokens", "get", "200", operator.get("/api/accounts/" + account + "/tokens"));
            check(doc, "/audit", "get", "200", operator.get("/api/audit?tenant=" + d));
            check(doc, "/tenants/{domain}", "get", "default", operator.get("/api/tenants/nobody.invalid"));
            check(doc, "/tenants/{domain}/settings", "put", "default", operator.put("/api/tenants/" + d + "/settings", "{\"x\":1}"));
        }
    }

    private static void check(JsonNode doc, String path, String method, String status, AdminClient.Reply reply) {
        if (!status.equals("default")) {
            assertEquals(Integer.parseInt(status), reply.status(), method + " " + path + ": " + reply.body());
        }
        JsonNode schema = doc.get("paths").get(path).get(method).get("responses").get(status)
                .get("content").get("application/json").get("schema");
        List<String> problems = new ArrayList<>();
        validate(doc, reply.json(), schema, method + " " + path, problems);
        assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n" + reply.body());
    }

    private static void validate(JsonNode doc, JsonNode value, JsonNode schema, String where, List<String> problems) {
        if (schema.has("$ref")) {
            String name = schema.get("$ref").asText().substring("#/components/schemas/".length());
            validate(doc, value, doc.get("components").get("schemas").get(name), where, problems);
            return;
        }
        if (value == null || value.isNull()) {
            if (!schema.path("nullable").asBoolean()) {
                problems.add(where + ": null, but not nullable");
            }
            return;
        }
        switch (schema.path("type").asText()) {
            case "object" -> {
                if (!value.isObject()) {
                    problems.add(where + ": not an object");
                    return;
                }
                JsonNode properties = schema.path("properties");
                if (properties.isMissingNode()) {
                    return;
                }
                value.fieldNames().forEachRemaining(name -> {
                    if (!properties.has(name)) {
                        problems.add(where + ": undocumented field " + name);
                    }
                });
                schema.path("required").forEach(name -> {
                    if (!value.has(name.asText())) {
                        problems.add(where + ": missing field " + name.asText());
                    }
                });
                properties.fieldNames().forEachRemaining(name -> {
                    if (value.has(name)) {
                        validate(doc, value.get(name), properties.get(name), where + "." + name, problems);
                    }
                });
            }
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(where + ": not an array");
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    validate(doc, value.get(i), schema.get("items"), where + "[" + i + "]", problems);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    problems.add(where + ": not a string");
                } else if (schema.has("enum")) {
                    List<String> allowed = new ArrayList<>();
                    schema.get("enum").forEach(e -> allowed.add(e.asText()));
                    if (!allowed.contains(value.asText())) {
                        problems.add(where + ": " + value.asText() + " is none of " + allowed);
                    }
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    problems.add(where + ": not an integer");
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    problems.add(where + ": not a boolean");
                }
            }
            default -> {
                // no type: any JSON value (the audit log's before and after)
            }
        }
    }
}
