package dev.hearth.engine;

import dev.hearth.kernel.RepackCachePrune;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The repack cache's housekeeping for the commands (serve at start, rm after removing): removes the entries no load
 * can use again, as {@code kernel.RepackCachePrune} decides.
 */
public final class RepackCacheCleanup {
    private RepackCacheCleanup() {}

    /** One removed file: where, its bytes, and why. */
    public record Removed(Path file, long bytes, String reason) {}

    /** Prunes the cache directory {@code dir} (missing: nothing to do). */
    public static List<Removed> prune(Path dir) throws IOException {
        return RepackCachePrune.prune(dir, System.currentTimeMillis()).stream()
                .map(r -> new Removed(r.file(), r.bytes(), r.reason())).toList();
    }
}
