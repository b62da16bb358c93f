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
 * @param resolveTimeout  the most time spent reaching the Hub for a repository's file list, retries included:
 *                        with no network a pull fails within it, naming the endpoint
 */
public record HubSettings(URI endpoint, String token, int maxAttempts, Duration initialBackoff,
                          Duration stallTimeout, Duration resolveTimeout) {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    public static final Duration DEFAULT_RESOLVE_TIMEOUT = Duration.ofSeconds(15);

    public HubSettings(URI endpoint, String token, int maxAttempts, Duration initialBackoff, Duration stallTimeout) {
        this(endpoint, token, maxAttempts, initialBackoff, stallTimeout, DEFAULT_RESOLVE_TIMEOUT);
    }

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
        // the two millisecond properties exist for tests, which cannot wait through real backoffs
        return new HubSettings(URI.create(endpoint), token, 6,
                Duration.ofMillis(Long.getLong("hearth.hf.backoffMillis", 1000)), Duration.ofSeconds(60),
                Duration.ofMillis(Long.getLong("hearth.hf.resolveTimeoutMillis", DEFAULT_RESOLVE_TIMEOUT.toMillis())));
    }

    public HubSettings withRetries(int attempts, Duration backoff) {
        return new HubSettings(endpoint, token, attempts, backoff, stallTimeout, resolveTimeout);
    }

    /** Where the endpoint came from, for messages: the variable a user sets to change it. */
    public String describeEndpoint() {
        return endpoint + " (HF_ENDPOINT" + (endpoint.toString().equals(DEFAULT_ENDPOINT) ? ", the default" : "")
                + ")";
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
