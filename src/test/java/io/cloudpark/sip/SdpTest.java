package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class SdpTest {

    @Test
    void holdKeepsTheMediaRaisesTheVersionAndSendsOnly() {
        String talking = "v=0\r\no=bob 100 7 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\na=sendrecv\r\n"
                + "m=audio 4000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=recvonly\r\n";
        String held = new String(Sdp.hold(talking.getBytes(StandardCharsets.US_ASCII), "192.0.2.1"), StandardCharsets.US_ASCII);
        assertEquals("v=0\r\no=bob 100 8 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
                + "m=audio 4000 RTP/AVP 0 8\r\na=sendonly\r\na=rtpmap:0 PCMU/8000\r\n", held);
    }

    @Test
    void withoutAPreviousSdpHoldIsMadeFromNothing() {
        String held = new String(Sdp.hold(null, "192.0.2.1"), StandardCharsets.US_ASCII);
        assertEquals(true, held.contains("c=IN IP4 192.0.2.1\r\n") && held.contains("a=sendonly\r\n"), held);
    }
}
