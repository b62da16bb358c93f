package dev.hearth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.gguf.GgufException;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufWriter;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvCacheFullException;
import dev.hearth.kv.KvPrecision;
import dev.hearth.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config reading, batching of several sequences, KV precision and the errors a caller can hit. */
class ModelBehaviourTest {

    @Test
    void readsConfigOfEachFamily() throws IOException {
        try (GgufFile f = GgufFile.open(Fixtures.model("llama3-fx-Q4_0.gguf"))) {
            ModelConfig c = ModelConfig.from(f);
            assertThat(c.architecture()).isInstanceOf(LlamaArchitecture.class);
            assertThat(c.ropeStyle()).isEqualTo(RopeStyle.NORM);
            assertThat(new int[] {c.numLayers(), c.dim(), c.numHeads(), c.numKeyValueHeads(), c.headSize(), c.ffnLength()})
                    .containsExactly(2, 64, 4, 2, 16, 192);
            assertThat(c.vocabSize()).isEqualTo(128256);
            assertThat(c.ropeTheta()).isEqualTo(500000f);
            assertThat(c.ropeFrequencyFactors()).containsExactly(new float[] {1, 1, 1, 1, 3.2923f, 32, 32, 32},
                    within(1e-3f));
            assertThat(c.tiedOutput()).isFalse();
            assertThat(c.contextLength()).isEqualTo(131072);
        }
        try (GgufFile f = GgufFile.open(Fixtures.model("mixtral-fx-Q4_0.gguf"))) {
            ModelConfig c = ModelConfig.from(f);
            assertThat(c.expertCount()).isEqualTo(4);
            assertThat(c.expertsUsed()).isEqualTo(2);
            assertThat(c.ropeFrequencyFactors()).isNull();
        }
        try (GgufFile f = GgufFile.open(Fixtures.model("qwen2-fx-Q8_0.gguf"))) {
            ModelConfig c = ModelConfig.from(f);
            assertThat(c.ropeStyle()).isEqualTo(RopeStyle.NEOX);
            assertThat(c.hasQkvBiases()).isTrue();
            assertThat(c.tiedOutput()).isTrue();
            assertThat(c.rmsEpsilon()).isEqualTo(1e-6f);
        }
        try (GgufFile f = GgufFile.open(Fixtures.model("qwen3-fx-Q8_0.gguf"))) {
            ModelConfig c = ModelConfig.from(f);
            assertThat(c.hasQkNorms()).isTrue();
            assertThat(c.hasQkvBiases()).isFalse();
        }
    }

    @Test
    void twoSequencesInOneBatchMatchSeparateRuns() throws IOException {
        int[] a = {791, 2362, 326, 59009, 54516};
        int[] b = {128000, 45519, 279};
        try (Model model = Model.load(Fixtures.model("llama3-fx-Q4_0.gguf"), new ModelOptions(2, 16))) {
            Logits logits = model.newLogits(16);
            float[][] alone = new float[a.length + b.length][];
            int[][] seqs = {a, b};
            for (int s = 0; s < 2; s++) {
                KvCache kv = model.newKvCache(16, 1, KvPrecision.F32);
                int base = s == 0 ? 0 : a.length;
                PromptFeeder.feed(model, kv, model.newBatch(), logits, 0, seqs[s], 0, 16, true,
                        (pos, lg, row) -> alone[base + pos] = java.util.Arrays.copyOfRange(lg.values(), lg.offset(row),
                                lg.offset(row) + lg.vocabSize()));
            }
            // interleaved rows of both sequences; only some rows ask for logits
            KvCache kv = model.newKvCache(16, 2, KvPrecision.F32);
            Batch batch = model.newBatch();
            batch.add(a[0], 0, 0, true).add(b[0], 0, 1, false).add(a[1], 1, 0, true).add(b[1], 1, 1, true)
                    .add(a[2], 2, 0, false).add(b[2], 2, 1, true);
            model.forward(batch, kv, logits);
            assertThat(logits.rows()).isEqualTo(4);
            int[] expectIndex = {0, 1, a.length + 1, a.length + 2};
            for (int r = 0; r < 4; r++) {
                float[] expected = alone[expectIndex[r]];
                for (int id = 0; id < expected.length; id += 97) {
                    assertThat(logits.get(r, id)).isCloseTo(expected[id], within(1e-4f));
                }
            }
            // continue sequence 0 with the rest, one decode step for sequence 1 at the same time
            batch.clear();
            batch.add(a[3], 3, 0, false).add(a[4], 4, 0, true);
            model.forward(batch, kv, logits);
            for (int id = 0; id < logits.vocabSize(); id += 89) {
                assertThat(logits.get(0, id)).isCloseTo(alone[4][id], within(1e-4f));
            }
        }
    }

