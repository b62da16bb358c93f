package dev.hearth.server.metrics;

import dev.hearth.server.backend.Backend;
import dev.hearth.server.backend.ModelInfo;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The server's Prometheus metrics, in one registry per server (tests start several): requests by endpoint and
 * status, prompt and generated tokens, time to first token and inter-token latency, queue depth, running
 * sequences, preemptions and prefix-cache hits per model (read live from the backend), model load time.
 */
public final class ServerMetrics {
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
    private static final double[] TTFT_BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    private static final double[] ITL_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final RecentErrors recentErrors = new RecentErrors(50);
    private volatile GenerationListener generationListener = (model, generated) -> { };
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests = Counter.builder().name("hearth_http_requests")
            .help("HTTP requests by endpoint and status code").labelNames("endpoint", "status").register(registry);
    private final Counter promptTokens = Counter.builder().name("hearth_prompt_tokens")
            .help("Prompt tokens processed").labelNames("model").register(registry);
    private final Counter generatedTokens = Counter.builder().name("hearth_generated_tokens")
            .help("Tokens generated").labelNames("model").register(registry);
    private final Histogram timeToFirstToken = Histogram.builder().name("hearth_time_to_first_token_seconds")
            .help("Time from submission to the first generated token").unit(Unit.SECONDS).classicOnly()
            .classicUpperBounds(TTFT_BUCKETS).labelNames("model").register(registry);
    private final Histogram interTokenLatency = Histogram.builder().name("hearth_inter_token_latency_seconds")
            .help("Time between consecutive generated tokens of one sequence, as the client sees them")
            .unit(Unit.SECONDS).classicOnly().classicUpperBounds(ITL_BUCKETS).labelNames("model").register(registry);
    private final Gauge modelLoadSeconds = Gauge.builder().name("hearth_model_load_seconds")
            .help("How long loading each model took").unit(Unit.SECONDS).labelNames("model").register(registry);

    /** Registers the live gauges (queue depth, running sequences) over the backend's models. */
    public ServerMetrics(Backend backend) {
        GaugeWithCallback.builder().name("hearth_queue_depth")
                .help("Requests waiting for a KV slot, per model").labelNames("model")
                .callback(cb -> {
                    for (ModelInfo m : backend.models()) {
                        cb.call(backend.load(m.name()).waiting(), m.name());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("hearth_running_sequences")
                .help("Sequences generating now, per model").labelNames("model")
                .callback(cb -> {
                    for (ModelInfo m : backend.models()) {
                        cb.call(backend.load(m.name()).running(), m.name());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("hearth_kv_blocks_in_use")
                .help("KV cache blocks held by sequences (free blocks and blocks kept only for prefix reuse excluded)")
                .labelNames("model")
                .callback(cb -> backend.models().forEach(m ->
                        cb.call(backend.load(m.name()).kvBlocksInUse(), m.name())))
                .register(registry);
        CounterWithCallback.builder().name("hearth_preemptions")
                .help("Sequences pushed back to wait because KV blocks ran short, per model").labelNames("model")
                .callback(cb -> {
                    for (ModelInfo m : backend.models()) {
                        cb.call(backend.load(m.name()).preemptions(), m.name());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("hearth_cached_prompt_tokens")
                .help("Prompt tokens served from the prefix cache instead of computed, per model").labelNames("model")
                .callback(cb -> {
                    for (ModelInfo m : backend.models()) {
                        cb.call(backend.load(m.name()).cachedPromptTokens(), m.name());
                    }
                }).register(registry);
        for (ModelInfo m : backend.models()) {
            modelLoadSeconds.labelValues(m.name()).set(m.loadMillis() / 1000.0);
        }
    }

    public void request(String endpoint, int status) {
        requests.labelValues(endpoint, Integer.toString(status)).inc();
    }

    /** Counts a request and, when it failed (4xx/5xx), keeps it among the recent errors with its message. */
    public void request(String endpoint, int status, String errorMessage) {
        request(endpoint, status);
        if (status >= 400) {
            recentErrors.add(endpoint, status, errorMessage);
        }
    }

    /** The latest failed requests, oldest first. */
    public java.util.List<RecentErrors.Entry> recentErrors() {
        return recentErrors.list();
    }

    /** Counts one finished generation's tokens and its time to first token (seconds; negative for none). */
    public void generation(String model, int prompt, int generated, double ttftSeconds) {
        generationListener.generated(model, generated);
        promptTokens.labelValues(model).inc(prompt);
        generatedTokens.labelValues(model).inc(generated);
        if (ttftSeconds >= 0) {
            timeToFirstToken.labelValues(model).observe(ttftSeconds);
        }
    }

    /** Who else wants to hear of each finished generation (the router's queue-wait estimate); one listener. */
    public void onGeneration(GenerationListener listener) {
        generationListener = listener;
    }

    /** Told the generated tokens of each finished generation, on the thread that finished it. */
    @FunctionalInterface
    public interface GenerationListener {
        void generated(String model, int generatedTokens);
    }

    /** The inter-token latency data point of one model, fetched once per request and observed per token. */
    public DistributionDataPoint interTokenLatency(String model) {
        return interTokenLatency.labelValues(model);
    }

    public void modelLoaded(String model, double seconds) {
        modelLoadSeconds.labelValues(model).set(seconds);
    }

    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
