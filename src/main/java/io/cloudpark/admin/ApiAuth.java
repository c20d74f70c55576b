package io.cloudpark.admin;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;

import org.apache.log4j.Logger;

import io.cloudpark.account.Account;
import io.cloudpark.account.Accounts;
import io.cloudpark.account.LoginThrottle;
import io.cloudpark.account.Role;

/**
 * Who is asking, from HTTP Basic (an account's name and password), {@code Authorization: Bearer} (an API token) or
 * the console's session cookie ({@value #SESSION_COOKIE}, from {@code POST /api/session}). Failures are counted per
 * user name (or "bearer") and address; past the limit the pair gets 429 for a while.
 * <p>
 * A change sent with the cookie must also carry an {@code Origin} (which {@link Csrf} checks): every browser sends
 * one with a script's POST, PUT, PATCH and DELETE, so a request without one did not come from the console's page.
 * The cookie is SameSite=Strict besides, so another site's page cannot make the browser send it at all.
 */
final class ApiAuth {
    static final String CHALLENGE = "Basic realm=\"cloudpark\", charset=\"UTF-8\"";
    /**
     * What a 401 to the console's scripts says instead of {@link #CHALLENGE}: a browser answers a Basic challenge
     * with its own password dialog, and then caches what was typed, which is what the console must not do.
     */
    static final String SESSION_CHALLENGE = "Session realm=\"cloudpark\"";
    static final String SESSION_COOKIE = "cloudpark_session";
    private static final Logger LOG = Logger.getLogger(ApiAuth.class);

    private final Accounts accounts;
    private final LoginThrottle throttle;

    ApiAuth(Accounts accounts, LoginThrottle throttle) {
        this.accounts = accounts;
        this.throttle = throttle;
    }

    Caller authenticate(HttpServletRequest request) throws ApiError {
        String header = request.getHeader("Authorization");
        if (header == null) {
            String session = sessionSecret(request);
            if (session == null) {
                throw unauthorized(request, "credentials required: HTTP Basic, a Bearer API token or a console session");
            }
            Account a = accounts.signInWithSession(session)
                    .orElseThrow(() -> unauthorized(request, "the console session has ended: sign in again"));
            String method = request.getMethod();
            if (!method.equals("GET") && !method.equals("HEAD") && request.getHeader("Origin") == null) {
                throw ApiError.forbidden("a change made with the console's session must come from the console (no Origin)");
            }
            return caller(a);
        }
        String user;
        Optional<Account> account;
        String key;
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            user = "bearer";
            key = user + "|" + request.getRemoteAddr();
            checkThrottle(key);
            account = accounts.signInWithToken(header.substring(7).trim());
        } else if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String[] pair = basic(header.substring(6).trim());
            user = pair[0].toLowerCase(Locale.ROOT); // account names are kept in lower case
            key = user + "|" + request.getRemoteAddr();
            checkThrottle(key);
            account = pair[1] == null ? Optional.empty() : accounts.signIn(user, pair[1]);
        } else {
            throw unauthorized(request, "credentials required: HTTP Basic, a Bearer API token or a console session");
        }
        if (account.isEmpty()) {
            throttle.failed(key);
            // the user name is what was typed, never the password or token
            LOG.info("401 for " + loggable(user) + " to " + request.getMethod() + " " + request.getRequestURI()
                    + " from " + request.getRemoteAddr());
            throw unauthorized(request, "wrong user name, password or token");
        }
        throttle.succeeded(key);
        return caller(account.get());
    }

    private static Caller caller(Account a) {
        return new Caller(a.name(), a.role() == Role.OPERATOR ? null : a.tenantId());
    }

    /**
     * The console's sign-in ({@code POST /api/session}): the account, counted and throttled as a Basic sign-in with
     * the same name is, so the two cannot be used to guess twice as fast.
     */
    Account signIn(HttpServletRequest request, String name, String password) throws ApiError {
        String user = name.toLowerCase(Locale.ROOT);
        String key = user + "|" + request.getRemoteAddr();
        checkThrottle(key);
        Optional<Account> account = accounts.signIn(user, password);
        if (account.isEmpty()) {
            throttle.failed(key);
            LOG.info("console sign-in refused for " + loggable(user) + " from " + request.getRemoteAddr());
            throw ApiError.withHeader(401, "unauthorized", "wrong user name or password", "WWW-Authenticate", SESSION_CHALLENGE);
        }
        throttle.succeeded(key);
        LOG.info("console sign-in: " + account.get().name() + " from " + request.getRemoteAddr());
        return account.get();
    }

    /** The session cookie's value, or null. */
    static String sessionSecret(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie cookie : cookies) {
                if (cookie.getName().equals(SESSION_COOKIE) && !cookie.getValue().isEmpty()) {
                    return cookie.getValue();
                }
            }
        }
        return null;
    }

    /**
     * The Set-Cookie header for a session ({@code secret} null: the one that ends it). Written by hand because the
     * container's Cookie knows no SameSite; Secure when the request came over HTTPS.
     */
    static String sessionCookie(HttpServletRequest request, String secret) {
        return SESSION_COOKIE + "=" + (secret == null ? "" : secret) + "; Path=" + request.getContextPath() + "/api"
                + "; Max-Age=" + (secret == null ? 0 : Accounts.SESSION_LIFETIME.toSeconds())
                + "; HttpOnly; SameSite=Strict" + (request.isSecure() ? "; Secure" : "");
    }

    private void checkThrottle(String key) throws ApiError {
        Duration wait = throttle.lockedFor(key);
        if (!wait.isZero()) {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            throw ApiError.withHeader(429, "too_many_requests", "too many failed sign-ins: try again in " + seconds + " s",
                    "Retry-After", Long.toString(seconds));
        }
    }

    /** user and password of a Basic header; the password is null when the header is malformed. */
    private static String[] basic(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? new String[] {decoded, null} : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return new String[] {"(malformed)", null};
        }
    }

    private static String loggable(String user) {
        String printable = user.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 64 ? printable.substring(0, 64) + "…" : printable;
    }

    static ApiError unauthorized(String detail) {
        return ApiError.withHeader(401, "unauthorized", detail, "WWW-Authenticate", CHALLENGE);
    }

    /**
     * A 401 whose challenge suits the asker: the console's scripts (which say {@code X-Requested-With}, or open the
     * event stream, or hold a session cookie) get {@link #SESSION_CHALLENGE}, everyone else Basic.
     */
    static ApiError unauthorized(HttpServletRequest request, String detail) {
        String accept = request.getHeader("Accept");
        boolean console = request.getHeader("X-Requested-With") != null || sessionSecret(request) != null
                || (accept != null && accept.contains("text/event-stream"));
        return ApiError.withHeader(401, "unauthorized", detail, "WWW-Authenticate", console ? SESSION_CHALLENGE : CHALLENGE);
    }
}
