package io.cloudpark.admin;

/**
 * An admin API failure with its HTTP status; rendered as {@code {"error": …, "detail": …}}, plus {@code "field"}
 * when one field of the request is at fault (its name also starts the detail).
 */
class ApiError extends Exception {
    private static final long serialVersionUID = 1L;

    final int status;
    final String error;
    final String field;

    ApiError(int status, String error, String detail) {
        this(status, error, detail, null);
    }

    private ApiError(int status, String error, String detail, String field) {
        super(detail);
        this.status = status;
        this.error = error;
        this.field = field;
    }

    static ApiError badRequest(String field, String problem) {
        return new ApiError(400, "bad_request", field + ": " + problem, field);
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
