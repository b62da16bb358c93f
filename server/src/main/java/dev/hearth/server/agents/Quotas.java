package dev.hearth.server.agents;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-agent quota counters, checked before a request is queued: requests in flight ({@code max-parallel}),
 * requests in the last 60 s ({@code rpm}), tokens in the last 60 s ({@code tpm}, in one-second buckets) and
 * tokens this UTC day ({@code daily-tokens}). Tokens are counted when a request ends, so a request is refused
 * once the agent is at or over a token limit. {@link #restore} rebuilds the counters from the ledger after a
 * restart. Thread-safe (one lock per agent); time comes from the caller so tests control it.
 */
public final class Quotas {
    private static final long MINUTE = 60_000;
    private static final long DAY = 86_400_000;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** A request admitted under the quotas; {@link #finish} it exactly once. */
    public final class Permit {
        private final String agent;
        private boolean finished;

        private Permit(String agent) {
            this.agent = agent;
        }

        /** The request ended having used {@code tokens} (prompt plus generated). */
        public void finish(long tokens, long nowMillis) {
            Window w = windows.get(agent);
            synchronized (w) {
                if (finished) {
                    return;
                }
                finished = true;
                w.parallel--;
                w.addTokens(tokens, nowMillis);
            }
        }
    }

    /** Admits a request of {@code agent} or throws {@link QuotaExceededException} naming the limit it is over. */
    public Permit acquire(AgentPolicy agent, long nowMillis) {
        AgentLimits l = agent.limits();
        Window w = windows.computeIfAbsent(agent.name(), k -> new Window());
        synchronized (w) {
            w.expire(nowMillis);
            if (l.maxParallel() > 0 && w.parallel >= l.maxParallel()) {
                throw new QuotaExceededException(agent.name(), "max-parallel", l.maxParallel(), 1);
            }
            if (l.rpm() > 0 && w.requests.size() >= l.rpm()) {
                long oldest = w.requests.peekFirst();
                throw new QuotaExceededException(agent.name(), "rpm", l.rpm(), seconds(oldest + MINUTE - nowMillis));
            }
            if (l.tpm() > 0 && w.minuteTokens() >= l.tpm()) {
                throw new QuotaExceededException(agent.name(), "tpm", l.tpm(), w.secondsUntilMinuteBelow(l.tpm(),
                        nowMillis));
            }
            if (l.dailyTokens() > 0 && w.dayTokens >= l.dailyTokens()) {
                throw new QuotaExceededException(agent.name(), "daily-tokens", l.dailyTokens(),
                        seconds((w.day + 1) * DAY - nowMillis));
            }
            w.requests.addLast(nowMillis);
            w.parallel++;
        }
        return new Permit(agent.name());
    }

    /** Replays one past request (from the ledger) into the counters: started at, ended at, tokens used. */
    public void restore(String agent, long startedMillis, long endedMillis, long tokens, long nowMillis) {
        Window w = windows.computeIfAbsent(agent, k -> new Window());
        synchronized (w) {
            if (startedMillis > nowMillis - MINUTE) {
                w.requests.addLast(startedMillis);
            }
            w.addTokens(tokens, endedMillis);
            w.expire(nowMillis);
        }
    }

    /** Requests in flight for the agent (for metrics and tests). */
    public int inFlight(String agent) {
        Window w = windows.get(agent);
        return w == null ? 0 : w.parallel;
    }

    private static int seconds(long millis) {
        return (int) Math.max(1, (millis + 999) / 1000);
    }

    /** One agent's counters; guarded by its own lock. */
    private static final class Window {
        final ArrayDeque<Long> requests = new ArrayDeque<>();
        final long[] tokensPerSecond = new long[60];
        final long[] bucketSecond = new long[60];
        long day = -1;
        long dayTokens;
        int parallel;

        void expire(long now) {
            while (!requests.isEmpty() && requests.peekFirst() <= now - MINUTE) {
                requests.pollFirst();
            }
            long second = now / 1000;
            for (int i = 0; i < 60; i++) {
                if (bucketSecond[i] <= second - 60) {
                    tokensPerSecond[i] = 0;
                }
            }
            if (now / DAY != day) {
                day = now / DAY;
                dayTokens = 0;
            }
        }

        void addTokens(long tokens, long at) {
            long second = at / 1000;
            int i = (int) (second % 60);
            if (bucketSecond[i] != second) {
                bucketSecond[i] = second;
                tokensPerSecond[i] = 0;
            }
            tokensPerSecond[i] += tokens;
            if (at / DAY == day || day < 0) {
                day = at / DAY;
                dayTokens += tokens;
            }
        }

        long minuteTokens() {
            long sum = 0;
            for (long t : tokensPerSecond) {
                sum += t;
            }
            return sum;
        }

        /** Seconds until enough buckets age out that the minute's tokens drop below {@code limit}. */
        int secondsUntilMinuteBelow(long limit, long now) {
            long total = minuteTokens();
            long second = now / 1000;
            for (int wait = 1; wait <= 60; wait++) {
                int i = (int) ((second - 60 + wait) % 60);
                if (bucketSecond[i] == second - 60 + wait) {
                    total -= tokensPerSecond[i];
                }
                if (total < limit) {
                    return wait;
                }
            }
            return 60;
        }
    }
}
