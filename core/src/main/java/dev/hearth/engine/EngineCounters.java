package dev.hearth.engine;

/**
 * A snapshot of one engine's own counters, readable from any thread (for the dashboard's stats). Totals count
 * since the engine started; the rest is the state after its latest step.
 *
 * @param running sequences holding a KV slot now
 * @param waiting sequences submitted and not yet running
 * @param promptTokens prompt positions computed by forward passes (recomputed ones after a preemption included;
 *     positions served from the prefix cache are not)
 * @param generatedTokens tokens sampled
 * @param cachedPromptTokens prompt positions served from the prefix cache instead of being computed
 * @param kvBlocksUsed blocks held by some sequence
 * @param kvBlocksCached blocks nobody holds but kept for prefix reuse (handed out when the free ones run out)
 * @param kvBlockSize positions per block
 * @param kvBytes bytes of the whole KV pool (0 where the runner does not say)
 */
public record EngineCounters(int running, int waiting, int maxSequences, long steps, long promptTokens,
        long generatedTokens, long cachedPromptTokens, long preemptions, int kvBlocksTotal, int kvBlocksUsed,
        int kvBlocksCached, int kvBlockSize, long kvBytes, double fairnessIndex) {

    /** Blocks on the free list (neither held nor cached). */
    public int kvBlocksFree() {
        return kvBlocksTotal - kvBlocksUsed - kvBlocksCached;
    }
}
