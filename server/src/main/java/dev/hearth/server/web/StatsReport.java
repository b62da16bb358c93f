package dev.hearth.server.web;

import dev.hearth.engine.EngineCounters;
import dev.hearth.engine.LocalModelRunner;
import dev.hearth.server.agents.AgentGate;
import dev.hearth.server.agents.AgentKeys;
import dev.hearth.server.agents.AgentMetrics;
import dev.hearth.server.metrics.RecentErrors;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.backend.Backend;
import dev.hearth.server.backend.ModelInfo;
import dev.hearth.server.upstream.RemoteBackend;
import dev.hearth.server.metrics.RouteMetrics;
import dev.hearth.server.route.Router;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON body of {@code GET /v1/stats}: the engines' own counters per model, the recent history, the agents'
 * totals and fairness, each backend target's requests, fallbacks, latency and circuit state, and the recent errors.
 * Every number is read live; nothing here keeps state but the {@link StatsHistory}.
 */
final class StatsReport {
    private static final int ROUTE_EVENTS = 20;
    private final Router router;
    private final ServerMetrics metrics;
    private final AgentGate agents;
    private final StatsHistory history;
    private final long startedMillis = System.currentTimeMillis();

    StatsReport(Router router, ServerMetrics metrics, AgentGate agents, StatsHistory history) {
        this.router = router;
        this.metrics = metrics;
        this.agents = agents;
        this.history = history;
    }

