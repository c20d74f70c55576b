package io.cloudpark.sip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SDP rewrites parking needs: the same media put on hold, and one origin per leg (RFC 3264 §8: every SDP the PBX
 * sends on a dialog keeps the {@code o=} line of the first, its version one higher whenever the session changed).
 */
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

    /** The {@code o=} line's fields: the identity of the session, and the version of its description. */
    record Origin(String username, String sessionId, long version, String netType, String addrType, String address) {
        Origin nextVersion() {
            return new Origin(username, sessionId, version + 1, netType, addrType, address);
        }

        String line() {
            return "o=" + username + " " + sessionId + " " + version + " " + netType + " " + addrType + " " + address;
        }
    }

    /** The origin of an SDP; empty when it has no well-formed {@code o=} line. */
    static Optional<Origin> origin(byte[] sdp) {
        for (String line : lines(sdp)) {
            if (line.startsWith("o=")) {
                String[] f = line.substring(2).split(" ");
                if (f.length != 6) {
                    return Optional.empty();
                }
                try {
                    return Optional.of(new Origin(f[0], f[1], Long.parseLong(f[2]), f[3], f[4], f[5]));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** The SDP with its {@code o=} line replaced by {@code origin}'s; unchanged if it has none. */
    static byte[] withOrigin(byte[] sdp, Origin origin) {
        List<String> out = new ArrayList<>();
        for (String line : lines(sdp)) {
            out.add(line.startsWith("o=") ? origin.line() : line);
        }
        return (String.join("\r\n", out) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The same session description but perhaps for its origin line. */
    static boolean sameSession(byte[] a, byte[] b) {
        return withoutOrigin(a).equals(withoutOrigin(b));
    }

    private static List<String> withoutOrigin(byte[] sdp) {
        return lines(sdp).stream().filter(line -> !line.startsWith("o=")).toList();
    }

    private static List<String> lines(byte[] sdp) {
        return List.of(new String(sdp, StandardCharsets.US_ASCII).split("\r?\n")).stream()
                .filter(line -> !line.isEmpty()).toList();
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
