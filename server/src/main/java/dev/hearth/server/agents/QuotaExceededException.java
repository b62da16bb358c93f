package dev.hearth.server.agents;

/** A request over one of its agent's limits: which limit, and when to retry. Becomes a 429 with Retry-After. */
public final class QuotaExceededException extends RuntimeException {
    private final String limit;
    private final int retryAfterSeconds;

    QuotaExceededException(String agent, String limit, long value, int retryAfterSeconds) {
        super("agent '" + agent + "' is over its " + limit + " limit of " + value + "; retry in " + retryAfterSeconds
                + " s");
        this.limit = limit;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** {@code rpm}, {@code tpm}, {@code daily-tokens} or {@code max-parallel}. */
    public String limit() {
        return limit;
    }

    /** Over tpm or daily-tokens (OpenAI's error type {@code tokens}), rather than a request count. */
    public boolean tokenLimit() {
        return limit.equals("tpm") || limit.equals("daily-tokens");
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
