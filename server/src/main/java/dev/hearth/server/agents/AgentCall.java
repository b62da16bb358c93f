package dev.hearth.server.agents;

import dev.hearth.engine.FinishReason;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.engine.Scheduling;
import dev.hearth.server.backend.PullPermission;

/**
 * One request of one caller, from the access filter to the ledger: who, which endpoint, its quota permit, and what
 * its generations reported. Passed explicitly: the access filter puts it in the request's context, the handler hands
 * it to the router in the {@code RouteRequest} (which reserves tokens with {@link #reserve}), names the target that
 * served ({@link #servedBy}) and reports each finished choice ({@link #generationDone}); the filter settles it once
 * at the end ({@link AgentGate#end}).
 */
public final class AgentCall {
    final Caller caller;
    final String endpoint;
    final long startedMillis = System.currentTimeMillis();
    final long startedNanos = System.nanoTime();
    final Quotas.Permit permit;
    private final PullPermission pull;
    private String model;
    private String backend = "local";
    private long promptTokens;
    private long generatedTokens;
    private long ttftNanos = -1;
    private FinishReason finishReason;

    AgentCall(Caller caller, String endpoint, Quotas.Permit permit, PullPermission pull) {
        this.caller = caller;
        this.endpoint = endpoint;
        this.permit = permit;
        this.pull = pull;
    }


    /**
     * Reserves this request's worst-case tokens against its agent's tpm and daily-tokens limits before it is
     * queued: {@code promptTokens} (an estimate) plus {@code choices} times {@code maxTokens}, or
     * {@link Quotas#DEFAULT_RESERVED_COMPLETION_TOKENS} when the request sets none. Throws
     * {@link QuotaExceededException} when that does not fit; the request's end settles it to the real count.
     * A no-op for a caller without quotas.
     */
    public void reserve(long promptTokens, Integer maxTokens, int choices) {
        if (permit != null) {
            long completion = maxTokens == null || maxTokens <= 0 ? Quotas.DEFAULT_RESERVED_COMPLETION_TOKENS
                    : maxTokens;
            permit.reserve(Math.max(0, promptTokens) + Math.max(1, choices) * completion, System.currentTimeMillis());
        }
    }

    /** Names the backend target that served this request (the router's answer, after any fallback). */
    public synchronized void servedBy(String backend) {
        this.backend = backend;
    }

    /** Records one finished choice of this request (a local generation's, or a relayed answer's usage). */
    public synchronized void generationDone(String model, GenerationEvent.Done d) {
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

    /** Whether this request may make the server download a model it names (decided by the access filter). */
    public PullPermission pull() {
        return pull;
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
