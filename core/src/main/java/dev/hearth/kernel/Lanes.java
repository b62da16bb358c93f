package dev.hearth.kernel;

import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every weight kernel uses, as static finals so that the JIT folds them. {@link #F} is the
 * preferred float species (16 lanes with AVX-512, 8 with AVX2, 4 with NEON); quantized kernels read 16 quant bytes
 * at a time ({@link #B16}) and widen them into {@link #PARTS} float vectors.
 */
final class Lanes {
    private Lanes() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Float lanes per vector. */
    static final int L = F.length();
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Shorts with as many lanes as {@link #F} (f16 and bf16 weights). */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, L * 16)));
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    /** Float vectors per 16 bytes widened. */
    static final int PARTS = 16 / L;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    static {
        if (L < 4 || L > 16 || S.length() != L || I.length() != L) {
            throw new IllegalStateException("unsupported vector shape: " + F + ", " + S + ", " + I);
        }
    }
}
