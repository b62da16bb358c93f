package dev.hearth.model;

/**
 * How to load a model.
 *
 * @param threads compute threads (at least 1)
 * @param maxBatchTokens the most rows one forward pass takes; buffers are sized for it at load
 * @param nativeKernels whether Q4_0, Q5_0, Q8_0, Q4_K, Q5_K and Q6_K matmuls may run on the native int8 kernels
 *     where this machine has them ({@link dev.hearth.kernel.NativeKernels}); false keeps every matmul on the Vector
 *     API float kernels
 * @param repackCache the directory of the repack cache ({@link dev.hearth.kernel.RepackCache}), or null: repacked
 *     weights are then rebuilt at every load and held in memory only
 */
public record ModelOptions(int threads, int maxBatchTokens, boolean nativeKernels, java.nio.file.Path repackCache) {
    public static final int DEFAULT_MAX_BATCH_TOKENS = 128;

    public ModelOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (maxBatchTokens < 1) {
            throw new IllegalArgumentException("max batch tokens must be at least 1, got " + maxBatchTokens);
        }
    }

    public ModelOptions(int threads, int maxBatchTokens, boolean nativeKernels) {
        this(threads, maxBatchTokens, nativeKernels, null);
    }

    public ModelOptions(int threads, int maxBatchTokens) {
        this(threads, maxBatchTokens, true);
    }

    public ModelOptions withRepackCache(java.nio.file.Path dir) {
        return new ModelOptions(threads, maxBatchTokens, nativeKernels, dir);
    }

    /** One thread per core, the default batch size. */
    public static ModelOptions defaults() {
        return new ModelOptions(Runtime.getRuntime().availableProcessors(), DEFAULT_MAX_BATCH_TOKENS);
    }

    public ModelOptions withThreads(int n) {
        return new ModelOptions(n, maxBatchTokens, nativeKernels, repackCache);
    }

    public ModelOptions withNativeKernels(boolean on) {
        return new ModelOptions(threads, maxBatchTokens, on, repackCache);
    }

    public ModelOptions withMaxBatchTokens(int n) {
        return new ModelOptions(threads, n, nativeKernels, repackCache);
    }
}
