package io.cloudpark.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Restcomm container an operator installs, driven the way the operator drives it: assembled by
 * {@code deployment/container/assemble.sh}, started and stopped with {@code catalina.sh}, applications deployed and
 * undeployed through Tomcat Manager's text API, the console reached over HTTP (jmxproxy and Jolokia).
 */
public final class StockContainer implements AutoCloseable {
    public static final String USER = "operator";
    public static final String PASSWORD = "container-it-secret";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path home;
    private final int sipPort;
    private final int httpPort;
    private final int shutdownPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String authorization = "Basic "
            + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    private StockContainer(Path home, int sipPort, int httpPort, int shutdownPort) {
        this.home = home;
        this.sipPort = sipPort;
        this.httpPort = httpPort;
        this.shutdownPort = shutdownPort;
    }

    /** Assembles a fresh container under {@code home} (which must not exist) and starts it. */
    public static StockContainer assembleAndStart(Path home, int sipPort, int httpPort, int shutdownPort)
            throws IOException, InterruptedException {
        run(Map.of("CONTAINER_ADMIN_USER", USER, "CONTAINER_ADMIN_PASSWORD", PASSWORD),
                "deployment/container/assemble.sh", home.toString());
        StockContainer container = new StockContainer(home, sipPort, httpPort, shutdownPort);
        container.catalina("start");
        container.awaitManager();
        return container;
    }

    public int sipPort() {
        return sipPort;
    }

    public String base() {
        return "http://127.0.0.1:" + httpPort;
    }

    public Path home() {
        return home;
    }

    /** The container JVM's process id, from the CATALINA_PID file setenv.sh names. */
    public long pid() throws IOException {
        return Long.parseLong(Files.readString(home.resolve("temp/catalina.pid")).trim());
    }

    public String catalinaOut() throws IOException {
        return Files.readString(home.resolve("logs/catalina.out"));
    }

    public String cloudparkLog() throws IOException {
        Path log = home.resolve("logs/cloudpark.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Manager text API: deploys the war at {@code path} with its context descriptor. Returns Manager's answer. */
    public String deploy(String path, Path war, Path descriptor) {
        return manager("/manager/text/deploy?path=" + path + "&config=" + descriptor.toUri() + "&war=" + war.toUri());
    }

    public String undeploy(String path) {
        return manager("/manager/text/undeploy?path=" + path);
    }

    public String findLeaks() {
        return manager("/manager/text/findleaks?statusLine=true");
    }

    public String manager(String pathAndQuery) {
        return get(pathAndQuery).body();
    }

    /** Tomcat's jmxproxy: {@code qry}, {@code get}, {@code set} or {@code invoke} with its parameters. */
    public String jmxproxy(String command, String objectName, Map<String, String> parameters) {
        StringBuilder query = new StringBuilder("/manager/jmxproxy/?").append(command).append('=').append(encode(objectName));
        parameters.forEach((name, value) -> query.append('&').append(name).append('=').append(encode(value)));
        return manager(query.toString());
    }

    /** One Jolokia request (POST, JSON), from a page of this host's origin as the access policy demands. */
    public HttpResponse<String> jolokia(String json, String origin) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + "/jolokia/"))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return send(request.build());
    }

    public HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create(base() + pathAndQuery)).header("Authorization", authorization).build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private void awaitManager() throws InterruptedException, IOException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(base() + "/manager/text/list"))
                        .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
                if (list.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new AssertionError("the container did not answer within " + START_TIMEOUT + ":\n" + catalinaOut());
    }

    private void catalina(String... arguments) throws IOException, InterruptedException {
        String[] command = new String[arguments.length + 1];
        command[0] = home.resolve("bin/catalina.sh").toString();
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        run(Map.of("CONTAINER_SIP_PORT", Integer.toString(sipPort), "CONTAINER_HTTP_PORT", Integer.toString(httpPort),
                "CONTAINER_SHUTDOWN_PORT", Integer.toString(shutdownPort)), command);
    }

    private static void run(Map<String, String> environment, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("CLOUDPARK_") || name.startsWith("CATALINA_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + output);
        }
    }

    /** The operator's clean stop: {@code catalina.sh stop 30 -force} (the SIP stack keeps two non-daemon threads). */
    @Override
    public void close() throws IOException, InterruptedException {
        catalina("stop", "30", "-force");
    }
}
