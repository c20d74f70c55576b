package io.cloudpark.admin;

import java.io.IOException;
import java.io.InputStream;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * {@code GET /console/}: the operator's web console, one static page that reads the admin API (which asks for the
 * operator's credentials). Served by the application itself, so it needs no default servlet from the container.
 */
public final class ConsoleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final String PAGE = "/console/index.html";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if (path == null) {
            response.sendRedirect(request.getContextPath() + "/console/");
            return;
        }
        if (!path.equals("/") && !path.equals("/index.html")) {
            response.sendError(404);
            return;
        }
        try (InputStream page = getServletContext().getResourceAsStream(PAGE)) {
            if (page == null) {
                response.sendError(404);
                return;
            }
            response.setContentType("text/html");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setHeader("X-Frame-Options", "DENY");
            page.transferTo(response.getOutputStream());
        }
    }
}
