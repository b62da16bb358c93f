package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.gguf.GgmlType;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufTensorInfo;
import dev.hearth.tensor.WeightMatrix;
import dev.hearth.testing.Fixtures;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Kernels.matmul over the first rows of every matrix of every fixture model, against the scalar reference. */
class MatmulFixtureTest {
    /** The Vector API kernels: the native int8 ones are held to their own twin in NativeKernelsTest. */
    private static final ComputePool POOL = new ComputePool(2, false);
    private static final int ROWS = 12;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @Test
    void everyFixtureMatrixMatchesTheScalarReference() throws Exception {
        Set<GgmlType> seen = EnumSet.noneOf(GgmlType.class);
        for (String model : Fixtures.MODELS) {
            try (GgufFile file = GgufFile.open(Fixtures.model(model))) {
                for (GgufTensorInfo t : file.tensors()) {
                    if (t.shape().length < 2) {
                        continue;
                    }
                    WeightMatrix full = t.shape().length == 2 ? WeightMatrix.of(file, t)
                            : WeightMatrix.expert(file, t, (int) t.dim(2) - 1);
                    int rows = Math.min(ROWS, full.rows());
                    WeightMatrix w = new WeightMatrix(full.name(), full.type(), rows, full.cols(),
                            full.data().asSlice(0, rows * full.rowBytes()));
                    for (int numTokens : new int[] {1, 3}) {
                        float[] x = RandomBlocks.activations(numTokens * w.cols(), t.name().hashCode());
                        float[] out = new float[numTokens * rows];
                        Kernels.matmul(POOL, w, x, numTokens, out);
                        ReferenceMatmul.assertMatches(w, x, numTokens, out, model + " " + t.name());
                    }
                    seen.add(w.type());
                }
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0,
                GgmlType.Q4_K, GgmlType.Q6_K);
    }
}
