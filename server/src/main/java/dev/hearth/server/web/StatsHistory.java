package dev.hearth.server.web;

import dev.hearth.engine.EngineCounters;
import dev.hearth.server.backend.Backend;
import dev.hearth.server.backend.ModelInfo;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last {@link #CAPACITY} seconds of the local engines, summed over their models, one sample a second: tokens/s
 * generated and prompt-processed, running and waiting sequences, KV blocks in use. A daemon thread samples while the
 * server runs ({@link #start}, {@link #stop}); the dashboard reads {@link #series}.
 */
final class StatsHistory {
    static final int CAPACITY = 600;
    private static final long INTERVAL_MILLIS = 1000;

    private final Backend backend;
    private final long[] times = new long[CAPACITY];
    private final double[] generatedPerSecond = new double[CAPACITY];
    private final double[] promptPerSecond = new double[CAPACITY];
    private final int[] running = new int[CAPACITY];
    private final int[] waiting = new int[CAPACITY];
    private final int[] kvBlocksUsed = new int[CAPACITY];
    private int next;
    private int size;
    // per model: the counters of the previous sample, so a model loaded or unloaded between samples adds no jump
    private Map<String, EngineCounters> previous = new HashMap<>();
    private long previousNanos;
    private volatile Thread thread;

    StatsHistory(Backend backend) {
        this.backend = backend;
    }

    void start() {
        if (thread == null) {
            // assigned before it starts: a sampler that ran first would see no thread of its own and stop at once (the
            // dashboard's chart stayed empty on a loaded machine)
            Thread t = Thread.ofPlatform().daemon().name("hearth-stats-history").unstarted(this::run);
            thread = t;
            t.start();
        }
    }

    void stop() {
        Thread t = thread;
        thread = null;
        if (t != null) {
            t.interrupt();
        }
    }

    private void run() {
        while (thread == Thread.currentThread()) {
            try {
                sample(System.nanoTime(), System.currentTimeMillis());
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // a model unloading under us: skip this sample, keep sampling
            }
        }
    }

    /** Takes one sample; rates are over the time since the previous one. */
    synchronized void sample(long nanos, long epochMillis) {
        Map<String, EngineCounters> now = new HashMap<>();
        for (ModelInfo m : backend.models()) {
            backend.counters(m.name()).ifPresent(c -> now.put(m.name(), c));
        }
        double seconds = previousNanos == 0 ? 0 : (nanos - previousNanos) / 1e9;
        long generated = 0;
        long prompt = 0;
        int run = 0;
        int wait = 0;
        int kv = 0;
        for (Map.Entry<String, EngineCounters> e : now.entrySet()) {
            EngineCounters c = e.getValue();
            EngineCounters before = previous.get(e.getKey());
            if (before != null) {
                generated += Math.max(0, c.generatedTokens() - before.generatedTokens());
                prompt += Math.max(0, c.promptTokens() - before.promptTokens());
            }
            run += c.running();
            wait += c.waiting();
            kv += c.kvBlocksUsed();
        }
        previous = now;
        previousNanos = nanos;
        if (seconds <= 0) {
            return;  // the first sample only sets the baseline
        }
        times[next] = epochMillis;
        generatedPerSecond[next] = generated / seconds;
        promptPerSecond[next] = prompt / seconds;
        running[next] = run;
        waiting[next] = wait;
        kvBlocksUsed[next] = kv;
        next = (next + 1) % CAPACITY;
        size = Math.min(size + 1, CAPACITY);
    }

    /** The samples, oldest first: parallel arrays keyed by series name ({@code time} in epoch seconds). */
    synchronized Map<String, Object> series() {
        double[] time = new double[size];
        double[] gen = new double[size];
        double[] prompt = new double[size];
        int[] run = new int[size];
        int[] wait = new int[size];
        int[] kv = new int[size];
        int first = (next - size + CAPACITY) % CAPACITY;
        for (int i = 0; i < size; i++) {
            int at = (first + i) % CAPACITY;
            time[i] = times[at] / 1000.0;
            gen[i] = Math.round(generatedPerSecond[at] * 10) / 10.0;
            prompt[i] = Math.round(promptPerSecond[at] * 10) / 10.0;
            run[i] = running[at];
            wait[i] = waiting[at];
            kv[i] = kvBlocksUsed[at];
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("interval_seconds", INTERVAL_MILLIS / 1000.0);
        out.put("time", time);
        out.put("generated_tokens_per_second", gen);
        out.put("prompt_tokens_per_second", prompt);
        out.put("running", run);
        out.put("waiting", wait);
        out.put("kv_blocks_used", kv);
        return out;
    }

    /** How many samples are kept now (for tests). */
    synchronized int size() {
        return size;
    }
}
