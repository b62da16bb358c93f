package dev.hearth.server.agents;

import dev.hearth.engine.FinishReason;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.engine.Scheduling;

/**
 * One request of one caller, from the access filter to the ledger: who, which endpoint, its quota permit, and what
 * its generations reported (bound to the handler thread as {@link AgentGate#CALL}; the HTTP layer reports each
 * finished choice with {@link #generationDone}).
 */
public final class AgentCall {
    final AgentGate.Caller caller;
    final String endpoint;
    final long startedMillis = System.currentTimeMillis();
    final long startedNanos = System.nanoTime();
    final Quotas.Permit permit;
    private String model;
    private String backend = "local";
    private long promptTokens;
    private long generatedTokens;
    private long ttftNanos = -1;
    private FinishReason finishReason;

    AgentCall(AgentGate.Caller caller, String endpoint, Quotas.Permit permit) {
        this.caller = caller;
        this.endpoint = endpoint;
        this.permit = permit;
    }

    /** Records one finished choice of the current request, if the request is an agent call. */
    public static void generationDone(String model, GenerationEvent.Done done) {
        if (AgentGate.CALL.isBound()) {
            AgentGate.CALL.get().done(model, done);
        }
    }

    /**
     * Reserves the current request's worst-case tokens against its agent's tpm and daily-tokens limits before it is
     * queued: {@code promptTokens} (an estimate) plus {@code choices} times {@code maxTokens}, or
     * {@link Quotas#DEFAULT_RESERVED_COMPLETION_TOKENS} when the request sets none. Throws
     * {@link QuotaExceededException} when that does not fit; the request's end settles it to the real count.
     * A no-op outside an agent call or for a caller without quotas.
     */
    public static void reserve(long promptTokens, Integer maxTokens, int choices) {
        if (AgentGate.CALL.isBound() && AgentGate.CALL.get().permit != null) {
            long completion = maxTokens == null || maxTokens <= 0 ? Quotas.DEFAULT_RESERVED_COMPLETION_TOKENS
                    : maxTokens;
            AgentGate.CALL.get().permit.reserve(Math.max(0, promptTokens) + Math.max(1, choices) * completion,
                    System.currentTimeMillis());
        }
    }

    /** Names the backend that served the current request (a router calls this when it falls back). */
    public static void servedBy(String backend) {
        if (AgentGate.CALL.isBound()) {
            synchronized (AgentGate.CALL.get()) {
                AgentGate.CALL.get().backend = backend;
            }
        }
    }

    private synchronized void done(String model, GenerationEvent.Done d) {
        this.model = model;
        // the prompt is shared by every choice: count it once
        promptTokens = Math.max(promptTokens, d.promptTokens());
        generatedTokens += d.generatedTokens();
        if (d.generatedTokens() > 0 && (ttftNanos < 0 || d.timeToFirstTokenNanos() < ttftNanos)) {
            ttftNanos = d.timeToFirstTokenNanos();
        }
        if (finishReason == null || d.reason() == FinishReason.ERROR) {
            finishReason = d.reason();
        }
    }

    public String agent() {
        return caller.agent();
    }

    /** Where this caller's requests may run (a router reads it before falling back to a cloud upstream). */
    public RouteClass routeClass() {
        return caller.policy() == null ? RouteClass.CLOUD_OK : caller.policy().routeClass();
    }

    public Scheduling scheduling() {
        return caller.scheduling();
    }

    synchronized LedgerEntry entry(int status, String error) {
        return new LedgerEntry(caller.agent(), model, backend, endpoint, startedMillis, promptTokens, generatedTokens,
                ttftNanos < 0 ? -1 : ttftNanos / 1e6, (System.nanoTime() - startedNanos) / 1e6,
                finishReason == null ? null : finishReason.apiName(), status, error);
    }

    synchronized long tokens() {
        return promptTokens + generatedTokens;
    }

    synchronized long generatedTokens() {
        return generatedTokens;
    }

    synchronized double ttftSeconds() {
        return ttftNanos < 0 ? -1 : ttftNanos / 1e9;
    }
}
