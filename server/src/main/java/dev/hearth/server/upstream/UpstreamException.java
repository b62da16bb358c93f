package dev.hearth.server.upstream;

/**
 * A remote backend failed before anything was sent to the client.
 *
 * @param kind what went wrong
 * @param status the upstream's HTTP status (0 when there was no response)
 * @param retryAfterMillis the upstream's Retry-After (-1 when absent)
 * @param body the upstream's error body for {@link Kind#CLIENT_ERROR} (relayed to the client as is)
 */
public final class UpstreamException extends RuntimeException {
    public enum Kind {
        /** Could not connect, or the connection was reset before any response byte: safe to retry. */
        CONNECT,
        /** 429, 502, 503, 504: safe to retry, after Retry-After when given. */
        RETRYABLE_STATUS,
        /** Another 5xx: the next target, not a retry. */
        SERVER_ERROR,
        /** A 4xx other than 408/429: the request itself is at fault; relayed to the client, no fallback. */
        CLIENT_ERROR,
        /** No first event (or whole body) within the first-token timeout, or past the total timeout. */
        TIMEOUT,
        /** A response that is not the OpenAI format (bad SSE, bad JSON). */
        MALFORMED,
        /** The breaker is open or health checks fail: not tried. */
        UNAVAILABLE
    }

    private final Kind kind;
    private final int status;
    private final long retryAfterMillis;
    private final byte[] body;

    public UpstreamException(Kind kind, int status, long retryAfterMillis, byte[] body, String message) {
        super(body == null || body.length == 0 ? message : message + ": " + upstreamMessage(body));
        this.kind = kind;
        this.status = status;
        this.retryAfterMillis = retryAfterMillis;
        this.body = body;
    }

    /** The upstream's {@code error.message}, or the start of its body. */
    static String upstreamMessage(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, 300), java.nio.charset.StandardCharsets.UTF_8);
        try {
            String m = UpstreamJson.JSON.readTree(body).path("error").path("message").asText(null);
            return m != null ? m : text;
        } catch (java.io.IOException | RuntimeException e) {
            return text;
        }
    }

    public static UpstreamException of(Kind kind, String message) {
        return new UpstreamException(kind, 0, -1, null, message);
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return status;
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }

    public byte[] body() {
        return body;
    }

    public boolean retryable() {
        return kind == Kind.CONNECT || kind == Kind.RETRYABLE_STATUS;
    }

    /** Whether this says something about the backend's health (429 and client errors do not). */
    public boolean countsAsFailure() {
        return switch (kind) {
            case CONNECT, SERVER_ERROR, TIMEOUT, MALFORMED -> true;
            case RETRYABLE_STATUS -> status != 429;
            case CLIENT_ERROR, UNAVAILABLE -> false;
        };
    }

    /** What the upstream sent, cut to 80 characters for an error message. */
    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
