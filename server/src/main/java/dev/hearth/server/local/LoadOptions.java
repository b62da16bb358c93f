package dev.hearth.server.local;

import dev.hearth.device.DeviceChoice;
import dev.hearth.kv.KvPrecision;

/**
 * How {@link ModelLoader} sizes each model it loads.
 *
 * @param parallel KV slots: the most sequences generating at once per model
 * @param contextLength positions per sequence; 0 takes the model's, capped at 4096
 * @param threads compute threads
 * @param maxBatchTokens the most tokens one forward pass takes
 * @param maxWaiting requests that may wait for a slot before new ones get 429
 * @param device where the model runs ({@code --device}, {@code --gpu-layers})
 * @param repackCache directory of the repack cache ({@code $HEARTH_HOME/cache}), or null to rebuild repacked weights
 *     in memory at every load ({@code --no-repack-cache})
 */
public record LoadOptions(int parallel, int contextLength, int threads, int maxBatchTokens, int maxWaiting,
        KvPrecision kvPrecision, java.nio.file.Path repackCache, DeviceChoice device) {
    public LoadOptions(int parallel, int contextLength, int threads, int maxBatchTokens, int maxWaiting,
            KvPrecision kvPrecision) {
        this(parallel, contextLength, threads, maxBatchTokens, maxWaiting, kvPrecision, null, DeviceChoice.DEFAULT);
    }

    public LoadOptions(int parallel, int contextLength, int threads, int maxBatchTokens, int maxWaiting,
            KvPrecision kvPrecision, java.nio.file.Path repackCache) {
        this(parallel, contextLength, threads, maxBatchTokens, maxWaiting, kvPrecision, repackCache,
                DeviceChoice.DEFAULT);
    }

    public LoadOptions withRepackCache(java.nio.file.Path dir) {
        return new LoadOptions(parallel, contextLength, threads, maxBatchTokens, maxWaiting, kvPrecision, dir, device);
    }

    /** These options on the device the user chose ({@code --device}, {@code --gpu-layers}). */
    public LoadOptions withDevice(DeviceChoice choice) {
        return new LoadOptions(parallel, contextLength, threads, maxBatchTokens, maxWaiting, kvPrecision, repackCache,
                choice);
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
        if (device == null) {
            device = DeviceChoice.DEFAULT;
        }
        if (maxWaiting < 0) {
            throw new IllegalArgumentException("the wait queue must not be negative, got " + maxWaiting);
        }
    }
}
