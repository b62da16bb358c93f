package dev.hearth.server.agents.sim;

/**
 * What one streamed chat request gave: whether it completed (a finish reason and {@code [DONE]}), whether the
 * stream repeated a response id or a finish reason (a duplicate), timings, tokens and tool calls.
 */
record TurnResult(String agent, String priority, boolean completed, boolean duplicated, String responseId,
        double ttftMillis, double latencyMillis, long completionTokens, String content, int toolCalls,
        String toolCallJson, int retries429, String error) {}
