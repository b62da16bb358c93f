package dev.hearth.engine;

import dev.hearth.kernel.NativeKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures this machine's memory read bandwidth the way decoding uses it: several threads streaming through a buffer
 * much larger than the caches, read as the native kernels read weights (software prefetch ahead of the loads). Decode speed is bounded by bandwidth / bytes of weights read per token.
 */
public final class MemoryBandwidth {
    private MemoryBandwidth() {}

    /** Bytes per second read by {@code threads} threads over a {@code megabytes} MiB buffer (best of a few passes). */
    public static double measure(int threads, int megabytes) {
        long bytes = (long) megabytes << 20;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(bytes, 64);
            for (long i = 0; i < bytes; i += 4096) {
                buffer.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            double best = 0;
            AtomicLong sink = new AtomicLong();
            for (int pass = 0; pass < 4; pass++) {
                Thread[] workers = new Thread[threads];
                long start = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    long from = bytes / threads * t;
                    long to = t == threads - 1 ? bytes : bytes / threads * (t + 1);
                    workers[t] = Thread.ofPlatform()
                            .start(() -> sink.addAndGet(NativeKernels.streamSum(buffer, from, to)));
                }
                for (Thread w : workers) {
                    try {
                        w.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return best;
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                best = Math.max(best, bytes / seconds);
            }
            return sink.get() == 42 ? best + 1e-9 : best;
        }
    }
}
