package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.gguf.GgufFile;
import dev.hearth.tensor.WeightMatrix;
import dev.hearth.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** Quantized fixture weights dequantize close to the F16 weights they were made from. */
class DequantizeFixtureTest {
    @Test
    void q4_0MatchesF16WithinQuantizationError() throws Exception {
        try (GgufFile f16 = GgufFile.open(Fixtures.model("llama3-fx-F16.gguf"));
                GgufFile q4 = GgufFile.open(Fixtures.model("llama3-fx-Q4_0.gguf"))) {
            for (String name : new String[] {"token_embd.weight", "blk.0.attn_q.weight", "blk.1.ffn_down.weight"}) {
                WeightMatrix a = WeightMatrix.of(f16, f16.tensor(name));
                WeightMatrix b = WeightMatrix.of(q4, q4.tensor(name));
                float[] x = new float[a.cols()];
                float[] y = new float[b.cols()];
                double err = 0;
                double norm = 0;
                for (int r = 0; r < Math.min(a.rows(), 50); r++) {
                    ScalarKernels.dequantizeRow(a, r, x, 0);
                    ScalarKernels.dequantizeRow(b, r, y, 0);
                    for (int i = 0; i < x.length; i++) {
                        err += (x[i] - y[i]) * (x[i] - y[i]);
                        norm += x[i] * x[i];
                    }
                }
                // Q4_0 relative RMS error on Gaussian weights is about 0.1
                assertThat(Math.sqrt(err / norm)).as(name).isBetween(0.02, 0.2);
            }
        }
    }
}
