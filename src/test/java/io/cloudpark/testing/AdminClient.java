package io.cloudpark.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The admin API over real HTTP, as the operator {@code admin}, another account, or with an API token. */
public final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final String base;
    private final String authorization;

    public AdminClient(int port, String password) {
        this(port, "admin", password);
    }

    public AdminClient(int port, String user, String password) {
        this("http://127.0.0.1:" + port, user, password);
    }

    /** @param base the application's root, e.g. {@code http://127.0.0.1:8080/cloudpark} in a container */
    public AdminClient(String base, String user, String password) {
        this(base, password == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    private AdminClient(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    public static AdminClient operator() {
        return new AdminClient(Deployments.HTTP_PORT, Deployments.ADMIN_PASSWORD);
    }

    public static AdminClient account(String user, String password) {
        return new AdminClient(Deployments.HTTP_PORT, user, password);
    }

    public static AdminClient bearer(String token) {
        return new AdminClient("http://127.0.0.1:" + Deployments.HTTP_PORT, "Bearer " + token);
    }

    public record Reply(int status, String body, HttpResponse<String> raw) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    public Reply get(String path) {
        return send("GET", path, null);
    }

    public Reply post(String path, String json) {
        return send("POST", path, json);
    }

    public Reply put(String path, String json) {
        return send("PUT", path, json);
    }

    public Reply patch(String path, String json) {
        return send("PATCH", path, json);
    }

    public Reply delete(String path) {
        return send("DELETE", path, null);
    }

    public Reply send(String method, String path, String json) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (json != null) {
            headers.put("Content-Type", "application/json");
        }
        return send(method, path, json, headers);
    }

    /** Exactly these headers (and the credentials): for requests a browser on another site could send. */
    public Reply send(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body(), response);
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed", e);
        }
    }
}
