package dev.hearth.server.cli;

import picocli.CommandLine.Option;

/** {@code -c/--ctx-size}, shared by the commands that run a model: positions per sequence, 0 for the model's. */
final class ContextSizeOption {
    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", defaultValue = "0",
            description = "Context length per sequence (default: the model's, at most 4096).")
    int contextSize;
}
