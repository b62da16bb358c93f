package dev.hearth.engine;

import dev.hearth.kv.BlockTable;
import dev.hearth.sampling.TokenSampler;
import java.util.Arrays;

/**
 * One generation inside the engine (engine thread only): its ids (prompt then generated), how many of them are in
 * the KV cache, its slot and KV blocks, and its per-sequence sampler, decoder and stop matcher.
 */
final class Sequence {
    final long id;
    final GenerationRequest request;
    final GenerationHandle handle;
    final int promptLength;
    final long submittedNanos;
    int[] ids;
    int length;
    int computed;
    int slot = -1;
    /** KV blocks covering positions [0, length) while running; empty while waiting. */
    final BlockTable blocks = new BlockTable();
    /** Positions taken from the prefix cache at the last admission (not computed by this sequence). */
    int cachedTokens;
    /** Times this sequence was preempted (its blocks freed, recomputed later). */
    int preemptions;
    long firstTokenNanos;
    /** Scheduling (engine thread): the agent's fair-share account, the class now (lower is better, aging lowers it). */
    final Scheduling scheduling;
    AgentShare share;
    int priorityClass;
    long arrival;
    long waitingSince;
    long admittedOrder;
    long plannedStep = -1;
    boolean requeued;
    TokenSampler sampler;
    TextDecoder decoder;
    StopMatcher stop;
    final StringBuilder text = new StringBuilder();

    Sequence(long id, GenerationRequest request, GenerationHandle handle, int capacity) {
        this.id = id;
        this.request = request;
        this.handle = handle;
        this.promptLength = request.promptIds().length;
        this.ids = Arrays.copyOf(request.promptIds(), Math.max(capacity, promptLength));
        this.length = promptLength;
        this.submittedNanos = System.nanoTime();
        this.scheduling = request.scheduling();
        this.priorityClass = scheduling.priority().ordinal();
    }

    /** Tokens not yet in the KV cache (at least 1 while running). */
    int pending() {
        return length - computed;
    }

    int generated() {
        return length - promptLength;
    }

    void append(int token) {
        if (length == ids.length) {
            ids = Arrays.copyOf(ids, ids.length * 2);
        }
        ids[length++] = token;
    }
}
