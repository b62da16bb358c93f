package dev.hearth.kernel;

import dev.hearth.gguf.GgmlType;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Set;

/**
 * The one dispatch point for weight kernels: matmul of a (quantized) weight matrix with float activations, split
 * over the compute pool by rows; weights are read once per call for all tokens of the batch.
 */
public final class Kernels {
    private Kernels() {}

    /**
     * Whether the table-lookup kernels ({@link NibbleTableKernels}) serve Q4_0 and Q4_K; read once. The system property
     * {@code hearth.kernel.widening=true} forces the widening kernels (for comparisons).
     */
    /** The 4-row x 4-token kernels; {@code -Dhearth.kernel.quads=false} turns them off (to measure against). */
    static final boolean QUADS = !"false".equals(System.getProperty("hearth.kernel.quads"));
    /**
     * Calls of at least this many tokens run as a float GEMM ({@link GemmKernels}); {@code -Dhearth.kernel.gemmTokens=N}
     * moves the threshold, 0 turns the GEMM off.
     */
    static final int GEMM_TOKENS = Integer.getInteger("hearth.kernel.gemmTokens", 16);

    static boolean useGemm(int numTokens) {
        return GemmKernels.SUPPORTED && GEMM_TOKENS > 0 && numTokens >= GEMM_TOKENS;
    }

    /** Q4_0 block-scale tables for the Vector API kernels; {@code -Dhearth.scaleTables=false} leaves them out. */
    static final boolean SCALE_TABLES = !"false".equals(System.getProperty("hearth.scaleTables"));

    /**
     * A weight matrix as the kernels that will multiply it want it, outside a model load (tests, tools): repacked into
     * native memory freed when the matrix is no longer reachable, where the native kernels pack its type; with its
     * block-scale table where the Vector API kernels run Q4_0; as it is otherwise. Models load through
     * {@link WeightPacker}, which also uses the repack cache.
     */
    public static WeightMatrix prepare(WeightMatrix w) {
        if (NativeKernels.packs(w.type()) && PACK) {
            return w.withPacked(NativeKernels.repack(w, Arena.ofAuto()));
        }
        return SCALE_TABLES && !NativeKernels.supports(w.type()) ? w.withBlockScales() : w;
    }

    /** Q4_0 repacked at load for the native kernels; {@code -Dhearth.kernel.pack=false} keeps the file's layout. */
    static final boolean PACK = !"false".equals(System.getProperty("hearth.kernel.pack"));

    static final boolean TABLES = NibbleTableKernels.SUPPORTED && !Boolean.getBoolean("hearth.kernel.widening");

    /**
     * out[t * w.rows() + r] = dot(row r of w, x[t * w.cols() .. (t + 1) * w.cols())) for t in [0, numTokens).
     */
    public static void matmul(ComputePool pool, WeightMatrix w, float[] x, int numTokens, float[] out) {
        requireSupported(w.type(), w.name());
        if (x.length < (long) numTokens * w.cols() || out.length < (long) numTokens * w.rows()) {
            throw new IllegalArgumentException("matmul '" + w.name() + "' [" + w.rows() + " x " + w.cols() + "] with "
                    + numTokens + " tokens: x has " + x.length + " floats, out has " + out.length);
        }
        MatmulTask task = pool.matmulTask();
        task.set(w, x, numTokens, out);
        run(pool, task);
    }

    /**
     * Two matmuls over the same input in one parallel pass (gate and up): out1 = x w1^T, out2 = x w2^T. One hand-off to
     * the pool instead of two, and no thread waits at a barrier between them.
     */
    public static void matmul(ComputePool pool, WeightMatrix w1, float[] out1, WeightMatrix w2, float[] out2, float[] x,
            int numTokens) {
        matmul(pool, w1, out1, w2, out2, null, null, x, numTokens);
    }

    /** Three matmuls over the same input in one parallel pass (query, key and value); w3 may be null (two). */
    public static void matmul(ComputePool pool, WeightMatrix w1, float[] out1, WeightMatrix w2, float[] out2,
            WeightMatrix w3, float[] out3, float[] x, int numTokens) {
        MatmulTask task = pool.matmulTask();
        task.begin(x, numTokens, w1.cols());
        addPart(task, w1, x, numTokens, out1);
        addPart(task, w2, x, numTokens, out2);
        if (w3 != null) {
            addPart(task, w3, x, numTokens, out3);
        }
        run(pool, task);
    }

