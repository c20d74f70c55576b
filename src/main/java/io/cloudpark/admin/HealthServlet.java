package io.cloudpark.admin;

import java.io.IOException;
import java.util.Map;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.cloudpark.app.CloudparkApp;

/**
 * {@code GET /health}: liveness for load balancers and orchestrators, which cannot present operator credentials.
 * It says UP or DOWN and nothing else: no tenant data.
 */
public final class HealthServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean database = CloudparkApp.of(getServletContext()).database().isReachable();
        Json.write(response, database ? 200 : 503,
                Map.of("status", database ? "UP" : "DOWN", "database", database ? "UP" : "DOWN"));
    }
}
