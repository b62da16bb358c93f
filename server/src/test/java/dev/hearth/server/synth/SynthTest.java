package dev.hearth.server.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.gguf.GgmlType;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufMetadata;
import dev.hearth.gguf.GgufTensorInfo;
import dev.hearth.kernel.ScalarKernels;
import dev.hearth.server.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hearth synth: tiny models of each architecture read back with metadata, shapes, types and weight statistics. */
class SynthTest {
    @TempDir
    Path dir;

    static Path fixture(String name) {
        Path p = Path.of(System.getProperty("hearth.fixtures", "../../shared/fixtures"), "models", name);
        assertThat(p).as("fixture").isRegularFile();
        return p;
    }

    /** Mean and standard deviation of the dequantized tensor. */
    static double[] stats(GgufFile f, GgufTensorInfo t) {
        int cols = Math.toIntExact(t.dim(0));
        long rows = t.elementCount() / cols;
        float[] row = new float[cols];
        double sum = 0;
        double sum2 = 0;
        long rowBytes = t.type().byteSize(cols);
        for (long r = 0; r < rows; r++) {
            ScalarKernels.dequantize(t.type(), f.tensorData(t), r * rowBytes, row, 0, cols);
            for (float v : row) {
                sum += v;
                sum2 += v * (double) v;
            }
        }
        long n = rows * cols;
        double mean = sum / n;
        return new double[] {mean, Math.sqrt(sum2 / n - mean * mean)};
    }

    static void assertProfile(GgufFile f, String name, double mean, double std, double relTolerance) {
        double[] s = stats(f, f.tensor(name));
        assertThat(s[0]).as(name + " mean").isCloseTo(mean, org.assertj.core.data.Offset.offset(std * 0.1 + 1e-3));
        assertThat(s[1]).as(name + " std").isCloseTo(std, org.assertj.core.data.Percentage.withPercentage(
                100 * relTolerance));
    }

