package dev.hearth.server.convert;

import dev.hearth.gguf.GgufValue;
import dev.hearth.quant.CheckpointConverter;
import dev.hearth.quant.HfModelConfig;
import dev.hearth.quant.PlannedTensor;
import dev.hearth.quant.QuantRecipe;
import dev.hearth.safetensors.SafetensorsCheckpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face model folder to a GGUF file: reads config.json and the tokenizer files (everything is checked before
 * any byte is written), then streams the safetensors weights through {@link CheckpointConverter}. The output
 * appears only when complete.
 */
public final class HfConverter {
    private HfConverter() {}

    /** What was written. */
    public record Result(HfModelConfig config, List<PlannedTensor> tensors, long bytes) {}

    public static Result convert(Path dir, Path out, QuantRecipe recipe, int threads, PrintStream log)
            throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a model folder");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new NoSuchFileException(String.valueOf(parent), null, "output folder does not exist");
        }
        HfModelConfig config = HfConfigReader.read(dir);
        Map<String, GgufValue> tokenizer = HfTokenizerReader.read(dir, config.vocabSize());
        log.printf("%s: %s (%s), %d layers, dim %d, %d/%d heads, vocab %d%s -> %s%n", dir.getFileName(),
                config.hfArchitecture(), config.arch(), config.layers(), config.dim(), config.heads(),
                config.kvHeads(), config.vocabSize(), config.isMoe() ? ", " + config.experts() + " experts" : "",
                recipe);
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            List<PlannedTensor> plan = CheckpointConverter.convert(checkpoint, config, recipe, tokenizer, out,
                    threads, (i, n, t) -> log.printf("[%" + digits(n) + "d/%d] %-32s %-5s %s%n", i + 1, n,
                            t.name(), t.type(), java.util.Arrays.toString(t.shape())));
            return new Result(config, plan, Files.size(out));
        }
    }

    private static int digits(int n) {
        return Integer.toString(n).length();
    }
}
