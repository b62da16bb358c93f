package dev.hearth.kernel;

import dev.hearth.gguf.GgmlType;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/** Random weight matrices of any supported type: random bytes with valid (finite, small) f16 scales. */
final class RandomBlocks {
    private RandomBlocks() {}

    /** Byte offsets of the f16 scale fields inside one block of the type. */
    static int[] f16Fields(GgmlType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
    }

    /**
     * A rows x cols matrix of the type, whose data starts {@code misalign} bytes into a fresh segment (so the
     * segment is not aligned to anything).
     */
    static WeightMatrix matrix(GgmlType type, int rows, int cols, int misalign, long seed, Arena arena) {
        Random random = new Random(seed);
        long bytes = rows * type.byteSize(cols);
        MemorySegment all = arena.allocate(bytes + misalign + 64, 64);
        MemorySegment data = all.asSlice(misalign, bytes);
        switch (type) {
            case F32 -> {
                for (long i = 0; i < bytes / 4; i++) {
                    data.set(ScalarKernels.F32, 4 * i, (float) random.nextGaussian());
                }
            }
            case F16 -> {
                for (long i = 0; i < bytes / 2; i++) {
                    data.set(ScalarKernels.F16, 2 * i, Float16.fromFloat((float) random.nextGaussian()));
                }
            }
            case BF16 -> {
                for (long i = 0; i < bytes / 2; i++) {
                    data.set(ScalarKernels.F16, 2 * i, Float16.floatToBf16((float) random.nextGaussian()));
                }
            }
            default -> {
                for (long i = 0; i < bytes; i++) {
                    data.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
                }
                int[] fields = f16Fields(type);
                for (long b = 0; b < bytes / type.typeSize(); b++) {
                    for (int f : fields) {
                        float scale = (float) ((random.nextDouble() * 2 - 1) * 0.05);
                        data.set(ScalarKernels.F16, b * type.typeSize() + f, Float16.fromFloat(scale));
                    }
                }
            }
        }
        return new WeightMatrix("random-" + type, type, rows, cols, data);
    }

    static float[] activations(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}
