package io.cloudpark.admin;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.apache.log4j.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cloudpark.app.CloudparkApp;
import io.cloudpark.park.EndedPark;
import io.cloudpark.park.FeatureRequest;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.ParkedCallStore;
import io.cloudpark.park.ParkingPolicy;
import io.cloudpark.park.Party;
import io.cloudpark.park.RecallPolicy;
import io.cloudpark.park.StoreUnavailableException;
import io.cloudpark.tenant.Credentials;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.ParkGroup;
import io.cloudpark.tenant.ParkGroupConflictException;
import io.cloudpark.tenant.ParkInfoFormat;
import io.cloudpark.tenant.RegistrationStore;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;
import io.cloudpark.tenant.TenantExistsException;

/**
 * The operator's REST API (DESIGN §5) under {@code /api}. Every call needs the operator's HTTP Basic credentials;
 * everything below {@code /api/tenants/{domain}} sees that tenant's data only.
 */
public final class AdminApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(AdminApiServlet.class);
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+");
    private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int DEFAULT_HISTORY = 50;
    private static final int MAX_HISTORY = 1000;

    private transient OperatorAuth auth;
    private transient CloudparkApp app;
    private transient TenantDirectory directory;
    private transient RegistrationStore registrations;
    private transient ParkedCallStore parkedCalls;

    @Override
    public void init() {
        app = CloudparkApp.of(getServletContext());
        auth = new OperatorAuth(app.config().adminPassword());
        directory = app.database().tenants();
        registrations = app.database().registrations();
        parkedCalls = app.database().parkedCalls();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!auth.allows(request)) {
            LOG.info("401 to " + request.getMethod() + " " + request.getRequestURI() + " from " + request.getRemoteAddr());
            response.setHeader("WWW-Authenticate", OperatorAuth.CHALLENGE);
            Json.error(response, 401, "unauthorized", "operator credentials required");
            return;
        }
        try {
            route(request, response, segments(request));
        } catch (ApiError e) {
            Json.error(response, e.status, e.error, e.getMessage());
        } catch (StoreUnavailableException e) {
            LOG.error("503 to " + request.getMethod() + " " + request.getRequestURI() + ": " + e.getMessage());
            Json.error(response, 503, "unavailable", "the database is unavailable");
        }
    }

    private static String[] segments(HttpServletRequest request) {
        String path = request.getPathInfo();
        return path == null || path.equals("/") ? new String[0] : path.substring(1).split("/");
    }

    private void route(HttpServletRequest request, HttpServletResponse response, String[] p) throws ApiError, IOException {
        String method = request.getMethod();
        if (p.length == 1 && p[0].equals("tenants") && method.equals("POST")) {
            createTenant(request, response);
            return;
        }
        if (p.length == 1 && p[0].equals("nodes") && method.equals("GET")) {
            Json.write(response, 200, app.cluster().all().stream().map(node -> ordered("id", node.id(),
                    "sipUri", node.sipUri(), "alive", app.cluster().isAlive(node), "self",
                    node.id().equals(app.cluster().selfId()), "startedAt", node.startedAt().toString(),
                    "lastSeen", node.lastSeen().toString(),
                    "reapedAt", node.reapedAt() == null ? null : node.reapedAt().toString())).toList());
            return;
        }
        if (p.length == 3 && p[0].equals("nodes") && p[1].equals("self") && p[2].equals("draining")
                && method.equals("PUT")) {
            JsonNode draining = Json.object(request).get("draining");
            if (draining == null || !draining.isBoolean()) {
                throw ApiError.badRequest("draining", "must be true or false");
            }
            app.draining(draining.booleanValue());
            Json.write(response, 200, ordered("id", app.cluster().selfId(), "draining", app.draining()));
            return;
        }
        if (p.length >= 3 && p[0].equals("tenants")) {
            Tenant tenant = directory.tenantByDomain(p[1].toLowerCase())
                    .orElseThrow(() -> ApiError.notFound("no tenant " + p[1]));
            String resource = p[2];
            if (p.length == 3 && resource.equals("settings") && method.equals("GET")) {
                Json.write(response, 200, settings(tenant.policy()));
                return;
            }
            if (p.length == 3 && resource.equals("settings") && method.equals("PUT")) {
                putSettings(request, response, tenant);
                return;
            }
            if (p.length == 3 && resource.equals("extensions") && method.equals("GET")) {
                Json.write(response, 200, directory.extensions(tenant.id()).stream().map(AdminApiServlet::extension).toList());
                return;
            }
            if (p.length == 4 && resource.equals("extensions") && method.equals("PUT")) {
                putExtension(request, response, tenant, p[3]);
                return;
            }
            if (p.length == 5 && resource.equals("extensions") && p[4].equals("registrations") && method.equals("GET")) {
                Extension ext = directory.extension(tenant.id(), p[3])
                        .orElseThrow(() -> ApiError.notFound("no extension " + p[3] + " in " + tenant.domain()));
                Json.write(response, 200, registrations.activeBindings(ext.id(), Instant.now(app.clock())).stream()
                        .map(b -> ordered("contact", b.contactUri(), "expiresAt", b.expiresAt().toString(),
                                "userAgent", b.userAgent()))
                        .toList());
                return;
            }
            if (p.length == 3 && resource.equals("parked-calls") && method.equals("GET")) {
                Json.write(response, 200, parkedCalls.parkedInTenant(tenant.id()).stream()
                        .map(call -> parkedCall(tenant, call)).toList());
                return;
            }
            if (p.length == 4 && resource.equals("parked-calls") && method.equals("DELETE")) {
                if (!app.operatorHangup().hangUp(tenant, p[3])) {
                    throw ApiError.notFound("no call " + p[3] + " parked in " + tenant.domain());
                }
                LOG.info("operator ended park " + p[3] + " in " + tenant.domain());
                response.setStatus(204);
                return;
            }
            if (p.length == 3 && resource.equals("park-groups") && method.equals("POST")) {
                createParkGroup(request, response, tenant);
                return;
            }
            if (p.length == 3 && resource.equals("park-groups") && method.equals("GET")) {
                Json.write(response, 200, directory.parkGroups(tenant.id()).stream().map(AdminApiServlet::parkGroup).toList());
                return;
            }
            if (p.length == 4 && resource.equals("park-groups") && method.equals("GET")) {
                Json.write(response, 200, directory.parkGroups(tenant.id()).stream()
                        .filter(g -> g.name().equals(p[3])).findFirst().map(AdminApiServlet::parkGroup)
                        .orElseThrow(() -> ApiError.notFound("no park group " + p[3] + " in " + tenant.domain())));
                return;
            }
            if (p.length == 3 && resource.equals("park-history") && method.equals("GET")) {
                int limit = limit(request.getParameter("limit"));
                Json.write(response, 200, parkedCalls.history(tenant.id(), limit).stream()
                        .map(ended -> endedPark(tenant, ended)).toList());
                return;
            }
        }
        throw ApiError.notFound("no such resource: " + request.getMethod() + " " + request.getRequestURI());
    }

    private void createTenant(HttpServletRequest request, HttpServletResponse response) throws ApiError, IOException {
        ObjectNode body = Json.object(request);
        String domain = text(body, "domain", true).toLowerCase();
        if (!DOMAIN.matcher(domain).matches()) {
            throw ApiError.badRequest("domain", "must be a DNS domain name such as acme.example");
        }
        String name = text(body, "name", false);
        try {
            Tenant tenant = directory.createTenant(domain, name == null ? domain : name);
            LOG.info("tenant created: " + domain);
            Json.write(response, 201, ordered("domain", tenant.domain(), "name", tenant.name(), "settings", settings(tenant.policy())));
        } catch (TenantExistsException e) {
            throw new ApiError(409, "conflict", "tenant " + domain + " exists");
        }
    }

    private void putSettings(HttpServletRequest request, HttpServletResponse response, Tenant tenant) throws ApiError, IOException {
        ObjectNode body = Json.object(request);
        ParkingPolicy old = tenant.policy();
        ParkingPolicy policy = new ParkingPolicy(
                body.has("parkCode") ? text(body, "parkCode", true) : old.parkCode(),
                body.has("retrieveCode") ? text(body, "retrieveCode", true) : old.retrieveCode(),
                body.has("groupParkCode") ? text(body, "groupParkCode", true) : old.groupParkCode(),
                number(body, "parkTimeoutSeconds", old.parkTimeoutSeconds()),
                number(body, "recallRingSeconds", old.recallRingSeconds()),
                number(body, "maxParkedPerExtension", old.maxParkedPerExtension()),
                body.has("recallPolicy") ? recallPolicy(body) : old.recallPolicy(),
                number(body, "recallAttempts", old.recallAttempts()),
                body.has("recallGroup") ? extensions(body, "recallGroup") : old.recallGroup(),
                body.has("recallFallback") ? text(body, "recallFallback", false) : old.recallFallback(),
                body.has("musicOnHoldUri") ? text(body, "musicOnHoldUri", false) : old.musicOnHoldUri());
        List<String> violations = policy.violations();
        if (!violations.isEmpty()) {
            throw new ApiError(400, "bad_request", String.join("; ", violations));
        }
        Tenant updated = directory.updatePolicy(tenant.domain(), policy)
                .orElseThrow(() -> ApiError.notFound("no tenant " + tenant.domain()));
        Json.write(response, 200, settings(updated.policy()));
    }

    private void createParkGroup(HttpServletRequest request, HttpServletResponse response, Tenant tenant)
            throws ApiError, IOException {
        ObjectNode body = Json.object(request);
        String name = text(body, "name", true);
        if (!GROUP_NAME.matcher(name).matches()) {
            throw ApiError.badRequest("name", "must be 1 to 64 letters, digits, '-' or '_'");
        }
        List<String> members = extensions(body, "members");
        if (members.isEmpty() || members.stream().distinct().count() != members.size()) {
            throw ApiError.badRequest("members", "must list at least one extension, each once");
        }
        try {
            ParkGroup group = directory.createParkGroup(tenant.id(), name, members);
            Json.write(response, 201, parkGroup(group));
        } catch (ParkGroupConflictException e) {
            throw new ApiError(409, "conflict", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("members", e.getMessage());
        }
    }

    private static Map<String, Object> parkGroup(ParkGroup group) {
        return ordered("name", group.name(), "members", group.members());
    }

    private void putExtension(HttpServletRequest request, HttpServletResponse response, Tenant tenant, String number)
            throws ApiError, IOException {
        if (!FeatureRequest.EXTENSION.matcher(number).matches()) {
            throw ApiError.badRequest("extension", "must be 1 to 10 digits");
        }
        ObjectNode body = Json.object(request);
        String password = text(body, "password", true);
        if (password.length() < 4) {
            throw ApiError.badRequest("password", "must have at least 4 characters");
        }
        String displayName = text(body, "displayName", false);
        ParkInfoFormat format = ParkInfoFormat.CLOUDPARK;
        if (body.has("parkInfoFormat")) {
            try {
                format = ParkInfoFormat.valueOf(text(body, "parkInfoFormat", true));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("parkInfoFormat", "must be CLOUDPARK or BROADWORKS");
            }
        }
        TenantDirectory.PutResult result = directory.putExtension(tenant.id(), number, displayName,
                Credentials.ha1(number, tenant.domain(), password), format);
        Json.write(response, result.created() ? 201 : 200, extension(result.extension()));
    }

    private static String text(ObjectNode body, String field, boolean required) throws ApiError {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw ApiError.badRequest(field, "is required");
            }
            return null;
        }
        if (!node.isTextual() || (required && node.asText().isBlank())) {
            throw ApiError.badRequest(field, "must be a non-empty string");
        }
        return node.asText().trim();
    }

    private static int number(ObjectNode body, String field, int fallback) throws ApiError {
        JsonNode node = body.get(field);
        if (node == null) {
            return fallback;
        }
        if (!node.isInt()) {
            throw ApiError.badRequest(field, "must be a whole number");
        }
        return node.asInt();
    }

    private static RecallPolicy recallPolicy(ObjectNode body) throws ApiError {
        String value = text(body, "recallPolicy", true);
        try {
            return RecallPolicy.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("recallPolicy", "must be one of " + java.util.Arrays.toString(RecallPolicy.values()));
        }
    }

    /** A JSON array of extension numbers (strings). */
    private static List<String> extensions(ObjectNode body, String field) throws ApiError {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ApiError.badRequest(field, "must be an array of extension numbers");
        }
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || !FeatureRequest.EXTENSION.matcher(item.asText()).matches()) {
                throw ApiError.badRequest(field, "must be an array of extension numbers (1 to 10 digits, as strings)");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static int limit(String value) throws ApiError {
        if (value == null) {
            return DEFAULT_HISTORY;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_HISTORY) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiError.badRequest("limit", "must be a whole number from 1 to " + MAX_HISTORY);
    }

    private static Map<String, Object> settings(ParkingPolicy policy) {
        return ordered("parkCode", policy.parkCode(), "retrieveCode", policy.retrieveCode(),
                "groupParkCode", policy.groupParkCode(),
                "parkTimeoutSeconds", policy.parkTimeoutSeconds(), "recallRingSeconds", policy.recallRingSeconds(),
                "maxParkedPerExtension", policy.maxParkedPerExtension(), "recallPolicy", policy.recallPolicy().name(),
                "recallAttempts", policy.recallAttempts(), "recallGroup", policy.recallGroup(),
                "recallFallback", policy.recallFallback(), "musicOnHoldUri", policy.musicOnHoldUri());
    }

    private static Map<String, Object> extension(Extension extension) {
        return ordered("extension", extension.number(), "displayName", extension.displayName(),
                "parkInfoFormat", extension.parkInfoFormat().name());
    }

    private static Map<String, Object> party(Party party) {
        return ordered("uri", party.uri(), "displayName", party.displayName());
    }

    private static Map<String, Object> parkedCall(Tenant tenant, ParkedCall call) {
        Map<String, Object> out = ordered("id", call.id(), "extension", call.extension(), "status", call.status().name(),
                "parked", party(call.parked()), "parker", party(call.parker()),
                "parkedAt", call.parkedAt().toString(), "recallAt", call.recallAt().toString(),
                "ownerNode", call.ownerNode());
        out.put("retrieve", "sip:" + tenant.policy().retrieveCode() + call.extension() + "@" + tenant.domain() + ";park-id=" + call.id());
        return out;
    }

    private static Map<String, Object> endedPark(Tenant tenant, EndedPark ended) {
        ParkedCall call = ended.call();
        return ordered("id", call.id(), "extension", call.extension(), "resolution", ended.resolution().name(),
                "parked", party(call.parked()), "parker", party(call.parker()), "parkedAt", call.parkedAt().toString(),
                "endedAt", ended.endedAt().toString(), "endedBy", ended.endedBy());
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }
}
