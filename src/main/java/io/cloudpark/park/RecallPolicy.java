package io.cloudpark.park;

/** Whom a recall rings, in order (DESIGN §3, tenant setting). */
public enum RecallPolicy {
    /** The parker, up to {@code recallAttempts} times, 10 s apart. */
    PARKER_ONLY,
    /** The parker once, then the recall ring group. */
    PARKER_THEN_GROUP,
    /** The recall ring group, up to {@code recallAttempts} times. */
    GROUP_ONLY
}
