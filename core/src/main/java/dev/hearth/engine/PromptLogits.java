package dev.hearth.engine;

import dev.hearth.kernel.VectorOps;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Logits;
import dev.hearth.model.Model;
import dev.hearth.model.ModelOptions;
import dev.hearth.model.PromptFeeder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Teacher-forced scoring: a prompt fed in batched chunks with logits at every position, reduced to the top k per
 * position. For fidelity checks and scripts ({@code hearth logits}); serving goes through {@link Engine}.
 */
public final class PromptLogits {
    /** Receives position p's top k ids and logits (largest first, lower id first on ties); arrays are reused. */
    @FunctionalInterface
    public interface PositionSink {
        void accept(int position, int[] topIds, float[] topLogits);
    }

    private PromptLogits() {}

    public static void topK(Path path, int threads, int chunk, int[] ids, int k, PositionSink sink) throws IOException {
        if (ids.length == 0) {
            throw new IllegalArgumentException("the prompt needs at least one token id");
        }
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "model file not found");
        }
        try (Model model = Model.load(path, new ModelOptions(threads, chunk));
                KvCache kv = model.newKvCache(ids.length, 1, KvPrecision.F32)) {
            int vocab = model.config().vocabSize();
            if (k < 1 || k > vocab) {
                throw new IllegalArgumentException("top must lie in [1, " + vocab + "], got " + k);
            }
            Logits logits = model.newLogits(chunk);
            int[] topIds = new int[k];
            float[] topValues = new float[k];
            PromptFeeder.feed(model, kv, model.newBatch(), logits, 0, ids, 0, chunk, true, (pos, lg, row) -> {
                VectorOps.topK(lg.values(), lg.offset(row), lg.vocabSize(), k, topIds, 0, topValues, 0);
                sink.accept(pos, topIds, topValues);
            });
        }
    }
}