    private static void addPart(MatmulTask task, WeightMatrix w, float[] x, int numTokens, float[] out) {
        requireSupported(w.type(), w.name());
        if (w.cols() != task.cols()) {
            throw new IllegalArgumentException("matmul '" + w.name() + "' has rows of " + w.cols()
                    + " values, the other matrices of the same pass have " + task.cols());
        }
        if (x.length < (long) numTokens * w.cols() || out.length < (long) numTokens * w.rows()) {
            throw new IllegalArgumentException("matmul '" + w.name() + "' [" + w.rows() + " x " + w.cols() + "] with "
                    + numTokens + " tokens: x has " + x.length + " floats, out has " + out.length);
        }
        task.add(w, out);
    }

    private static void run(ComputePool pool, MatmulTask task) {
        try {
            int rows = task.totalRows();
            pool.parallelFor(rows, task.chunkRows(rows, pool.threads()), task);
        } finally {
            task.clear();
        }
    }

    /**
     * Compiles the kernels of each weight type among {@code samples} before the first request (call at load): a few
     * thousand small matmuls of 1 and 4 tokens over the first rows of one matrix per type, through the pool. Costs some
     * tens of milliseconds per type; without it the first tokens run in the interpreter and C1.
     */
    public static void warmUp(ComputePool pool, Iterable<WeightMatrix> samples) {
        Set<GgmlType> done = EnumSet.noneOf(GgmlType.class);
        for (WeightMatrix w : samples) {
            if (!done.add(w.type())) {
                continue;
            }
            int rows = Math.min(w.rows(), 16);
            float[] scales = w.blockScales() == null ? null
                    : java.util.Arrays.copyOf(w.blockScales(), rows * (w.cols() / w.type().blockSize()));
            WeightMatrix slice = new WeightMatrix(w.name(), w.type(), rows, w.cols(), w.data(), scales);
            float[] x = new float[48 * w.cols()];
            for (int i = 0; i < x.length; i++) {  // not zeros: C2 would compile the quantizer for zero blocks only
                x[i] = (i % 13 - 6) * 0.1f;
            }
            float[] out = new float[48 * rows];
            for (int i = 0; i < 2_000; i++) {
                matmul(pool, slice, x, 1, out);
                matmul(pool, slice, x, 4, out);
                if (i % 8 == 0 && useGemm(48)) {
                    matmul(pool, slice, x, 48, out);  // both GEMM micro-kernels (32 and 16 tokens)
                }
            }
        }
    }

    /** Dequantizes row {@code row} of w (an embedding lookup) into out[outOffset..]. */
    public static void dequantizeRow(WeightMatrix w, int row, float[] out, int outOffset) {
        ScalarKernels.dequantizeRow(w, row, out, outOffset);
    }

    /** dot(row of {@code cols} elements of the type at byte {@code at} of w, x[xOffset .. xOffset + cols)). */
    public static float dot(GgmlType type, MemorySegment w, long at, int cols, float[] x, int xOffset) {
        return switch (type) {
            case F32 -> FloatKernels.dotF32(w, at, cols, x, xOffset);
            case F16 -> FloatKernels.dotF16(w, at, cols, x, xOffset);
            case BF16 -> FloatKernels.dotBf16(w, at, cols, x, xOffset);
            case Q8_0 -> Q8_0Kernel.dot(w, at, cols, x, xOffset);
            case Q4_0 -> TABLES ? NibbleTableKernels.dotQ4_0(w, at, cols, x, xOffset)
                    : Q4Kernels.dotQ4_0(w, at, cols, x, xOffset);
            case Q4_1 -> Q4Kernels.dotQ4_1(w, at, cols, x, xOffset);
            case Q5_0 -> Q5Kernels.dotQ5_0(w, at, cols, x, xOffset);
            case Q5_1 -> Q5Kernels.dotQ5_1(w, at, cols, x, xOffset);
            case Q4_K -> TABLES ? NibbleTableKernels.dotQ4_K(w, at, cols, x, xOffset)
                    : KQuantKernels.dotQ4_K(w, at, cols, x, xOffset);
            case Q5_K -> KQuantKernels.dotQ5_K(w, at, cols, x, xOffset);
            case Q6_K -> Q6_KKernel.dot(w, at, cols, x, xOffset);
            case Q8_1, Q2_K, Q3_K, Q8_K, IQ2_XXS, IQ2_XS, IQ3_XXS, IQ1_S, IQ4_NL, IQ3_S, IQ2_S, IQ4_XS, I8, I16, I32,
                    I64, F64, IQ1_M, TQ1_0, TQ2_0, MXFP4 -> throw unsupported(type, "a weight row");
        };
    }

