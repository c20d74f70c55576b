package io.cloudpark.tenant;

/** How an extension's devices are told what is parked (DESIGN §4). */
public enum ParkInfoFormat {
    /** A park-info NOTIFY with {@code application/park-info+xml}, the body DESIGN §4 defines. */
    CLOUDPARK,
    /** A park-info NOTIFY with {@code application/x-broadworks-callpark-info+xml}, for phones that parse BroadWorks call park. */
    BROADWORKS,
    /**
     * No NOTIFY: a SIP MESSAGE ({@code text/plain}, RFC 3428) for each call parked, for softphones that show text
     * messages and no park-info. A device of another format that refuses park-info gets these too.
     */
    TEXT
}
