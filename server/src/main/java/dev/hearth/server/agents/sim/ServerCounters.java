package dev.hearth.server.agents.sim;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Counters read from the server's Prometheus {@code /metrics}, when it exposes them: prompt tokens, prompt tokens
 * served from the prefix cache, fallbacks to another backend. NaN where a metric is absent.
 */
record ServerCounters(double promptTokens, double cachedPromptTokens, double fallbacks) {
    static ServerCounters read(HttpClient client, SimSettings s) {
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(s.target().resolve("/metrics")).GET();
            if (s.apiKey() != null) {
                req.header("Authorization", "Bearer " + s.apiKey());
            }
            String text = client.send(req.build(), HttpResponse.BodyHandlers.ofString()).body();
            return new ServerCounters(sum(text, "hearth_prompt_tokens_total"), sum(text, "hearth_cached_prompt_tokens_total"),
                    sum(text, "hearth_fallbacks"));
        } catch (Exception e) {
            return new ServerCounters(Double.NaN, Double.NaN, Double.NaN);
        }
    }

    /** Sum over every series of a metric (name or name with labels); NaN when absent. */
    static double sum(String text, String prefix) {
        double total = Double.NaN;
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix) && (line.length() == prefix.length() || line.charAt(prefix.length()) == '{'
                    || line.charAt(prefix.length()) == ' ' || line.startsWith(prefix + "_total"))) {
                String[] parts = line.trim().split(" ");
                total = (Double.isNaN(total) ? 0 : total) + Double.parseDouble(parts[parts.length - 1]);
            }
        }
        return total;
    }

    double prefixCacheHitRate() {
        return promptTokens > 0 ? cachedPromptTokens / promptTokens : Double.NaN;
    }
}
