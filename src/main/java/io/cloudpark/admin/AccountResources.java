package io.cloudpark.admin;

import static io.cloudpark.admin.Views.ordered;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.cloudpark.account.Account;
import io.cloudpark.account.AccountExistsException;
import io.cloudpark.account.Accounts;
import io.cloudpark.account.ApiToken;
import io.cloudpark.account.Role;
import io.cloudpark.app.CloudparkApp;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/**
 * {@code /api/session} (the console's sign-in and sign-out), {@code /api/me} and {@code /api/accounts}: accounts and their API tokens. An operator manages every account; a
 * tenant admin manages its own tenant's admins, and every other account is to it as one that does not exist.
 */
final class AccountResources {
    private final Accounts accounts;
    private final TenantDirectory directory;
    private final Audit audit;
    private final ApiAuth auth;

    AccountResources(CloudparkApp app, Audit audit, ApiAuth auth) {
        this.accounts = app.accounts();
        this.directory = app.database().tenants();
        this.audit = audit;
        this.auth = auth;
    }

    void addTo(Routes routes) {
        routes.add("POST", "session", this::signIn)
                .add("DELETE", "session", this::signOut)
                .add("GET", "me", x -> Json.write(x.queryOnly().response, 200,
                        view(accounts.byName(x.caller.name()).orElseThrow(() -> ApiAuth.unauthorized("the account is gone")))))
                .add("GET", "accounts", this::list)
                .add("POST", "accounts", this::create)
                .add("GET", "accounts/{a}", x -> Json.write(x.response, 200, view(account(x.queryOnly()))))
                .add("PATCH", "accounts/{a}", this::changePassword)
                .add("DELETE", "accounts/{a}", this::delete)
                .add("GET", "accounts/{a}/tokens", x -> Json.write(x.response, 200,
                        accounts.tokens(account(x.queryOnly())).stream().map(AccountResources::view).toList()))
                .add("POST", "accounts/{a}/tokens", this::issueToken)
                .add("DELETE", "accounts/{a}/tokens/{t}", this::revokeToken);
    }

    /** Sends no credentials (see AdminApiServlet): answers who signed in, with the session cookie. */
    private void signIn(Exchange x) throws ApiError, IOException {
        Body body = x.queryOnly().body(Set.of("name", "password"));
        String name = body.text("name", true, 64);
        String password = body.password("password", true, Accounts.MAX_PASSWORD_BYTES);
        Account account = auth.signIn(x.request, name, password);
        x.response.addHeader("Set-Cookie", ApiAuth.sessionCookie(x.request, accounts.openSession(account)));
        Json.write(x.response, 201, view(account));
    }

    /** Ends the session the cookie names, if any, and tells the browser to forget the cookie. */
    private void signOut(Exchange x) throws ApiError {
        x.queryOnly();
        String secret = ApiAuth.sessionSecret(x.request);
        if (secret != null) {
            accounts.closeSession(secret);
        }
        x.response.addHeader("Set-Cookie", ApiAuth.sessionCookie(x.request, null));
        x.response.setStatus(204);
    }

    private Account account(Exchange x) throws ApiError {
        String name = x.param(0).toLowerCase(Locale.ROOT);
        return accounts.byName(name).filter(a -> x.caller.isOperator() || x.caller.tenantId().equals(a.tenantId()))
                .orElseThrow(() -> ApiError.notFound("no account " + name));
    }

    private Map<String, Object> view(Account account) {
        String tenant = account.tenantId() == null ? null
                : directory.tenantById(account.tenantId()).map(Tenant::domain).orElse(null);
        return ordered("name", account.name(), "role", account.role().name(), "tenant", tenant,
                "createdAt", account.createdAt().toString());
    }

    private static Map<String, Object> view(ApiToken token) {
        return ordered("id", token.id(), "name", token.name(), "createdAt", token.createdAt().toString());
    }

    private void list(Exchange x) throws ApiError, IOException {
        x.queryOnly("cursor", "limit");
        int limit = x.limit();
        List<Account> page = accounts.list(x.caller.tenantId(), x.query("cursor", 64), limit);
        x.page(page.stream().map(this::view).toList(), limit, page.isEmpty() ? null : page.get(page.size() - 1).name());
    }

