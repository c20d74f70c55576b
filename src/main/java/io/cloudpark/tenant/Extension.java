package io.cloudpark.tenant;

/**
 * A user's number within a tenant. The password is never kept: only its digest hash
 * {@code HA1 = MD5(number:domain:password)} (see {@link Credentials}).
 */
public record Extension(long id, long tenantId, String number, String displayName, String ha1,
                        ParkInfoFormat parkInfoFormat) {
    public Extension {
        parkInfoFormat = parkInfoFormat == null ? ParkInfoFormat.CLOUDPARK : parkInfoFormat;
    }
}
