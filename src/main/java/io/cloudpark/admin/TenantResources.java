package io.cloudpark.admin;

import static io.cloudpark.admin.Views.ordered;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.log4j.Logger;

import io.cloudpark.app.CloudparkApp;
import io.cloudpark.park.EndedPark;
import io.cloudpark.park.HistoryQuery;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.ParkService.PolicyChange;
import io.cloudpark.park.ParkedCallStore;
import io.cloudpark.park.ParkingPolicy;
import io.cloudpark.park.RecallPolicy;
import io.cloudpark.park.Resolution;
import io.cloudpark.tenant.Credentials;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.InUseException;
import io.cloudpark.tenant.ParkGroup;
import io.cloudpark.tenant.ParkGroupConflictException;
import io.cloudpark.tenant.ParkInfoFormat;
import io.cloudpark.tenant.RegistrationStore;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;
import io.cloudpark.tenant.TenantExistsException;

/** Tenants and everything under {@code /api/tenants/{domain}}: settings, extensions, park groups, calls, history. */
final class TenantResources {
    private static final Logger LOG = Logger.getLogger(TenantResources.class);
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+");
    private static final int MAX_DOMAIN = 253;
    private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int MAX_PASSWORD = 128;
    private static final int MAX_URI = 1024;
    private static final Set<String> SETTINGS = Set.of("parkCode", "retrieveCode", "groupParkCode", "parkTimeoutSeconds",
            "recallRingSeconds", "maxParkedPerExtension", "recallPolicy", "recallAttempts", "recallGroup",
            "recallFallback", "musicOnHoldUri");
    private static final Set<String> EXTENSION_FIELDS = Set.of("password", "displayName", "parkInfoFormat");

    private final CloudparkApp app;
    private final TenantDirectory directory;
    private final RegistrationStore registrations;
    private final ParkedCallStore parkedCalls;
    private final Audit audit;

    TenantResources(CloudparkApp app, Audit audit) {
        this.app = app;
        this.audit = audit;
        this.directory = app.database().tenants();
        this.registrations = app.database().registrations();
        this.parkedCalls = app.database().parkedCalls();
    }

    void addTo(Routes routes) {
        routes.add("GET", "tenants", this::listTenants)
                .add("POST", "tenants", this::createTenant)
                .add("GET", "tenants/{d}", x -> Json.write(x.response, 200, Views.tenant(tenant(x.queryOnly()))))
                .add("PATCH", "tenants/{d}", this::renameTenant)
                .add("DELETE", "tenants/{d}", this::deleteTenant)
                .add("GET", "tenants/{d}/settings", x -> Json.write(x.response, 200, Views.settings(tenant(x.queryOnly()).policy())))
                .add("PUT", "tenants/{d}/settings", this::putSettings)
                .add("PATCH", "tenants/{d}/settings", this::putSettings)
                .add("GET", "tenants/{d}/extensions", x -> Json.write(x.response, 200,
                        directory.extensions(tenant(x.queryOnly()).id()).stream().map(Views::extension).toList()))
                .add("GET", "tenants/{d}/extensions/{e}", x -> Json.write(x.response, 200,
                        Views.extension(extension(x.queryOnly(), tenant(x)))))
                .add("PUT", "tenants/{d}/extensions/{e}", this::putExtension)
                .add("PATCH", "tenants/{d}/extensions/{e}", this::patchExtension)
                .add("DELETE", "tenants/{d}/extensions/{e}", this::deleteExtension)
                .add("GET", "tenants/{d}/extensions/{e}/registrations", this::registrations)
                .add("GET", "tenants/{d}/parked-calls", x -> {
                    Tenant tenant = tenant(x.queryOnly());
                    Json.write(x.response, 200, parkedCalls.parkedInTenant(tenant.id()).stream()
                            .map(call -> Views.parkedCall(tenant, call)).toList());
                })
                .add("GET", "tenants/{d}/parked-calls/{id}", x -> {
                    Tenant tenant = tenant(x.queryOnly());
                    Json.write(x.response, 200, Views.parkedCall(tenant, parkedCall(tenant, x.param(1))));
                })
                .add("DELETE", "tenants/{d}/parked-calls/{id}", this::hangUp)
                .add("GET", "tenants/{d}/park-groups", x -> Json.write(x.response, 200,
                        directory.parkGroups(tenant(x.queryOnly()).id()).stream().map(Views::parkGroup).toList()))
                .add("POST", "tenants/{d}/park-groups", this::createParkGroup)
                .add("GET", "tenants/{d}/park-groups/{g}", x -> Json.write(x.response, 200,
                        Views.parkGroup(parkGroup(tenant(x.queryOnly()), x.param(1)))))
                .add("PUT", "tenants/{d}/park-groups/{g}", this::replaceParkGroup)
                .add("DELETE", "tenants/{d}/park-groups/{g}", this::deleteParkGroup)
                .add("GET", "tenants/{d}/park-history", this::history);
    }

