package dev.hearth.bench;

import dev.hearth.gguf.GgmlType;
import dev.hearth.kernel.ComputePool;
import dev.hearth.kernel.Kernels;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Single-thread matmul throughput measured in thread CPU time, so that other load on a shared machine does not count:
 * {@code java -cp ... dev.hearth.bench.MatvecCpuTime TYPES ROWS COLS TOKENS SECONDS}, e.g. {@code Q4_0,Q8_0 256 2048 1 3}
 * (about 300 KB of Q4_0 weights: in cache) or {@code Q4_0 4096 8192 1 3} (out of cache). Prints GB/s of weights and
 * GFLOP/s per type, the median of 5 rounds.
 */
public final class MatvecCpuTime {
    private MatvecCpuTime() {}

    public static void main(String[] args) {
        String[] types = args[0].split(",");
        int rows = Integer.parseInt(args[1]);
        int cols = Integer.parseInt(args[2]);
        int tokens = Integer.parseInt(args[3]);
        double seconds = Double.parseDouble(args[4]);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofShared(); ComputePool pool = new ComputePool(1)) {
            for (String name : types) {
                GgmlType type = GgmlType.valueOf(name);
                WeightMatrix w = MatvecKernelBench.randomMatrix(type, rows, cols, arena, 42);
                float[] x = MatvecKernelBench.randomFloats(tokens * cols, 7);
                float[] out = new float[tokens * rows];
                long bytes = w.rowBytes() * rows;
                double[] perCall = new double[5];
                for (int round = -2; round < 5; round++) {
                    long start = mx.getCurrentThreadCpuTime();
                    int calls = 0;
                    long budget = (long) (seconds / 5 * 1e9);
                    while (mx.getCurrentThreadCpuTime() - start < budget) {
                        for (int i = 0; i < 10; i++) {
                            Kernels.matmul(pool, w, x, tokens, out);
                        }
                        calls += 10;
                    }
                    if (round >= 0) {
                        perCall[round] = (mx.getCurrentThreadCpuTime() - start) / 1e9 / calls;
                    }
                }
                java.util.Arrays.sort(perCall);
                double t = perCall[2];
                System.out.printf("%-5s %5d x %5d tokens %3d: %8.1f us/call  %6.2f GB/s weights  %6.1f GFLOP/s%n", name,
                        rows, cols, tokens, t * 1e6, bytes / t / 1e9, 2.0 * rows * cols * tokens / t / 1e9);
            }
        }
    }
}
