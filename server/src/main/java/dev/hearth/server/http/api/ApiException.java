package dev.hearth.server.http.api;

/**
 * An error a client gets, already in API terms: HTTP status, OpenAI error {@code type}, the request field at fault
 * ({@code param}, or null) and a machine-readable {@code code}. {@link ErrorMapper} turns every other exception into
 * one of these.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final int retryAfterSeconds;

    public ApiException(int status, String type, String param, String code, String message, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A 400 naming the field at fault. */
    public static ApiException badParam(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "invalid_value", message, 0);
    }

    public static ApiException missing(String param) {
        return new ApiException(400, "invalid_request_error", param, "missing_required_parameter",
                "'" + param + "' is required", 0);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "invalid_request_error", null, "not_found", message, 0);
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                "missing or wrong API key: send 'Authorization: Bearer <key>'", 0);
    }

    /** The server is draining: no new work, and work past the grace period ends with this. */
    public static ApiException shuttingDown() {
        return new ApiException(503, "server_error", null, "shutting_down",
                dev.hearth.server.backend.GenerationFailedException.SHUTTING_DOWN, 5);
    }

    public static ApiException tooLarge(long limit) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than the limit of " + limit + " bytes", 0);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** Seconds for a Retry-After header; 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
