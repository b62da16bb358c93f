package dev.hearth.gpu;

import dev.hearth.device.ProcessExit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-kernel GPU profile of forward steps, on with {@code -Dhearth.gpu.profile=true}: each context writes a
 * timestamp before a step's first dispatch and after each dispatch's barrier (so one kernel's time is the gap to the
 * timestamp before it), and the host's wall time from the step's first upload to its logits read back. Steps are
 * grouped by their token count (decode steps apart from prompt chunks); the table is printed once at exit, before
 * a quick exit, or on demand ({@link #report()}). The first step of each size is left out (it compiles pipelines).
 * {@code -Dhearth.gpu.profile=steps} writes only a step's first and last timestamps and keeps its recordings reused,
 * so the step runs as unprofiled: its GPU time against the host's wall time from one step's start to the next (what
 * the engine does between steps included) says how long the device waits on the host.
 */
final class GpuProfile {
    private static final Map<Integer, Steps> BY_TOKENS = new TreeMap<>();
    private static boolean printAtExit;

    private GpuProfile() {
    }

    private static Steps previous;
    private static long previousStartNs;
    /** The GPU time of the step recorded last. */
    private static double lastGpuNs;

    static boolean wanted() {
        return Boolean.getBoolean("hearth.gpu.profile");
    }

    static boolean stepsOnly() {
        return "steps".equals(System.getProperty("hearth.gpu.profile"));
    }

    /** A step starts: the wall time since the previous step's start is that step's cycle. */
    static synchronized void stepStarted(int tokens, long nowNs) {
        if (previous != null) {  // its GPU time too: the idle share is over the same steps as the cycles
            previous.cycles++;
            previous.cycleNs += nowNs - previousStartNs;
            previous.cycleGpuNs += lastGpuNs;
        }
        Steps s = BY_TOKENS.get(tokens);
        previous = s != null && s.warmedUp ? s : null;  // the step after a size's first one is counted in record
        previousStartNs = nowNs;
    }

    /** One step of {@code tokens}: kernel i ran between ticks[i] and ticks[i + 1]. */
    static synchronized void record(int tokens, String[] labels, long[] ticks, int count, double nsPerTick,
            long hostNs) {
        if (!printAtExit) {
            printAtExit = true;
            ProcessExit.addShutdownHook("hearth-gpu-profile", () -> System.out.print(report()));
        }
        Steps s = BY_TOKENS.computeIfAbsent(tokens, t -> new Steps());
        if (!s.warmedUp) {
            s.warmedUp = true;  // the first step of a size compiles its pipelines: left out
            return;
        }
        s.steps++;
        s.hostNs += hostNs;
        lastGpuNs = 0;
        for (int i = 1; i < count; i++) {
            double ns = (ticks[i] - ticks[i - 1]) * nsPerTick;
            s.gpuNs += ns;
            lastGpuNs += ns;
            double[] k = s.kernels.computeIfAbsent(labels[i], l -> new double[2]);
            k[0]++;
            k[1] += ns;
        }
    }

    /** Per step size: per kernel calls per token, total ms and % of the GPU step; GPU vs host time per step. */
    static synchronized String report() {
        StringBuilder out = new StringBuilder();
        for (var e : BY_TOKENS.entrySet()) {
            int tokens = e.getKey();
            Steps s = e.getValue();
            if (s.steps == 0) {
                continue;
            }
            out.append(String.format("gpu profile: %d step(s) of %d token(s): GPU %.3f ms/step, host wall %.3f ms/step"
                    + " (host overhead %.3f ms/step: recording, submit, fence wait, uploads, read back;"
                    + " the first step of this size left out)%n",
                    s.steps, tokens, s.gpuNs / 1e6 / s.steps, s.hostNs / 1e6 / s.steps,
                    (s.hostNs - s.gpuNs) / 1e6 / s.steps));
            if (s.cycles > 0) {
                out.append(String.format("  start to next start %.3f ms/step over %d step(s), GPU %.3f ms/step of it:"
                        + " the device idle %.1f%%%n", s.cycleNs / 1e6 / s.cycles, s.cycles,
                        s.cycleGpuNs / 1e6 / s.cycles, 100 - 100 * s.cycleGpuNs / s.cycleNs));
            }
            out.append(String.format("  %-60s %12s %12s %9s%n", "kernel", "calls/token", "total ms", "% step"));
            List<Map.Entry<String, double[]>> rows = new ArrayList<>(s.kernels.entrySet());
            rows.sort((a, b) -> Double.compare(b.getValue()[1], a.getValue()[1]));
            for (var r : rows) {
                out.append(String.format("  %-60s %12.2f %12.3f %8.1f%%%n", r.getKey(),
                        r.getValue()[0] / ((double) s.steps * tokens), r.getValue()[1] / 1e6,
                        100 * r.getValue()[1] / Math.max(1, s.gpuNs)));
            }
        }
        return out.toString();
    }

    static synchronized void reset() {
        BY_TOKENS.clear();
        previous = null;
    }

    private static final class Steps {
        boolean warmedUp;
        long steps;
        long hostNs;
        double gpuNs;
        long cycles;
        long cycleNs;
        double cycleGpuNs;
        final Map<String, double[]> kernels = new LinkedHashMap<>();
    }
}
