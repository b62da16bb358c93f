package dev.hearth.server.upstream;

import dev.hearth.server.config.BackendConfig;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before retry {@code attempt} (1 = the first retry): exponential backoff with equal jitter (a random
 * wait between half and all of {@code backoff * 2^(attempt-1)}, capped), or the upstream's Retry-After.
 */
public final class Backoff {
    private Backoff() {}

    /** Milliseconds to wait, or -1 when the upstream asks for a longer wait than the policy allows. */
    public static long delayMillis(BackendConfig.Retry policy, int attempt, long retryAfterMillis) {
        if (retryAfterMillis >= 0) {
            return retryAfterMillis <= policy.maxRetryAfter().toMillis() ? retryAfterMillis : -1;
        }
        long ceiling = Math.min(policy.maxBackoff().toMillis(),
                policy.backoff().toMillis() << Math.min(20, attempt - 1));
        return ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
    }

    /** Retry-After as seconds (the only form an LLM API sends in practice) or an HTTP date; -1 when absent. */
    public static long parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return -1;
        }
        try {
            return Math.round(Double.parseDouble(value.trim()) * 1000);
        } catch (NumberFormatException e) {
            try {
                long at = java.time.ZonedDateTime.parse(value.trim(),
                        java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                return Math.max(0, at - System.currentTimeMillis());
            } catch (java.time.format.DateTimeParseException ignored) {
                return -1;
            }
        }
    }
}
