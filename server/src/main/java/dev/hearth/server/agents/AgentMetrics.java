package dev.hearth.server.agents;

import dev.hearth.server.metrics.Snapshots;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Per-agent Prometheus metrics: requests by outcome, prompt and generated tokens, time to first token, and the
 * engines' fairness index. The agent label is bounded: the first {@link #MAX_AGENTS} names seen are kept, later
 * ones are counted as {@code other} (names from {@code X-Hearth-Agent} headers cannot grow it without end).
 */
public final class AgentMetrics {
    static final int MAX_AGENTS = 200;
    private static final double[] TTFT_BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Set<String> agents = ConcurrentHashMap.newKeySet();
    /** The priority each kept agent last called with (a key's own, or the header's), for the dashboard. */
    private final Map<String, dev.hearth.engine.Priority> priorities = new ConcurrentHashMap<>();
    private final Counter requests = Counter.builder().name("hearth_agent_requests")
            .help("Requests per agent by outcome (ok, error, rate_limited)").labelNames("agent", "outcome")
            .register(registry);
    private final Counter tokens = Counter.builder().name("hearth_agent_tokens")
            .help("Tokens per agent by kind (prompt, generated)").labelNames("agent", "kind").register(registry);
    private final Histogram ttft = Histogram.builder().name("hearth_agent_time_to_first_token_seconds")
            .help("Time to first token per agent").unit(Unit.SECONDS).classicOnly().classicUpperBounds(TTFT_BUCKETS)
            .labelNames("agent").register(registry);
    private volatile Supplier<Map<String, Double>> fairness = Map::of;

    AgentMetrics() {
        GaugeWithCallback.builder().name("hearth_agent_fairness_index")
                .help("Jain's fairness index over the tokens generated per agent, per model (1 = even)")
                .labelNames("model").callback(cb -> fairness.get().forEach((model, j) -> cb.call(j, model)))
                .register(registry);
    }

    /** Where the fairness gauge reads from: model name to its engine's index. */
    public void fairnessSource(Supplier<Map<String, Double>> source) {
        this.fairness = source;
    }

    void priority(String agent, dev.hearth.engine.Priority priority) {
        priorities.put(label(agent), priority);
    }

    void request(String agent, String outcome, long prompt, long generated, double ttftSeconds) {
        String label = label(agent);
        requests.labelValues(label, outcome).inc();
        if (prompt > 0) {
            tokens.labelValues(label, "prompt").inc(prompt);
        }
        if (generated > 0) {
            tokens.labelValues(label, "generated").inc(generated);
        }
        if (ttftSeconds >= 0) {
            ttft.labelValues(label).observe(ttftSeconds);
        }
    }

    private String label(String agent) {
        if (agents.contains(agent)) {
            return agent;
        }
        if (agents.size() < MAX_AGENTS) {
            agents.add(agent);
            return agent;
        }
        return "other";
    }

    /** One agent's totals since start (the names {@link #request} kept, and {@code other}). */
    public record AgentTotals(String agent, dev.hearth.engine.Priority priority, double ok, double errors,
            double rateLimited, double promptTokens, double generatedTokens) {
        public double requests() {
            return ok + errors + rateLimited;
        }
    }

    /** Every agent seen so far. */
    public java.util.List<AgentTotals> totals() {
        var ok = Snapshots.sumBy(requests, "agent", "outcome", "ok");
        var failed = Snapshots.sumBy(requests, "agent", "outcome", "error");
        var limited = Snapshots.sumBy(requests, "agent", "outcome", "rate_limited");
        var prompt = Snapshots.sumBy(tokens, "agent", "kind", "prompt");
        var generated = Snapshots.sumBy(tokens, "agent", "kind", "generated");
        java.util.Set<String> names = new java.util.TreeSet<>(Snapshots.sumBy(requests, "agent", null, null).keySet());
        return names.stream().map(a -> new AgentTotals(a, priorities.get(a), ok.getOrDefault(a, 0.0),
                failed.getOrDefault(a, 0.0),
                limited.getOrDefault(a, 0.0), prompt.getOrDefault(a, 0.0), generated.getOrDefault(a, 0.0))).toList();
    }

    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
