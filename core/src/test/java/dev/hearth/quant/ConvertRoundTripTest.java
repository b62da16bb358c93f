package dev.hearth.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufTensorInfo;
import dev.hearth.gguf.GgufValue;
import dev.hearth.safetensors.SafetensorsCheckpoint;
import dev.hearth.safetensors.SafetensorsTestWriter;
import dev.hearth.safetensors.SafetensorsTestWriter.Entry;
import dev.hearth.testing.Fixtures;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fixture weights written out as a Hugging Face checkpoint (q/k rows back in rotary-halves order, experts split) and
 * converted back: every tensor must come back bit for bit, with llama.cpp's metadata. A separate check proves the
 * q/k permutation's direction without relying on the export: attention scores computed the Hugging Face way (rotate
 * halves) from the checkpoint equal those computed llama.cpp's way (rotate adjacent pairs) from the converted file.
 */
class ConvertRoundTripTest {
    @TempDir
    Path dir;

    static final HfModelConfig MIXTRAL = new HfModelConfig("MixtralForCausalLM", "llama", 2, 64, 4, 2, 16, true, 128,
            32000, 32768, 1e6f, 1e-5f, false, 4, 2, null, "mixtral-fx");
    static final HfModelConfig LLAMA3 = new HfModelConfig("LlamaForCausalLM", "llama", 2, 64, 4, 2, 16, true, 192,
            128256, 131072, 500000f, 1e-5f, false, 0, 0, new RopeScaling.Llama3(32, 1, 4, 8192), "llama3-fx");

    static Map<String, GgufValue> tokenizerKeys(GgufFile f) {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        f.metadata().asMap().forEach((k, v) -> {
            if (k.startsWith("tokenizer.")) {
                m.put(k, v);
            }
        });
        return m;
    }

    static void assertSameFile(GgufFile expected, GgufFile actual) {
        Set<String> ignored = Set.of("general.name", "general.description");
        for (String k : expected.metadata().keys()) {
            if (!ignored.contains(k)) {
                assertThat(actual.metadata().get(k)).as(k).isEqualTo(expected.metadata().get(k));
            }
        }
        for (String k : actual.metadata().keys()) {
            assertThat(ignored.contains(k) || expected.metadata().has(k)).as("extra key " + k).isTrue();
        }
        assertThat(actual.tensors()).hasSameSizeAs(expected.tensors());
        for (GgufTensorInfo e : expected.tensors()) {
            GgufTensorInfo a = actual.tensor(e.name());
            assertThat(a.type()).as(e.name()).isEqualTo(e.type());
            assertThat(a.shape()).as(e.name()).isEqualTo(e.shape());
            MemorySegment x = expected.tensorData(e);
            MemorySegment y = actual.tensorData(a);
            assertThat(MemorySegment.mismatch(x, 0, x.byteSize(), y, 0, y.byteSize())).as(e.name()).isEqualTo(-1);
        }
    }

