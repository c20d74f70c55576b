package io.cloudpark.admin;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/** One admin API request: who sent it, the path's parameters, the query and the body, and the response. */
final class Exchange {
    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 1000;

    final HttpServletRequest request;
    final HttpServletResponse response;
    final Caller caller;
    private final List<String> params;

    Exchange(HttpServletRequest request, HttpServletResponse response, Caller caller, List<String> params) {
        this.request = request;
        this.response = response;
        this.caller = caller;
        this.params = params;
    }

    /** The {@code index}th brace segment of the path. */
    String param(int index) {
        return params.get(index);
    }

    Body body(Set<String> allowed) throws ApiError, IOException {
        return Body.of(Json.object(request), allowed);
    }

    /** Refuses query parameters this resource does not have, as unknown body fields are refused. */
    Exchange queryOnly(String... allowed) throws ApiError {
        Set<String> known = Set.of(allowed);
        for (String name : Collections.list(request.getParameterNames())) {
            if (!known.contains(name)) {
                throw ApiError.badRequest(name, "unknown query parameter"
                        + (allowed.length == 0 ? "" : " (known: " + String.join(", ", allowed) + ")"));
            }
        }
        return this;
    }

    /** A query parameter, at most {@code maxLength} characters; null when absent or empty. */
    String query(String name, int maxLength) throws ApiError {
        String value = request.getParameter(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.length() > maxLength) {
            throw ApiError.badRequest(name, "at most " + maxLength + " characters");
        }
        return value;
    }

    int limit() throws ApiError {
        String value = request.getParameter("limit");
        if (value == null) {
            return DEFAULT_PAGE;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_PAGE) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiError.badRequest("limit", "must be a whole number from 1 to " + MAX_PAGE);
    }

    Instant instant(String name) throws ApiError {
        String value = query(name, 64);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest(name, "must be an ISO-8601 instant such as 2026-11-22T10:15:00Z");
        }
    }

    boolean flag(String name) throws ApiError {
        String value = request.getParameter(name);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ApiError.badRequest(name, "must be true or false");
    }

    /**
     * A page of a list: the items as a JSON array, and, when the page is full, a {@code Link: <…>; rel="next"} header
     * (RFC 8288) whose URL repeats this query with {@code cursor} set to continue after the last item.
     */
    void page(List<?> items, int limit, String nextCursor) throws IOException {
        if (items.size() == limit && nextCursor != null) {
            StringBuilder next = new StringBuilder(request.getRequestURI()).append("?cursor=")
                    .append(java.net.URLEncoder.encode(nextCursor, java.nio.charset.StandardCharsets.UTF_8));
            for (String name : Collections.list(request.getParameterNames())) {
                if (!name.equals("cursor")) {
                    next.append('&').append(name).append('=')
                            .append(java.net.URLEncoder.encode(request.getParameter(name), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            response.setHeader("Link", "<" + next + ">; rel=\"next\"");
        }
        Json.write(response, 200, items);
    }
}
