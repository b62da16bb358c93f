package dev.hearth.server.agents.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a simulation measured. {@code requests}: turns sent; {@code lost}: sent turns that got no complete answer
 * (an error, a 429 after every retry, a stream cut short by the server); {@code cutAtDeadline}: sent turns the
 * simulator stopped at its deadline; {@code notSent}: turns never sent (the deadline came first, or their
 * conversation broke off earlier). {@code completed + lost + cutAtDeadline + notSent} is the planned turn count.
 * {@code duplicated}: a response id seen twice, or a stream with two answers. Jain's index is over the agents'
 * generated tokens per second of their own run time.
 */
public record SimReport(long requests, long completed, long lost, long cutAtDeadline, long notSent,
        long duplicated, long retries429, long toolCalls,
        double ttftP50Ms, double ttftP99Ms, double latencyP50Ms, double latencyP99Ms,
        Map<String, Map<String, Double>> perPriority, double tokensPerSecond, double prefixCacheHitRate,
        double fallbacks, double jainIndex, double wallSeconds, List<String> sampleErrors) {

    static SimReport of(List<TurnResult> results, long expected, double wall, ServerCounters server) {
        long completed = results.stream().filter(TurnResult::completed).count();
        Set<String> ids = new HashSet<>();
        long duplicated = 0;
        for (TurnResult r : results) {
            if (r.duplicated() || (r.responseId() != null && r.completed() && !ids.add(r.responseId()))) {
                duplicated++;
            }
        }
        Map<String, Map<String, Double>> perPriority = new LinkedHashMap<>();
        for (String p : new String[] {"high", "normal", "low"}) {
            List<TurnResult> mine = results.stream().filter(r -> r.priority().equals(p) && r.completed()).toList();
            if (!mine.isEmpty()) {
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("requests", (double) mine.size());
                m.put("ttft_p50_ms", percentile(ttfts(mine), 50));
                m.put("ttft_p99_ms", percentile(ttfts(mine), 99));
                m.put("latency_p50_ms", percentile(mine.stream().mapToDouble(TurnResult::latencyMillis).toArray(), 50));
                m.put("latency_p99_ms", percentile(mine.stream().mapToDouble(TurnResult::latencyMillis).toArray(), 99));
                perPriority.put(p, m);
            }
        }
        List<TurnResult> ok = results.stream().filter(TurnResult::completed).toList();
        long tokens = ok.stream().mapToLong(TurnResult::completionTokens).sum();
        Map<String, double[]> perAgent = new HashMap<>();  // tokens, busy millis
        for (TurnResult r : ok) {
            double[] a = perAgent.computeIfAbsent(r.agent(), k -> new double[2]);
            a[0] += r.completionTokens();
            a[1] += r.latencyMillis();
        }
        double sum = 0;
        double squares = 0;
        for (double[] a : perAgent.values()) {
            double rate = a[1] > 0 ? a[0] / a[1] : 0;
            sum += rate;
            squares += rate * rate;
        }
        List<String> errors = new ArrayList<>();
        results.stream().filter(r -> r.error() != null).limit(5).forEach(r -> errors.add(r.agent() + ": " + r.error()));
        long cut = results.stream().filter(TurnResult::cut).count();
        return new SimReport(results.size(), completed, results.size() - completed - cut, cut,
                Math.max(0, expected - results.size()), duplicated,
                results.stream().mapToLong(TurnResult::retries429).sum(),
                results.stream().mapToLong(TurnResult::toolCalls).sum(),
                percentile(ttfts(ok), 50), percentile(ttfts(ok), 99),
                percentile(ok.stream().mapToDouble(TurnResult::latencyMillis).toArray(), 50),
                percentile(ok.stream().mapToDouble(TurnResult::latencyMillis).toArray(), 99),
                perPriority, wall > 0 ? tokens / wall : 0, server.prefixCacheHitRate(), server.fallbacks(),
                squares > 0 ? sum * sum / (perAgent.size() * squares) : 1.0, wall, errors);
    }

    private static double[] ttfts(List<TurnResult> results) {
        return results.stream().mapToDouble(TurnResult::ttftMillis).filter(t -> t >= 0).toArray();
    }

    /** Nearest-rank percentile; NaN for no values. */
    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The report as JSON fields (snake case; NaN as null). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", requests);
        m.put("completed", completed);
        m.put("lost", lost);
        m.put("cut_at_deadline", cutAtDeadline);
        m.put("not_sent", notSent);
        m.put("duplicated", duplicated);
        m.put("retries_429", retries429);
        m.put("tool_calls", toolCalls);
        m.put("ttft_p50_ms", nan(ttftP50Ms));
        m.put("ttft_p99_ms", nan(ttftP99Ms));
        m.put("latency_p50_ms", nan(latencyP50Ms));
        m.put("latency_p99_ms", nan(latencyP99Ms));
        m.put("per_priority", perPriority);
        m.put("tokens_per_second", tokensPerSecond);
        m.put("prefix_cache_hit_rate", nan(prefixCacheHitRate));
        m.put("fallbacks", nan(fallbacks));
        m.put("jain_index", jainIndex);
        m.put("wall_seconds", wallSeconds);
        m.put("sample_errors", sampleErrors);
        return m;
    }

    private static Double nan(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
