package dev.hearth.server.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteNativeLibraryTest {
    @TempDir
    Path dir;

    private static byte[] bundled() throws Exception {
        String resource = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath() + "/"
                + org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
        try (InputStream in = org.sqlite.SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            assertThat(in).as("sqlite-jdbc bundles a library for this system (" + resource + ")").isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void writesTheDriversLibraryOnceAndKeepsItWhileItMatches() throws Exception {
        Path copy = SqliteNativeLibrary.prepare(dir);
        assertThat(copy).startsWith(dir).hasBinaryContent(bundled());
        long modified = Files.getLastModifiedTime(copy).toMillis();
        Files.setLastModifiedTime(copy, java.nio.file.attribute.FileTime.fromMillis(modified - 60_000));
        assertThat(SqliteNativeLibrary.prepare(dir)).isEqualTo(copy);
        assertThat(Files.getLastModifiedTime(copy).toMillis()).as("a matching copy is not rewritten")
                .isEqualTo(modified - 60_000);
        try (var files = Files.list(copy.getParent())) {
            assertThat(files).as("no temporary file is left").containsExactly(copy);
        }
    }

    @Test
    void rewritesADamagedOrTruncatedCopy() throws Exception {
        Path copy = SqliteNativeLibrary.prepare(dir);
        byte[] damaged = bundled();
        damaged[damaged.length / 2] ^= 0x5A;
        Files.write(copy, damaged);
        assertThat(SqliteNativeLibrary.prepare(dir)).hasBinaryContent(bundled());
        Files.write(copy, new byte[100]);
        assertThat(SqliteNativeLibrary.prepare(dir)).hasBinaryContent(bundled());
    }

    @Test
    void theDatabaseOpensThroughTheCopy() throws Exception {
        try (Connection c = AgentDatabase.open(dir.resolve("agents.db"));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT sqlite_version()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isNotBlank();
        }
        // the first open in this JVM (maybe another test's, in its own folder) pointed the driver at a copy
        assertThat(System.getProperty("org.sqlite.lib.path")).as("the driver was pointed at a copy").isNotNull();
        assertThat(System.getProperty("org.sqlite.lib.name"))
                .isEqualTo(org.sqlite.util.LibraryLoaderUtil.getNativeLibName());
    }
}
