package dev.hearth.kernel;

import java.lang.foreign.MemorySegment;

/**
 * One query head attending over the first {@code length} positions of one sequence's cached keys and values:
 * out = sum_j softmax_j(scale * q . k_j) v_j. Causality comes from the caller passing length = query position + 1.
 *
 * <p>The cache is paged: position j lives in block {@code blocks[j / blockSize]}, at row
 * {@code blocks[j / blockSize] * blockSize + j % blockSize} of the layer's storage (native memory, a segment per
 * layer); the head's values start at value {@code row * stride + headOffset} (offsets count values, as longs: a
 * layer's pool may pass 2^31 bytes). One kernel per KV precision (F32, F16, Q8_0), each with a scalar twin.
 * {@code scores} needs room for {@code length} values; the F16 kernels widen each row into {@code row}
 * (headSize floats).
 */
public final class Attention {
    private Attention() {}

    public static void attendF32(float[] q, int qOffset, MemorySegment keys, MemorySegment values, int[] blocks, int blockSize,
            int headOffset, int stride, int length, int headSize, float scale, float[] scores, float[] out,
            int outOffset) {
        if (NativeOps.AVAILABLE) {
            NativeOps.attend(NativeOps.KV_F32, q, qOffset, keys, null, values, null, blocks, blockSize, headOffset,
                    stride, length, headSize, scale, scores, out, outOffset);
            return;
        }
        attendF32Vector(q, qOffset, keys, values, blocks, blockSize, headOffset, stride, length, headSize, scale, scores,
                out, outOffset);
    }

    /** The Vector API form of {@link #attendF32}, where the native library does not run. */
    static void attendF32Vector(float[] q, int qOffset, MemorySegment keys, MemorySegment values, int[] blocks,
            int blockSize, int headOffset, int stride, int length, int headSize, float scale, float[] scores,
            float[] out, int outOffset) {
        for (int start = 0, b = 0; start < length; start += blockSize, b++) {
            long base = (long) blocks[b] * blockSize * stride + headOffset;
            for (int r = 0, n = Math.min(blockSize, length - start); r < n; r++) {
                scores[start + r] = scale * SegmentRows.dot(q, qOffset, keys, base + (long) r * stride, headSize);
            }
        }
        Softmax.softmax(scores, 0, length);
        VectorOps.zero(out, outOffset, headSize);
        for (int start = 0, b = 0; start < length; start += blockSize, b++) {
            long base = (long) blocks[b] * blockSize * stride + headOffset;
            for (int r = 0, n = Math.min(blockSize, length - start); r < n; r++) {
                SegmentRows.axpy(scores[start + r], values, base + (long) r * stride, out, outOffset, headSize);
            }
        }
    }

    public static void attendF32Scalar(float[] q, int qOffset, MemorySegment keys, MemorySegment values, int[] blocks,
            int blockSize, int headOffset, int stride, int length, int headSize, float scale, float[] scores,
            float[] out, int outOffset) {
        for (int j = 0; j < length; j++) {
            long at = rowOffset(blocks, blockSize, j, stride, headOffset);
            scores[j] = scale * SegmentRows.dotScalar(q, qOffset, keys, at, headSize);
        }
        Softmax.softmaxScalar(scores, 0, length);
        VectorOps.zero(out, outOffset, headSize);
        for (int j = 0; j < length; j++) {
            SegmentRows.axpyScalar(scores[j], values, rowOffset(blocks, blockSize, j, stride, headOffset), out,
                    outOffset, headSize);
        }
    }

    public static void attendF16(float[] q, int qOffset, MemorySegment keys, MemorySegment values, int[] blocks, int blockSize,
            int headOffset, int stride, int length, int headSize, float scale, float[] scores, float[] row,
            float[] out, int outOffset) {
        if (NativeOps.AVAILABLE) {
            NativeOps.attend(NativeOps.KV_F16, q, qOffset, keys, null, values, null, blocks, blockSize, headOffset,
                    stride, length, headSize, scale, scores, out, outOffset);
            return;
        }
        attendF16Vector(q, qOffset, keys, values, blocks, blockSize, headOffset, stride, length, headSize, scale, scores,
                row, out, outOffset);
    }

