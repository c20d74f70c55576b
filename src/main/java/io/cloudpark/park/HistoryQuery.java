package io.cloudpark.park;

import java.time.Instant;

/**
 * Which ended parks to list, newest first. Null fields do not filter.
 *
 * @param since  parks that ended at or after this instant
 * @param until  parks that ended before this instant
 * @param after  the last park of the previous page: this page continues after it
 */
public record HistoryQuery(String extension, Resolution resolution, Instant since, Instant until, Position after,
                           int limit) {

    /** Where a page ended: the end time and park id of its last entry. */
    public record Position(Instant endedAt, String parkId) { }

    public static HistoryQuery newest(int limit) {
        return new HistoryQuery(null, null, null, null, null, limit);
    }
}
