package dev.hearth.engine;

import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Batch;
import dev.hearth.model.Logits;
import dev.hearth.model.Model;
import dev.hearth.model.ModelConfig;
import dev.hearth.model.ModelOptions;
import java.io.IOException;
import java.nio.file.Path;

/** The engine's runner over a loaded model: one KV cache with a slot per running sequence. */
public final class LocalModelRunner implements ModelRunner {
    private final Model model;
    private final KvCache kv;
    private final Batch batch;
    private final Logits logits;
    private final int maxSequences;
    private final int contextLength;

    /**
     * @param contextLength positions per sequence
     * @param maxSequences KV slots (the most sequences running at once)
     */
    public LocalModelRunner(Model model, int contextLength, int maxSequences, KvPrecision precision) {
        this.model = model;
        this.contextLength = contextLength;
        this.maxSequences = maxSequences;
        this.kv = model.newKvCache(contextLength, maxSequences, precision);
        this.batch = model.newBatch();
        this.logits = model.newLogits(Math.min(maxSequences, model.maxBatchTokens()));
    }

    /** Loads a GGUF model and sizes the runner: threads, batch size, context per sequence, slots, KV precision. */
    public static LocalModelRunner load(Path path, int threads, int maxBatchTokens, int contextLength, int maxSequences,
            KvPrecision precision) throws IOException {
        Model model = Model.load(path, new ModelOptions(threads, maxBatchTokens));
        try {
            int ctx = contextLength > 0 ? Math.min(contextLength, model.config().contextLength())
                    : Math.min(4096, model.config().contextLength());
            return new LocalModelRunner(model, ctx, maxSequences, precision);
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return model.config();
    }

    public Model model() {
        return model;
    }

    @Override
    public int vocabularySize() {
        return model.config().vocabSize();
    }

    @Override
    public int maxSequences() {
        return maxSequences;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    @Override
    public int maxBatchTokens() {
        return model.maxBatchTokens();
    }

    @Override
    public void forward(StepBatch plan, float[] out) {
        batch.clear();
        for (int row = 0; row < plan.size(); row++) {
            batch.add(plan.token(row), plan.position(row), plan.slot(row), plan.needsLogits(row));
        }
        model.forward(batch, kv, logits);
        System.arraycopy(logits.values(), 0, out, 0, logits.rows() * logits.vocabSize());
    }

    @Override
    public void releaseSlot(int slot) {
        kv.clear(slot);
    }

    @Override
    public void close() {
        model.close();
    }
}
