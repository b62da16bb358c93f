package dev.hearth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The heap is collected once per step of a quiet period after work, never while work runs, never again idle. */
class IdleReclaimTest {
    @Test
    void collectsAtEachStepOfAQuietPeriodOnly() throws Exception {
        AtomicInteger collections = new AtomicInteger();
        IdleReclaim reclaim = new IdleReclaim(List.of(Duration.ofMillis(100), Duration.ofMillis(300)),
                Duration.ofMillis(10), collections::incrementAndGet);
        Thread.sleep(500);
        assertThat(collections.get()).as("no work yet: nothing to give back").isZero();

        reclaim.workStarted();
        Thread.sleep(500);
        assertThat(collections.get()).as("work in flight").isZero();
        reclaim.workEnded();
        waitFor(collections, 2);
        Thread.sleep(500);
        assertThat(collections.get()).as("idle: not collected again").isEqualTo(2);

        reclaim.workStarted();
        reclaim.workEnded();
        waitFor(collections, 4);
    }

    private static void waitFor(AtomicInteger count, int expected) throws InterruptedException {
        for (long end = System.nanoTime() + 10_000_000_000L; count.get() < expected && System.nanoTime() < end; ) {
            Thread.sleep(10);
        }
        assertThat(count.get()).isEqualTo(expected);
    }
}
