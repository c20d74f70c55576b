package io.cloudpark.sip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The one SDP rewrite parking needs: the same media, put on hold. */
final class Sdp {
    private Sdp() {
    }

    /**
     * The hold offer for a phone that last got {@code lastSent} from us: same origin with a higher version, every
     * direction attribute replaced by {@code a=sendonly} (RFC 3264 §8.4). Without a previous SDP, a minimal one.
     */
    static byte[] hold(byte[] lastSent, String address) {
        if (lastSent == null) {
            long version = System.currentTimeMillis() / 1000;
            String sdp = "v=0\r\no=cloudpark " + version + " " + version + " IN IP4 " + address + "\r\ns=cloudpark\r\n"
                    + "c=IN IP4 " + address + "\r\nt=0 0\r\na=sendonly\r\nm=audio 9 RTP/AVP 0 8\r\n";
            return sdp.getBytes(StandardCharsets.US_ASCII);
        }
        String[] lines = new String(lastSent, StandardCharsets.US_ASCII).split("\r?\n");
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            if (line.isEmpty() || isDirection(line)) {
                continue;
            }
            if (line.startsWith("o=")) {
                line = bumpVersion(line);
            }
            out.add(line);
            if (line.startsWith("m=")) {
                out.add("a=sendonly");
            }
        }
        return (String.join("\r\n", out) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The answer of the park service, which has no media: one inactive audio stream. */
    static byte[] inactive(String address) {
        long version = System.currentTimeMillis() / 1000;
        String sdp = "v=0\r\no=cloudpark " + version + " " + version + " IN IP4 " + address + "\r\ns=cloudpark\r\n"
                + "c=IN IP4 " + address + "\r\nt=0 0\r\nm=audio 9 RTP/AVP 0 8\r\na=inactive\r\n";
        return sdp.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean isDirection(String line) {
        return line.equals("a=sendrecv") || line.equals("a=sendonly") || line.equals("a=recvonly") || line.equals("a=inactive");
    }

    /** o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>: the version goes up by one. */
    private static String bumpVersion(String origin) {
        String[] f = origin.split(" ");
        if (f.length < 6) {
            return origin;
        }
        try {
            f[2] = Long.toString(Long.parseLong(f[2]) + 1);
        } catch (NumberFormatException e) {
            return origin;
        }
        return String.join(" ", f);
    }
}
