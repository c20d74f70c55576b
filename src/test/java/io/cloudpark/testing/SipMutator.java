package io.cloudpark.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic mutations of a well-formed SIP message, for the fuzz run: the same seed gives the same sequence.
 * Each mutation applies one to three of: bit flips, a header deleted or duplicated, a huge header value, a bad
 * Content-Length, a truncated message, a bad Request-URI, a malformed Refer-To / Event / Contact / Via / From / To /
 * Call-ID / Subscription-State / Authorization, a wrong CSeq, a broken start line, a garbage body.
 */
public final class SipMutator {
    /** What a UDP datagram can carry (65,507) less a margin: a longer one could not be sent at all. */
    public static final int MAX_UDP_BYTES = 65_000;

    private static final String[] HEADERS = {"Refer-To", "Event", "Contact", "Via", "From", "To", "Call-ID",
        "Subscription-State", "Authorization", "Proxy-Authorization", "Max-Forwards", "Content-Type", "Expires",
        "Referred-By", "Replaces", "Require", "Route", "Record-Route"};
    private static final String[] BAD_VALUES = {"", " ", "<", ">", "<>", "<sip:>", "<sip:@>", "sip:", "<sip:*68@",
        "<sip:%00@x>", "<sip:a@b;transport=>", "<sip:a@[::1>", "<sip:a@999.999.999.999:99999>", "<tel:+14155550100>",
        "<mailto:a@b>", "\"unterminated <sip:a@b>", "<sip:a@b>;tag", ";;;", "<sip:a@b?Replaces=%%%>",
        "<sip:a@b?Replaces=x%3Bto-tag%3D>", "<sip:*68@b?Replaces=>", "SIP/2.0/UDP", "SIP/2.0/XYZ 1.2.3.4:5060;branch=",
        "SIP/2.0/UDP 127.0.0.1:0;branch=z9hG4bK;rport=abc", "SIP/2.0/TCP :;branch", "park-info;id=", "refer;id=-1",
        "presence", "*", "\u00ff\u00fe\u0001", "\t", "a=b=c", "<sip:1@x>;expires=-5", "<sip:1@x>;expires=99999999999",
        "Digest", "Digest username=", "Digest realm=\"x\", nonce=\"\", response=\"zz\"", "active;expires=-1",
        "terminated;reason=", "-1", "99999999999999999999", "0x10", "x\r\nVia: SIP/2.0/UDP 1.2.3.4",
        "<sip:a@b>, <sip:c@d>, <", "<sip:a@b;lr;lr;lr>", "sip:a@b:0", "<sips:a@b>", "<urn:uuid:>"};
    private static final String[] BAD_URIS = {"sip:", "sip:@", "sip:a@", "sip:@b", "<sip:a@b>", "sip:a@b:99999",
        "sip:a@[::1", "tel:", "tel:+1", "sip:%zz@x", "sips:a@b", "sip:*68", "sip:*88@", "sip:*88;park-id=",
        "sip:a@b;park-id=%00", "*", "http://x/", "sip:" + "9".repeat(3000) + "@x", "sip:a b@c", ""};
    private static final String[] BAD_CSEQ = {"abc INVITE", "-1 INVITE", "4294967296 INVITE", "1 REGISTER", "1",
        "", "99999999999999999999 INVITE", "1 INVITE INVITE", "1 invite", "0 NOTIFY", "2147483648 REFER"};
    private static final String[] BAD_CONTENT_LENGTH = {"-1", "999999999", "2147483648", "abc", "", "0x10", "1 2",
        "99999999999999999999"};
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^(Content-Length|l)\\s*:[^\r\n]*");

    private final Random random;
    private final boolean udp;

    public SipMutator(long seed, boolean udp) {
        this.random = new Random(seed);
        this.udp = udp;
    }

    /** One mutated message, and what was done to it (for the failure report). */
    public record Mutant(byte[] bytes, String operations) { }

