package dev.hearth.server.cli;

import dev.hearth.kv.KvPrecision;
import picocli.CommandLine.Option;

/**
 * {@code --kv}, shared by the commands that size a KV cache (run, bench, serve, plan): its element type. Each
 * command keeps its own default (the field's initial value); a bad name is the CLI's error, naming the choices.
 */
final class KvOption {
    @Option(names = "--kv", paramLabel = "TYPE",
            description = "KV cache type: f32, f16 or q8_0 (default ${DEFAULT-VALUE}).")
    String kv;

    KvOption() {
        this("f32");
    }

    KvOption(String defaultType) {
        this.kv = defaultType;
    }

    KvPrecision precision() {
        return KvPrecision.parse(kv);
    }
}