    /** The Vector API form of {@link #attendF16}, where the native library does not run. */
    static void attendF16Vector(float[] q, int qOffset, MemorySegment keys, MemorySegment values, int[] blocks,
            int blockSize, int headOffset, int stride, int length, int headSize, float scale, float[] scores,
            float[] row, float[] out, int outOffset) {
        for (int start = 0, b = 0; start < length; start += blockSize, b++) {
            long base = (long) blocks[b] * blockSize * stride + headOffset;
            for (int r = 0, n = Math.min(blockSize, length - start); r < n; r++) {
                SegmentRows.fromFloat16(keys, base + (long) r * stride, row, 0, headSize);
                scores[start + r] = scale * VectorOps.dot(q, qOffset, row, 0, headSize);
            }
        }
        Softmax.softmax(scores, 0, length);
        VectorOps.zero(out, outOffset, headSize);
        for (int start = 0, b = 0; start < length; start += blockSize, b++) {
            long base = (long) blocks[b] * blockSize * stride + headOffset;
            for (int r = 0, n = Math.min(blockSize, length - start); r < n; r++) {
                SegmentRows.fromFloat16(values, base + (long) r * stride, row, 0, headSize);
                VectorOps.axpy(scores[start + r], row, 0, out, outOffset, headSize);
            }
        }
    }

    public static void attendF16Scalar(float[] q, int qOffset, MemorySegment keys, MemorySegment values, int[] blocks,
            int blockSize, int headOffset, int stride, int length, int headSize, float scale, float[] scores,
            float[] row, float[] out, int outOffset) {
        for (int j = 0; j < length; j++) {
            SegmentRows.fromFloat16(keys, rowOffset(blocks, blockSize, j, stride, headOffset), row, 0, headSize);
            scores[j] = scale * VectorOps.dotScalar(q, qOffset, row, 0, headSize);
        }
        Softmax.softmaxScalar(scores, 0, length);
        VectorOps.zero(out, outOffset, headSize);
        for (int j = 0; j < length; j++) {
            SegmentRows.fromFloat16(values, rowOffset(blocks, blockSize, j, stride, headOffset), row, 0, headSize);
            VectorOps.axpyScalar(scores[j], row, 0, out, outOffset, headSize);
        }
    }

    /** Q8_0 cache: see {@link Q8Rows} for the layout; scores and sums are taken on the quantized bytes directly. */
    public static void attendQ8(float[] q, int qOffset, MemorySegment keys, MemorySegment keyScales,
            MemorySegment values, MemorySegment valueScales, int[] blocks, int blockSize, int headOffset, int stride, int length, int headSize,
            float scale, float[] scores, float[] out, int outOffset) {
        if (NativeOps.AVAILABLE) {
            NativeOps.attend(NativeOps.KV_Q8_0, q, qOffset, keys, keyScales, values, valueScales, blocks, blockSize,
                    headOffset, stride, length, headSize, scale, scores, out, outOffset);
            return;
        }
        attendQ8Vector(q, qOffset, keys, keyScales, values, valueScales, blocks, blockSize, headOffset, stride, length,
                headSize, scale, scores, out, outOffset);
    }

    /** The Vector API form of {@link #attendQ8}, where the native library does not run. */
    static void attendQ8Vector(float[] q, int qOffset, MemorySegment keys, MemorySegment keyScales, MemorySegment values,
            MemorySegment valueScales, int[] blocks, int blockSize, int headOffset, int stride, int length,
            int headSize, float scale, float[] scores, float[] out, int outOffset) {
        for (int start = 0, b = 0; start < length; start += blockSize, b++) {
            long base = (long) blocks[b] * blockSize * stride + headOffset;
            for (int r = 0, n = Math.min(blockSize, length - start); r < n; r++) {
                scores[start + r] = scale * Q8Rows.dot(q, qOffset, keys, keyScales, base + (long) r * stride, headSize);
            }
        }
        Softmax.softmax(scores, 0, length);
        VectorOps.zero(out, outOffset, headSize);
        for (int start = 0, b = 0; start < length; start += blockSize, b++) {
            long base = (long) blocks[b] * blockSize * stride + headOffset;
            for (int r = 0, n = Math.min(blockSize, length - start); r < n; r++) {
                Q8Rows.axpy(scores[start + r], values, valueScales, base + (long) r * stride, out, outOffset, headSize);
            }
        }
    }

    public static void attendQ8Scalar(float[] q, int qOffset, MemorySegment keys, MemorySegment keyScales,
            MemorySegment values, MemorySegment valueScales, int[] blocks, int blockSize, int headOffset, int stride, int length, int headSize,
            float scale, float[] scores, float[] out, int outOffset) {
        for (int j = 0; j < length; j++) {
            long at = rowOffset(blocks, blockSize, j, stride, headOffset);
            scores[j] = scale * Q8Rows.dotScalar(q, qOffset, keys, keyScales, at, headSize);
        }
        Softmax.softmaxScalar(scores, 0, length);
        VectorOps.zero(out, outOffset, headSize);
        for (int j = 0; j < length; j++) {
            Q8Rows.axpyScalar(scores[j], values, valueScales, rowOffset(blocks, blockSize, j, stride, headOffset), out,
                    outOffset, headSize);
        }
    }

    private static long rowOffset(int[] blocks, int blockSize, int j, int stride, int headOffset) {
        return ((long) blocks[j / blockSize] * blockSize + j % blockSize) * stride + headOffset;
    }
}
