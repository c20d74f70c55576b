package io.cloudpark.admin;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

import javax.servlet.http.HttpServletRequest;

import org.apache.log4j.Logger;

import io.cloudpark.account.Account;
import io.cloudpark.account.Accounts;
import io.cloudpark.account.LoginThrottle;
import io.cloudpark.account.Role;

/**
 * Who is asking, from HTTP Basic (an account's name and password) or {@code Authorization: Bearer} (an API token).
 * Failures are counted per user name (or "bearer") and address; past the limit the pair gets 429 for a while.
 */
final class ApiAuth {
    static final String CHALLENGE = "Basic realm=\"cloudpark\", charset=\"UTF-8\"";
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
            throw unauthorized("credentials required: HTTP Basic or a Bearer API token");
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
            throw unauthorized("credentials required: HTTP Basic or a Bearer API token");
        }
        if (account.isEmpty()) {
            throttle.failed(key);
            // the user name is what was typed, never the password or token
            LOG.info("401 for " + loggable(user) + " to " + request.getMethod() + " " + request.getRequestURI()
                    + " from " + request.getRemoteAddr());
            throw unauthorized("wrong user name, password or token");
        }
        throttle.succeeded(key);
        Account a = account.get();
        return new Caller(a.name(), a.role() == Role.OPERATOR ? null : a.tenantId());
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
}
