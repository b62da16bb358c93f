package dev.hearth.kernel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes the repack cache entries no load can use again (as ollama prunes unused blobs when it starts serving):
 * entries whose model file is gone or changed (size or modification time), entries of an older layout version or with
 * a damaged header, stamps whose entry is gone, and temporary files that no writer has touched for an hour (left by a
 * process that died while writing).
 *
 * <p>Never what another process still needs: a finished entry appears only by an atomic rename, so one being written
 * is a temporary file, which a live writer touches with every 16 MiB chunk; an entry a running process maps may be
 * deleted on Linux (the mapping keeps the file's pages) and is stale anyway, since its process would have rejected it
 * too. An entry whose model file exists with its recorded size and time is kept, whatever its key says (another
 * machine sharing the directory may pack for other kernels).
 */
public final class RepackCachePrune {
    private RepackCachePrune() {}

    /** How long a temporary file must have gone unwritten before it counts as a dead writer's. */
    public static final long ABANDONED_TEMPORARY_MILLIS = 3_600_000;

    /** One removed file and why. */
    public record Removed(Path file, long bytes, String reason) {}

    /** Prunes {@code dir} (a missing directory has nothing to prune); returns what it removed. */
    public static List<Removed> prune(Path dir, long nowMillis) throws IOException {
        List<Removed> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(files::add);
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            String reason = null;
            if (name.endsWith(".tmp")) {
                reason = abandoned(f, nowMillis);
            } else if (name.endsWith(".hpack")) {
                reason = stale(f);
            } else if (name.endsWith(".hpack.ok")
                    && !Files.exists(f.resolveSibling(name.substring(0, name.length() - 3)))) {
                reason = "its entry is gone";
            }
            if (reason != null) {
                long bytes = size(f);
                if (delete(f)) {
                    removed.add(new Removed(f, bytes, reason));
                }
                Path stamp = f.resolveSibling(name + ".ok");
                if (name.endsWith(".hpack") && delete(stamp)) {
                    removed.add(new Removed(stamp, 0, "its entry was removed"));
                }
            }
        }
        return removed;
    }

    /** Why the entry can no longer be used, or null when its model file is there as it was packed. */
    static String stale(Path entry) throws IOException {
        RepackCache.Origin origin;
        try {
            origin = RepackCache.originOf(entry);
        } catch (RepackCache.Damaged e) {
            return e.getMessage();
        } catch (NoSuchFileException e) {
            return null;  // removed meanwhile by another process
        }
        Path source = Path.of(origin.path());
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(source, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return "its model file " + source + " is gone";
        }
        if (a.size() != origin.size() || a.lastModifiedTime().toMillis() != origin.modifiedMillis()) {
            return "its model file " + source + " has changed since it was packed";
        }
        return null;
    }

    private static String abandoned(Path temporary, long nowMillis) {
        try {
            long idle = nowMillis - Files.getLastModifiedTime(temporary).toMillis();
            return idle > ABANDONED_TEMPORARY_MILLIS ? "a temporary file unwritten for " + idle / 60_000 + " min" : null;
        } catch (IOException e) {
            return null;  // renamed or removed by its writer meanwhile
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    private static boolean delete(Path f) {
        try {
            return Files.deleteIfExists(f);
        } catch (IOException e) {
            return false;  // left for the next prune
        }
    }
}
