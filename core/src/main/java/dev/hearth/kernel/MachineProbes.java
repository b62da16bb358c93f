package dev.hearth.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector loops behind the engine's machine facts ({@code CpuInfo}, {@code MemoryBandwidth}), here so that only
 * {@code kernel} touches the Vector API.
 */
public final class MachineProbes {
    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;

    private MachineProbes() {}

    /** Width in bits of the preferred float vector (512 with AVX-512, 256 with AVX2, 128 with NEON). */
    public static int vectorBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    /** Sums {@code [from, to)} of a segment as longs in rounds of 256 bytes, the tail as signed bytes: a plain read. */
    public static long streamSum(MemorySegment s, long from, long to) {
        int step = LONGS.vectorByteSize();
        LongVector acc = LongVector.zero(LONGS);
        long i = from;
        for (; i + 256 <= to; i += 256) {  // rounds of 256 bytes, as hk_stream_sum: the same words, the same sum
            for (int k = 0; k < 256; k += step) {
                acc = acc.add(LongVector.fromMemorySegment(LONGS, s, i + k, ByteOrder.LITTLE_ENDIAN));
            }
        }
        long total = acc.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            total += s.get(ValueLayout.JAVA_BYTE, i);
        }
        return total;
    }
}
