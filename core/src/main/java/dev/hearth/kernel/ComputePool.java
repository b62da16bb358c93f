package dev.hearth.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of platform threads that split loops into contiguous ranges. The calling thread works too, so a pool
 * of n threads has n - 1 workers. Ranges are handed out dynamically from a shared counter, so a thread that the OS
 * delays does not hold the others up. Hand-off is a volatile generation counter: workers spin briefly, then park.
 * One caller at a time (the engine thread that owns the model).
 */
public final class ComputePool implements AutoCloseable {
    private final int threads;
    private final Thread[] workers;
    private volatile int generation;
    private volatile boolean closed;
    private volatile RangeBody body;
    private volatile int total;
    private volatile int grain;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final MatmulTask matmulTask;
    private final boolean nativeKernels;
    private volatile Thread caller;
    private volatile Throwable failure;

    public ComputePool(int threads) {
        this(threads, true);
    }

    /**
     * @param nativeKernels whether matmuls on this pool may run on the native int8 kernels where they are available
     *     ({@link NativeKernels}); false keeps them on the Vector API kernels
     */
    public ComputePool(int threads, boolean nativeKernels) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.nativeKernels = nativeKernels;
        this.matmulTask = new MatmulTask(nativeKernels);
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int index = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("hearth-compute-" + index).start(() -> workerLoop(index));
        }
    }

    /** A pool with one thread per available core. */
    public static ComputePool ofAvailableCores() {
        return new ComputePool(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /** Whether matmuls on this pool may run on the native int8 kernels. */
    public boolean nativeKernels() {
        return nativeKernels;
    }

    /** The matmul body reused by every call on this pool (one caller at a time). */
    MatmulTask matmulTask() {
        return matmulTask;
    }

    /** Runs body over [0, n) split into contiguous ranges; returns when all ranges are done. */
    public void parallelFor(int n, RangeBody body) {
        parallelFor(n, 1, body);
    }

    /**
     * As {@link #parallelFor(int, RangeBody)}, with ranges of {@code multiple} elements (the last one may be
     * shorter): the body may run several times per thread, on ranges in any order.
     */
    public void parallelFor(int n, int multiple, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int used = Math.min(threads, Math.max(1, (n + multiple - 1) / multiple));
        if (used == 1) {
            body.run(0, n);
            return;
        }
        this.body = body;
        this.total = n;
        this.grain = multiple;
        this.failure = null;
        this.caller = Thread.currentThread();
        nextChunk.set(0);
        pending.set(threads - 1);
        generation++;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        try {
            runChunks(body, n, multiple);
        } catch (Throwable t) {
            failure = t;
        }
        int spins = 0;
        while (pending.get() > 0) {
            if (++spins < 20_000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
        this.body = null;
        Throwable t = failure;
        if (t != null) {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new RuntimeException(t);
        }
    }

    private void runChunks(RangeBody b, int n, int multiple) {
        int chunks = (n + multiple - 1) / multiple;
        for (int c = nextChunk.getAndIncrement(); c < chunks; c = nextChunk.getAndIncrement()) {
            int start = c * multiple;
            b.run(start, Math.min(n, start + multiple));
        }
    }

    private void workerLoop(int index) {
        int seen = 0;
        while (!closed) {
            int spins = 0;
            while (generation == seen && !closed) {
                if (++spins < 20_000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                runChunks(body, total, grain);
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
