package dev.hearth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.Engine;
import dev.hearth.engine.EngineOptions;
import dev.hearth.engine.LocalModelRunner;
import dev.hearth.kv.KvPrecision;
import dev.hearth.testing.Fixtures;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Mean-pooled, L2-normalised final hidden states: through the model and through the engine. */
class EmbeddingTest {
    static final int[] TEXT_A = {9707, 11, 1879, 0, 358, 1079, 264, 2632, 1467, 311, 2924, 13, 151645, 198, 2};
    static final int[] TEXT_B = {785, 6303, 374, 6303, 1576, 315, 1100, 71816, 13};

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void unitLengthDifferentForDifferentTextsAndTheSameWhateverTheBatchSize() throws Exception {
        try (Model wide = Model.load(Fixtures.model("qwen2-fx-Q8_0.gguf"), new ModelOptions(2, 64));
                Model narrow = Model.load(Fixtures.model("qwen2-fx-Q8_0.gguf"), new ModelOptions(2, 4))) {
            float[] a = wide.embed(TEXT_A);
            assertThat(a).hasSize(wide.config().dim());
            assertThat(dot(a, a)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            // 15 tokens in chunks of 4 (positions continue in the embedder's own KV cache) = one pass of 15
            assertThat(maxDiff(narrow.embed(TEXT_A), a)).isLessThan(1e-5);
            float[] b = wide.embed(TEXT_B);
            assertThat(dot(a, b)).isLessThan(0.999);
            // the same again (the embedder's cache is reset between calls), and a longer input after a shorter one
            assertThat(maxDiff(wide.embed(TEXT_A), a)).isLessThan(1e-6);
            int[] longer = new int[700];
            for (int i = 0; i < longer.length; i++) {
                longer[i] = TEXT_A[i % TEXT_A.length];
            }
            assertThat(maxDiff(wide.embed(longer), narrow.embed(longer))).isLessThan(1e-5);
            assertThatThrownBy(() -> wide.embed(new int[0])).hasMessageContaining("empty");
        }
    }

    @Test
    void engineEmbedsBetweenStepsAsTheModelDoes() throws Exception {
        float[] direct;
        try (Model model = Model.load(Fixtures.model("qwen2-fx-Q8_0.gguf"), new ModelOptions(2, 64))) {
            direct = model.embed(TEXT_B);
        }
        try (Engine engine = new Engine(LocalModelRunner.load(Fixtures.model("qwen2-fx-Q8_0.gguf"), 2, 64, 256, 4,
                KvPrecision.F32), EngineOptions.defaults("qwen2-fx"))) {
            float[] viaEngine = engine.embed(TEXT_B);
            assertThat(maxDiff(viaEngine, direct)).isLessThan(1e-6);
            assertThat(Arrays.equals(engine.embed(TEXT_A), viaEngine)).isFalse();
        }
    }
}
