package io.cloudpark.sip;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.apache.log4j.Logger;

import io.cloudpark.tenant.Credentials;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/**
 * SIP digest authentication (RFC 3261 §22, RFC 8760 MD5, qop=auth). The realm is the tenant's domain; the user name
 * is the extension number. Nonces carry their own issue time and an HMAC, so checking one needs no state; they
 * expire after {@link #NONCE_LIFETIME_SECONDS} (challenged again with {@code stale=true}), and a nonce count that does
 * not grow is a replay (challenged again).
 * <p>
 * In a cluster every node is given one shared secret, so a nonce issued by one node is good on all (a retrieve
 * redirected to the node holding the call carries the nonce of the node that redirected it). Nonce counts are kept
 * per node: a replay is caught on the node that saw the original, and can be accepted at most once more by each
 * other node within the nonce's lifetime.
 */
final class DigestAuthenticator {
    private static final Logger LOG = Logger.getLogger(DigestAuthenticator.class);
    static final long NONCE_LIFETIME_SECONDS = 300;

    /** REGISTER is challenged by the registrar (401), everything else by the PBX as a proxy would be (407). */
    enum Challenge {
        REGISTRAR(401, "WWW-Authenticate", "Authorization"),
        PROXY(407, "Proxy-Authenticate", "Proxy-Authorization");

        final int status;
        final String challengeHeader;
        final String credentialsHeader;

        Challenge(int status, String challengeHeader, String credentialsHeader) {
            this.status = status;
            this.challengeHeader = challengeHeader;
            this.credentialsHeader = credentialsHeader;
        }
    }

    private final TenantDirectory directory;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final byte[] secret = new byte[32];
    private final NonceCounts nonceCounts;

