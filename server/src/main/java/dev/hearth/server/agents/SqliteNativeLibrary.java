package dev.hearth.server.agents;

import dev.hearth.server.hub.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Keeps sqlite-jdbc's native library in a folder of Hearth's own and points the driver at it
 * ({@code org.sqlite.lib.path}, {@code org.sqlite.lib.name}). Left to itself, the driver writes its library to a new
 * file in the temporary folder at every start and reads it back byte by byte to compare: a tenth of a second of a
 * server's start on 2 cores. The copy is checked against the driver's own resource at each use (a native copy and
 * compare, a few milliseconds) and rewritten whole ({@link AtomicFiles#write}) when it differs. Where
 * anything fails, the properties stay unset and the driver extracts as it always did; a copy the driver cannot load
 * makes it fall back to its extraction too.
 */
final class SqliteNativeLibrary {
    private static final String PATH_PROPERTY = "org.sqlite.lib.path";
    private static final String NAME_PROPERTY = "org.sqlite.lib.name";

    private SqliteNativeLibrary() {}

    /** Points the driver at a checked copy under {@code folder}, once per process; any failure leaves it as it was. */
    static synchronized void useCopyIn(Path folder) {
        if (System.getProperty(PATH_PROPERTY) != null) {
            return;  // set by an earlier call, or by the operator
        }
        try {
            Path copy = prepare(folder);
            if (copy != null) {
                System.setProperty(NAME_PROPERTY, copy.getFileName().toString());
                System.setProperty(PATH_PROPERTY, copy.getParent().toString());
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            // the driver's own extraction still works
        }
    }

    /**
     * The driver's library for this system under {@code folder} (written, or rewritten, where the copy there is missing
     * or differs), or null where the driver bundles none for this system.
     */
    static Path prepare(Path folder) throws IOException {
        String name = org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
        String resource = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
        byte[] library;
        try (InputStream in = org.sqlite.SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                return null;  // the driver searches java.library.path itself
            }
            library = in.readAllBytes();
        }
        Path dir = folder.resolve("sqlite-" + org.sqlite.SQLiteJDBCLoader.getVersion() + "-"
                + org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS().replace('/', '-'));
        Path copy = dir.resolve(name);
        if (!sameBytes(copy, library)) {
            AtomicFiles.write(copy, library);
        }
        return copy;
    }

    private static boolean sameBytes(Path copy, byte[] library) throws IOException {
        try {
            return Files.size(copy) == library.length && Arrays.equals(Files.readAllBytes(copy), library);
        } catch (NoSuchFileException e) {
            return false;
        }
    }
}
