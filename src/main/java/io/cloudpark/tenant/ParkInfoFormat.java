package io.cloudpark.tenant;

/** Which body an extension's devices get in the park-info NOTIFY (DESIGN §4). */
public enum ParkInfoFormat {
    /** {@code application/park-info+xml}, the body DESIGN §4 defines. */
    CLOUDPARK,
    /** {@code application/x-broadworks-callpark-info+xml}, for phones that already parse BroadWorks call park. */
    BROADWORKS
}
