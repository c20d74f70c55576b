package io.cloudpark.admin;

import java.util.List;
import java.util.Locale;

import javax.servlet.http.HttpServletRequest;

/**
 * No change can be forged from another website, even where the browser holds the user's Basic credentials:
 * <ul>
 * <li>a request with an {@code Origin} that is not this server's own (or one configured) is refused, 403;</li>
 * <li>a request with a body must say {@code Content-Type: application/json}, 415 otherwise. An HTML form or a
 * {@code no-cors} fetch can only send text/plain, form or multipart bodies; sending JSON from another origin needs
 * a CORS preflight, which this API never grants. DELETE has no body and cannot be sent cross-site without one.</li>
 * </ul>
 */
final class Csrf {
    private final List<String> allowedOrigins;

    Csrf(List<String> allowedOrigins) {
        this.allowedOrigins = allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
    }

    void checkOrigin(HttpServletRequest request) throws ApiError {
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return;
        }
        String own = (request.getScheme() + "://" + request.getHeader("Host")).toLowerCase(Locale.ROOT);
        String given = origin.toLowerCase(Locale.ROOT);
        if (!given.equals(own) && !allowedOrigins.contains(given)) {
            throw ApiError.forbidden("Origin " + origin + " may not use this API (only " + own
                    + (allowedOrigins.isEmpty() ? "" : " and CLOUDPARK_ALLOWED_ORIGINS") + ")");
        }
    }

    static void checkBody(HttpServletRequest request, String method) throws ApiError {
        if (!method.equals("POST") && !method.equals("PUT") && !method.equals("PATCH")) {
            return;
        }
        String type = request.getContentType();
        String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw new ApiError(415, "unsupported_media_type", "Content-Type: a request with a body must send application/json");
        }
    }
}
