package dev.hearth.kernel;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/**
 * The forward pass's float operations in the native library (hearth_ops.c): RMSNorm, row adds, SwiGLU, RoPE's NEOX
 * pairing and one head's attention over the paged KV cache. {@link Norms}, {@link VectorOps}, {@link Activations},
 * {@link Rope} and {@link Attention} call them where the library's AVX2 kernels run ({@link #AVAILABLE}), and run their
 * Vector API code elsewhere. Native, because a start runs these first in the interpreter, where every Vector API
 * operation is boxed: a 14B's first passes took 2-3 times their steady time, and C2 compiled the Vector API's fallback
 * paths along the way. Each is held to its scalar twin by NativeOpsTest. The wrappers check the arrays' bounds: the
 * native code trusts them.
 */
final class NativeOps {
    /** KV precisions as hk_attend numbers them. */
    static final int KV_F32 = 0;
    static final int KV_F16 = 1;
    static final int KV_Q8_0 = 2;

    static final boolean AVAILABLE;
    private static final MethodHandle RMSNORM_ROWS;
    private static final MethodHandle ADD_ROWS;
    private static final MethodHandle SWIGLU;
    private static final MethodHandle ROPE_HALVES;
    private static final MethodHandle ATTEND;

    static {
        MethodHandle[] h = KernelTuning.NATIVE_OPS && NativeKernels.LOOKUP != null ? link(NativeKernels.LOOKUP) : null;
        AVAILABLE = h != null;
        RMSNORM_ROWS = h == null ? null : h[0];
        ADD_ROWS = h == null ? null : h[1];
        SWIGLU = h == null ? null : h[2];
        ROPE_HALVES = h == null ? null : h[3];
        ATTEND = h == null ? null : h[4];
    }

    /** The operations' handles, or null where the library lacks them (a build of an older hearth_ops.c). */
    private static MethodHandle[] link(SymbolLookup lookup) {
        Linker linker = Linker.nativeLinker();
        Linker.Option critical = Linker.Option.critical(true);
        ValueLayout a = ValueLayout.ADDRESS;
        ValueLayout i = ValueLayout.JAVA_INT;
        ValueLayout f = ValueLayout.JAVA_FLOAT;
        ValueLayout l = ValueLayout.JAVA_LONG;
        try {
            return new MethodHandle[] {
                linker.downcallHandle(lookup.find("hk_rmsnorm_rows").orElseThrow(),
                        FunctionDescriptor.ofVoid(a, a, a, i, i, f), critical),
                linker.downcallHandle(lookup.find("hk_add_rows").orElseThrow(),
                        FunctionDescriptor.ofVoid(a, a, i, i), critical),
                linker.downcallHandle(lookup.find("hk_swiglu").orElseThrow(),
                        FunctionDescriptor.ofVoid(a, a, l), critical),
                linker.downcallHandle(lookup.find("hk_rope_halves").orElseThrow(),
                        FunctionDescriptor.ofVoid(a, i, i, i, a, a), critical),
                linker.downcallHandle(lookup.find("hk_attend").orElseThrow(),
                        FunctionDescriptor.ofVoid(i, a, a, a, a, a, a, i, l, i, i, i, f, a, a), critical)};
        } catch (RuntimeException e) {
            return null;
        }
    }

    private NativeOps() {}

    /** {@link Norms#rmsNormRows} of rows rows of n from x[xOffset] into out[outOffset]. */
    static void rmsNormRows(float[] out, int outOffset, float[] x, int xOffset, float[] weight, int rows, int n,
            float eps) {
        Objects.checkFromIndexSize(outOffset, (long) rows * n, out.length);
        Objects.checkFromIndexSize(xOffset, (long) rows * n, x.length);
        Objects.checkFromIndexSize(0, n, weight.length);
        try {
            RMSNORM_ROWS.invokeExact(at(out, outOffset), at(x, xOffset), MemorySegment.ofArray(weight), rows, n, eps);
        } catch (Throwable e) {
            throw failed("rmsnorm", e);
        }
    }

