package io.cloudpark.admin;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin API's paths, as templates ({@code tenants/{domain}/extensions/{ext}}: a brace segment matches any one
 * segment) with a handler per method. A path no template matches is a 404; a known path with another method is a
 * 405 naming the allowed ones.
 */
final class Routes {
    @FunctionalInterface
    interface Handler {
        void handle(Exchange exchange) throws ApiError, IOException;
    }

    private record Route(String[] template, Map<String, Handler> byMethod) { }

    private final List<Route> routes = new ArrayList<>();

    Routes add(String method, String template, Handler handler) {
        String[] segments = template.split("/");
        Route route = routes.stream().filter(r -> String.join("/", r.template).equals(template)).findFirst()
                .orElseGet(() -> {
                    Route added = new Route(segments, new LinkedHashMap<>());
                    routes.add(added);
                    return added;
                });
        route.byMethod.put(method, handler);
        return this;
    }

    /** The route's handler; the path's brace segments are added to {@code params} in order. */
    Handler find(String method, String[] path, List<String> params) throws ApiError {
        for (Route route : routes) {
            List<String> found = match(route.template, path);
            if (found != null) {
                Handler handler = route.byMethod.get(method);
                if (handler == null) {
                    String allow = String.join(", ", route.byMethod.keySet());
                    throw ApiError.withHeader(405, "method_not_allowed", "allowed here: " + allow, "Allow", allow);
                }
                params.addAll(found);
                return handler;
            }
        }
        throw ApiError.notFound("no such resource: /api/" + String.join("/", path));
    }

    private static List<String> match(String[] template, String[] path) {
        if (template.length != path.length) {
            return null;
        }
        List<String> params = new ArrayList<>();
        for (int i = 0; i < template.length; i++) {
            if (template[i].startsWith("{")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                params.add(path[i]);
            } else if (!template[i].equals(path[i])) {
                return null;
            }
        }
        return params;
    }
}
