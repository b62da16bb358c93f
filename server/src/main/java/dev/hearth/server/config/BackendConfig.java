package dev.hearth.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One entry under {@code backends:}: the local engine's models, or an OpenAI-compatible upstream. */
public sealed interface BackendConfig {

    String name();

    /**
     * {@code type: local}: models this process loads; {@code models} maps the name routes use to a GGUF file path
     * or a model name the store resolves (a stored name, or a catalogue name / {@code hf://} reference pulled on
     * first use), as {@code hearth run} takes them.
     */
    record Local(String name, Map<String, String> models) implements BackendConfig {
        public Local {
            models = Map.copyOf(models);
        }
    }

    /**
     * {@code type: openai} (any OpenAI-compatible endpoint: a cloud API, Ollama, vLLM, llama-server) or
     * {@code type: hearth} (other Hearth nodes; several {@code nodes} are load balanced).
     *
     * @param nodes base URLs ending before {@code /chat/completions}, e.g. {@code http://host:8080/v1}
     * @param apiKeyEnv the environment variable holding the bearer key (null: none)
     * @param affinitySlack outstanding requests a node may have above the least loaded one and still keep its
     *     system-prompt affinity
     */
    record Remote(String name, boolean hearth, List<URI> nodes, String apiKeyEnv, List<String> models,
            Prices prices, Timeouts timeouts, Retry retry, Breaker breaker, Health health, int affinitySlack)
            implements BackendConfig {
        public Remote {
            nodes = List.copyOf(nodes);
            models = List.copyOf(models);
        }
    }

    /** Dollars per million tokens. */
    record Prices(double input, double output) {
        public static final Prices FREE = new Prices(0, 0);

        public double cost(long promptTokens, long completionTokens) {
            return (promptTokens * input + completionTokens * output) / 1e6;
        }
    }

    /** Connect, first-token (request sent to the first streamed event, or the whole body) and total limits. */
    record Timeouts(Duration connect, Duration firstToken, Duration total) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofMinutes(10));
    }

    /**
     * Retries on the same backend for failures safe to retry (connect errors, resets before any byte, 429, 502,
     * 503, 504): exponential backoff from {@code backoff} up to {@code maxBackoff} with equal jitter, or the
     * upstream's Retry-After when it names one no longer than {@code maxRetryAfter}.
     *
     * @param attempts tries in all, the first included
     */
    record Retry(int attempts, Duration backoff, Duration maxBackoff, Duration maxRetryAfter) {
        public static final Retry DEFAULT = new Retry(2, Duration.ofMillis(200), Duration.ofSeconds(2),
                Duration.ofSeconds(5));
    }

    /** Opens after {@code failures} failures in a row; after {@code openFor} lets one probe through (half-open). */
    record Breaker(int failures, Duration openFor) {
        public static final Breaker DEFAULT = new Breaker(5, Duration.ofSeconds(30));
    }

    /** GET {@code path} under the node's URL every {@code interval}; null path: no health checks. */
    record Health(String path, Duration interval) {
        public static final Health NONE = new Health(null, Duration.ofSeconds(10));
    }
}