    @Test
    void mixtralF32ShardedComesBackBitForBit() throws Exception {
        Path out = dir.resolve("out.gguf");
        try (GgufFile fixture = GgufFile.open(Fixtures.model("mixtral-fx-F32.gguf"))) {
            List<Entry> entries = HfExport.entries(fixture, "F32", 4, 2, true);
            SafetensorsTestWriter.writeSharded(dir, entries, 3);
            try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
                CheckpointConverter.convert(c, MIXTRAL, QuantRecipe.F32, tokenizerKeys(fixture), out, 2,
                        (i, n, t) -> { });
            }
            try (GgufFile converted = GgufFile.open(out)) {
                assertSameFile(fixture, converted);
            }
        }
    }

    @Test
    void llama3F16WithRopeScalingComesBackBitForBit() throws Exception {
        Path out = dir.resolve("out.gguf");
        try (GgufFile fixture = GgufFile.open(Fixtures.model("llama3-fx-F16.gguf"))) {
            SafetensorsTestWriter.write(dir.resolve("model.safetensors"), HfExport.entries(fixture, "F16", 4, 2, true));
            try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
                CheckpointConverter.convert(c, LLAMA3, QuantRecipe.F16, tokenizerKeys(fixture), out, 3,
                        (i, n, t) -> { });
            }
            try (GgufFile converted = GgufFile.open(out)) {
                assertSameFile(fixture, converted);
            }
        }
    }

    @Test
    void permutationDirectionKeepsAttentionScores() throws Exception {
        Path out = dir.resolve("out.gguf");
        try (GgufFile fixture = GgufFile.open(Fixtures.model("mixtral-fx-F32.gguf"))) {
            SafetensorsTestWriter.write(dir.resolve("model.safetensors"), HfExport.entries(fixture, "F32", 4, 2, true));
        }
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            CheckpointConverter.convert(c, MIXTRAL, QuantRecipe.F32, Map.of(), out, 1, (i, n, t) -> { });
            try (GgufFile converted = GgufFile.open(out)) {
                int dim = 64;
                int hd = 16;
                float[] qHf = new float[64 * dim];
                float[] kHf = new float[32 * dim];
                c.tensor("model.layers.1.self_attn.q_proj.weight").read(0, qHf.length, qHf, 0);
                c.tensor("model.layers.1.self_attn.k_proj.weight").read(0, kHf.length, kHf, 0);
                float[] qGg = HfExport.dequantize(converted, converted.tensor("blk.1.attn_q.weight"));
                float[] kGg = HfExport.dequantize(converted, converted.tensor("blk.1.attn_k.weight"));
                Random random = new Random(7);
                double[] x = new double[dim];
                double[] y = new double[dim];
                for (int i = 0; i < dim; i++) {
                    x[i] = random.nextGaussian();
                    y[i] = random.nextGaussian();
                }
                double worst = 0;
                double scale = 0;
                for (int pos : new int[] {0, 1, 5, 37, 1000}) {
                    double[] qa = rope(matvec(qHf, x, dim), hd, pos, 1e6, true, pos);
                    double[] ka = rope(matvec(kHf, y, dim), hd, pos - 3, 1e6, true, pos);
                    double[] qb = rope(matvec(qGg, x, dim), hd, pos, 1e6, false, pos);
                    double[] kb = rope(matvec(kGg, y, dim), hd, pos - 3, 1e6, false, pos);
                    for (int h = 0; h < 4; h++) {
                        double sa = 0;
                        double sb = 0;
                        for (int i = 0; i < hd; i++) {
                            sa += qa[h * hd + i] * ka[(h / 2) * hd + i];
                            sb += qb[h * hd + i] * kb[(h / 2) * hd + i];
                        }
                        worst = Math.max(worst, Math.abs(sa - sb));
                        scale = Math.max(scale, Math.abs(sa));
                    }
                }
                assertThat(scale).isGreaterThan(0.5);
                assertThat(worst).as("score difference").isLessThan(1e-9 * Math.max(1, scale) + 1e-6);
            }
        }
    }

    static double[] matvec(float[] w, double[] x, int cols) {
        double[] out = new double[w.length / cols];
        for (int r = 0; r < out.length; r++) {
            for (int c = 0; c < cols; c++) {
                out[r] += w[r * cols + c] * x[c];
            }
        }
        return out;
    }

    /** Hugging Face rotate_half pairs (i, i + d/2) when {@code halves}, llama.cpp NORM pairs (2i, 2i + 1) otherwise. */
    static double[] rope(double[] v, int hd, int pos, double theta, boolean halves, int unused) {
        double[] out = v.clone();
        for (int h = 0; h < v.length / hd; h++) {
            for (int i = 0; i < hd / 2; i++) {
                double angle = pos * Math.pow(theta, -2.0 * i / hd);
                int a = h * hd + (halves ? i : 2 * i);
                int b = h * hd + (halves ? i + hd / 2 : 2 * i + 1);
                out[a] = v[a] * Math.cos(angle) - v[b] * Math.sin(angle);
                out[b] = v[a] * Math.sin(angle) + v[b] * Math.cos(angle);
            }
        }
        return out;
    }
}
