package dev.hearth.server.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM killed (SIGKILL) while the ledger writes: the database opens, is intact, and holds every committed row. */
class LedgerCrashTest {
    @TempDir
    Path dir;

    @Test
    void killedWriterLeavesAnIntactDatabaseWithEveryCommittedRow() throws Exception {
        Path file = dir.resolve("agents.db");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "--enable-native-access=ALL-UNNAMED",
                LedgerWriterMain.class.getName(), file.toString()).redirectErrorStream(true).start();
        long lastCommitted = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("committed ")) {
                    lastCommitted = Long.parseLong(line.substring(10));
                    if (lastCommitted >= 5_000) {
                        child.destroyForcibly();  // mid-write: the writer is always inside or between batches
                        break;
                    }
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(lastCommitted).as("rows the child saw committed").isGreaterThanOrEqualTo(5_000);
        try (Connection db = AgentDatabase.open(file); Statement st = db.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*), min(id), max(id) FROM ledger")) {
                assertThat(rs.getLong(1)).isGreaterThanOrEqualTo(lastCommitted);
                assertThat(rs.getLong(3) - rs.getLong(2) + 1).as("no gap: whole batches only").isEqualTo(rs.getLong(1));
            }
        }
    }
}