    public Mutant mutate(String message) {
        String text = message;
        List<String> done = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        byte[] bytes = null;
        for (int i = 0; i < count; i++) {
            int op = random.nextInt(11);
            if (op == 0) {
                bytes = text.getBytes(StandardCharsets.ISO_8859_1);
                int flips = 1 + random.nextInt(8);
                for (int f = 0; f < flips; f++) {
                    int at = random.nextInt(bytes.length);
                    bytes[at] ^= (byte) (1 << random.nextInt(8));
                }
                text = new String(bytes, StandardCharsets.ISO_8859_1);
                done.add("bit flips " + flips);
            } else if (op == 1) {
                text = editHeaderLines(text, true);
                done.add("header deleted");
            } else if (op == 2) {
                text = editHeaderLines(text, false);
                done.add("header duplicated");
            } else if (op == 3) {
                int size = 1_000 + random.nextInt(udp ? 60_000 : 200_000);
                text = replaceHeader(text, pick(HEADERS), "x".repeat(size));
                done.add("huge value " + size);
            } else if (op == 4) {
                String value = random.nextBoolean() ? pick(BAD_CONTENT_LENGTH)
                        : Integer.toString(Math.max(0, bodyLength(text) + random.nextInt(101) - 50));
                text = CONTENT_LENGTH.matcher(text).replaceFirst(Matcher.quoteReplacement("Content-Length: " + value));
                done.add("Content-Length " + value);
            } else if (op == 5) {
                int at = random.nextInt(Math.max(1, text.length()));
                text = text.substring(0, at);
                done.add("truncated at " + at);
            } else if (op == 6) {
                String uri = pick(BAD_URIS);
                int first = text.indexOf(' ');
                int second = first < 0 ? -1 : text.indexOf(' ', first + 1);
                if (second > first) {
                    text = text.substring(0, first + 1) + uri + text.substring(second);
                }
                done.add("Request-URI " + abbreviate(uri));
            } else if (op == 7) {
                String header = pick(HEADERS);
                String value = pick(BAD_VALUES);
                text = replaceHeader(text, header, value);
                done.add(header + ": " + abbreviate(value));
            } else if (op == 8) {
                String value = pick(BAD_CSEQ);
                text = replaceHeader(text, "CSeq", value);
                done.add("CSeq: " + value);
            } else if (op == 9) {
                int end = text.indexOf("\r\n");
                String line = end < 0 ? text : text.substring(0, end);
                String broken = switch (random.nextInt(5)) {
                    case 0 -> line.toLowerCase();
                    case 1 -> line.replace("SIP/2.0", "SIP/3.0");
                    case 2 -> line.replace(" SIP/2.0", "");
                    case 3 -> line.replace(" ", "   ");
                    default -> "SIP/2.0 200 OK";
                };
                text = broken + (end < 0 ? "" : text.substring(end));
                done.add("start line " + abbreviate(broken));
            } else {
                int split = text.indexOf("\r\n\r\n");
                if (split >= 0) {
                    byte[] garbage = new byte[random.nextInt(2_000)];
                    random.nextBytes(garbage);
                    text = text.substring(0, split + 4) + new String(garbage, StandardCharsets.ISO_8859_1);
                }
                done.add("garbage body");
            }
        }
        bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (udp && bytes.length > MAX_UDP_BYTES) {
            bytes = Arrays.copyOf(bytes, MAX_UDP_BYTES);
            done.add("cut to one datagram");
        }
        return new Mutant(bytes, String.join(", ", done));
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    /** Deletes or duplicates one header line (never the start line). */
    private String editHeaderLines(String text, boolean delete) {
        int split = text.indexOf("\r\n\r\n");
        String head = split < 0 ? text : text.substring(0, split);
        String rest = split < 0 ? "" : text.substring(split);
        List<String> lines = new ArrayList<>(Arrays.asList(head.split("\r\n", -1)));
        if (lines.size() < 2) {
            return text;
        }
        int at = 1 + random.nextInt(lines.size() - 1);
        if (delete) {
            lines.remove(at);
        } else {
            lines.add(at, lines.get(at));
        }
        return String.join("\r\n", lines) + rest;
    }

    /** Sets the value of the first {@code header} line, or adds the header after the start line. */
    private static String replaceHeader(String text, String header, String value) {
        Matcher m = Pattern.compile("(?im)^" + Pattern.quote(header) + "\\s*:[^\r\n]*").matcher(text);
        if (m.find()) {
            return text.substring(0, m.start()) + header + ": " + value + text.substring(m.end());
        }
        int end = text.indexOf("\r\n");
        return end < 0 ? text : text.substring(0, end) + "\r\n" + header + ": " + value + text.substring(end);
    }

    private static int bodyLength(String text) {
        int split = text.indexOf("\r\n\r\n");
        return split < 0 ? 0 : text.length() - split - 4;
    }

    private static String abbreviate(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…(" + value.length() + ")" : value;
    }
}
