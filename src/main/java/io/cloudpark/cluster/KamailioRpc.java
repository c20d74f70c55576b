package io.cloudpark.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Kamailio's JSON-RPC (module jsonrpcs over HTTP), at the one address the operator configured
 * ({@code CLOUDPARK_KAMAILIO_RPC}); none configured, none called. Used to end the calls of a dead node: Kamailio's
 * dialog module lists each call under the node it goes through (profile {@code node}, see
 * deployment/kamailio/kamailio.cfg) and can send both parties a BYE, or REFER one party elsewhere ({@code POST
 * /repark} beside the RPC URL, a cfg route of Kamailio's that runs the dialog module's {@code dlg_refer}).
 */
public final class KamailioRpc {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One call as Kamailio's dialog module holds it: the party that sent the first INVITE is the caller.
     *
     * @param callerContact where requests to the caller go (its Contact); likewise the callee's
     */
    public record Dialog(long hEntry, long hId, String callId, String callerTag, String calleeTag,
                         String callerContact, String calleeContact) { }

    private final URI endpoint;
    private final HttpClient http;
    private final AtomicLong ids = new AtomicLong();

    private KamailioRpc(URI endpoint) {
        this.endpoint = endpoint;
        this.http = endpoint == null ? null : HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    /** @param url e.g. {@code http://127.0.0.1:5099/RPC}; empty: off */
    public static KamailioRpc of(String url) {
        return new KamailioRpc(url == null || url.isBlank() ? null : URI.create(url));
    }

    public boolean enabled() {
        return endpoint != null;
    }

    /** Every call Kamailio has through that node. */
    public List<Dialog> dialogsThrough(String nodeSipUri) throws IOException, InterruptedException {
        if (!enabled()) {
            return List.of();
        }
        List<JsonNode> found = new ArrayList<>();
        collectDialogs(call("dlg.profile_list", "node", nodeSipUri), found);
        return found.stream().map(d -> new Dialog(d.get("h_entry").asLong(), d.get("h_id").asLong(),
                d.path("call-id").asText(), d.path("caller").path("tag").asText(), d.path("callee").path("tag").asText(),
                d.path("caller").path("contact").asText(), d.path("callee").path("contact").asText())).toList();
    }

    /**
     * Sends a BYE to both sides of every call Kamailio has through that node but those with the Call-IDs in
     * {@code spared}; returns how many calls.
     */
    public int endDialogsThrough(String nodeSipUri, Set<String> spared) throws IOException, InterruptedException {
        int ended = 0;
        for (Dialog dialog : dialogsThrough(nodeSipUri)) {
            if (!spared.contains(dialog.callId()) && call("dlg.end_dlg", dialog.hEntry(), dialog.hId()) != null) {
                ended++;
            }
        }
        return ended;
    }

    /**
     * Has Kamailio REFER one party of the call to {@code referTo} (a SIP URI), and then BYE it: the party places a new
     * call there, its old one ends. False if Kamailio no longer has that call.
     *
     * @param caller the party to refer is the call's caller (else its callee)
     */
    public boolean refer(Dialog dialog, boolean caller, String referTo) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint.resolve("/repark")).timeout(TIMEOUT)
                        .header("X-Call-ID", dialog.callId())
                        .header("X-From-Tag", dialog.callerTag())
                        .header("X-To-Tag", dialog.calleeTag())
                        .header("X-Party", caller ? "caller" : "callee")
                        .header("X-Refer-To", "<" + referTo + ">")
                        .POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return false;
        }
        if (response.statusCode() != 202) {
            throw new IOException("repark: HTTP " + response.statusCode());
        }
        return true;
    }

    /** Every object carrying h_entry and h_id, wherever the RPC result nests it. */
    private static void collectDialogs(JsonNode node, List<JsonNode> out) {
        if (node == null) {
            return;
        }
        if (node.has("h_entry") && node.has("h_id")) {
            out.add(node);
            return;
        }
        for (JsonNode child : node) {
            collectDialogs(child, out);
        }
    }

    /** The result, or null when Kamailio answered with a JSON-RPC error (e.g. the dialog ended meanwhile). */
    private JsonNode call(String method, Object... params) throws IOException, InterruptedException {
        ObjectNode request = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method)
                .put("id", ids.incrementAndGet());
        var array = request.putArray("params");
        for (Object param : params) {
            if (param instanceof Long number) {
                array.add(number);
            } else {
                array.add(param.toString());
            }
        }
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint).timeout(TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(method + ": HTTP " + response.statusCode());
        }
        JsonNode answer = JSON.readTree(response.body());
        return answer.has("error") ? null : answer.get("result");
    }
}