    /** y[yo + r * n + i] += x[xo + i] for r in [0, rows), i in [0, n). */
    static void addRows(float[] y, int yo, float[] x, int xo, int rows, int n) {
        Objects.checkFromIndexSize(yo, (long) rows * n, y.length);
        Objects.checkFromIndexSize(xo, n, x.length);
        try {
            ADD_ROWS.invokeExact(at(y, yo), at(x, xo), rows, n);
        } catch (Throwable e) {
            throw failed("add", e);
        }
    }

    /** {@link Activations#swiglu}. */
    static void swiglu(float[] gate, float[] up, int n) {
        Objects.checkFromIndexSize(0, n, gate.length);
        Objects.checkFromIndexSize(0, n, up.length);
        try {
            SWIGLU.invokeExact(MemorySegment.ofArray(gate), MemorySegment.ofArray(up), (long) n);
        } catch (Throwable e) {
            throw failed("swiglu", e);
        }
    }

    /** {@link Rope#rotateHalves}. */
    static void ropeHalves(float[] x, int off, int heads, int headSize, int rotaryDims, float[] cos, float[] sin,
            int csOff) {
        if (rotaryDims > headSize || rotaryDims < 0 || heads < 0) {
            throw new IllegalArgumentException("rope: " + rotaryDims + " rotary dimensions over heads of " + headSize);
        }
        Objects.checkFromIndexSize(off, (long) heads * headSize, x.length);
        Objects.checkFromIndexSize(csOff, rotaryDims / 2, cos.length);
        Objects.checkFromIndexSize(csOff, rotaryDims / 2, sin.length);
        try {
            ROPE_HALVES.invokeExact(at(x, off), heads, headSize, rotaryDims, at(cos, csOff), at(sin, csOff));
        } catch (Throwable e) {
            throw failed("rope", e);
        }
    }

    /**
     * One head's attention ({@link Attention}): keys and values hold floats (F32), halves (F16) or signed bytes with a
     * half scale per 32 values in keyScales and valueScales (Q8_0; null otherwise). Every position's row is checked to
     * lie inside the segments.
     */
    static void attend(int precision, float[] q, int qOffset, MemorySegment keys, MemorySegment keyScales,
            MemorySegment values, MemorySegment valueScales, int[] blocks, int blockSize, int headOffset, int stride,
            int length, int headSize, float scale, float[] scores, float[] out, int outOffset) {
        Objects.checkFromIndexSize(qOffset, headSize, q.length);
        Objects.checkFromIndexSize(outOffset, headSize, out.length);
        Objects.checkFromIndexSize(0, length, scores.length);
        Objects.checkFromIndexSize(headOffset, headSize, stride);  // the head inside a row
        int usedBlocks = (length + blockSize - 1) / blockSize;
        Objects.checkFromIndexSize(0, usedBlocks, blocks.length);
        long maxBlock = 0;
        for (int b = 0; b < usedBlocks; b++) {
            maxBlock = Math.max(maxBlock, Integer.toUnsignedLong(blocks[b]));
        }
        long end = ((maxBlock + 1) * blockSize - 1) * stride + headOffset + headSize;  // values past the last row read
        int bytes = precision == KV_F32 ? 4 : precision == KV_F16 ? 2 : 1;
        if (end * bytes > keys.byteSize() || end * bytes > values.byteSize() || (precision == KV_Q8_0
                && ((end + 31) / 32 * 2 > keyScales.byteSize() || (end + 31) / 32 * 2 > valueScales.byteSize()))) {
            throw new IndexOutOfBoundsException("attention: block " + maxBlock + " lies past the KV cache");
        }
        MemorySegment ks = keyScales == null ? MemorySegment.NULL : keyScales;
        MemorySegment vs = valueScales == null ? MemorySegment.NULL : valueScales;
        try {
            ATTEND.invokeExact(precision, at(q, qOffset), keys, ks, values, vs, MemorySegment.ofArray(blocks),
                    blockSize, (long) headOffset, stride, length, headSize, scale, MemorySegment.ofArray(scores),
                    at(out, outOffset));
        } catch (Throwable e) {
            throw failed("attention", e);
        }
    }

    private static MemorySegment at(float[] a, int offset) {
        MemorySegment s = MemorySegment.ofArray(a);
        return offset == 0 ? s : s.asSlice((long) offset * Float.BYTES);
    }

    private static IllegalStateException failed(String op, Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        return new IllegalStateException("native " + op + " failed", e);
    }
}
