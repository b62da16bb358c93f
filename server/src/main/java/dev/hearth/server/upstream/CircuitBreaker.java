package dev.hearth.server.upstream;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * One backend's circuit breaker. Closed: requests pass, failures in a row are counted; at the threshold it opens.
 * Open: requests are refused until {@code openFor} has passed, then it is half-open: exactly one probe request
 * passes at a time; its success closes the breaker, its failure opens it again for another {@code openFor}.
 */
public final class CircuitBreaker {
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int threshold;
    private final long openNanos;
    private final LongSupplier clock;
    private State state = State.CLOSED;
    private int failuresInRow;
    private long openedAt;
    private boolean probeInFlight;

    public CircuitBreaker(int threshold, Duration openFor, LongSupplier nanoClock) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be >= 1, got " + threshold);
        }
        this.threshold = threshold;
        this.openNanos = openFor.toNanos();
        this.clock = nanoClock;
    }

    /** Whether a request may go now; in half-open state this claims the one probe, which must be reported. */
    public synchronized boolean tryAcquire() {
        if (state == State.OPEN && clock.getAsLong() - openedAt >= openNanos) {
            state = State.HALF_OPEN;
            probeInFlight = false;
        }
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> false;
            case HALF_OPEN -> {
                if (probeInFlight) {
                    yield false;
                }
                probeInFlight = true;
                yield true;
            }
        };
    }

    /** Whether {@link #tryAcquire} could pass now, without claiming anything. */
    public synchronized boolean isAvailable() {
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> clock.getAsLong() - openedAt >= openNanos;
            case HALF_OPEN -> !probeInFlight;
        };
    }

    public synchronized void onSuccess() {
        failuresInRow = 0;
        probeInFlight = false;
        state = State.CLOSED;
    }

    public synchronized void onFailure() {
        probeInFlight = false;
        failuresInRow++;
        if (state == State.HALF_OPEN || failuresInRow >= threshold) {
            state = State.OPEN;
            openedAt = clock.getAsLong();
        }
    }

    /** Gives back a claimed probe that never reached the backend (e.g. the request was refused before sending). */
    public synchronized void release() {
        probeInFlight = false;
    }

    public synchronized State state() {
        if (state == State.OPEN && clock.getAsLong() - openedAt >= openNanos) {
            return State.HALF_OPEN;
        }
        return state;
    }
}
