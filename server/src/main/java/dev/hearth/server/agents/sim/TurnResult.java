package dev.hearth.server.agents.sim;

/**
 * What one streamed chat request gave: whether it completed (a finish reason and {@code [DONE]}), whether the
 * stream repeated a response id or a finish reason (a duplicate), timings, tokens and tool calls; {@code cut}: the
 * simulator itself gave up on it at the deadline (not a lost response).
 */
record TurnResult(String agent, String priority, boolean completed, boolean duplicated, String responseId,
        double ttftMillis, double latencyMillis, long completionTokens, String content, int toolCalls,
        String toolCallJson, int retries429, String error, boolean cut) {

    /** A request the deadline stopped: in flight, or waiting to retry after a 429. */
    static TurnResult cut(String agent, String priority, long startNanos, int retries) {
        return new TurnResult(agent, priority, false, false, null, -1, (System.nanoTime() - startNanos) / 1e6, 0, "",
                0, null, retries, null, true);
    }
}
