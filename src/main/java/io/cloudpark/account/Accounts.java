package io.cloudpark.account;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import at.favre.lib.crypto.bcrypt.BCrypt;

/**
 * Signing in: passwords checked against their bcrypt hash, API tokens against their SHA-256. A bcrypt check costs
 * tens of milliseconds by design, and an API client sends its password with every request, so a successful check is
 * remembered for {@link #VERIFIED_TTL} (under a keyed hash, in memory only) as long as the stored hash is unchanged.
 * The console signs in once and then sends a session secret (a cookie): sessions too are kept in memory, by this
 * node, under the secret's SHA-256, and end at sign-out, after {@link #SESSION_LIFETIME}, or when the account's
 * password changes or the account is deleted.
 */
public final class Accounts {
    /** The operator account whose password is CLOUDPARK_ADMIN_PASSWORD. */
    public static final String BOOTSTRAP_OPERATOR = "admin";
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,63}");
    public static final int MIN_PASSWORD = 8;
    /** bcrypt reads 72 bytes at most: a longer password would be checked on its first 72 only. */
    public static final int MAX_PASSWORD_BYTES = 72;
    static final int BCRYPT_COST = 10;
    static final Duration VERIFIED_TTL = Duration.ofMinutes(5);
    static final int MAX_VERIFIED = 10_000;
    private static final String TOKEN_PREFIX = "cpk_";
    public static final Duration SESSION_LIFETIME = Duration.ofHours(8);
    static final int MAX_SESSIONS = 10_000;

    /** A console session: whose, the password hash it was opened with, and when it ends. */
    private record Session(String accountName, String passwordHash, long expiresAtMillis) { }

    private record Verified(String passwordHash, long expiresAtMillis) { }

    private final AccountStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final byte[] cacheKey = new byte[32];
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** Checked against when the user does not exist, so a miss takes as long as a wrong password. */
    private final String decoyHash;

    public Accounts(AccountStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        random.nextBytes(cacheKey);
        decoyHash = hash("decoy-" + random.nextLong());
    }

    public Optional<Account> byName(String name) {
        return store.byName(name);
    }

    /** Throws {@link AccountExistsException} when the name is taken. */
    public Account create(String name, Role role, Long tenantId, String password) {
        return store.create(name, role, tenantId, hash(password), clock.instant());
    }

    public Optional<Account> changePassword(String name, String password) {
        return store.setPasswordHash(name, hash(password));
    }

    public boolean delete(String name) {
        return store.delete(name);
    }

    public List<Account> list(Long tenantId, String afterName, int limit) {
        return store.list(tenantId, afterName, limit);
    }

    public List<ApiToken> tokens(Account account) {
        return store.tokens(account.id());
    }

    public boolean revokeToken(Account account, long tokenId) {
        return store.deleteToken(account.id(), tokenId);
    }

    /** Makes sure the bootstrap operator exists with this password (the environment's word wins over the store's). */
    public void bootstrapOperator(String password) {
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw new IllegalArgumentException("CLOUDPARK_ADMIN_PASSWORD: at most " + MAX_PASSWORD_BYTES + " bytes (UTF-8)");
        }
        Optional<Account> existing = store.byName(BOOTSTRAP_OPERATOR);
        if (existing.isEmpty()) {
            try {
                store.create(BOOTSTRAP_OPERATOR, Role.OPERATOR, null, hash(password), clock.instant());
            } catch (AccountExistsException anotherNodeWasFaster) {
                bootstrapOperator(password);
            }
        } else if (!matches(password, existing.get().passwordHash())) {
            store.setPasswordHash(BOOTSTRAP_OPERATOR, hash(password));
        }
    }

    /** Null when the password is acceptable, else what is wrong with it. */
    public static String passwordProblem(String password) {
        if (password.length() < MIN_PASSWORD) {
            return "must have at least " + MIN_PASSWORD + " characters";
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            return "at most " + MAX_PASSWORD_BYTES + " bytes (UTF-8)";
        }
        return null;
    }

    public String hash(String password) {
        return BCrypt.withDefaults().hashToString(BCRYPT_COST, password.toCharArray());
    }

    public Optional<Account> signIn(String name, String password) {
        Optional<Account> account = store.byName(name);
        String key = verifiedKey(name, password);
        Verified known = verified.get(key);
        if (account.isPresent() && known != null && known.expiresAtMillis() > clock.millis()
                && known.passwordHash().equals(account.get().passwordHash())) {
            return account;
        }
        boolean ok = matches(password, account.map(Account::passwordHash).orElse(decoyHash)) && account.isPresent();
        if (!ok) {
            return Optional.empty();
        }
        if (verified.size() >= MAX_VERIFIED) {
            verified.clear();
        }
        verified.put(key, new Verified(account.get().passwordHash(), clock.millis() + VERIFIED_TTL.toMillis()));
        return account;
    }

    private static boolean matches(String password, String hash) {
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            return false;
        }
        return BCrypt.verifyer().verify(password.toCharArray(), hash).verified;
    }

    private String verifiedKey(String name, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cacheKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((name + "\0" + password).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
        }
    }

    /** A new token and what is stored of it. */
    public record IssuedToken(ApiToken token, String secret) { }

    public IssuedToken issueToken(Account account, String name) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return new IssuedToken(store.createToken(account.id(), name, tokenHash(secret), clock.instant()), secret);
    }

    public Optional<Account> signInWithToken(String secret) {
        if (!secret.startsWith(TOKEN_PREFIX)) {
            return Optional.empty();
        }
        return store.byTokenHash(tokenHash(secret));
    }

    /** Tokens are 256 random bits: a plain SHA-256 of one cannot be reversed, and finding one by it is a lookup. */
    private static String tokenHash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    /** Opens a console session for an account that has just signed in; the secret is the cookie's value. */
    public String openSession(Account account) {
        long now = clock.millis();
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().removeIf(s -> s.expiresAtMillis() <= now);
            if (sessions.size() >= MAX_SESSIONS) {
                // still full of live sessions: the one closest to its end makes room
                sessions.entrySet().stream().min(Map.Entry.comparingByValue(java.util.Comparator.comparingLong(Session::expiresAtMillis)))
                        .ifPresent(oldest -> sessions.remove(oldest.getKey()));
            }
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        sessions.put(tokenHash(secret), new Session(account.name(), account.passwordHash(), now + SESSION_LIFETIME.toMillis()));
        return secret;
    }

    /** The session's account, while the session lasts and the account still has the password it signed in with. */
    public Optional<Account> signInWithSession(String secret) {
        String key = tokenHash(secret);
        Session session = sessions.get(key);
        if (session == null) {
            return Optional.empty();
        }
        Optional<Account> account = session.expiresAtMillis() > clock.millis() ? store.byName(session.accountName())
                .filter(a -> a.passwordHash().equals(session.passwordHash())) : Optional.empty();
        if (account.isEmpty()) {
            sessions.remove(key, session);
        }
        return account;
    }

    /** Signs out: the secret opens nothing any more. */
    public void closeSession(String secret) {
        sessions.remove(tokenHash(secret));
    }
}
