package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class SdpOriginTest {
    private static final String BOB = "v=0\r\no=bob 100 7 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
            + "m=audio 4000 RTP/AVP 0\r\n";
    /** The retriever's offer, another session altogether, with a lower version. */
    private static final String CAROL = "v=0\r\no=105 1827 2 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n"
            + "m=audio 5000 RTP/AVP 0\r\n";

    private final SdpOrigin towardsAlice = new SdpOrigin();

    @Test
    void theFirstSdpSetsTheOriginAndPassesUnchanged() {
        assertArrayEquals(bytes(BOB), towardsAlice.stamp(bytes(BOB)));
    }

    @Test
    void holdThenRetrieveKeepTheSessionAndRaiseTheVersionByOneEach() {
        towardsAlice.stamp(bytes(BOB));
        byte[] hold = towardsAlice.stamp(Sdp.hold(bytes(BOB), "192.0.2.1"));
        assertEquals(new Sdp.Origin("bob", "100", 8, "IN", "IP4", "10.0.0.2"), Sdp.origin(hold).orElseThrow());
        byte[] retrieved = towardsAlice.stamp(bytes(CAROL));
        assertEquals(new Sdp.Origin("bob", "100", 9, "IN", "IP4", "10.0.0.2"), Sdp.origin(retrieved).orElseThrow());
        assertEquals(CAROL.replace("o=105 1827 2 IN IP4 10.0.0.5", "o=bob 100 9 IN IP4 10.0.0.2"), string(retrieved));
    }

    @Test
    void theSameDescriptionAgainKeepsItsVersion() {
        towardsAlice.stamp(bytes(BOB));
        byte[] first = towardsAlice.stamp(bytes(CAROL));
        byte[] again = towardsAlice.stamp(bytes(CAROL));
        assertArrayEquals(first, again);
        assertEquals(8, Sdp.origin(again).orElseThrow().version());
    }

    @Test
    void anSdpWithoutAnOriginIsLeftAsItIs() {
        String bare = "v=0\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n";
        assertEquals(Optional.empty(), Sdp.origin(bytes(bare)));
        assertArrayEquals(bytes(bare), towardsAlice.stamp(bytes(bare)));
        assertArrayEquals(bytes(BOB), towardsAlice.stamp(bytes(BOB)));
    }

    private static byte[] bytes(String sdp) {
        return sdp.getBytes(StandardCharsets.US_ASCII);
    }

    private static String string(byte[] sdp) {
        return new String(sdp, StandardCharsets.US_ASCII);
    }
}
