package io.cloudpark.park;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.cloudpark.tenant.Extension;

/**
 * A tenant's park rules (DESIGN §2, §3): the feature codes, the limits, and how a recall goes. Immutable;
 * {@link #violations()} names every field that is out of range, so the admin API can say which one.
 *
 * @param recallGroup    extensions rung together by a group recall (PARKER_THEN_GROUP, GROUP_ONLY)
 * @param recallFallback the extension rung when every recall went unanswered; null: hang up instead
 * @param musicOnHoldUri a media server the parked party is connected to; null: plain hold (a=sendonly)
 */
public record ParkingPolicy(String parkCode, String retrieveCode, String groupParkCode, int parkTimeoutSeconds,
                            int recallRingSeconds, int maxParkedPerExtension, RecallPolicy recallPolicy,
                            int recallAttempts, List<String> recallGroup, String recallFallback,
                            String musicOnHoldUri) {

    public static final ParkingPolicy DEFAULT = new ParkingPolicy("*68", "*88", "*58", 45, 30, 5,
            RecallPolicy.PARKER_ONLY, 1, List.of(), null, null);

    private static final Pattern CODE = Pattern.compile("\\*[0-9]{1,4}");
    private static final Pattern SIP_URI = Pattern.compile("sips?:[^\\s<>\"]+");

    public ParkingPolicy {
        recallGroup = recallGroup == null ? List.of() : List.copyOf(recallGroup);
        recallFallback = recallFallback == null || recallFallback.isBlank() ? null : recallFallback;
        musicOnHoldUri = musicOnHoldUri == null || musicOnHoldUri.isBlank() ? null : musicOnHoldUri;
    }

    /** Field name → what is wrong with it; empty when the policy is valid. */
    public List<String> violations() {
        List<String> out = new ArrayList<>();
        code(out, "parkCode", parkCode);
        code(out, "retrieveCode", retrieveCode);
        code(out, "groupParkCode", groupParkCode);
        if (out.isEmpty() && (prefixes(parkCode, retrieveCode) || prefixes(parkCode, groupParkCode)
                || prefixes(retrieveCode, groupParkCode))) {
            out.add("retrieveCode: parkCode, retrieveCode and groupParkCode must not be prefixes of each other");
        }
        range(out, "parkTimeoutSeconds", parkTimeoutSeconds, 1, 86_400);
        range(out, "recallRingSeconds", recallRingSeconds, 1, 600);
        range(out, "maxParkedPerExtension", maxParkedPerExtension, 1, 100);
        range(out, "recallAttempts", recallAttempts, 1, 10);
        if (recallPolicy == null) {
            out.add("recallPolicy: must be one of PARKER_ONLY, PARKER_THEN_GROUP, GROUP_ONLY");
        } else if (recallPolicy != RecallPolicy.PARKER_ONLY && recallGroup.isEmpty()) {
            out.add("recallGroup: " + recallPolicy + " needs at least one extension");
        }
        if (recallGroup.size() > 50 || recallGroup.stream().anyMatch(e -> !Extension.CANONICAL_NUMBER.matcher(e).matches())) {
            out.add("recallGroup: at most 50 extensions, each " + Extension.CANONICAL_RULE);
        }
        if (recallFallback != null && !Extension.CANONICAL_NUMBER.matcher(recallFallback).matches()) {
            out.add("recallFallback: must be empty or an extension that " + Extension.CANONICAL_RULE.replace("must be", "is"));
        }
        if (musicOnHoldUri != null && !SIP_URI.matcher(musicOnHoldUri).matches()) {
            out.add("musicOnHoldUri: must be a sip: URI or empty");
        }
        return out;
    }

    private static void code(List<String> out, String field, String value) {
        if (value == null || !CODE.matcher(value).matches()) {
            out.add(field + ": must be '*' followed by 1-4 digits");
        }
    }

    private static boolean prefixes(String a, String b) {
        return a.startsWith(b) || b.startsWith(a);
    }

    private static void range(List<String> out, String field, int value, int min, int max) {
        if (value < min || value > max) {
            out.add(field + ": must be between " + min + " and " + max);
        }
    }
    /** A copy to change some fields of, for adapters that set one setting at a time (JMX). */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public static final class Builder {
        private String parkCode;
        private String retrieveCode;
        private String groupParkCode;
        private int parkTimeoutSeconds;
        private int recallRingSeconds;
        private int maxParkedPerExtension;
        private RecallPolicy recallPolicy;
        private int recallAttempts;
        private List<String> recallGroup;
        private String recallFallback;
        private String musicOnHoldUri;

        private Builder(ParkingPolicy p) {
            parkCode = p.parkCode;
            retrieveCode = p.retrieveCode;
            groupParkCode = p.groupParkCode;
            parkTimeoutSeconds = p.parkTimeoutSeconds;
            recallRingSeconds = p.recallRingSeconds;
            maxParkedPerExtension = p.maxParkedPerExtension;
            recallPolicy = p.recallPolicy;
            recallAttempts = p.recallAttempts;
            recallGroup = p.recallGroup;
            recallFallback = p.recallFallback;
            musicOnHoldUri = p.musicOnHoldUri;
        }

        public Builder parkCode(String value) { parkCode = value; return this; }

        public Builder retrieveCode(String value) { retrieveCode = value; return this; }

        public Builder groupParkCode(String value) { groupParkCode = value; return this; }

        public Builder parkTimeoutSeconds(int value) { parkTimeoutSeconds = value; return this; }

        public Builder recallRingSeconds(int value) { recallRingSeconds = value; return this; }

        public Builder maxParkedPerExtension(int value) { maxParkedPerExtension = value; return this; }

        public Builder recallPolicy(RecallPolicy value) { recallPolicy = value; return this; }

        public Builder recallAttempts(int value) { recallAttempts = value; return this; }

        public Builder recallGroup(List<String> value) { recallGroup = value; return this; }

        public Builder recallFallback(String value) { recallFallback = value; return this; }

        public Builder musicOnHoldUri(String value) { musicOnHoldUri = value; return this; }

        public ParkingPolicy build() {
            return new ParkingPolicy(parkCode, retrieveCode, groupParkCode, parkTimeoutSeconds, recallRingSeconds,
                    maxParkedPerExtension, recallPolicy, recallAttempts, recallGroup, recallFallback, musicOnHoldUri);
        }
    }
}
