package io.cloudpark.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.apache.log4j.Logger;

import io.cloudpark.app.CloudparkApp;
import io.cloudpark.park.StoreUnavailableException;

/**
 * The REST API (DESIGN §5) under {@code /api}. Every request is checked in this order: its Origin (403), its
 * credentials (401, or 429 after repeated failures; not for {@code POST /api/session}, the console's sign-in), then, for a request with a body, that the body is JSON (415);
 * only then is the path looked up (404, 405) and the request carried out. Every answer, errors included, is JSON.
 */
public final class AdminApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(AdminApiServlet.class);

    private transient ApiAuth auth;
    private transient Csrf csrf;
    private transient Routes routes;
    private transient EventStreams eventStreams;

    @Override
    public void init() {
        CloudparkApp app = CloudparkApp.of(getServletContext());
        auth = new ApiAuth(app.accounts(), app.loginThrottle());
        csrf = new Csrf(app.config().allowedOrigins());
        routes = new Routes();
        Audit audit = new Audit(app.audit());
        new TenantResources(app, audit).addTo(routes);
        new AccountResources(app, audit, auth).addTo(routes);
        new AuditResources(app).addTo(routes);
        new NodeResources(app, audit).addTo(routes);
        eventStreams = new EventStreams(app.eventFeed(), app.database().tenants(), app.config().events().maxStreams(),
                app.scheduler());
        new EventResources(app, eventStreams).addTo(routes);
        byte[] openApi = openApiDocument();
        routes.add("GET", "openapi.json", x -> {
            x.queryOnly().response.setContentType("application/json");
            x.response.getOutputStream().write(openApi);
        });
    }

    /** The API's OpenAPI 3 description, kept beside this class and checked against the live API by OpenApiIT. */
    private static byte[] openApiDocument() {
        try (InputStream in = AdminApiServlet.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void destroy() {
        if (eventStreams != null) {
            eventStreams.close();
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            String method = request.getMethod().toUpperCase(Locale.ROOT);
            csrf.checkOrigin(request);
            String[] path = segments(request);
            // signing in is the one request that brings no credentials: it is how the console gets them
            boolean signIn = method.equals("POST") && path.length == 1 && path[0].equals("session");
            Caller caller = signIn ? null : auth.authenticate(request);
            Csrf.checkBody(request, method);
            List<String> params = new ArrayList<>();
            Routes.Handler handler = routes.find(method, path, params);
            handler.handle(new Exchange(request, response, caller, params));
        } catch (ApiError e) {
            Json.error(response, e);
        } catch (StoreUnavailableException e) {
            LOG.error("503 to " + request.getMethod() + " " + request.getRequestURI() + ": " + e.getMessage());
            Json.error(response, 503, "unavailable", "the database is unavailable");
        }
    }

    private static String[] segments(HttpServletRequest request) {
        String path = request.getPathInfo();
        return path == null || path.equals("/") ? new String[0] : path.substring(1).split("/", -1);
    }
}
