package io.cloudpark.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Kamailio's JSON-RPC (module jsonrpcs over HTTP), at the one address the operator configured
 * ({@code CLOUDPARK_KAMAILIO_RPC}); none configured, none called. Used to end the calls of a dead node: Kamailio's
 * dialog module lists each call under the node it goes through (profile {@code node}, see
 * deployment/kamailio/kamailio.cfg) and can send both parties a BYE.
 */
public final class KamailioRpc {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** Sends a BYE to both sides of every call Kamailio has through that node; returns how many calls. */
    public int endDialogsThrough(String nodeSipUri) throws IOException, InterruptedException {
        if (!enabled()) {
            return 0;
        }
        JsonNode listed = call("dlg.profile_list", "node", nodeSipUri);
        List<JsonNode> dialogs = new ArrayList<>();
        collectDialogs(listed, dialogs);
        int ended = 0;
        for (JsonNode dialog : dialogs) {
            JsonNode result = call("dlg.end_dlg", dialog.get("h_entry").asLong(), dialog.get("h_id").asLong());
            if (result != null) {
                ended++;
            }
        }
        return ended;
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
