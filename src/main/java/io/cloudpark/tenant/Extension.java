package io.cloudpark.tenant;

import java.util.regex.Pattern;

/**
 * A user's number within a tenant. The password is never kept: only its digest hash
 * {@code HA1 = MD5(number:domain:password)} (see {@link Credentials}).
 */
public record Extension(long id, long tenantId, String number, String displayName, String ha1,
                        ParkInfoFormat parkInfoFormat) {
    /**
     * The one way an extension number is written: 1 to 10 digits without a leading zero ({@code 0} alone is allowed).
     * {@code 0200} and {@code 200} would otherwise be two extensions a user cannot tell apart when dialling.
     */
    public static final Pattern CANONICAL_NUMBER = Pattern.compile("0|[1-9][0-9]{0,9}");
    public static final String CANONICAL_RULE = "must be 1 to 10 digits without a leading zero (write 200, not 0200)";

    public Extension {
        parkInfoFormat = parkInfoFormat == null ? ParkInfoFormat.CLOUDPARK : parkInfoFormat;
    }
}
