package dev.hearth.server.cli;

import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Logits;
import dev.hearth.model.Model;
import dev.hearth.model.ModelOptions;
import dev.hearth.model.PromptFeeder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hearth logits MODEL --ids ...}: the top logits at every position of a teacher-forced prompt, as JSON lines. */
@Command(name = "logits", description = "Print the top logits at every position of a prompt (one JSON line per position).")
final class LogitsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Path to a GGUF model.")
    Path model;

    @Option(names = "--ids", required = true, split = ",", description = "Prompt token ids, comma separated.")
    int[] ids;

    @Option(names = "--top", defaultValue = "10", description = "Logits to print per position (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--batch", defaultValue = "64", description = "Prompt rows per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        ModelOptions options = options(threads, batch);
        if (ids.length == 0) {
            throw new IllegalArgumentException("--ids needs at least one token id");
        }
        try (Model m = loadModel(model, options)) {
            if (top < 1 || top > m.config().vocabSize()) {
                throw new IllegalArgumentException("--top must lie in [1, " + m.config().vocabSize() + "], got " + top);
            }
            KvCache kv = m.newKvCache(ids.length, 1, KvPrecision.F32);
            Logits logits = m.newLogits(batch);
            int[] topIds = new int[top];
            float[] topValues = new float[top];
            StringBuilder line = new StringBuilder();
            PromptFeeder.feed(m, kv, m.newBatch(), logits, 0, ids, 0, batch, true, (pos, lg, row) -> {
                dev.hearth.kernel.VectorOps.topK(lg.values(), lg.offset(row), lg.vocabSize(), top, topIds, 0, topValues, 0);
                line.setLength(0);
                line.append("{\"pos\": ").append(pos).append(", \"top\": [");
                for (int i = 0; i < top; i++) {
                    line.append(i == 0 ? "" : ", ").append("{\"id\": ").append(topIds[i]).append(", \"logit\": ")
                            .append(String.format(Locale.ROOT, "%s", topValues[i])).append('}');
                }
                System.out.println(line.append("]}"));
            });
        }
        return 0;
    }

    /** Options from the shared flags (also used by {@link RunCommand}). */
    static ModelOptions options(Integer threads, int batch) {
        return new ModelOptions(threads == null ? ModelOptions.defaults().threads() : threads, batch);
    }

    /** Loads a model, with a clear error for a missing file (also used by {@link RunCommand}). */
    static Model loadModel(Path path, ModelOptions options) throws java.io.IOException {
        if (!java.nio.file.Files.isRegularFile(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "model file not found");
        }
        return Model.load(path, options);
    }
}
