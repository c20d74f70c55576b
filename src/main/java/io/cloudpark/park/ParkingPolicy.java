package io.cloudpark.park;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A tenant's park rules (DESIGN §2, §3): the feature codes and the limits. Immutable; {@link #violations()} names
 * every field that is out of range, so the admin API can say which one.
 */
public record ParkingPolicy(String parkCode, String retrieveCode, int parkTimeoutSeconds, int recallRingSeconds,
                            int maxParkedPerExtension) {

    public static final ParkingPolicy DEFAULT = new ParkingPolicy("*68", "*88", 45, 30, 5);

    private static final Pattern CODE = Pattern.compile("\\*[0-9]{1,4}");

    /** Field name → what is wrong with it; empty when the policy is valid. */
    public List<String> violations() {
        List<String> out = new ArrayList<>();
        if (parkCode == null || !CODE.matcher(parkCode).matches()) {
            out.add("parkCode: must be '*' followed by 1-4 digits");
        }
        if (retrieveCode == null || !CODE.matcher(retrieveCode).matches()) {
            out.add("retrieveCode: must be '*' followed by 1-4 digits");
        }
        if (parkCode != null && retrieveCode != null && (parkCode.startsWith(retrieveCode) || retrieveCode.startsWith(parkCode))) {
            out.add("retrieveCode: must not be a prefix of parkCode or the other way round");
        }
        if (parkTimeoutSeconds < 1 || parkTimeoutSeconds > 86_400) {
            out.add("parkTimeoutSeconds: must be between 1 and 86400");
        }
        if (recallRingSeconds < 1 || recallRingSeconds > 600) {
            out.add("recallRingSeconds: must be between 1 and 600");
        }
        if (maxParkedPerExtension < 1 || maxParkedPerExtension > 100) {
            out.add("maxParkedPerExtension: must be between 1 and 100");
        }
        return out;
    }
}
