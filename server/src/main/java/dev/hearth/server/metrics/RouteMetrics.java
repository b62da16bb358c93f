package dev.hearth.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The router's Prometheus metrics, per backend target ({@code backend/model}, or {@code backend.N/model} for one
 * node of several): requests, errors by kind, latency, fallbacks (from where and why), tokens and cost from the
 * configured prices. Keeps the last {@value #LOG_SIZE} routing events for inspection (tests, the bench report).
 */
public final class RouteMetrics {
    static final int LOG_SIZE = 512;
    private static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
        120};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests = Counter.builder().name("hearth_backend_requests")
            .help("Requests served (or attempted) per backend").labelNames("backend").register(registry);
    private final Counter errors = Counter.builder().name("hearth_backend_errors")
            .help("Failed attempts per backend and kind").labelNames("backend", "kind").register(registry);
    private final Histogram latency = Histogram.builder().name("hearth_backend_latency_seconds")
            .help("Time from routing to the end of the relayed or local answer, per backend").unit(Unit.SECONDS)
            .classicOnly().classicUpperBounds(LATENCY_BUCKETS).labelNames("backend").register(registry);
    private final Histogram firstByte = Histogram.builder().name("hearth_backend_first_byte_seconds")
            .help("Time from routing to the first byte sent to the client, per backend").unit(Unit.SECONDS)
            .classicOnly().classicUpperBounds(LATENCY_BUCKETS).labelNames("backend").register(registry);
    private final Counter fallbacks = Counter.builder().name("hearth_backend_fallbacks")
            .help("Requests passed on from a target to the next one, by reason").labelNames("backend", "reason")
            .register(registry);
    private final Counter tokens = Counter.builder().name("hearth_backend_tokens")
            .help("Tokens per backend as reported by its usage (prompt or completion)").labelNames("backend", "kind")
            .register(registry);
    private final Counter cost = Counter.builder().name("hearth_backend_cost_dollars")
            .help("Cost per backend from the configured prices per million tokens").labelNames("backend")
            .register(registry);
    private final ArrayDeque<Event> log = new ArrayDeque<>();

    /** One routing event: when (System.nanoTime), which request, which target, what happened. */
    public record Event(long nanos, long requestId, String target, String what) {}

    public void request(String backend) {
        requests.labelValues(backend).inc();
    }

    public void error(String backend, String kind) {
        errors.labelValues(backend, kind).inc();
    }

    public void fallback(String backend, String reason) {
        fallbacks.labelValues(backend, reason).inc();
    }

    public void firstByte(String backend, double seconds) {
        firstByte.labelValues(backend).observe(seconds);
    }

    public void done(String backend, double seconds) {
        latency.labelValues(backend).observe(seconds);
    }

    public void usage(String backend, long promptTokens, long completionTokens, double dollars) {
        tokens.labelValues(backend, "prompt").inc(promptTokens);
        tokens.labelValues(backend, "completion").inc(completionTokens);
        if (dollars > 0) {
            cost.labelValues(backend).inc(dollars);
        }
    }

    public void event(long requestId, String target, String what) {
        synchronized (log) {
            if (log.size() == LOG_SIZE) {
                log.removeFirst();
            }
            log.addLast(new Event(System.nanoTime(), requestId, target, what));
        }
    }

    /** The recent events of one request, oldest first. */
    public List<Event> events(long requestId) {
        synchronized (log) {
            List<Event> out = new ArrayList<>();
            for (Event e : log) {
                if (e.requestId() == requestId) {
                    out.add(e);
                }
            }
            return out;
        }
    }

    public List<Event> events() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    public double counter(String name, String... labels) {
        Counter c = switch (name) {
            case "requests" -> requests;
            case "errors" -> errors;
            case "fallbacks" -> fallbacks;
            case "tokens" -> tokens;
            case "cost" -> cost;
            default -> throw new IllegalArgumentException("no counter " + name);
        };
        return c.labelValues(labels).get();
    }

    /**
     * Totals of one backend target since start: requests, failed attempts, fallbacks away from it, tokens, and mean
     * seconds from routing to the first byte sent and to the end of the answer (NaN before any).
     */
    public record TargetTotals(String target, double requests, double errors, double fallbacks, double promptTokens,
            double completionTokens, double meanFirstByteSeconds, double meanLatencySeconds) {}

    /** Every target seen so far, in first-seen order. */
    public List<TargetTotals> totals() {
        var requested = Snapshots.sumBy(requests, "backend", null, null);
        var failed = Snapshots.sumBy(errors, "backend", null, null);
        var passedOn = Snapshots.sumBy(fallbacks, "backend", null, null);
        var prompt = Snapshots.sumBy(tokens, "backend", "kind", "prompt");
        var completion = Snapshots.sumBy(tokens, "backend", "kind", "completion");
        var firstByteMeans = Snapshots.meanBy(firstByte, "backend");
        var latencyMeans = Snapshots.meanBy(latency, "backend");
        java.util.LinkedHashSet<String> targets = new java.util.LinkedHashSet<>(requested.keySet());
        targets.addAll(failed.keySet());
        targets.addAll(passedOn.keySet());
        List<TargetTotals> out = new ArrayList<>();
        for (String t : targets) {
            out.add(new TargetTotals(t, requested.getOrDefault(t, 0.0), failed.getOrDefault(t, 0.0),
                    passedOn.getOrDefault(t, 0.0), prompt.getOrDefault(t, 0.0), completion.getOrDefault(t, 0.0),
                    firstByteMeans.getOrDefault(t, Double.NaN), latencyMeans.getOrDefault(t, Double.NaN)));
        }
        return out;
    }

    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
