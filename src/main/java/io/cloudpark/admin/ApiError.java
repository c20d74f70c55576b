package io.cloudpark.admin;

/**
 * An admin API failure with its HTTP status; rendered as {@code {"error": …, "detail": …}}, plus {@code "field"}
 * when one field of the request is at fault (its name also starts the detail).
 */
final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;

    final int status;
    final String error;
    final String field;
    /** A response header the status needs (Allow for 405, Retry-After for 429, WWW-Authenticate for 401), or null. */
    final String headerName;
    final String headerValue;

    ApiError(int status, String error, String detail) {
        this(status, error, detail, null, null, null);
    }

    private ApiError(int status, String error, String detail, String field, String headerName, String headerValue) {
        super(detail);
        this.status = status;
        this.error = error;
        this.field = field;
        this.headerName = headerName;
        this.headerValue = headerValue;
    }

    static ApiError withHeader(int status, String error, String detail, String headerName, String headerValue) {
        return new ApiError(status, error, detail, null, headerName, headerValue);
    }

    static ApiError badRequest(String field, String problem) {
        return new ApiError(400, "bad_request", field + ": " + problem, field, null, null);
    }

    static ApiError notFound(String what) {
        return new ApiError(404, "not_found", what);
    }

    static ApiError conflict(String what) {
        return new ApiError(409, "conflict", what);
    }

    static ApiError forbidden(String what) {
        return new ApiError(403, "forbidden", what);
    }
}
