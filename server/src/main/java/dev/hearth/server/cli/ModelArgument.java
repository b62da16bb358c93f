package dev.hearth.server.cli;

import dev.hearth.server.hub.ModelLocator;
import dev.hearth.server.hub.ModelStore;
import dev.hearth.server.hub.Puller;
import dev.hearth.server.hub.ResolvedModel;
import java.io.IOException;

/**
 * The MODEL argument of {@code run}, {@code bench}, {@code logits}, {@code tokenize} and {@code detokenize}: a GGUF
 * path, a model in the store, or a catalogue name / {@code hf://} reference pulled first (progress on standard
 * error, so standard output stays the command's own), all through the {@link ModelLocator} that {@code serve} uses.
 */
final class ModelArgument {
    private ModelArgument() {}

    static ResolvedModel resolve(String model) throws IOException {
        ModelLocator locator = new ModelLocator(ModelStore.open(), Puller.fromEnvironment());
        try (PullCommand.LineProgress progress = new PullCommand.LineProgress(System.err)) {
            return locator.locate(model, progress);
        }
    }

    static final String DESCRIPTION = "A GGUF file, a model in the store (hearth list) or a catalogue name (pulled"
            + " first, as serve does).";
}
