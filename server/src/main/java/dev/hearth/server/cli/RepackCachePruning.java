package dev.hearth.server.cli;

import dev.hearth.engine.RepackCacheCleanup;
import dev.hearth.server.hub.Bytes;
import dev.hearth.server.hub.HearthHome;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * Removes repack cache entries ({@code $HEARTH_HOME/cache}) that no load can use again, when {@code serve} starts and
 * after {@code rm}, and says so in one line per entry; a failure to prune is one line too, never a failed command.
 */
final class RepackCachePruning {
    private RepackCachePruning() {}

    static void prune(PrintStream out) {
        try {
            List<RepackCacheCleanup.Removed> removed = RepackCacheCleanup.prune(HearthHome.repackCache());
            for (RepackCacheCleanup.Removed r : removed) {
                out.printf("repack cache: removed %s (%s): %s%n", r.file().getFileName(), Bytes.format(r.bytes()),
                        r.reason());
            }
        } catch (IOException | RuntimeException e) {
            out.printf("repack cache: not pruned (%s)%n", e.getMessage());
        }
    }
}
