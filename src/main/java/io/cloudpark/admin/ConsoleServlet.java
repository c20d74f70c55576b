package io.cloudpark.admin;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * {@code GET /console/}: the web console, a page and its ES modules and style sheet from the web application's
 * {@code console/} folder, all of which talk to the admin API. Served by the application itself, so it needs no
 * default servlet from the container; the Content-Security-Policy lets the page load and reach nothing but this
 * server.
 */
public final class ConsoleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** Names of the console's own files only: no "..", no hidden files, nothing but these types. */
    private static final Pattern FILE = Pattern.compile("/((?:[a-z0-9-]+/)*[a-z0-9-]+)\\.(html|js|css|svg)");
    private static final Map<String, String> TYPES = Map.of("html", "text/html", "js", "text/javascript",
            "css", "text/css", "svg", "image/svg+xml");
    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if (path == null) {
            response.sendRedirect(request.getContextPath() + "/console/");
            return;
        }
        Matcher file = FILE.matcher(path.equals("/") ? "/index.html" : path);
        if (!file.matches()) {
            response.sendError(404);
            return;
        }
        try (InputStream in = getServletContext().getResourceAsStream("/console" + file.group(0))) {
            if (in == null) {
                response.sendError(404);
                return;
            }
            response.setContentType(TYPES.get(file.group(2)));
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setHeader("X-Frame-Options", "DENY");
            response.setHeader("Referrer-Policy", "no-referrer");
            response.setHeader("Content-Security-Policy", POLICY);
            in.transferTo(response.getOutputStream());
        }
    }
}
