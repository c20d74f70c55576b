package io.cloudpark.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import javax.servlet.http.HttpServletRequest;

/** HTTP Basic for the operator account {@code admin} (password: CLOUDPARK_ADMIN_PASSWORD). */
final class OperatorAuth {
    static final String USER = "admin";
    static final String CHALLENGE = "Basic realm=\"cloudpark\", charset=\"UTF-8\"";

    private final byte[] expected;

    OperatorAuth(String password) {
        this.expected = (USER + ":" + password).getBytes(StandardCharsets.UTF_8);
    }

    boolean allows(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        try {
            byte[] given = Base64.getDecoder().decode(header.substring(6).trim());
            return MessageDigest.isEqual(expected, given);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
