package io.cloudpark.sip;

import java.util.Arrays;

/**
 * The origin one phone knows the PBX by, on one dialog. Whoever's media the PBX relays to it (the other party, the
 * music on hold, a retriever, a recalled device), the phone sees one session: the {@code o=} line of the first SDP it
 * got from us, with a version one higher each time the description changes, and the same version when it does not
 * (RFC 3264 §8). A phone that goes by the version would otherwise ignore the retriever's media.
 */
final class SdpOrigin {
    private Sdp.Origin origin;
    private byte[] lastSent;

    /** The SDP as this phone must get it, recorded as the last it got. */
    byte[] stamp(byte[] sdp) {
        if (sdp == null || sdp.length == 0) {
            return sdp;
        }
        if (origin == null) {
            origin = Sdp.origin(sdp).orElse(null);
            lastSent = sdp;
            return sdp;
        }
        if (lastSent != null && Sdp.sameSession(lastSent, sdp)) {
            return Arrays.equals(lastSent, sdp) ? sdp : Sdp.withOrigin(sdp, origin);
        }
        origin = origin.nextVersion();
        lastSent = Sdp.withOrigin(sdp, origin);
        return lastSent;
    }
}
