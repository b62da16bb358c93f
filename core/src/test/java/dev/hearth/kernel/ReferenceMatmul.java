package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.tensor.WeightMatrix;

/**
 * The oracle for the vector kernels: the scalar dequantizer (ScalarKernels) with products summed in double, and the
 * tolerance the kernels must meet: |kernel - reference| <= 1e-5 * sum |w_i * x_i| (float rounding of a reordered sum).
 */
final class ReferenceMatmul {
    private ReferenceMatmul() {}

    static final double RELATIVE_TOLERANCE = 1e-5;

    static void assertMatches(WeightMatrix w, float[] x, int numTokens, float[] out, String what) {
        float[] row = new float[w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            ScalarKernels.dequantizeRow(w, r, row, 0);
            for (int t = 0; t < numTokens; t++) {
                double sum = 0;
                double magnitude = 0;
                for (int i = 0; i < w.cols(); i++) {
                    double product = (double) row[i] * x[t * w.cols() + i];
                    sum += product;
                    magnitude += Math.abs(product);
                }
                float actual = out[t * w.rows() + r];
                assertThat(Math.abs(actual - sum))
                        .as("%s %s row %d token %d: kernel %s, reference %s", what, w.type(), r, t, actual, sum)
                        .isLessThanOrEqualTo(RELATIVE_TOLERANCE * magnitude + 1e-30);
            }
        }
    }
}
