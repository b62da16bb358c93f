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
     * A weight matrix as the kernels that will multiply it want it, outside a model load (tests, tools): repacked into
     * native memory freed when the matrix is no longer reachable, where the native kernels pack its type; with its
     * block-scale table where the Vector API kernels run Q4_0; as it is otherwise. Models load through
     * {@link WeightPacker}, which also uses the repack cache.
     */
    public static WeightMatrix prepare(WeightMatrix w) {
        if (NativeKernels.packs(w.type()) && KernelTuning.PACK) {
            return w.withPacked(NativeKernels.repack(w, Arena.ofAuto()));
        }
        return withScaleTable(w);
    }

    /** w with its block-scale table where the Vector API kernels read one for its type ({@link TypeKernels.Paths}). */
    static WeightMatrix withScaleTable(WeightMatrix w) {
        return TypeKernels.of(w.type()).scaleTable() ? w.withBlockScales() : w;
    }

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
            if (w.packed() != null) {  // the first tile of the repacked layout: the forward pass's own kernels
                slice = slice.withPacked(w.packed().asSlice(0, NativeKernels.packedBytes(w.type(), rows, w.cols())));
            }
            float[] x = new float[48 * w.cols()];
            for (int i = 0; i < x.length; i++) {  // not zeros: C2 would compile a Java quantizer for zero blocks only
                x[i] = (i % 13 - 6) * 0.1f;
            }
            float[] out = new float[48 * rows];
            // the native kernels (the activations' quantizers too) leave only the dispatch to compile: a tenth of the
            // rounds, enough for C1 (a 14B start spent seconds here)
            int rounds = NativeKernels.available() && NativeKernels.supports(w.type()) ? 200 : 2_000;
            for (int i = 0; i < rounds; i++) {
                matmul(pool, slice, x, 1, out);
                matmul(pool, slice, x, 4, out);
                if (i % 8 == 0 && GemmKernels.runs(48)) {
                    matmul(pool, slice, x, 48, out);  // both GEMM micro-kernels (32 and 16 tokens)
                }
            }
        }
    }

    /** dot(row of {@code cols} elements of the type at byte {@code at} of w, x[xOffset .. xOffset + cols)). */
    public static float dot(GgmlType type, MemorySegment w, long at, int cols, float[] x, int xOffset) {
        return TypeKernels.dot(type, w, at, cols, x, xOffset);
    }

    /** Dequantizes row {@code row} of w (an embedding lookup) into out[outOffset..]. */
    public static void dequantizeRow(WeightMatrix w, int row, float[] out, int outOffset) {
        ScalarKernels.dequantizeRow(w, row, out, outOffset);
    }

    private static void requireSupported(GgmlType type, String name) {
        if (!type.isSupported()) {
            throw TypeKernels.unsupported(type, "tensor '" + name + "'");
        }
    }
}
