package dev.hearth.server.hub;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Measures memory read bandwidth the way decoding uses it: every core streams through its own slice of a buffer
 * much larger than the caches. Best of a few passes, in bytes per second. Takes a fraction of a second. This is
 * a measurement tool, not an inference kernel, so it lives with the planner.
 */
public final class BandwidthProbe {
    static final long BUFFER_BYTES = 256L << 20;
    private static final int PASSES = 4;

    private BandwidthProbe() {}

    public static double measure(int threads) {
        int n = Math.max(1, Math.min(threads, 64));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(BUFFER_BYTES, 64);
            buffer.fill((byte) 1); // commit the pages before timing
            long slice = BUFFER_BYTES / n / 8 * 8;
            double best = 0;
            long[] sink = new long[n];
            for (int pass = 0; pass < PASSES; pass++) {
                CountDownLatch start = new CountDownLatch(1);
                List<Thread> workers = new ArrayList<>();
                for (int t = 0; t < n; t++) {
                    int id = t;
                    MemorySegment part = buffer.asSlice(id * slice, slice);
                    workers.add(Thread.ofPlatform().name("hearth-bandwidth-" + t).start(() -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        sink[id] += sum(part);
                    }));
                }
                long t0 = System.nanoTime();
                start.countDown();
                for (Thread w : workers) {
                    try {
                        w.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return best;
                    }
                }
                long nanos = System.nanoTime() - t0;
                best = Math.max(best, slice * (double) n / (nanos / 1e9));
            }
            if (sink[0] == 42) {
                System.out.print(""); // keep the reads alive
            }
            return best;
        }
    }

    private static long sum(MemorySegment part) {
        long acc0 = 0;
        long acc1 = 0;
        long acc2 = 0;
        long acc3 = 0;
        long size = part.byteSize();
        for (long off = 0; off + 32 <= size; off += 32) {
            acc0 += part.get(ValueLayout.JAVA_LONG_UNALIGNED, off);
            acc1 += part.get(ValueLayout.JAVA_LONG_UNALIGNED, off + 8);
            acc2 += part.get(ValueLayout.JAVA_LONG_UNALIGNED, off + 16);
            acc3 += part.get(ValueLayout.JAVA_LONG_UNALIGNED, off + 24);
        }
        return acc0 + acc1 + acc2 + acc3;
    }
}
