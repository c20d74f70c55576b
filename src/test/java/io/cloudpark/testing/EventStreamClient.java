package io.cloudpark.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A Server-Sent Events client of the admin API's event stream, reading frames as they come. */
public final class EventStreamClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One event: its {@code id:}, {@code event:} and {@code data:} parsed as JSON. */
    public record Event(long id, String type, JsonNode data) { }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> comments = new LinkedBlockingQueue<>();
    private final HttpResponse<Stream<String>> response;

    private EventStreamClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        CompletableFuture.runAsync(this::read);
    }

    /** Opens {@code path} as {@code user}; {@code lastEventId} null: no Last-Event-ID header. */
    public static EventStreamClient open(String path, String user, String password, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Deployments.HTTP_PORT + path))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<Stream<String>> response = HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofLines());
            return new EventStreamClient(response);
        } catch (Exception e) {
            throw new AssertionError("GET " + path + " failed", e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    private void read() {
        long id = -1;
        String type = null;
        StringBuilder data = new StringBuilder();
        try {
            for (String line : (Iterable<String>) response.body()::iterator) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Event(id, type, JSON.readTree(data.toString())));
                    }
                    id = -1;
                    type = null;
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    comments.add(line);
                } else if (line.startsWith("id: ")) {
                    id = Long.parseLong(line.substring(4));
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
        } catch (Exception e) {
            // the stream was closed
        }
    }

    /** The next event, waiting up to 10 s. */
    public Event next() {
        try {
            Event event = events.poll(10, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("no event within 10 s");
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** The events received so far and not taken yet. */
    public java.util.List<Event> taken() {
        java.util.List<Event> out = new java.util.ArrayList<>();
        events.drainTo(out);
        return out;
    }

    @Override
    public void close() {
        response.body().close();
    }
}