    @Test
    void f16KvCacheStaysCloseToF32() throws IOException {
        // README: an F16 KV cache moves llama.cpp's logits by up to 0.06 over the whole vocabulary; we allow 0.05 on
        // the top-10 of the F32-cache run at every position of the short prompt plus its greedy tokens.
        ReferenceLogits ref = ReferenceLogits.read("logits_mixtral-fx-F32.json");
        ReferenceLogits.Prompt p = ref.prompt("paragraph");
        int[] ids = java.util.stream.IntStream.concat(java.util.Arrays.stream(p.promptIds()),
                java.util.Arrays.stream(p.greedyIds())).toArray();
        try (Model model = Model.load(Fixtures.model("mixtral-fx-F32.gguf"), new ModelOptions(2, 64))) {
            float[][] f32 = run(model, ids, KvPrecision.F32);
            float[][] f16 = run(model, ids, KvPrecision.F16);
            double max = 0;
            for (int pos = 0; pos < ids.length; pos++) {
                int[] top = topIds(f32[pos], 10);
                for (int id : top) {
                    max = Math.max(max, Math.abs(f32[pos][id] - f16[pos][id]));
                }
            }
            System.out.printf("mixtral-fx-F32 paragraph: F16 vs F32 KV cache max abs on top-10 %.3g%n", max);
            assertThat(max).isGreaterThan(0).isLessThanOrEqualTo(0.05);
        }
    }

    private static float[][] run(Model model, int[] ids, KvPrecision precision) {
        float[][] out = new float[ids.length][];
        KvCache kv = model.newKvCache(ids.length, 1, precision);
        PromptFeeder.feed(model, kv, model.newBatch(), model.newLogits(64), 0, ids, 0, 64, true,
                (pos, lg, row) -> out[pos] = java.util.Arrays.copyOfRange(lg.values(), lg.offset(row),
                        lg.offset(row) + lg.vocabSize()));
        return out;
    }

    private static int[] topIds(float[] x, int k) {
        return java.util.stream.IntStream.range(0, x.length).boxed().sorted((i, j) -> Float.compare(x[j], x[i]))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void sequencePastTheContextLengthFailsClearly() throws IOException {
        try (Model model = Model.load(Fixtures.model("mixtral-fx-Q4_0.gguf"), new ModelOptions(1, 8))) {
            KvCache kv = model.newKvCache(4, 1, KvPrecision.F16);
            Logits logits = model.newLogits(8);
            Batch batch = model.newBatch();
            PromptFeeder.feed(model, kv, batch, logits, 0, new int[] {1, 2, 3, 4}, 0, 8, false, (p, l, r) -> {});
            assertThatThrownBy(() -> PromptFeeder.feed(model, kv, batch, logits, 0, new int[] {5}, 4, 1, true,
                    (p, l, r) -> {})).isInstanceOf(KvCacheFullException.class)
                    .hasMessageContaining("sequence 0 position 4 exceeds the KV cache context length 4");
            batch.clear();
            batch.add(40000, 0, 0, true);
            assertThatThrownBy(() -> model.forward(batch, kv, logits))
                    .hasMessageContaining("token id 40000 at batch row 0 is outside the vocabulary of 32000");
        }
    }

    @Test
    void missingKeyOrTensorIsNamed(@TempDir Path dir) throws IOException {
        Path noEps = dir.resolve("no-eps.gguf");
        Path noTensors = dir.resolve("no-tensors.gguf");
        try (GgufFile f = GgufFile.open(Fixtures.model("qwen3-fx-Q8_0.gguf"))) {
            GgufWriter w = new GgufWriter();
            f.metadata().asMap().forEach((k, v) -> {
                if (!k.equals("qwen3.attention.layer_norm_rms_epsilon")) {
                    w.put(k, v);
                }
            });
            w.write(noEps);
            new GgufWriter().putAll(f.metadata()).write(noTensors);
        }
        assertThatThrownBy(() -> Model.load(noEps, new ModelOptions(1, 4))).isInstanceOf(GgufException.class)
                .hasMessageContaining("missing required metadata key 'qwen3.attention.layer_norm_rms_epsilon'");
        assertThatThrownBy(() -> Model.load(noTensors, new ModelOptions(1, 4))).isInstanceOf(GgufException.class)
                .hasMessageContaining("missing tensor 'token_embd.weight'");
    }

    @Test
    void aFileHandedToTheLoaderIsClosedWithTheModelOrWhenTheLoadFails(@TempDir Path dir) throws IOException {
        Path noTensors = dir.resolve("no-tensors.gguf");
        try (GgufFile f = GgufFile.open(Fixtures.model("qwen3-fx-Q8_0.gguf"))) {
            new GgufWriter().putAll(f.metadata()).write(noTensors);
        }
        GgufFile broken = GgufFile.open(noTensors);
        assertThatThrownBy(() -> Model.load(broken, new ModelOptions(1, 4))).isInstanceOf(GgufException.class);
        assertThat(broken.arena().scope().isAlive()).as("the file of a failed load is closed").isFalse();

        GgufFile good = GgufFile.open(Fixtures.model("qwen3-fx-Q8_0.gguf"));
        try (Model model = Model.load(good, new ModelOptions(1, 4))) {
            assertThat(model.config().numLayers()).isPositive();
            assertThat(good.arena().scope().isAlive()).as("the model's file is open while the model is").isTrue();
        }
        assertThat(good.arena().scope().isAlive()).as("closed with the model").isFalse();
    }
}
