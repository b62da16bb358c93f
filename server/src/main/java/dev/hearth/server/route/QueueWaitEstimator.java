package dev.hearth.server.route;

import dev.hearth.server.backend.Backend;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Predicts how long a new request would wait for a local engine's slot, from the live queue depth and the measured
 * tokens/s: each finished generation adds its tokens to the model's meter; throughput is the tokens finished over the
 * last window, and the wait is the tokens ahead (waiting requests plus one, times the mean tokens per request) over
 * that throughput. With a free slot, or before anything was measured, the wait is zero.
 */
public final class QueueWaitEstimator {
    private static final long WINDOW_NANOS = 30_000_000_000L;

    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Meter> meters = new ConcurrentHashMap<>();

    public QueueWaitEstimator(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    /** One finished generation of {@code model}. */
    public void finished(String model, int generatedTokens) {
        meters.computeIfAbsent(model, m -> new Meter()).add(clock.getAsLong(), generatedTokens);
    }

    /** Tokens/s finished over the window, or 0 when not measured. */
    public double tokensPerSecond(String model) {
        Meter m = meters.get(model);
        return m == null ? 0 : m.rate(clock.getAsLong());
    }

    /** Predicted wait in milliseconds for a request arriving now. */
    public long waitMillis(String model, Backend.LoadStatus load) {
        if (load.running() < load.maxSequences() && load.waiting() == 0) {
            return 0;
        }
        Meter m = meters.get(model);
        double rate = m == null ? 0 : m.rate(clock.getAsLong());
        if (rate <= 0) {
            return 0;
        }
        return Math.round((load.waiting() + 1) * m.meanTokens() / rate * 1000);
    }

    /** Finished tokens in the current and previous window; the rate interpolates between them. */
    private static final class Meter {
        private long windowStart = Long.MIN_VALUE;
        private long current;
        private long previous;
        private double meanTokens;

        synchronized void add(long now, int tokens) {
            roll(now);
            current += tokens;
            meanTokens = meanTokens == 0 ? tokens : 0.8 * meanTokens + 0.2 * tokens;
        }

        synchronized double rate(long now) {
            roll(now);
            double inWindow = (double) (now - windowStart) / WINDOW_NANOS;
            double tokens = current + previous * (1 - inWindow);
            return tokens / (WINDOW_NANOS / 1e9);
        }

        synchronized double meanTokens() {
            return meanTokens;
        }

        private void roll(long now) {
            if (windowStart == Long.MIN_VALUE) {
                windowStart = now;
            }
            while (now - windowStart >= WINDOW_NANOS) {
                previous = now - windowStart >= 2 * WINDOW_NANOS ? 0 : current;
                current = 0;
                windowStart = now - windowStart >= 2 * WINDOW_NANOS ? now : windowStart + WINDOW_NANOS;
            }
        }
    }
}
