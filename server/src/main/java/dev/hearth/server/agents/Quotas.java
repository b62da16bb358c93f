package dev.hearth.server.agents;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-agent quota counters, checked before a request is queued: requests in flight ({@code max-parallel}),
 * requests in the last 60 s ({@code rpm}), tokens in the last 60 s ({@code tpm}, in one-second buckets) and
 * tokens this UTC day ({@code daily-tokens}).
 *
 * <p>Tokens are reserved at admission and settled at the end: {@link #acquire} takes a request slot, then
 * {@link Permit#reserve} books the request's worst case (prompt estimate plus its {@code max_tokens}, or
 * {@link #DEFAULT_RESERVED_COMPLETION_TOKENS} without one) against tpm and daily-tokens together with what is
 * already used and what requests in flight have reserved, so a burst of parallel requests cannot overshoot a limit;
 * {@link Permit#finish} replaces the reservation with the real count (also after an error or a cancel). A request
 * whose reservation alone exceeds a limit is admitted only when the agent has nothing used or reserved in that
 * window, so it is not refused forever. Reservations live in memory only: after a restart {@link #restore}
 * rebuilds the counters from the ledger's settled rows, so a reservation a crash never settled does not outlive
 * the process. Thread-safe (one lock per agent); time comes from the caller so tests control it.
 */
public final class Quotas {
    /** Completion tokens reserved for a request without {@code max_tokens}. */
    public static final long DEFAULT_RESERVED_COMPLETION_TOKENS = 1024;
    private static final long MINUTE = 60_000;
    private static final long DAY = 86_400_000;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** A request admitted under the quotas; {@link #finish} it exactly once. */
    public final class Permit {
        private final String agent;
        private final AgentLimits limits;
        private final long admittedAt;
        private long reserved;
        private boolean counted = true;
        private boolean finished;

        private Permit(String agent, AgentLimits limits, long admittedAt) {
            this.agent = agent;
            this.limits = limits;
            this.admittedAt = admittedAt;
        }

        /**
         * Reserves {@code tokens} more against the agent's tpm and daily-tokens limits, or throws
         * {@link QuotaExceededException} naming the limit (the request then no longer counts against rpm).
         */
        public void reserve(long tokens, long nowMillis) {
            if (tokens <= 0) {
                return;
            }
            Window w = windows.get(agent);
            synchronized (w) {
                if (finished) {
                    throw new IllegalStateException("the request of agent '" + agent + "' already finished");
                }
                w.expire(nowMillis);
                try {
                    w.checkTokens(agent, limits, tokens, nowMillis);
                } catch (QuotaExceededException e) {
                    if (counted) {
                        w.requests.removeLastOccurrence(admittedAt);
                        counted = false;
                    }
                    throw e;
                }
                reserved += tokens;
                w.reserved += tokens;
            }
        }

        /** Tokens this request holds in reservation (settled: 0). */
        public long reserved() {
            Window w = windows.get(agent);
            synchronized (w) {
                return reserved;
            }
        }

        /** The request ended having used {@code tokens} (prompt plus generated): settles its reservation. */
        public void finish(long tokens, long nowMillis) {
            Window w = windows.get(agent);
            synchronized (w) {
                if (finished) {
                    return;
                }
                finished = true;
                w.parallel--;
                w.reserved -= reserved;
                reserved = 0;
                w.expire(nowMillis);
                w.addTokens(tokens, nowMillis);
            }
        }
    }

    /**
     * Admits a request of {@code agent} or throws {@link QuotaExceededException} naming the limit it is over; its
     * tokens are reserved later with {@link Permit#reserve} (here it is refused only when a token limit is already
     * reached).
     */
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
            w.checkTokens(agent.name(), l, 0, nowMillis);
            w.requests.addLast(nowMillis);
            w.parallel++;
        }
        return new Permit(agent.name(), l, nowMillis);
    }

    /** {@link #acquire} and {@link Permit#reserve} in one: a request whose size is known up front. */
    public Permit acquire(AgentPolicy agent, long reservedTokens, long nowMillis) {
        Permit p = acquire(agent, nowMillis);
        try {
            p.reserve(reservedTokens, nowMillis);
        } catch (QuotaExceededException e) {
            p.finish(0, nowMillis);
            throw e;
        }
        return p;
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

    /** Tokens reserved by the agent's requests in flight (for tests). */
    public long reserved(String agent) {
        Window w = windows.get(agent);
        if (w == null) {
            return 0;
        }
        synchronized (w) {
            return w.reserved;
        }
    }

    /** Tokens counted against the agent's tpm limit now, settled requests only (for tests). */
    public long minuteTokens(String agent, long nowMillis) {
        Window w = windows.get(agent);
        if (w == null) {
            return 0;
        }
        synchronized (w) {
            w.expire(nowMillis);
            return w.minuteTokens();
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
        long reserved;
        int parallel;

        /**
         * Throws when {@code charge} more tokens would take tpm or daily-tokens over its limit, counting what is
         * used and reserved; a charge over the whole limit counts as the limit (it fits an idle window).
         */
        void checkTokens(String agent, AgentLimits l, long charge, long now) {
            if (l.tpm() > 0 && over(minuteTokens(), l.tpm(), charge)) {
                throw new QuotaExceededException(agent, "tpm", l.tpm(), secondsUntilMinuteFits(l.tpm(),
                        Math.min(charge, l.tpm()), now));
            }
            if (l.dailyTokens() > 0 && over(dayTokens, l.dailyTokens(), charge)) {
                boolean settlingHelps = reserved > 0 && dayTokens + Math.min(charge, l.dailyTokens()) <= l.dailyTokens();
                throw new QuotaExceededException(agent, "daily-tokens", l.dailyTokens(),
                        settlingHelps ? 1 : seconds((day + 1) * DAY - now));
            }
        }

        /** At or over the limit already, or {@code charge} (capped at the limit) does not fit beside the rest. */
        private boolean over(long used, long limit, long charge) {
            long taken = used + reserved;
            return taken >= limit || (charge > 0 && taken + Math.min(charge, limit) > limit);
        }

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

        /**
         * Seconds until enough buckets age out that the minute's tokens plus the reservations plus {@code charge}
         * fit the limit; 1 when only requests in flight settling can make room, 60 when nothing would.
         */
        int secondsUntilMinuteFits(long limit, long charge, long now) {
            long total = minuteTokens();
            long second = now / 1000;
            for (int wait = 1; wait <= 60; wait++) {
                int i = (int) ((second - 60 + wait) % 60);
                if (bucketSecond[i] == second - 60 + wait) {
                    total -= tokensPerSecond[i];
                }
                if (total + reserved < limit && total + reserved + charge <= limit) {
                    return wait;
                }
            }
            return reserved > 0 ? 1 : 60;
        }
    }
}