    private void create(Exchange x) throws ApiError, IOException {
        Body body = x.queryOnly().body(Set.of("name", "password", "role", "tenant"));
        String name = body.text("name", true, 64).toLowerCase(Locale.ROOT);
        if (!Accounts.NAME.matcher(name).matches()) {
            throw ApiError.badRequest("name", "must be 1 to 64 of a-z, 0-9, '.', '_', '@' or '-', starting with a letter or digit");
        }
        String password = password(body);
        Role role = body.choice("role", Role.class);
        String domain = body.text("tenant", false, 253);
        Long tenantId = null;
        if (role == Role.OPERATOR) {
            if (!x.caller.isOperator()) {
                throw ApiError.forbidden("only an operator account may make another");
            }
            if (domain != null) {
                throw ApiError.badRequest("tenant", "an OPERATOR sees every tenant: leave it out");
            }
        } else {
            if (domain == null) {
                throw ApiError.badRequest("tenant", "a TENANT_ADMIN needs the domain of its tenant");
            }
            tenantId = directory.tenantByDomain(domain.toLowerCase(Locale.ROOT)).filter(t -> x.caller.maySee(t.id()))
                    .orElseThrow(() -> ApiError.badRequest("tenant", "no tenant " + domain)).id();
        }
        try {
            Account account = accounts.create(name, role, tenantId, password);
            Map<String, Object> view = view(account);
            audit.record(x, tenantOf(view), "account.create", null, view);
            Json.write(x.response, 201, view);
        } catch (AccountExistsException e) {
            throw ApiError.conflict("account " + name + " exists");
        }
    }

    private static String password(Body body) throws ApiError {
        String password = body.password("password", true, Accounts.MAX_PASSWORD_BYTES);
        String problem = Accounts.passwordProblem(password);
        if (problem != null) {
            throw ApiError.badRequest("password", problem);
        }
        return password;
    }

    private void changePassword(Exchange x) throws ApiError, IOException {
        Account account = account(x.queryOnly());
        String password = password(x.body(Set.of("password")));
        if (account.name().equals(Accounts.BOOTSTRAP_OPERATOR)) {
            throw ApiError.badRequest("password", "the admin account's password is CLOUDPARK_ADMIN_PASSWORD");
        }
        accounts.changePassword(account.name(), password).orElseThrow(() -> ApiError.notFound("no account " + account.name()));
        Map<String, Object> view = view(account);
        audit.record(x, tenantOf(view), "account.password", view, view);
        Json.write(x.response, 200, view);
    }

    private void delete(Exchange x) throws ApiError, IOException {
        Account account = account(x.queryOnly());
        if (account.name().equals(Accounts.BOOTSTRAP_OPERATOR)) {
            throw ApiError.conflict("the admin account is made from CLOUDPARK_ADMIN_PASSWORD at every start: it cannot be deleted");
        }
        Map<String, Object> view = view(account);
        if (accounts.delete(account.name())) {
            audit.record(x, tenantOf(view), "account.delete", view, null);
        }
        x.response.setStatus(204);
    }

    private void issueToken(Exchange x) throws ApiError, IOException {
        Account account = account(x.queryOnly());
        String name = x.body(Set.of("name")).text("name", true, 64);
        Accounts.IssuedToken issued = accounts.issueToken(account, name);
        Map<String, Object> view = view(issued.token());
        audit.record(x, tenantOf(view(account)), "token.create", null, withAccount(view, account));
        view.put("token", issued.secret()); // shown this once, never stored, never logged
        Json.write(x.response, 201, view);
    }

    private void revokeToken(Exchange x) throws ApiError, IOException {
        Account account = account(x.queryOnly());
        ApiToken token = accounts.tokens(account).stream().filter(t -> Long.toString(t.id()).equals(x.param(1))).findFirst()
                .orElseThrow(() -> ApiError.notFound("no token " + x.param(1) + " of " + account.name()));
        if (accounts.revokeToken(account, token.id())) {
            audit.record(x, tenantOf(view(account)), "token.revoke", withAccount(view(token), account), null);
        }
        x.response.setStatus(204);
    }

    /** A token as the audit log shows it: with the account it belongs to. */
    private static Map<String, Object> withAccount(Map<String, Object> token, Account account) {
        Map<String, Object> out = new LinkedHashMap<>(token);
        out.put("account", account.name());
        return out;
    }

    private static String tenantOf(Map<String, Object> accountView) {
        return (String) accountView.get("tenant");
    }
}
