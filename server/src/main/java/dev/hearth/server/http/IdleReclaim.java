package dev.hearth.server.http;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gives memory back once the server's work stops: when no request that does work (a POST: generations, embeddings,
 * pulls) has been in flight for {@link #AFTER} each, the heap is collected once, which makes G1 shrink it (to at most
 * {@code MaxHeapFreeRatio} free, see {@code bin/jvm.options}) and so lowers the RSS to the live set. Twice per quiet
 * period: at 10 s, and at 30 s, after the grammar cache has dropped what went idle (its 20 s and a 5 s sweep). Cheap
 * reads ({@code /health}, {@code /metrics}) do not count as work, so a monitored idle server is idle too, and an
 * idle server is not collected again until work has run: unlike G1's own periodic collection, which repeats every
 * interval while idle.
 */
final class IdleReclaim {
    static final List<Duration> AFTER = List.of(Duration.ofSeconds(10), Duration.ofSeconds(30));
    /** Memory is the process's: one for all the servers in it (tests start many), with one watcher thread. */
    static final IdleReclaim PROCESS = new IdleReclaim(AFTER, Duration.ofSeconds(1), System::gc);

    private final AtomicInteger working = new AtomicInteger();
    private volatile long lastWorkEndNanos = System.nanoTime();
    private final List<Duration> after;
    private final long tickMillis;
    private final Runnable collect;
    /** How many of the collections this quiet period has had ({@code after.size()}: all, or no work yet). */
    private volatile int done;

    /** Runs {@code collect} when work has been over for each of {@code after}, looking every {@code tick}. */
    IdleReclaim(List<Duration> after, Duration tick, Runnable collect) {
        this.after = List.copyOf(after);
        this.tickMillis = tick.toMillis();
        this.collect = collect;
        this.done = after.size();
        Thread.ofPlatform().daemon().name("hearth-idle-reclaim").start(this::watch);
    }

    void workStarted() {
        working.incrementAndGet();
    }

    void workEnded() {
        lastWorkEndNanos = System.nanoTime();
        done = 0;
        working.decrementAndGet();
    }

    private void watch() {
        try {
            while (true) {
                Thread.sleep(tickMillis);
                int next = done;
                if (next < after.size() && working.get() == 0
                        && System.nanoTime() - lastWorkEndNanos > after.get(next).toNanos()) {
                    collect.run();
                    done = next + 1;
                }
            }
        } catch (InterruptedException stopped) {
            // the process ends
        }
    }
}