    // ----- lookups: what the caller may not see is answered exactly as what does not exist

    private Tenant tenant(Exchange x) throws ApiError {
        String domain = x.param(0).toLowerCase(Locale.ROOT);
        return directory.tenantByDomain(domain).filter(t -> x.caller.maySee(t.id()))
                .orElseThrow(() -> ApiError.notFound("no tenant " + domain));
    }

    /** The path's extension number, which must be written canonically (see {@link Extension#CANONICAL_NUMBER}). */
    private static String number(Exchange x) throws ApiError {
        String number = x.param(1);
        if (!Extension.CANONICAL_NUMBER.matcher(number).matches()) {
            throw ApiError.badRequest("extension", Extension.CANONICAL_RULE);
        }
        return number;
    }

    private Extension extension(Exchange x, Tenant tenant) throws ApiError {
        String number = number(x);
        return directory.extension(tenant.id(), number)
                .orElseThrow(() -> ApiError.notFound("no extension " + number + " in " + tenant.domain()));
    }

    private ParkedCall parkedCall(Tenant tenant, String id) throws ApiError {
        return parkedCalls.find(tenant.id(), id)
                .orElseThrow(() -> ApiError.notFound("no call " + id + " parked in " + tenant.domain()));
    }

    private ParkGroup parkGroup(Tenant tenant, String name) throws ApiError {
        return directory.parkGroups(tenant.id()).stream().filter(g -> g.name().equals(name)).findFirst()
                .orElseThrow(() -> ApiError.notFound("no park group " + name + " in " + tenant.domain()));
    }

    private static void operatorOnly(Exchange x) throws ApiError {
        if (!x.caller.isOperator()) {
            throw ApiError.forbidden("only an operator account may do this");
        }
    }

    // ----- tenants

    private void listTenants(Exchange x) throws ApiError, IOException {
        x.queryOnly("q", "limit", "cursor");
        String search = x.query("q", MAX_DOMAIN);
        String cursor = x.query("cursor", MAX_DOMAIN);
        int limit = x.limit();
        List<Tenant> page;
        if (x.caller.isOperator()) {
            page = directory.tenants(search, cursor, limit);
        } else {
            // a tenant admin's list is its own tenant, when it matches
            page = directory.tenantById(x.caller.tenantId())
                    .filter(t -> cursor == null && (search == null || matches(t, search.toLowerCase(Locale.ROOT))))
                    .map(List::of).orElse(List.of());
        }
        x.page(page.stream().map(t -> ordered("domain", t.domain(), "name", t.name())).toList(), limit,
                page.isEmpty() ? null : page.get(page.size() - 1).domain());
    }

    private static boolean matches(Tenant tenant, String search) {
        return tenant.domain().contains(search) || (tenant.name() != null && tenant.name().toLowerCase(Locale.ROOT).contains(search));
    }