    /**
     * As {@link #dot}, with the row's block scales from a scale table (s[so..], see {@code WeightMatrix.blockScales});
     * only for the types that have one (Q4_0).
     */
    static float dot(GgmlType type, MemorySegment w, long at, int cols, float[] x, int xOffset, float[] s, int so) {
        return switch (type) {
            case Q4_0 -> TABLES ? NibbleTableKernels.dotQ4_0(w, at, cols, x, xOffset, s, so)
                    : Q4Kernels.dotQ4_0(w, at, cols, x, xOffset);
            default -> dot(type, w, at, cols, x, xOffset);
        };
    }

    /** Whether {@link #dot4} has a kernel for the type (one that decodes each block once for 4 tokens). */
    static boolean hasDot4(GgmlType type) {
        return switch (type) {
            case Q4_0, Q4_K -> TABLES;
            case Q8_0, Q6_K -> MultiTokenKernels.SUPPORTED;
            default -> false;
        };
    }

    /** Whether {@link #dot4x4} has a kernel for the type (4 rows x 4 tokens, register-blocked). */
    static boolean hasDot4x4(GgmlType type) {
        if (!QUADS) {
            return false;
        }
        return switch (type) {
            case Q4_0 -> TABLES;  // Q4_K in this form spills registers and loses to dot4 (measured); it stays on dot4
            case Q8_0 -> MultiTokenKernels.SUPPORTED;
            default -> false;
        };
    }

    /**
     * As {@link #dot4} for the 4 rows at bytes at + i * rowBytes (i &lt; 4): out[outOffset + i + k * outStride]; only for the
     * types {@link #hasDot4x4} accepts.
     */
    static void dot4x4(GgmlType type, MemorySegment w, long at, long rowBytes, int cols, float[] x, int xOffset,
            int xStride, float[] out, int outOffset, int outStride) {
        switch (type) {
            case Q4_0 -> NibbleTableKernels.dot4x4Q4_0(w, at, rowBytes, cols, x, xOffset, xStride, out, outOffset,
                    outStride);
            case Q8_0 -> MultiTokenKernels.dot4x4Q8_0(w, at, rowBytes, cols, x, xOffset, xStride, out, outOffset,
                    outStride);
            default -> throw unsupported(type, "a 4-row, 4-token tile");
        }
    }

    /**
     * out[outOffset + k * outStride] = dot(row at byte {@code at} of w, x[xOffset + k * xStride ..]) for k in 0..3;
     * only for the types {@link #hasDot4} accepts.
     */
    static void dot4(GgmlType type, MemorySegment w, long at, int cols, float[] x, int xOffset, int xStride,
            float[] out, int outOffset, int outStride) {
        switch (type) {
            case Q4_0 -> NibbleTableKernels.dot4Q4_0(w, at, cols, x, xOffset, xStride, out, outOffset, outStride);
            case Q4_K -> NibbleTableKernels.dot4Q4_K(w, at, cols, x, xOffset, xStride, out, outOffset, outStride);
            case Q8_0 -> MultiTokenKernels.dot4Q8_0(w, at, cols, x, xOffset, xStride, out, outOffset, outStride);
            case Q6_K -> MultiTokenKernels.dot4Q6_K(w, at, cols, x, xOffset, xStride, out, outOffset, outStride);
            default -> throw unsupported(type, "a 4-token row");
        }
    }

    private static void requireSupported(GgmlType type, String name) {
        if (!type.isSupported()) {
            throw unsupported(type, "tensor '" + name + "'");
        }
    }

    private static UnsupportedOperationException unsupported(GgmlType type, String what) {
        return new UnsupportedOperationException("no kernel for " + what + " of type " + type);
    }
}
