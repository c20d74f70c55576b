package io.cloudpark.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Digest credentials (RFC 8760 MD5): the realm of an extension is its tenant's domain. */
public final class Credentials {
    private Credentials() {
    }

    public static String ha1(String username, String realm, String password) {
        return md5Hex(username + ":" + realm + ":" + password);
    }

    public static String md5Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java runtime", e);
        }
    }
}
