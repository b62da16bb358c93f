package dev.hearth.bench;

import dev.hearth.gguf.GgmlType;
import dev.hearth.kernel.ComputePool;
import dev.hearth.kernel.Kernels;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Matrix-vector product (one token, the decode case) of a 2048 x 8192 weight matrix, larger than the caches, per
 * type, with 1 and 2 threads. Weight bytes per call are printed at setup: GB/s = bytes / (time per call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class MatvecKernelBench {
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    public String type;

    @Param({"1", "2"})
    public int threads;

    @Param({"2048"})
    public int rows;

    @Param({"8192"})
    public int cols;

    private Arena arena;
    private ComputePool pool;
    private WeightMatrix w;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        pool = new ComputePool(threads);
        w = randomMatrix(GgmlType.valueOf(type), rows, cols, arena, 42);
        x = randomFloats(cols, 7);
        out = new float[rows];
        System.out.printf("%n[bytes per call] %s %d%n", type, w.rowBytes() * rows);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[] matvec() {
        Kernels.matmul(pool, w, x, 1, out);
        return out;
    }

    /** Random bytes with finite f16 scales at each block's scale fields (floats for the float types). */
    static WeightMatrix randomMatrix(GgmlType type, int rows, int cols, Arena arena, long seed) {
        Random random = new Random(seed);
        long bytes = rows * type.byteSize(cols);
        MemorySegment data = arena.allocate(bytes, 64);
        ValueLayout.OfShort f16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        byte[] chunk = new byte[1 << 16];
        for (long at = 0; at < bytes; at += chunk.length) {
            random.nextBytes(chunk);
            int n = (int) Math.min(chunk.length, bytes - at);
            MemorySegment.copy(chunk, 0, data, ValueLayout.JAVA_BYTE, at, n);
        }
        int[] scaleFields = switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
        if (type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.BF16) {
            int size = type == GgmlType.F32 ? 4 : 2;
            for (long i = 0; i < bytes / size; i++) {
                float v = (float) random.nextGaussian();
                switch (type) {
                    case F32 -> data.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4 * i, v);
                    case F16 -> data.set(f16, 2 * i, Float.floatToFloat16(v));
                    default -> data.set(f16, 2 * i, (short) (Float.floatToRawIntBits(v) >>> 16));
                }
            }
        }
        for (long b = 0; b < bytes / type.typeSize() && scaleFields.length > 0; b++) {
            for (int f : scaleFields) {
                data.set(f16, b * type.typeSize() + f, Float.floatToFloat16(random.nextFloat() * 0.01f));
            }
        }
        return new WeightMatrix(type + "-" + rows + "x" + cols, type, rows, cols, data);
    }

    static float[] randomFloats(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}
