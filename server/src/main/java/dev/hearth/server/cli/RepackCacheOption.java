package dev.hearth.server.cli;

import dev.hearth.server.hub.HearthHome;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --no-repack-cache}, shared by the commands that load a model (serve, run, bench). */
final class RepackCacheOption {
    @Option(names = "--no-repack-cache",
            description = "Do not map or write repacked weights in $HEARTH_HOME/cache: repack in memory at every load.")
    boolean off;

    /** The cache folder a load maps and writes, or null with {@code --no-repack-cache}. */
    Path folder() {
        return off ? null : HearthHome.repackCache();
    }
}
