package io.cloudpark.park;

import java.time.Instant;
import java.util.List;

/**
 * Something that happened to a park, as the event stream and the webhooks tell it: the park became retrievable
 * ({@code parked}) or ended with its resolution. Events are numbered in the order they were recorded; the number is
 * what a client resumes from.
 *
 * @param id         grows with every event recorded, across the cluster (0 before it is recorded)
 * @param type       one of {@link #TYPES}
 * @param call       the park's fields as they were when it happened
 * @param at         when it happened
 * @param resolution how it ended; null for {@code parked}
 * @param endedBy    who ended it (an extension's number or URI, "system", "operator"); null for {@code parked}
 */
public record ParkEvent(long id, String type, ParkedCall call, Instant at, Resolution resolution, String endedBy) {
    public static final String PARKED = "parked";
    /** Every type, {@code parked} first, then one per {@link Resolution}. */
    public static final List<String> TYPES = List.of(PARKED, "retrieved", "recalled", "abandoned", "timed-out",
            "ended-by-operator", "failed");

    /** The event type of a park's end: the resolution's name as the API writes words, e.g. TIMED_OUT → timed-out. */
    public static String typeOf(Resolution resolution) {
        return switch (resolution) {
            case RETRIEVED -> "retrieved";
            case RECALLED -> "recalled";
            case ABANDONED -> "abandoned";
            case TIMED_OUT -> "timed-out";
            case ENDED_BY_OPERATOR -> "ended-by-operator";
            case FAILED -> "failed";
        };
    }

    /**
     * What the park service reports as it happens, before it is recorded: the park, what became of it (resolution
     * null: it became retrievable), when and by whom.
     */
    public record Occurrence(String parkId, Resolution resolution, Instant at, String endedBy) {
        public String type() {
            return resolution == null ? PARKED : typeOf(resolution);
        }
    }
}