    @Test
    void llamaMoeQ4KM() throws Exception {
        Path out = dir.resolve("moe.gguf");
        assertThat(Main.run("synth", "--arch", "llama", "--layers", "4", "--dim", "256", "--heads", "4", "--kv-heads",
                "2", "--ffn", "512", "--experts", "4", "--experts-used", "2", "--vocab-from",
                fixture("mixtral-fx-Q4_0.gguf").toString(), "--no-tied", "--type", "Q4_K_M", "--seed", "9",
                "--out", out.toString())).isZero();
        try (GgufFile f = GgufFile.open(out); GgufFile src = GgufFile.open(fixture("mixtral-fx-Q4_0.gguf"))) {
            GgufMetadata m = f.metadata();
            assertThat(m.getString(GgufKeys.GENERAL_ARCHITECTURE)).isEqualTo("llama");
            assertThat(m.getLong("llama.block_count")).isEqualTo(4);
            assertThat(m.getLong("llama.embedding_length")).isEqualTo(256);
            assertThat(m.getLong("llama.feed_forward_length")).isEqualTo(512);
            assertThat(m.getLong("llama.attention.head_count")).isEqualTo(4);
            assertThat(m.getLong("llama.attention.head_count_kv")).isEqualTo(2);
            assertThat(m.getLong("llama.expert_count")).isEqualTo(4);
            assertThat(m.getLong("llama.expert_used_count")).isEqualTo(2);
            assertThat(m.getLong("llama.rope.dimension_count")).isEqualTo(64);
            assertThat(m.getLong(GgufKeys.GENERAL_FILE_TYPE)).isEqualTo(15);
            assertThat(m.getLong(GgufKeys.GENERAL_QUANTIZATION_VERSION)).isEqualTo(2);
            for (String k : src.metadata().keys()) {
                if (k.startsWith("tokenizer.")) {
                    assertThat(m.get(k)).as(k).isEqualTo(src.metadata().get(k));
                }
            }
            assertThat(m.getString(GgufKeys.TOKENIZER_CHAT_TEMPLATE)).isNotEmpty();
            int vocab = src.metadata().getStringArray(GgufKeys.TOKENIZER_TOKENS).length;
            assertThat(f.tensor("token_embd.weight").shape()).containsExactly(256, vocab);
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.Q4_K);
            assertThat(f.tensor("output.weight").type()).isEqualTo(GgmlType.Q6_K);
            assertThat(f.tensor("blk.0.ffn_gate_inp.weight").type()).isEqualTo(GgmlType.F32);
            assertThat(f.tensor("blk.0.ffn_gate_inp.weight").shape()).containsExactly(256, 4);
            assertThat(f.tensor("blk.0.ffn_gate_exps.weight").shape()).containsExactly(256, 512, 4);
            assertThat(f.tensor("blk.0.ffn_down_exps.weight").shape()).containsExactly(512, 256, 4);
            assertThat(f.tensor("blk.0.attn_k.weight").shape()).containsExactly(256, 128);
            // llama.cpp's use_more_bits for 4 layers: layers 2 and 3 get Q6_K attn_v / ffn_down
            for (int l = 0; l < 4; l++) {
                GgmlType expected = l >= 2 ? GgmlType.Q6_K : GgmlType.Q4_K;
                assertThat(f.tensor("blk." + l + ".attn_v.weight").type()).as("attn_v " + l).isEqualTo(expected);
                assertThat(f.tensor("blk." + l + ".ffn_down_exps.weight").type()).as("down " + l).isEqualTo(expected);
                assertThat(f.tensor("blk." + l + ".attn_q.weight").type()).isEqualTo(GgmlType.Q4_K);
                assertThat(f.tensor("blk." + l + ".attn_norm.weight").type()).isEqualTo(GgmlType.F32);
            }
            assertThat(f.findTensor("blk.0.ffn_gate.weight")).isEmpty();
            assertProfile(f, "token_embd.weight", 0, 1, 0.03);
            assertProfile(f, "output.weight", 0, 1, 0.03);
            assertProfile(f, "blk.1.attn_q.weight", 0, 1.2 / 16, 0.05);
            assertProfile(f, "blk.1.attn_v.weight", 0, 1.0 / 16, 0.05);
            assertProfile(f, "blk.2.ffn_down_exps.weight", 0, 1 / Math.sqrt(512), 0.05);
            assertProfile(f, "blk.0.ffn_gate_inp.weight", 0, 1.0 / 16, 0.15);
            assertProfile(f, "blk.3.ffn_norm.weight", 1, 0.1, 0.2);
        }
    }

    @Test
    void qwen2TiedWithBiasesQ8_0() throws Exception {
        Path out = dir.resolve("qwen2.gguf");
        assertThat(Main.run("synth", "--arch", "qwen2", "--layers", "2", "--dim", "128", "--heads", "4", "--kv-heads",
                "2", "--ffn", "384", "--vocab", "1000", "--type", "Q8_0", "--out", out.toString())).isZero();
        try (GgufFile f = GgufFile.open(out)) {
            GgufMetadata m = f.metadata();
            assertThat(m.getString(GgufKeys.GENERAL_ARCHITECTURE)).isEqualTo("qwen2");
            assertThat(m.getFloat("qwen2.rope.freq_base")).isEqualTo(1e6f);
            assertThat(m.getFloat("qwen2.attention.layer_norm_rms_epsilon")).isEqualTo(1e-6f);
            assertThat(m.getLong(GgufKeys.GENERAL_FILE_TYPE)).isEqualTo(7);
            assertThat(f.findTensor("output.weight")).isEmpty();
            assertThat(f.tensor("token_embd.weight").shape()).containsExactly(128, 1000);
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(f.tensor("blk.1.attn_q.bias").shape()).containsExactly(128);
            assertThat(f.tensor("blk.1.attn_k.bias").shape()).containsExactly(64);
            assertThat(f.tensor("blk.1.attn_v.bias").type()).isEqualTo(GgmlType.F32);
            assertThat(f.findTensor("blk.0.attn_q_norm.weight")).isEmpty();
            assertProfile(f, "token_embd.weight", 0, 1, 0.03);
            assertProfile(f, "blk.0.attn_q.bias", 0, 0.2, 0.2);
            assertProfile(f, "blk.0.ffn_down.weight", 0, 1 / Math.sqrt(384), 0.03);
            assertProfile(f, "blk.0.ffn_up.weight", 0, 1 / Math.sqrt(128), 0.03);
        }
    }

    @Test
    void qwen3WithQkNormsAndOddRowLengthsFallBackLikeLlamaCpp() throws Exception {
        Path out = dir.resolve("qwen3.gguf");
        // dim 384 is not a multiple of 256: Q4_K falls back to Q5_0 and Q6_K to Q8_0, as llama-quantize does
        assertThat(Main.run("synth", "--arch", "qwen3", "--layers", "1", "--dim", "384", "--heads", "4", "--kv-heads",
                "2", "--head-dim", "128", "--ffn", "512", "--vocab", "300", "--type", "Q4_K_M", "--out",
                out.toString())).isZero();
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.metadata().getLong("qwen3.attention.key_length")).isEqualTo(128);
            assertThat(f.tensor("blk.0.attn_q.weight").shape()).containsExactly(384, 512);
            assertThat(f.tensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q5_0);
            assertThat(f.tensor("blk.0.attn_output.weight").type()).isEqualTo(GgmlType.Q4_K);
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(f.tensor("blk.0.ffn_down.weight").type()).isEqualTo(GgmlType.Q6_K);
            assertThat(f.tensor("blk.0.attn_q_norm.weight").shape()).containsExactly(128);
            assertThat(f.findTensor("blk.0.attn_q.bias")).isEmpty();
            assertProfile(f, "blk.0.attn_k_norm.weight", 1, 0.1, 0.35);
        }
    }

    @Test
    void sameSeedSameBytesWhateverTheThreadCount() throws Exception {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        String[] common = {"synth", "--dim", "64", "--ffn", "128", "--vocab", "5000", "--type", "Q4_0", "--rope-freqs"};
        assertThat(Main.run(concat(common, "--seed", "5", "--threads", "1", "--out", a.toString()))).isZero();
        assertThat(Main.run(concat(common, "--seed", "5", "--threads", "3", "--out", b.toString()))).isZero();
        assertThat(Main.run(concat(common, "--seed", "6", "--threads", "3", "--out", c.toString()))).isZero();
        assertThat(Files.mismatch(a, b)).isEqualTo(-1);
        assertThat(Files.mismatch(a, c)).isNotEqualTo(-1);
    }

    @Test
    void ropeFreqsMatchTheFixtureComputedByConvertHfToGguf() throws Exception {
        try (GgufFile f = GgufFile.open(fixture("llama3-fx-F16.gguf"))) {
            GgufTensorInfo t = f.tensor("rope_freqs.weight");
            float[] stored = new float[8];
            ScalarKernels.dequantize(t.type(), f.tensorData(t), 0, stored, 0, 8);
            float[] mine = RopeFreqs.llama3(16, 500000, 32, 1, 4, 8192);
            for (int i = 0; i < 8; i++) {
                assertThat(mine[i]).as("pair " + i).isCloseTo(stored[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void badOptionsAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> new SynthSpec("gpt2", 1, 64, 4, 4, 16, 128, 0, 0, null, 10, true, SynthFileType.F32,
                128, 1e4f, 1e-5f, false, false, false, 1, "x")).hasMessageContaining("--arch gpt2");
        assertThatThrownBy(() -> new SynthSpec("llama", 1, 64, 6, 4, 16, 128, 0, 0, null, 10, true, SynthFileType.F32,
                128, 1e4f, 1e-5f, false, false, false, 1, "x")).hasMessageContaining("--kv-heads 4");
        assertThatThrownBy(() -> new SynthSpec("qwen2", 1, 64, 4, 4, 16, 128, 4, 2, null, 10, true, SynthFileType.F32,
                128, 1e4f, 1e-5f, false, false, false, 1, "x")).hasMessageContaining("--experts");
        assertThat(Main.run("synth", "--type", "Q3_K", "--out", dir.resolve("x.gguf").toString())).isEqualTo(1);
        assertThat(Files.exists(dir.resolve("x.gguf"))).isFalse();
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
