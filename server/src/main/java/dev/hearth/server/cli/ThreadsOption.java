package dev.hearth.server.cli;

import picocli.CommandLine.Option;

/** {@code -t/--threads}, shared by the commands that run a model: compute threads, one per core unless given. */
final class ThreadsOption {
    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: all cores).")
    Integer threads;

    /** The threads asked for, else one per core. */
    int threads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }
}
