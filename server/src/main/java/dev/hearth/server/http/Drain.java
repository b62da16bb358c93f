package dev.hearth.server.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's shutdown state: once draining, {@code /health} is 503 and new requests are refused, while the requests
 * in flight (counted here) get the grace period to finish.
 */
final class Drain {
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    boolean draining() {
        return draining;
    }

    void start() {
        draining = true;
    }

    void enter() {
        inFlight.incrementAndGet();
    }

    void exit() {
        inFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Waits until no request is in flight or {@code timeout} has passed; whether none is left. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