    /** @param sharedSecret the cluster's digest secret; empty: a random one, good on this node only */
    DigestAuthenticator(TenantDirectory directory, Clock clock, String sharedSecret) {
        this.directory = directory;
        this.clock = clock;
        this.nonceCounts = new NonceCounts(clock, Duration.ofSeconds(NONCE_LIFETIME_SECONDS));
        if (sharedSecret.isEmpty()) {
            random.nextBytes(secret);
        } else {
            System.arraycopy(sha256(sharedSecret), 0, secret, 0, secret.length);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    /**
     * The extension that sent {@code request}, proven by its credentials; otherwise the request has been answered
     * (challenge, or 403 for wrong credentials) and the result is empty.
     */
    Optional<Extension> authenticate(SipServletRequest request, Tenant tenant, Challenge challenge) {
        Map<String, String> credentials = credentialsFor(request, challenge, tenant.domain());
        if (credentials == null) {
            sendChallenge(request, tenant, challenge, false);
            return Optional.empty();
        }
        String nonce = credentials.getOrDefault("nonce", "");
        NonceState state = check(nonce);
        if (state != NonceState.FRESH) {
            sendChallenge(request, tenant, challenge, state == NonceState.STALE);
            return Optional.empty();
        }
        if (!firstUse(nonce, credentials.get("nc"))) {
            LOG.info(challenge.status + " to " + request.getMethod() + " from " + request.getRemoteAddr()
                    + ": replayed digest (nonce count not above the last one)");
            sendChallenge(request, tenant, challenge, false);
            return Optional.empty();
        }
        String username = credentials.getOrDefault("username", "");
        Optional<Extension> extension = directory.extension(tenant.id(), username);
        if (extension.isEmpty() || !responseMatches(request, credentials, extension.get().ha1())) {
            LOG.info("403 to " + request.getMethod() + " from " + request.getRemoteAddr() + ": wrong credentials for '"
                    + username + "@" + tenant.domain() + "'");
            SipMessages.answer(request, 403, "Forbidden");
            return Optional.empty();
        }
        return extension;
    }

    /** A replayed request (a nonce count that does not grow) is challenged again. */
    private boolean firstUse(String nonce, String nc) {
        long count;
        try {
            count = nc == null ? 1 : Long.parseLong(nc, 16);
        } catch (NumberFormatException e) {
            return false;
        }
        return nonceCounts.firstUse(nonce, count, nc != null);
    }

    private static long issuedAt(String nonce) {
        try {
            return Long.parseLong(nonce.substring(0, nonce.indexOf('.')));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private void sendChallenge(SipServletRequest request, Tenant tenant, Challenge challenge, boolean stale) {
        try {
            SipMessages.markAnswered(request);
            SipServletResponse response = request.createResponse(challenge.status);
            response.setHeader(challenge.challengeHeader, "Digest realm=\"" + tenant.domain() + "\", nonce=\""
                    + newNonce() + "\", algorithm=MD5, qop=\"auth\"" + (stale ? ", stale=true" : ""));
            response.send();
        } catch (Exception e) {
            LOG.warn("could not challenge " + request.getMethod() + ": " + e.getMessage());
        }
    }

    private static Map<String, String> credentialsFor(SipServletRequest request, Challenge challenge, String realm) {
        var headers = request.getHeaders(challenge.credentialsHeader);
        while (headers.hasNext()) {
            Map<String, String> params = parse(headers.next());
            if (params != null && realm.equalsIgnoreCase(params.get("realm"))) {
                return params;
            }
        }
        return null;
    }

    private static boolean responseMatches(SipServletRequest request, Map<String, String> c, String ha1) {
        String algorithm = c.getOrDefault("algorithm", "MD5");
        if (!algorithm.equalsIgnoreCase("MD5")) {
            return false;
        }
        String ha2 = Credentials.md5Hex(request.getMethod() + ":" + c.getOrDefault("uri", ""));
        String qop = c.get("qop");
        String expected;
        if (qop == null) {
            expected = Credentials.md5Hex(ha1 + ":" + c.get("nonce") + ":" + ha2);
        } else if (qop.equalsIgnoreCase("auth")) {
            expected = Credentials.md5Hex(ha1 + ":" + c.get("nonce") + ":" + c.getOrDefault("nc", "") + ":"
                    + c.getOrDefault("cnonce", "") + ":auth:" + ha2);
        } else {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                c.getOrDefault("response", "").toLowerCase().getBytes(StandardCharsets.US_ASCII));
    }

    private enum NonceState { FRESH, STALE, FORGED }

    /** {@code <issued>.<random>.<hmac of both>}: unique per challenge, verifiable without state. */
    private String newNonce() {
        byte[] salt = new byte[8];
        random.nextBytes(salt);
        String body = clock.millis() / 1000 + "." + HexFormat.of().formatHex(salt);
        return body + "." + hmac(body);
    }

    private NonceState check(String nonce) {
        int mac = nonce.lastIndexOf('.');
        if (mac <= 0) {
            return NonceState.FORGED;
        }
        String body = nonce.substring(0, mac);
        if (!MessageDigest.isEqual(hmac(body).getBytes(StandardCharsets.US_ASCII),
                nonce.substring(mac + 1).getBytes(StandardCharsets.US_ASCII))) {
            return NonceState.FORGED;
        }
        long age = clock.millis() / 1000 - issuedAt(nonce);
        return age >= 0 && age <= NONCE_LIFETIME_SECONDS ? NonceState.FRESH : NonceState.STALE;
    }

    private String hmac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.US_ASCII)), 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
        }
    }

    /** {@code Digest k1="v1", k2=v2, …} → map with lower-case keys; null if it is not a Digest header. */
    static Map<String, String> parse(String header) {
        String h = header.trim();
        if (!h.regionMatches(true, 0, "Digest", 0, 6)) {
            return null;
        }
        Map<String, String> out = new HashMap<>();
        int i = 6;
        while (i < h.length()) {
            while (i < h.length() && (h.charAt(i) == ',' || Character.isWhitespace(h.charAt(i)))) {
                i++;
            }
            int eq = h.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = h.substring(i, eq).trim().toLowerCase();
            int j = eq + 1;
            String value;
            if (j < h.length() && h.charAt(j) == '"') {
                int close = h.indexOf('"', j + 1);
                if (close < 0) {
                    return null;
                }
                value = h.substring(j + 1, close);
                i = close + 1;
            } else {
                int comma = h.indexOf(',', j);
                int end = comma < 0 ? h.length() : comma;
                value = h.substring(j, end).trim();
                i = end;
            }
            out.put(key, value);
        }
        return out;
    }
}
