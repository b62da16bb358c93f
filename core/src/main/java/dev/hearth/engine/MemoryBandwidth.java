package dev.hearth.engine;

import dev.hearth.kernel.NativeKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures this machine's memory read bandwidth the way decoding uses it: several threads streaming through a buffer
 * much larger than the caches, with and without the software prefetch the native kernels issue ahead of their loads
 * (the better counts). Decode speed is bounded by bandwidth / bytes of weights read per token.
 */
public final class MemoryBandwidth {
    private MemoryBandwidth() {}

    /**
     * Bytes per second read by {@code threads} threads over a {@code megabytes} MiB buffer: the best of a few passes,
     * alternately with the kernels' software prefetch and without it (see hk_stream_sum), each timed from the moment
     * the started threads are let go to the last one's end.
     */
    public static double measure(int threads, int megabytes) {
        long bytes = (long) megabytes << 20;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(bytes, 64);
            for (long i = 0; i < bytes; i += 4096) {
                buffer.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            double best = 0;
            AtomicLong sink = new AtomicLong();
            for (int pass = 0; pass < 6; pass++) {
                boolean prefetch = pass % 2 == 0;
                CountDownLatch go = new CountDownLatch(1);
                CountDownLatch ready = new CountDownLatch(threads);
                Thread[] workers = new Thread[threads];
                for (int t = 0; t < threads; t++) {
                    long from = bytes / threads * t;
                    long to = t == threads - 1 ? bytes : bytes / threads * (t + 1);
                    workers[t] = Thread.ofPlatform().start(() -> {
                        ready.countDown();
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        sink.addAndGet(NativeKernels.streamSum(buffer, from, to, prefetch));
                    });
                }
                long start;
                try {
                    ready.await();
                    start = System.nanoTime();
                    go.countDown();
                    for (Thread w : workers) {
                        w.join();
                    }
                } catch (InterruptedException e) {
                    for (Thread w : workers) {
                        w.interrupt();
                    }
                    Thread.currentThread().interrupt();
                    return best;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                best = Math.max(best, bytes / seconds);
            }
            return sink.get() == 42 ? best + 1e-9 : best;
        }
    }
}
