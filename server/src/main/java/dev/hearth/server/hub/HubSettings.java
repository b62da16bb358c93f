package dev.hearth.server.hub;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach the Hugging Face Hub. {@code HF_ENDPOINT} (default https://huggingface.co) and {@code HF_TOKEN}
 * (sent as a Bearer token) come from the environment, or from system properties {@code hearth.hf.endpoint} and
 * {@code hearth.hf.token}, which win (tests use them).
 *
 * @param maxAttempts     tries per request before giving up (connection drops, 5xx, 429)
 * @param initialBackoff  first wait between tries; doubles each time, capped at 30 s
 * @param stallTimeout    a download that receives no byte for this long is dropped and retried
 */
public record HubSettings(URI endpoint, String token, int maxAttempts, Duration initialBackoff,
                          Duration stallTimeout) {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    public HubSettings {
        String e = endpoint.toString();
        if (e.endsWith("/")) {
            endpoint = URI.create(e.substring(0, e.length() - 1));
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
    }

    public static HubSettings fromEnvironment() {
        String endpoint = firstNonBlank(System.getProperty("hearth.hf.endpoint"), System.getenv("HF_ENDPOINT"),
                DEFAULT_ENDPOINT);
        String token = firstNonBlank(System.getProperty("hearth.hf.token"), System.getenv("HF_TOKEN"), null);
        return new HubSettings(URI.create(endpoint), token, 6, Duration.ofSeconds(1), Duration.ofSeconds(60));
    }

    public HubSettings withRetries(int attempts, Duration backoff) {
        return new HubSettings(endpoint, token, attempts, backoff, stallTimeout);
    }

    private static String firstNonBlank(String a, String b, String fallback) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        if (b != null && !b.isBlank()) {
            return b;
        }
        return fallback;
    }
}
