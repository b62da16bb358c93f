package dev.hearth.server.convert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.gguf.GgmlType;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufTensorInfo;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Batch;
import dev.hearth.model.Logits;
import dev.hearth.model.Model;
import dev.hearth.model.ModelOptions;
import dev.hearth.safetensors.SafetensorsTestWriter;
import dev.hearth.server.cli.Main;
import dev.hearth.testing.Fixtures;
import dev.hearth.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hearth quantize on fixture weights written back as Hugging Face folders (tokenizer.json rebuilt from the fixture's
 * vocabulary): tokenizer keys equal llama.cpp's, tensors equal the fixture's, tokenization reproduces llama.cpp's
 * reference ids, quantized outputs' logits stay within each type's error of the F32 conversion, bad input fails
 * clearly and leaves nothing behind.
 */
class QuantizeCommandTest {
    @TempDir
    Path dir;

    /** Exit code and stderr of one command line. */
    record Run(int code, String err) {}

    static Run run(String... args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
        }
    }

    Path qwen2Folder() throws Exception {
        Path hf = Files.createDirectories(dir.resolve("qwen2-hf"));
        HfFolder.write(Fixtures.model("qwen2-fx-Q8_0.gguf"), hf,
                HfFolder.config("Qwen2ForCausalLM", 2, 64, 4, 2, 192, 32768, 1e6, 1e-6, true), "F32", 2);
        return hf;
    }

    static void assertTensorsEqual(GgufFile expected, GgufFile actual) {
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

    static void assertTokenizerKeysEqual(GgufFile expected, GgufFile actual) {
        for (String k : expected.metadata().keys()) {
            if (k.startsWith("tokenizer.")) {
                assertThat(actual.metadata().get(k)).as(k).isEqualTo(expected.metadata().get(k));
            }
        }
        for (String k : actual.metadata().keys()) {
            assertThat(expected.metadata().has(k)).as("extra key " + k).isTrue();
        }
    }

    static void assertTokenizesLikeLlamaCpp(GgufFile f, String model) throws Exception {
        Tokenizer t = Tokenizer.fromGguf(f.metadata());
        JsonNode ref = HfFolder.JSON.readTree(Fixtures.reference("tokenize_" + model + ".json").toFile());
        int cases = 0;
        for (JsonNode c : ref.get("cases")) {
            int[] ids = HfFolder.JSON.convertValue(c.get("ids"), int[].class);
            assertThat(t.encode(c.get("text").asText(), true, true)).as(c.get("name").asText()).containsExactly(ids);
            cases++;
        }
        assertThat(cases).isGreaterThan(20);
    }

    @Test
    void qwen2ToQ8_0MatchesTheFixture() throws Exception {
        Path hf = qwen2Folder();
        Path out = dir.resolve("q8.gguf");
        Run r = run("quantize", hf.toString(), out.toString(), "--type", "Q8_0", "--threads", "2");
        assertThat(r.code()).as(r.err()).isZero();
        try (GgufFile fixture = GgufFile.open(Fixtures.model("qwen2-fx-Q8_0.gguf")); GgufFile f = GgufFile.open(out)) {
            assertTokenizerKeysEqual(fixture, f);
            for (String k : fixture.metadata().keys()) {
                if (!k.startsWith("general.name") && !k.startsWith("general.description")) {
                    assertThat(f.metadata().get(k)).as(k).isEqualTo(fixture.metadata().get(k));
                }
            }
            // re-encoding dequantized Q8_0 blocks gives the same blocks: the whole model comes back
            assertTensorsEqual(fixture, f);
            assertTokenizesLikeLlamaCpp(f, "qwen2-fx");
        }
    }

    Path llama3Folder(String dtype) throws Exception {
        Path hf = Files.createDirectories(dir.resolve("llama3-hf-" + dtype));
        ObjectNode config = HfFolder.config("LlamaForCausalLM", 2, 64, 4, 2, 192, 131072, 500000, 1e-5, false);
        config.put("head_dim", 16);
        config.putArray("eos_token_id").add(128001).add(128008).add(128009);
        ObjectNode rope = config.putObject("rope_scaling");
        rope.put("rope_type", "llama3").put("factor", 32.0).put("low_freq_factor", 1.0).put("high_freq_factor", 4.0)
                .put("original_max_position_embeddings", 8192);
        HfFolder.write(Fixtures.model("llama3-fx-F16.gguf"), hf, config, dtype, 1);
        return hf;
    }

    @Test
    void llama3ToF16MatchesTheFixture() throws Exception {
        Path hf = llama3Folder("F16");
        Path out = dir.resolve("f16.gguf");
        Run r = run("quantize", hf.toString(), out.toString(), "--type", "F16");
        assertThat(r.code()).as(r.err()).isZero();
        try (GgufFile fixture = GgufFile.open(Fixtures.model("llama3-fx-F16.gguf")); GgufFile f = GgufFile.open(out)) {
            assertTokenizerKeysEqual(fixture, f);
            assertTensorsEqual(fixture, f);
            assertTokenizesLikeLlamaCpp(f, "llama3-fx");
        }
    }

    /** Logits at every position of a 12-token prompt. */
    static float[] logits(Path model, int[] tokens) throws Exception {
        try (Model m = Model.load(model, ModelOptions.defaults().withThreads(2))) {
            var kv = m.newKvCache(tokens.length, 1, KvPrecision.F32);
            Batch b = m.newBatch();
            for (int i = 0; i < tokens.length; i++) {
                b.add(tokens[i], i, 0, true);
            }
            Logits l = m.newLogits(tokens.length);
            m.forward(b, kv, l);
            return java.util.Arrays.copyOf(l.values(), tokens.length * m.config().vocabSize());
        }
    }

    @Test
    void quantizedLogitsStayWithinEachTypesError() throws Exception {
        // llama3-fx weights (F16 values, q/k permuted on the way) stored as BF16: not on any quantization grid
        Path hf = llama3Folder("BF16");
        int[] prompt = {128000, 9906, 11, 1917, 0, 128006, 882, 128007, 271, 3923, 374, 30};
        float[] base = null;
        StringBuilder report = new StringBuilder();
        // max |diff| / std(logits) bounds from the README's llama.cpp spreads; Q4_K_M at dim 64 falls back to
        // Q5_0 / Q8_0 as llama.cpp does (rows are not multiples of 256)
        for (String type : List.of("F32", "F16", "Q8_0", "Q4_K_M")) {
            Path out = dir.resolve(type + ".gguf");
            assertThat(run("quantize", hf.toString(), out.toString(), "--type", type).code()).isZero();
            float[] l = logits(out, prompt);
            if (base == null) {
                base = l;
                continue;
            }
            double std = 0;
            double worst = 0;
            for (int i = 0; i < l.length; i++) {
                std += base[i] * (double) base[i];
                worst = Math.max(worst, Math.abs(l[i] - base[i]));
            }
            std = Math.sqrt(std / l.length);
            double relative = worst / std;
            report.append(type).append(": max ").append(worst).append(" (").append(relative).append(" std) ");
            double bound = switch (type) {
                case "F16" -> 1e-2; // llama.cpp F16 vs F32 math: 0.0031 of the std (README)
                // llama.cpp llama3-fx Q8_0 vs F16: 0.135 of the std (README), its 8-bit activations included, as on
                // Hearth's native int8 kernels (0.152 here with them, 0.12-0.15 without)
                case "Q8_0" -> 0.2;
                default -> 1.0; // llama.cpp Q4_K_M vs F32 (qwen2-kq-fx): 1.05; Q4_0 vs F16 (llama3-fx): 1.62
            };
            assertThat(relative).as(report.toString()).isLessThan(bound);
            if (!type.equals("F16")) { // BF16 values are exact in F16; the quantized types must really quantize
                assertThat(relative).as(report.toString()).isGreaterThan(bound / 1000);
            }
        }
        System.out.println("logit error vs F32 conversion: " + report);
    }

    @Test
    void q4KMUsesTheRecipeTypes() throws Exception {
        Path hf = qwen2Folder();
        Path out = dir.resolve("q4km.gguf");
        assertThat(run("quantize", hf.toString(), out.toString(), "--type", "q4_k_m").code()).isZero();
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.metadata().getLong("general.file_type")).isEqualTo(15);
            // rows of 64: Q4_K falls back to Q5_0, the tied output's Q6_K to Q8_0; ffn_down rows of 192 are Q5_0/Q8_0
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(f.tensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q5_0);
            assertThat(f.tensor("blk.1.attn_v.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(f.tensor("blk.0.attn_q.bias").type()).isEqualTo(GgmlType.F32);
        }
    }

    // ---- bad input: a clear error naming the file or tensor, and no output at all

    void assertFailsCleanly(Path hf, String... expected) throws Exception {
        Path out = dir.resolve("out").resolve("bad.gguf");
        Files.createDirectories(out.getParent());
        Run r = run("quantize", hf.toString(), out.toString(), "--type", "Q8_0");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(expected);
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertThat(s.toList()).as("left in the output folder").isEmpty();
        }
    }

    @Test
    void missingConfig() throws Exception {
        Path hf = qwen2Folder();
        Files.delete(hf.resolve("config.json"));
        assertFailsCleanly(hf, "config.json", "missing");
    }

    @Test
    void unknownArchitecture() throws Exception {
        Path hf = qwen2Folder();
        ObjectNode c = (ObjectNode) HfFolder.JSON.readTree(hf.resolve("config.json").toFile());
        c.putArray("architectures").add("GPT2LMHeadModel");
        HfFolder.JSON.writeValue(hf.resolve("config.json").toFile(), c);
        assertFailsCleanly(hf, "GPT2LMHeadModel", "not supported");
    }

    @Test
    void mismatchedShape() throws Exception {
        Path hf = qwen2Folder();
        ObjectNode c = (ObjectNode) HfFolder.JSON.readTree(hf.resolve("config.json").toFile());
        c.put("intermediate_size", 256);
        HfFolder.JSON.writeValue(hf.resolve("config.json").toFile(), c);
        assertFailsCleanly(hf, "model.layers.0.mlp.gate_proj.weight", "[192, 64]", "expected [256, 64]");
    }

    @Test
    void unsupportedDtypeAndUnusedTensor() throws Exception {
        Path hf = qwen2Folder();
        SafetensorsTestWriter.write(hf.resolve("extra.safetensors"), List.of(
                new SafetensorsTestWriter.Entry("model.extra", "I32", new long[] {2}, new float[] {1, 2})));
        // the index does not list it: a folder with an index reads only the indexed shards, so drop the index
        Files.delete(hf.resolve("model.safetensors.index.json"));
        assertFailsCleanly(hf, "'model.extra'", "I32");
        Files.delete(hf.resolve("extra.safetensors"));
        SafetensorsTestWriter.write(hf.resolve("extra.safetensors"), List.of(
                new SafetensorsTestWriter.Entry("model.extra", "F32", new long[] {2}, new float[] {1, 2})));
        assertFailsCleanly(hf, "'model.extra'", "not used");
    }

    @Test
    void missingTokenizerAndWeights() throws Exception {
        Path hf = qwen2Folder();
        Files.delete(hf.resolve("model-00001-of-00002.safetensors"));
        assertFailsCleanly(hf, "model-00001-of-00002.safetensors", "missing");
        Files.delete(hf.resolve("tokenizer.json"));
        assertFailsCleanly(hf, "tokenizer.json", "missing");
    }
}
