package io.cloudpark.park;

/** How a parked call ended. Every parked call ends with exactly one (DESIGN §3). */
public enum Resolution {
    RETRIEVED("retrieved"),
    RECALLED("recalled"),
    ABANDONED("abandoned"),
    TIMED_OUT("timed-out"),
    ENDED_BY_OPERATOR("ended-by-operator"),
    FAILED("failed");

    private final String noticeReason;

    Resolution(String noticeReason) {
        this.noticeReason = noticeReason;
    }

    /** The {@code reason} attribute of the park-info NOTIFY that announces this end. */
    public String noticeReason() {
        return noticeReason;
    }
}
