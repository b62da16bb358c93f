package dev.hearth.server.local;

import dev.hearth.kv.KvPrecision;

/**
 * How {@link ModelLoader} sizes each model it loads.
 *
 * @param parallel KV slots: the most sequences generating at once per model
 * @param contextLength positions per sequence; 0 takes the model's, capped at 4096
 * @param threads compute threads
 * @param maxBatchTokens the most tokens one forward pass takes
 * @param maxWaiting requests that may wait for a slot before new ones get 429
 * @param repackCache directory of the repack cache ({@code $HEARTH_HOME/cache}), or null to rebuild repacked weights
 *     in memory at every load ({@code --no-repack-cache})
 */
public record LoadOptions(int parallel, int contextLength, int threads, int maxBatchTokens, int maxWaiting,
        KvPrecision kvPrecision, java.nio.file.Path repackCache) {
    public LoadOptions(int parallel, int contextLength, int threads, int maxBatchTokens, int maxWaiting,
            KvPrecision kvPrecision) {
        this(parallel, contextLength, threads, maxBatchTokens, maxWaiting, kvPrecision, null);
    }

    public LoadOptions withRepackCache(java.nio.file.Path dir) {
        return new LoadOptions(parallel, contextLength, threads, maxBatchTokens, maxWaiting, kvPrecision, dir);
    }

    public LoadOptions {
        if (parallel < 1) {
            throw new IllegalArgumentException("parallel must be at least 1, got " + parallel);
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("the context size must not be negative, got " + contextLength);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (maxBatchTokens < 1) {
            throw new IllegalArgumentException("the batch size must be at least 1, got " + maxBatchTokens);
        }
        if (maxWaiting < 0) {
            throw new IllegalArgumentException("the wait queue must not be negative, got " + maxWaiting);
        }
    }
}
