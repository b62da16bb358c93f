package dev.hearth.server.agents.sim;

import java.net.URI;

/**
 * One simulation: {@code agents} conversations of {@code turns} requests each against {@code target}; the first
 * {@code greedy} agents run {@code greedyParallel} conversations at once with a larger {@code maxTokens}. Every
 * {@code toolEvery}-th turn of a conversation asks for a tool call ({@code tool_choice: required}; 0: never), whose
 * result is fed back as the next message.
 *
 * @param apiKey sent as the Bearer token (the admin key lets the simulator name agents and priorities by header)
 * @param deadlineSeconds the whole run stops after this; unfinished requests count as not completed
 */
public record SimSettings(URI target, String model, int agents, int turns, int greedy, int greedyParallel,
        int maxTokens, String apiKey, int deadlineSeconds, int maxRetries, int toolEvery) {
    /** Without forced tool turns (tools are offered, the model decides). */
    public SimSettings(URI target, String model, int agents, int turns, int greedy, int greedyParallel, int maxTokens,
            String apiKey, int deadlineSeconds, int maxRetries) {
        this(target, model, agents, turns, greedy, greedyParallel, maxTokens, apiKey, deadlineSeconds, maxRetries, 0);
    }

    public SimSettings {
        if (toolEvery < 0) {
            throw new IllegalArgumentException("--tool-every must be 0 (never) or more, got " + toolEvery);
        }
        if (agents < 1 || turns < 1) {
            throw new IllegalArgumentException("--agents and --turns must be at least 1");
        }
        if (deadlineSeconds < 1) {
            throw new IllegalArgumentException("--deadline must be at least 1 second, got " + deadlineSeconds);
        }
        if (agents * (long) turns * Math.max(1, greedyParallel) > 1_000_000) {
            throw new IllegalArgumentException("at most 1,000,000 requests per run");
        }
    }
}
