package dev.hearth.server.cli;

import dev.hearth.engine.LocalModelRunner;
import picocli.CommandLine.Option;

/**
 * {@code --batch}, shared by the commands that run a model: the most tokens one forward pass takes. Each command
 * keeps its own default (the field's initial value: {@code @Mixin BatchOption batch = new BatchOption(256)}).
 */
final class BatchOption {
    @Option(names = "--batch", paramLabel = "N", description = "Most tokens per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    BatchOption() {
        this(LocalModelRunner.DEFAULT_MAX_BATCH_TOKENS);
    }

    BatchOption(int defaultBatch) {
        this.batch = defaultBatch;
    }
}
