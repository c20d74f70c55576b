package io.cloudpark.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A SIP message as text: start line, headers (case-insensitive, compact forms expanded), body. For tests. */
public final class SipMessage {
    private static final Map<String, String> COMPACT = Map.ofEntries(
            Map.entry("i", "call-id"), Map.entry("f", "from"), Map.entry("t", "to"), Map.entry("v", "via"),
            Map.entry("m", "contact"), Map.entry("l", "content-length"), Map.entry("c", "content-type"),
            Map.entry("o", "event"), Map.entry("r", "refer-to"), Map.entry("b", "referred-by"), Map.entry("k", "supported"));

    private final String startLine;
    private final Map<String, List<String>> headers;
    private final String body;

    private SipMessage(String startLine, Map<String, List<String>> headers, String body) {
        this.startLine = startLine;
        this.headers = headers;
        this.body = body;
    }

    public static SipMessage parse(byte[] data, int length) {
        String text = new String(data, 0, length, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        String head = end < 0 ? text : text.substring(0, end);
        String rest = end < 0 ? "" : text.substring(end + 4);
        String[] lines = head.split("\r\n");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            name = COMPACT.getOrDefault(name, name);
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
        }
        String lengthHeader = headers.containsKey("content-length") ? headers.get("content-length").get(0) : "0";
        int contentLength = Integer.parseInt(lengthHeader.trim());
        byte[] restBytes = rest.getBytes(StandardCharsets.UTF_8);
        String body = new String(restBytes, 0, Math.min(contentLength, restBytes.length), StandardCharsets.UTF_8);
        return new SipMessage(lines[0], headers, body);
    }

    public boolean isRequest() {
        return !startLine.startsWith("SIP/2.0");
    }

    public String method() {
        return isRequest() ? startLine.substring(0, startLine.indexOf(' ')) : cseq().split("\\s+")[1];
    }

    public String requestUri() {
        return startLine.split(" ")[1];
    }

    public int status() {
        return Integer.parseInt(startLine.split(" ")[1]);
    }

    public String startLine() {
        return startLine;
    }

    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null ? null : values.get(0);
    }

    public List<String> headers(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** Every value of a header that may be comma-joined (Contact, Via…), split outside quotes and angle brackets. */
    public List<String> values(String name) {
        List<String> out = new ArrayList<>();
        for (String line : headers(name)) {
            int depth = 0;
            boolean quoted = false;
            int start = 0;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '"') {
                    quoted = !quoted;
                } else if (!quoted && c == '<') {
                    depth++;
                } else if (!quoted && c == '>') {
                    depth--;
                } else if (!quoted && depth == 0 && c == ',') {
                    out.add(line.substring(start, i).trim());
                    start = i + 1;
                }
            }
            out.add(line.substring(start).trim());
        }
        return out;
    }

    public String body() {
        return body;
    }

    public String callId() {
        return header("call-id");
    }

    public String cseq() {
        return header("cseq");
    }

    public long cseqNumber() {
        return Long.parseLong(cseq().trim().split("\\s+")[0]);
    }

    public String branch() {
        return param(header("via"), "branch");
    }

    public String fromTag() {
        return param(header("from"), "tag");
    }

    public String toTag() {
        return param(header("to"), "tag");
    }

    /** The URI inside a name-addr header value ({@code "x" <sip:…>;p} → {@code sip:…}). */
    public static String uriOf(String nameAddr) {
        if (nameAddr == null) {
            return null;
        }
        int lt = nameAddr.indexOf('<');
        if (lt >= 0) {
            return nameAddr.substring(lt + 1, nameAddr.indexOf('>', lt));
        }
        int semi = nameAddr.indexOf(';');
        return (semi < 0 ? nameAddr : nameAddr.substring(0, semi)).trim();
    }

    /** A header parameter outside the angle brackets. */
    public static String param(String headerValue, String name) {
        if (headerValue == null) {
            return null;
        }
        int gt = headerValue.lastIndexOf('>');
        String params = gt >= 0 ? headerValue.substring(gt + 1) : headerValue;
        Matcher m = Pattern.compile(";\\s*" + Pattern.quote(name) + "=([^;,\\s]+)", Pattern.CASE_INSENSITIVE).matcher(params);
        return m.find() ? m.group(1).replace("\"", "") : null;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(startLine).append("\r\n");
        headers.forEach((k, vs) -> vs.forEach(v -> out.append(k).append(": ").append(v).append("\r\n")));
        return out.append("\r\n").append(body).toString();
    }
}
