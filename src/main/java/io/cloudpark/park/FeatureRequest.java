package io.cloudpark.park;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a dialled number or Refer-To user part asks of the park service (DESIGN §2). The extension is empty when the
 * code stands alone ({@code *68}, {@code *68#}): the caller's own extension is meant.
 */
public sealed interface FeatureRequest {

    /** Park at {@code extension} (or at the parker's own extension when empty). */
    record Park(Optional<String> extension) implements FeatureRequest { }

    /** Park at the first free member of the parker's park group. */
    record GroupPark() implements FeatureRequest { }

    /** Retrieve from {@code extension} (or the caller's own when empty), optionally one named call. */
    record Retrieve(Optional<String> extension) implements FeatureRequest { }

    /** Starts with a feature code but what follows is no extension number. */
    record Malformed(String reason) implements FeatureRequest { }

    /** Not a feature code: an ordinary number. */
    record None() implements FeatureRequest { }

    /** Extension numbers are 1 to 10 digits. */
    Pattern EXTENSION = Pattern.compile("[0-9]{1,10}");

    static FeatureRequest parse(String userPart, ParkingPolicy policy) {
        if (userPart == null) {
            return new None();
        }
        String dialled = userPart.replace("%23", "#");
        if (dialled.startsWith(policy.parkCode())) {
            return target(dialled.substring(policy.parkCode().length()), policy.parkCode())
                    .map(ext -> (FeatureRequest) new Park(ext))
                    .orElseGet(() -> new Malformed("not an extension after " + policy.parkCode() + ": " + dialled));
        }
        if (dialled.startsWith(policy.groupParkCode())) {
            String rest = dialled.substring(policy.groupParkCode().length());
            return rest.isEmpty() || rest.equals("#") ? new GroupPark()
                    : new Malformed("nothing may follow " + policy.groupParkCode() + ": " + dialled);
        }
        if (dialled.startsWith(policy.retrieveCode())) {
            return target(dialled.substring(policy.retrieveCode().length()), policy.retrieveCode())
                    .map(ext -> (FeatureRequest) new Retrieve(ext))
                    .orElseGet(() -> new Malformed("not an extension after " + policy.retrieveCode() + ": " + dialled));
        }
        return new None();
    }

    /** "" or "#" → own extension; digits → that extension; anything else → not a target. */
    private static Optional<Optional<String>> target(String rest, String code) {
        if (rest.isEmpty() || rest.equals("#")) {
            return Optional.of(Optional.empty());
        }
        if (EXTENSION.matcher(rest).matches()) {
            return Optional.of(Optional.of(rest));
        }
        return Optional.empty();
    }
}
