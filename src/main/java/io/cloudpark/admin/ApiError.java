package io.cloudpark.admin;

/** An admin API failure with its HTTP status; rendered as {@code {"error": …, "detail": …}}. */
final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;

    final int status;
    final String error;

    ApiError(int status, String error, String detail) {
        super(detail);
        this.status = status;
        this.error = error;
    }

    static ApiError badRequest(String field, String problem) {
        return new ApiError(400, "bad_request", field + ": " + problem);
    }

    static ApiError notFound(String what) {
        return new ApiError(404, "not_found", what);
    }
}
