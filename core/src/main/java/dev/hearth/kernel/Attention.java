package dev.hearth.kernel;

/**
 * One query head attending over the first {@code length} positions of one sequence's cached keys and values:
 * out = sum_j softmax_j(scale * q . k_j) v_j. Key/value row j of the head starts at {@code j * stride + headOffset}.
 * Causality comes from the caller passing length = query position + 1.
 */
public final class Attention {
    private Attention() {}

    /** Float32 cache. scores needs room for {@code length} values. */
    public static void attendHead(float[] q, int qOffset, float[] keys, float[] values, int headOffset, int stride,
            int length, int headSize, float scale, float[] scores, float[] out, int outOffset) {
        for (int j = 0; j < length; j++) {
            scores[j] = scale * VectorOps.dot(q, qOffset, keys, j * stride + headOffset, headSize);
        }
        Softmax.softmax(scores, 0, length);
        VectorOps.zero(out, outOffset, headSize);
        for (int j = 0; j < length; j++) {
            VectorOps.axpy(scores[j], values, j * stride + headOffset, out, outOffset, headSize);
        }
    }

    public static void attendHeadScalar(float[] q, int qOffset, float[] keys, float[] values, int headOffset, int stride,
            int length, int headSize, float scale, float[] scores, float[] out, int outOffset) {
        for (int j = 0; j < length; j++) {
            scores[j] = scale * VectorOps.dotScalar(q, qOffset, keys, j * stride + headOffset, headSize);
        }
        Softmax.softmaxScalar(scores, 0, length);
        VectorOps.zero(out, outOffset, headSize);
        for (int j = 0; j < length; j++) {
            VectorOps.axpyScalar(scores[j], values, j * stride + headOffset, out, outOffset, headSize);
        }
    }

    /** Float16 cache: each key/value row is widened into {@code row} (headSize floats) before use. */
    public static void attendHeadF16(float[] q, int qOffset, short[] keys, short[] values, int headOffset, int stride,
            int length, int headSize, float scale, float[] scores, float[] row, float[] out, int outOffset) {
        for (int j = 0; j < length; j++) {
            VectorOps.fromFloat16(keys, j * stride + headOffset, row, 0, headSize);
            scores[j] = scale * VectorOps.dot(q, qOffset, row, 0, headSize);
        }
        Softmax.softmax(scores, 0, length);
        VectorOps.zero(out, outOffset, headSize);
        for (int j = 0; j < length; j++) {
            VectorOps.fromFloat16(values, j * stride + headOffset, row, 0, headSize);
            VectorOps.axpy(scores[j], row, 0, out, outOffset, headSize);
        }
    }
}
