package io.cloudpark.park;

import java.util.ArrayList;
import java.util.List;

/**
 * Who the recall of a parked call rings, and when (DESIGN §3): the steps the tenant's {@link RecallPolicy} makes of
 * the parker, the recall ring group and the fallback. Each step rings its extensions' devices together for
 * {@code recallRingSeconds}; the first to answer gets the call; after the last step the parked party is hung up.
 */
public final class RecallPlan {
    /** The wait before ringing the same people again. */
    public static final int RETRY_PAUSE_SECONDS = 10;

    /** Ring {@code extensions} for {@code ringSeconds}, {@code pauseSeconds} after the previous step gave up. */
    public record Step(List<String> extensions, int ringSeconds, int pauseSeconds) {
        public Step {
            extensions = List.copyOf(extensions);
        }
    }

    private RecallPlan() {
    }

    public static List<Step> steps(ParkingPolicy policy, String parkerExtension) {
        List<Step> steps = new ArrayList<>();
        int ring = policy.recallRingSeconds();
        List<String> parker = parkerExtension == null ? List.of() : List.of(parkerExtension);
        switch (policy.recallPolicy()) {
            case PARKER_ONLY -> repeat(steps, parker, policy.recallAttempts(), ring);
            case PARKER_THEN_GROUP -> {
                repeat(steps, parker, 1, ring);
                repeat(steps, policy.recallGroup(), policy.recallAttempts(), ring);
            }
            case GROUP_ONLY -> repeat(steps, policy.recallGroup(), policy.recallAttempts(), ring);
        }
        if (policy.recallFallback() != null) {
            steps.add(new Step(List.of(policy.recallFallback()), ring, 0));
        }
        return steps;
    }

    private static void repeat(List<Step> steps, List<String> extensions, int times, int ring) {
        if (extensions.isEmpty()) {
            return;
        }
        for (int i = 0; i < times; i++) {
            steps.add(new Step(extensions, ring, i == 0 ? 0 : RETRY_PAUSE_SECONDS));
        }
    }
}
