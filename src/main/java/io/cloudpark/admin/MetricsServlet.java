package io.cloudpark.admin;

import java.io.IOException;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.cloudpark.app.CloudparkApp;

/** {@code GET /metrics}: Prometheus text counters, behind the operator's credentials like the API. */
public final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private transient CloudparkApp app;
    private transient OperatorAuth auth;

    @Override
    public void init() {
        app = CloudparkApp.of(getServletContext());
        auth = new OperatorAuth(app.config().adminPassword());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!auth.allows(request)) {
            response.setHeader("WWW-Authenticate", OperatorAuth.CHALLENGE);
            Json.error(response, 401, "unauthorized", "operator credentials required");
            return;
        }
        response.setContentType("text/plain; version=0.0.4");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(app.metrics().prometheusText());
    }
}