    Map<String, Object> build() {
        Backend local = router.local();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "hearth.stats");
        out.put("time", System.currentTimeMillis() / 1000.0);
        out.put("uptime_seconds", (System.currentTimeMillis() - startedMillis) / 1000);
        List<Map<String, Object>> models = new ArrayList<>();
        long running = 0, waiting = 0, prompt = 0, generated = 0, cached = 0, used = 0, cachedBlocks = 0, total = 0;
        Map<String, Long> generatedByAgent = new HashMap<>();
        for (ModelInfo info : local.models()) {
            EngineCounters c = local.counters(info.name()).orElse(null);
            if (c == null) {
                continue;  // unloaded since listed
            }
            models.add(model(info, c));
            running += c.running();
            waiting += c.waiting();
            prompt += c.promptTokens();
            generated += c.generatedTokens();
            cached += c.cachedPromptTokens();
            used += c.kvBlocksUsed();
            cachedBlocks += c.kvBlocksCached();
            total += c.kvBlocksTotal();
        }
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("running", running);
        totals.put("waiting", waiting);
        totals.put("prompt_tokens", prompt);
        totals.put("generated_tokens", generated);
        totals.put("cached_prompt_tokens", cached);
        totals.put("prefix_cache_hit_rate", ratio(cached, cached + prompt));
        totals.put("kv_blocks_used", used);
        totals.put("kv_blocks_cached", cachedBlocks);
        totals.put("kv_blocks_free", total - used - cachedBlocks);
        totals.put("kv_blocks_total", total);
        out.put("totals", totals);
        out.put("history", history.series());
        out.put("models", models);
        out.put("agents", agents());
        out.put("routes", routes());
        out.put("backends", backends());
        out.put("route_events", routeEvents());
        out.put("errors", errors());
        return out;
    }

    private static Map<String, Object> model(ModelInfo info, EngineCounters c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", info.name());
        m.put("architecture", info.architecture());
        m.put("quantization", info.quantization());
        m.put("device", LocalModelRunner.nativeKernels() ? "CPU, native int8 kernels" : "CPU, Vector API kernels");
        m.put("weights_bytes", info.sizeBytes());
        m.put("kv_bytes", c.kvBytes());
        m.put("context_length", info.contextLength());
        m.put("max_sequences", c.maxSequences());
        m.put("running", c.running());
        m.put("waiting", c.waiting());
        m.put("kv_blocks_used", c.kvBlocksUsed());
        m.put("kv_blocks_cached", c.kvBlocksCached());
        m.put("kv_blocks_free", c.kvBlocksFree());
        m.put("kv_blocks_total", c.kvBlocksTotal());
        m.put("kv_block_size", c.kvBlockSize());
        m.put("prompt_tokens", c.promptTokens());
        m.put("generated_tokens", c.generatedTokens());
        m.put("cached_prompt_tokens", c.cachedPromptTokens());
        m.put("prefix_cache_hit_rate", ratio(c.cachedPromptTokens(), c.cachedPromptTokens() + c.promptTokens()));
        m.put("preemptions", c.preemptions());
        m.put("steps", c.steps());
        m.put("fairness_index", finite(c.fairnessIndex()));
        return m;
    }

    /** Per agent: requests by outcome, tokens, share of the generated tokens; Jain's index over tokens / weight. */
    private Map<String, Object> agents() {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        if (agents == null) {
            out.put("enabled", false);
            out.put("jain_index", null);
            out.put("data", rows);
            return out;
        }
        Map<String, dev.hearth.server.agents.AgentPolicy> policies = new HashMap<>();
        for (AgentKeys.Listed l : agents.keys().list()) {
            policies.put(l.agent().name(), l.agent());
        }
        List<AgentMetrics.AgentTotals> totals = agents.metrics().totals();
        double allGenerated = totals.stream().mapToDouble(AgentMetrics.AgentTotals::generatedTokens).sum();
        double sum = 0, sumSquares = 0;
        int n = 0;
        for (AgentMetrics.AgentTotals t : totals) {
            var policy = policies.get(t.agent());
            int weight = policy == null ? 1 : policy.weight();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", t.agent());
            var priority = policy != null ? policy.priority() : t.priority();
            row.put("priority", priority == null ? null : priority.name().toLowerCase(java.util.Locale.ROOT));
            row.put("weight", weight);
            row.put("requests", (long) t.requests());
            row.put("errors", (long) t.errors());
            row.put("rate_limited", (long) t.rateLimited());
            row.put("prompt_tokens", (long) t.promptTokens());
            row.put("generated_tokens", (long) t.generatedTokens());
            row.put("share", ratio(t.generatedTokens(), allGenerated));
            rows.add(row);
            if (t.generatedTokens() > 0) {
                double x = t.generatedTokens() / weight;
                sum += x;
                sumSquares += x * x;
                n++;
            }
        }
        out.put("enabled", true);
        out.put("jain_index", n == 0 ? null : sum * sum / (n * sumSquares));
        out.put("data", rows);
        return out;
    }

    private List<Map<String, Object>> routes() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RouteMetrics.TargetTotals t : router.metrics().totals()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("target", t.target());
            row.put("requests", (long) t.requests());
            row.put("errors", (long) t.errors());
            row.put("fallbacks", (long) t.fallbacks());
            row.put("prompt_tokens", (long) t.promptTokens());
            row.put("completion_tokens", (long) t.completionTokens());
            row.put("mean_first_byte_ms", finite(t.meanFirstByteSeconds() * 1000));
            row.put("mean_latency_ms", finite(t.meanLatencySeconds() * 1000));
            out.add(row);
        }
        return out;
    }

    private List<Map<String, Object>> backends() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RemoteBackend remote : router.remotes()) {
            List<String> circuits = new ArrayList<>();
            for (int i = 0; i < remote.config().nodes().size(); i++) {
                circuits.add(remote.breakerState(i).name().toLowerCase(java.util.Locale.ROOT));
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", remote.name());
            row.put("available", remote.available());
            row.put("circuits", circuits);
            out.add(row);
        }
        return out;
    }

    private List<Map<String, Object>> routeEvents() {
        List<RouteMetrics.Event> events = router.metrics().events();
        long nowNanos = System.nanoTime();
        long nowMillis = System.currentTimeMillis();
        List<Map<String, Object>> out = new ArrayList<>();
        for (RouteMetrics.Event e : events.subList(Math.max(0, events.size() - ROUTE_EVENTS), events.size())) {
            if (e.what().startsWith("serving")) {
                continue;  // the ordinary case; the table counts those
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("time", (nowMillis - (nowNanos - e.nanos()) / 1_000_000) / 1000.0);
            row.put("request", e.requestId());
            row.put("target", e.target());
            row.put("what", e.what());
            out.add(row);
        }
        return out;
    }

    private List<Map<String, Object>> errors() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RecentErrors.Entry e : metrics.recentErrors().reversed()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("time", e.epochMillis() / 1000.0);
            row.put("endpoint", e.endpoint());
            row.put("status", e.status());
            row.put("message", e.message());
            out.add(row);
        }
        return out;
    }

    private static Double ratio(double part, double whole) {
        return whole <= 0 ? null : part / whole;
    }

    /** JSON has no NaN or infinity: those become null. */
    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
