package io.cloudpark.admin;

import java.io.IOException;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.cloudpark.app.CloudparkApp;
import io.cloudpark.park.StoreUnavailableException;

/** {@code GET /metrics}: Prometheus text counters of the whole service, for operator accounts only. */
public final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private transient CloudparkApp app;
    private transient ApiAuth auth;

    @Override
    public void init() {
        app = CloudparkApp.of(getServletContext());
        auth = new ApiAuth(app.accounts(), app.loginThrottle());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            if (!auth.authenticate(request).isOperator()) {
                throw ApiError.forbidden("the metrics cover every tenant: operator accounts only");
            }
        } catch (ApiError e) {
            Json.error(response, e);
            return;
        } catch (StoreUnavailableException e) {
            // accounts are in the database: while it is down, so is the sign-in to the metrics
            Json.error(response, 503, "unavailable", "the database is unavailable, and with it the accounts");
            return;
        }
        response.setContentType("text/plain; version=0.0.4");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(app.metrics().prometheusText());
    }
}
