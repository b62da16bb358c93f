package dev.hearth.kernel;

import dev.hearth.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Each weight type's kernels, in one place: which paths run it on this machine ({@link #of}, decided once from the CPU,
 * the native library and {@link KernelTuning}) and the Vector API dispatch ({@link #dot}, {@link #dot4},
 * {@link #dot4x4}). Where each type's code lives ("native": {@code core/src/main/c} through {@link NativeKernels}, the
 * AVX-512 VNNI tier in {@code hearth_kernels.c}, the AVX2 tier in {@code hearth_kernels_avx2.c}):
 *
 * <pre>
 * F32, F16, BF16  native: float kernels in the file's layout (AVX-512).
 *                 Vector API: FloatKernels.dotF32, dotF16, dotBf16. GEMM: ScalarKernels.dequantize.
 * Q8_0            native: repacked (both tiers), the file's layout (AVX-512).
 *                 Vector API: Q8_0Kernel.dot, MultiTokenKernels.dot4Q8_0, dot4x4Q8_0. GEMM: GemmKernels.decodeQ8_0.
 * Q4_0            native: repacked (both tiers), the file's layout (AVX-512).
 *                 Vector API: NibbleTableKernels.dotQ4_0, dot4Q4_0, dot4x4Q4_0 (16 lanes), else Q4Kernels.dotQ4_0
 *                 (widening, with the block-scale table). GEMM: GemmKernels.decodeQ4_0.
 * Q4_1, Q5_1      native: repacked (AVX-512).
 *                 Vector API: Q4Kernels.dotQ4_1, Q5Kernels.dotQ5_1. GEMM: ScalarKernels.dequantize.
 * Q5_0            native: repacked (both tiers). Vector API: Q5Kernels.dotQ5_0. GEMM: ScalarKernels.dequantize.
 * Q4_K            native: repacked (both tiers), the file's layout (AVX-512).
 *                 Vector API: NibbleTableKernels.dotQ4_K, dot4Q4_K (16 lanes), else KQuantKernels.dotQ4_K (widening).
 *                 GEMM: GemmKernels.decodeQ4_K.
 * Q5_K            native: repacked (both tiers). Vector API: KQuantKernels.dotQ5_K. GEMM: ScalarKernels.dequantize.
 * Q6_K            native: repacked (both tiers), the file's layout (AVX-512).
 *                 Vector API: Q6_KKernel.dot, MultiTokenKernels.dot4Q6_K. GEMM: GemmKernels.decodeQ6_K.
 * </pre>
 *
 * The scalar twins the tests hold every path to: {@link ScalarKernels} (dequantize, dot) and
 * {@link NativeKernels#matmulScalar}; the repacked layouts' sizes: {@link NativeKernels#packedBytes}.
 *
 * <p>A matmul takes the first that applies, per matrix ({@code MatmulTask.add}): the native float kernels below the
 * GEMM's token count; the native int8 kernels (on the repacked tiles, or in the file's layout); the GEMM from
 * {@link KernelTuning#GEMM_TOKENS} tokens; else, per row tile, {@link #dot4x4}, {@link #dot4} and {@link #dot}.
 */
final class TypeKernels {
    private TypeKernels() {}

    /**
     * One weight type's paths on this machine.
     *
     * @param packed repacked at load into 16-row tiles for the native int8 kernels (unless {@link KernelTuning#PACK} is
     *     off or the model's matmuls may not run natively)
     * @param nativeInPlace the native int8 kernels also take the file's layout (row ranges off the tiles, no repack)
     * @param nativeFloat the native float kernels, below the GEMM's token count
     * @param scaleTable the Vector API kernels read a float block-scale table built at load (Q4_0 off the native path)
     * @param dot4 a Vector API kernel decodes each block once for 4 tokens ({@link #dot4})
     * @param dot4x4 a Vector API kernel takes 4 rows x 4 tokens ({@link #dot4x4})
     */
    record Paths(boolean packed, boolean nativeInPlace, boolean nativeFloat, boolean scaleTable, boolean dot4,
            boolean dot4x4) {
        /** Whether the native int8 kernels run the type at all (repacked or in place). */
        boolean nativeInt8() {
            return packed || nativeInPlace;
        }
    }

    /** Whether the table-lookup kernels ({@link NibbleTableKernels}) serve Q4_0 and Q4_K (16-lane vectors). */
    static final boolean TABLES = NibbleTableKernels.SUPPORTED && !KernelTuning.WIDENING;

    private static final Paths[] PATHS = new Paths[GgmlType.values().length];

    static {
        boolean multi = MultiTokenKernels.SUPPORTED;
        boolean quads = KernelTuning.QUADS;
        for (GgmlType type : GgmlType.values()) {
            // the native columns are the library's own answer (NativeKernels names the types each tier runs)
            boolean packed = NativeKernels.packs(type);
            boolean inPlace = NativeKernels.matmulsInPlace(type);
            boolean nativeFloat = NativeKernels.matmulsFloat(type);
            PATHS[type.ordinal()] = switch (type) {
                case F32, F16, BF16 -> new Paths(false, false, nativeFloat, false, false, false);
                case Q8_0 -> new Paths(packed, inPlace, false, false, multi, quads && multi);
                case Q4_0 -> new Paths(packed, inPlace, false, KernelTuning.SCALE_TABLES && !(packed || inPlace),
                        TABLES, quads && TABLES);
                case Q4_1, Q5_1, Q5_0, Q5_K -> new Paths(packed, false, false, false, false, false);
                // Q4_K as 4 rows x 4 tokens spills registers and loses to dot4 (measured)
                case Q4_K -> new Paths(packed, inPlace, false, false, TABLES, false);
                case Q6_K -> new Paths(packed, inPlace, false, false, multi, false);
                case Q8_1, Q2_K, Q3_K, Q8_K, IQ2_XXS, IQ2_XS, IQ3_XXS, IQ1_S, IQ4_NL, IQ3_S, IQ2_S, IQ4_XS, I8, I16,
                        I32, I64, F64, IQ1_M, TQ1_0, TQ2_0, MXFP4 -> new Paths(false, false, false, false, false, false);
            };
        }
    }

    /** The paths of {@code type} on this machine. */
    static Paths of(GgmlType type) {
        return PATHS[type.ordinal()];
    }

    /** dot(row of {@code cols} elements of the type at byte {@code at} of w, x[xOffset .. xOffset + cols)). */
    static float dot(GgmlType type, MemorySegment w, long at, int cols, float[] x, int xOffset) {
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

    /**
     * As {@link #dot4} for the 4 rows at bytes at + i * rowBytes (i &lt; 4): out[outOffset + i + k * outStride]; only for the
     * types whose {@link Paths#dot4x4} is set.
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
     * only for the types whose {@link Paths#dot4} is set.
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

    static UnsupportedOperationException unsupported(GgmlType type, String what) {
        return new UnsupportedOperationException("no kernel for " + what + " of type " + type);
    }
}
