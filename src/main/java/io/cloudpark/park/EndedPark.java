package io.cloudpark.park;

import java.time.Instant;

/** A park that is over: the call, how it ended, when, and who ended it (an extension, "system" or "operator"). */
public record EndedPark(ParkedCall call, Resolution resolution, Instant endedAt, String endedBy) {
}
