package dev.hearth.model;

import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import java.nio.file.Path;

/**
 * A model load and one forward pass, as a program: what {@link PackedWeightsMemoryTest} runs in a JVM with small
 * direct-memory and heap limits. Prints {@code packed=BYTES note=...} and the first logit; exits non-zero on failure.
 * Arguments: the model file, then optionally the repack cache's directory.
 */
public final class PackedLoadMain {
    private PackedLoadMain() {}

    public static void main(String[] args) throws Exception {
        ModelOptions options = new ModelOptions(2, 8).withRepackCache(args.length > 1 ? Path.of(args[1]) : null);
        try (Model model = Model.load(Path.of(args[0]), options)) {
            KvCache kv = model.newKvCache(16, 1, KvPrecision.F32);
            Batch batch = model.newBatch().add(1, 0, 0, false).add(2, 1, 0, true);
            Logits logits = model.newLogits(1);
            model.forward(batch, kv, logits);
            float first = logits.get(0, 0);
            if (!Float.isFinite(first)) {
                throw new IllegalStateException("logit " + first);
            }
            model.packer().awaitWriter();
            System.out.println("packed=" + model.packer().packedBytes() + " note=" + model.packer().note());
        }
    }
}