    private void createTenant(Exchange x) throws ApiError, IOException {
        operatorOnly(x);
        Body body = x.queryOnly().body(Set.of("domain", "name"));
        String domain = body.text("domain", true, MAX_DOMAIN).toLowerCase(Locale.ROOT);
        if (!DOMAIN.matcher(domain).matches()) {
            throw ApiError.badRequest("domain", "must be a DNS domain name such as acme.example");
        }
        String name = body.text("name", false, Body.MAX_TEXT);
        try {
            Tenant tenant = directory.createTenant(domain, name == null ? domain : name);
            LOG.info("tenant created: " + domain + " by " + x.caller.name());
            audit.record(x, domain, "tenant.create", null, Views.tenant(tenant));
            Json.write(x.response, 201, Views.tenant(tenant));
        } catch (TenantExistsException e) {
            throw ApiError.conflict("tenant " + domain + " exists");
        }
    }

    private void renameTenant(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly());
        String name = x.body(Set.of("name")).text("name", true, Body.MAX_TEXT);
        Tenant renamed = directory.rename(tenant.domain(), name).orElseThrow(() -> ApiError.notFound("no tenant " + tenant.domain()));
        audit.record(x, tenant.domain(), "tenant.update", Views.tenant(tenant), Views.tenant(renamed));
        Json.write(x.response, 200, Views.tenant(renamed));
    }

    private void deleteTenant(Exchange x) throws ApiError, IOException {
        operatorOnly(x);
        Tenant tenant = tenant(x.queryOnly("force"));
        boolean force = x.flag("force");
        List<String> ended = new ArrayList<>();
        try {
            if (force) {
                ended.addAll(endAll(tenant, parkedCalls.parkedInTenant(tenant.id())));
            }
            if (!directory.deleteTenant(tenant.id())) {
                throw ApiError.notFound("no tenant " + tenant.domain());
            }
        } catch (InUseException e) {
            throw inUse(e, force);
        }
        LOG.info("tenant deleted: " + tenant.domain() + " by " + x.caller.name() + ", parks ended: " + ended.size());
        Map<String, Object> outcome = ordered("deleted", tenant.domain(), "endedCalls", ended);
        audit.record(x, tenant.domain(), "tenant.delete", Views.tenant(tenant), outcome);
        Json.write(x.response, 200, outcome);
    }

    /** Ends the calls as the operator's hang-up does: the parked party gets a BYE, the park ends ENDED_BY_OPERATOR. */
    private List<String> endAll(Tenant tenant, List<ParkedCall> calls) {
        List<String> ended = new ArrayList<>();
        for (ParkedCall call : calls) {
            if (app.operatorHangup().hangUp(tenant, call.id())) {
                ended.add(call.id());
            }
        }
        return ended;
    }

    private static ApiError inUse(InUseException e, boolean forced) {
        return ApiError.conflict(e.getMessage() + (forced || !e.getMessage().contains("parked")
                ? "" : "; with ?force=true they are hung up and end ENDED_BY_OPERATOR first"));
    }

    // ----- settings

    private void putSettings(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly());
        Body body = x.body(SETTINGS);
        ParkingPolicy old = tenant.policy();
        ParkingPolicy policy = new ParkingPolicy(
                body.has("parkCode") ? body.text("parkCode", true, 8) : old.parkCode(),
                body.has("retrieveCode") ? body.text("retrieveCode", true, 8) : old.retrieveCode(),
                body.has("groupParkCode") ? body.text("groupParkCode", true, 8) : old.groupParkCode(),
                body.integer("parkTimeoutSeconds", old.parkTimeoutSeconds()),
                body.integer("recallRingSeconds", old.recallRingSeconds()),
                body.integer("maxParkedPerExtension", old.maxParkedPerExtension()),
                body.has("recallPolicy") ? body.choice("recallPolicy", RecallPolicy.class) : old.recallPolicy(),
                body.integer("recallAttempts", old.recallAttempts()),
                body.has("recallGroup") ? body.extensions("recallGroup") : old.recallGroup(),
                body.has("recallFallback") ? body.text("recallFallback", false, 10) : old.recallFallback(),
                body.has("musicOnHoldUri") ? body.text("musicOnHoldUri", false, MAX_URI) : old.musicOnHoldUri());
        PolicyChange change = app.parkService().changePolicy(tenant, policy);
        if (change instanceof PolicyChange.Invalid invalid) {
            // each violation reads "field: problem"; the first one's field is the one named
            String all = String.join("; ", invalid.violations());
            int colon = all.indexOf(':');
            throw ApiError.badRequest(all.substring(0, colon), all.substring(colon + 2));
        }
        if (!(change instanceof PolicyChange.Changed changed)) {
            throw ApiError.notFound("no tenant " + tenant.domain());
        }
        Tenant updated = changed.tenant();
        audit.record(x, tenant.domain(), "settings.update", Views.settings(old), Views.settings(updated.policy()));
        Json.write(x.response, 200, Views.settings(updated.policy()));
    }

    // ----- extensions

    private void putExtension(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly());
        String number = number(x);
        Body body = x.body(EXTENSION_FIELDS);
        Optional<Extension> old = directory.extension(tenant.id(), number);
        String password = password(body, true);
        ParkInfoFormat format = body.has("parkInfoFormat") ? body.choice("parkInfoFormat", ParkInfoFormat.class)
                : ParkInfoFormat.CLOUDPARK;
        TenantDirectory.PutResult result = directory.putExtension(tenant.id(), number,
                body.text("displayName", false, Body.MAX_TEXT), Credentials.ha1(number, tenant.domain(), password), format);
        audit.record(x, tenant.domain(), result.created() ? "extension.create" : "extension.replace",
                old.map(Views::extension).orElse(null), withPasswordChange(Views.extension(result.extension()), true));
        Json.write(x.response, result.created() ? 201 : 200, Views.extension(result.extension()));
    }

    /** Changes only the fields given: a rename keeps the password and the park-info format. */
    private void patchExtension(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly());
        Extension old = extension(x, tenant);
        Body body = x.body(EXTENSION_FIELDS);
        String password = password(body, false);
        String displayName = body.has("displayName") ? body.text("displayName", false, Body.MAX_TEXT) : old.displayName();
        ParkInfoFormat format = body.has("parkInfoFormat") ? body.choice("parkInfoFormat", ParkInfoFormat.class)
                : old.parkInfoFormat();
        String ha1 = password == null ? old.ha1() : Credentials.ha1(old.number(), tenant.domain(), password);
        Extension updated = directory.putExtension(tenant.id(), old.number(), displayName, ha1, format).extension();
        audit.record(x, tenant.domain(), "extension.update", Views.extension(old),
                withPasswordChange(Views.extension(updated), password != null));
        Json.write(x.response, 200, Views.extension(updated));
    }

    /** What the audit log says of a password: whether it was set, never what it is. */
    private static Map<String, Object> withPasswordChange(Map<String, Object> extension, boolean changed) {
        extension.put("passwordChanged", changed);
        return extension;
    }

    private static String password(Body body, boolean required) throws ApiError {
        String password = body.password("password", required, MAX_PASSWORD);
        if (password != null && password.length() < 4) {
            throw ApiError.badRequest("password", "must have at least 4 characters");
        }
        return password;
    }

    private void deleteExtension(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly("force"));
        Extension extension = extension(x, tenant);
        boolean force = x.flag("force");
        ParkingPolicy policy = tenant.policy();
        if (policy.recallGroup().contains(extension.number()) || extension.number().equals(policy.recallFallback())) {
            throw ApiError.conflict(extension.number() + " is named by the tenant's recallGroup or recallFallback:"
                    + " change the settings first");
        }
        List<String> ended = new ArrayList<>();
        try {
            if (force) {
                ended.addAll(endAll(tenant, parkedCalls.parkedAt(tenant.id(), extension.number())));
            }
            directory.deleteExtension(tenant.id(), extension.number());
        } catch (InUseException e) {
            throw inUse(e, force);
        }
        Map<String, Object> outcome = ordered("deleted", extension.number(), "endedCalls", ended);
        audit.record(x, tenant.domain(), "extension.delete", Views.extension(extension), outcome);
        Json.write(x.response, 200, outcome);
    }

    private void registrations(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly());
        Extension ext = extension(x, tenant);
        Json.write(x.response, 200, registrations.activeBindings(ext.id(), Instant.now(app.clock())).stream()
                .map(b -> ordered("contact", b.contactUri(), "expiresAt", b.expiresAt().toString(), "userAgent", b.userAgent()))
                .toList());
    }

    // ----- parked calls and history

    private void hangUp(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly());
        ParkedCall call = parkedCall(tenant, x.param(1));
        if (!app.operatorHangup().hangUp(tenant, call.id())) {
            throw ApiError.notFound("no call " + call.id() + " parked in " + tenant.domain());
        }
        LOG.info("park " + call.id() + " in " + tenant.domain() + " ended by " + x.caller.name());
        audit.record(x, tenant.domain(), "parked-call.hang-up", Views.parkedCall(tenant, call), null);
        x.response.setStatus(204);
    }

    private void history(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly("extension", "resolution", "since", "until", "cursor", "limit"));
        String extension = x.query("extension", 10);
        if (extension != null && !Extension.CANONICAL_NUMBER.matcher(extension).matches()) {
            throw ApiError.badRequest("extension", Extension.CANONICAL_RULE);
        }
        Resolution resolution = null;
        if (x.query("resolution", 32) != null) {
            try {
                resolution = Resolution.valueOf(x.query("resolution", 32));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("resolution", "must be one of " + java.util.Arrays.toString(Resolution.values()));
            }
        }
        int limit = x.limit();
        List<EndedPark> page = parkedCalls.history(tenant.id(), new HistoryQuery(extension, resolution,
                x.instant("since"), x.instant("until"), position(x.query("cursor", 256)), limit));
        EndedPark last = page.isEmpty() ? null : page.get(page.size() - 1);
        x.page(page.stream().map(Views::endedPark).toList(), limit,
                last == null ? null : cursor(last.endedAt(), last.call().id()));
    }

    /** A history cursor: the last entry's end time and park id, opaque to clients. */
    private static String cursor(Instant endedAt, String parkId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((endedAt + " " + parkId).getBytes(StandardCharsets.UTF_8));
    }

    private static HistoryQuery.Position position(String cursor) throws ApiError {
        if (cursor == null) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(" ", 2);
            return new HistoryQuery.Position(Instant.parse(parts[0]), parts[1]);
        } catch (RuntimeException e) {
            throw ApiError.badRequest("cursor", "not a cursor this API gave out");
        }
    }

    // ----- park groups

    private void createParkGroup(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly());
        Body body = x.body(Set.of("name", "members"));
        String name = body.text("name", true, 64);
        if (!GROUP_NAME.matcher(name).matches()) {
            throw ApiError.badRequest("name", "must be 1 to 64 letters, digits, '-' or '_'");
        }
        List<String> members = members(body);
        try {
            ParkGroup group = directory.createParkGroup(tenant.id(), name, members);
            audit.record(x, tenant.domain(), "park-group.create", null, Views.parkGroup(group));
            Json.write(x.response, 201, Views.parkGroup(group));
        } catch (ParkGroupConflictException e) {
            throw ApiError.conflict(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("members", e.getMessage());
        }
    }

    private void replaceParkGroup(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly());
        ParkGroup old = parkGroup(tenant, x.param(1));
        List<String> members = members(x.body(Set.of("members")));
        try {
            ParkGroup replaced = directory.replaceParkGroup(tenant.id(), old.name(), members)
                    .orElseThrow(() -> ApiError.notFound("no park group " + old.name() + " in " + tenant.domain()));
            audit.record(x, tenant.domain(), "park-group.update", Views.parkGroup(old), Views.parkGroup(replaced));
            Json.write(x.response, 200, Views.parkGroup(replaced));
        } catch (ParkGroupConflictException e) {
            throw ApiError.conflict(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("members", e.getMessage());
        }
    }

    private static List<String> members(Body body) throws ApiError {
        List<String> members = body.extensions("members");
        if (members.isEmpty()) {
            throw ApiError.badRequest("members", "must list at least one extension, each once");
        }
        return members;
    }

    private void deleteParkGroup(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly());
        ParkGroup group = parkGroup(tenant, x.param(1));
        if (directory.deleteParkGroup(tenant.id(), group.name())) {
            audit.record(x, tenant.domain(), "park-group.delete", Views.parkGroup(group), null);
        }
        x.response.setStatus(204);
    }
}
