package dev.hearth.server.agents;

import dev.hearth.server.hub.HearthHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The agents database: one SQLite file ({@code agents.db} under the Hearth home) holding agents, key hashes and the
 * usage ledger. WAL journal (readers never block the writer, a crash never corrupts it) with full sync, so a
 * committed transaction survives a crash. The schema version is SQLite's {@code user_version}; {@link #open}
 * applies the missing migrations in order, each in its own transaction.
 */
public final class AgentDatabase {
    public static final String FILE_NAME = "agents.db";

    /** Migration i brings the schema from version i to i + 1. Append only; never edit a released one. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE agents (name TEXT PRIMARY KEY, priority TEXT NOT NULL, rpm INTEGER NOT NULL,
                tpm INTEGER NOT NULL, daily_tokens INTEGER NOT NULL, max_parallel INTEGER NOT NULL,
                route_class TEXT NOT NULL, created_at INTEGER NOT NULL)""",
            """
            CREATE TABLE api_keys (hash BLOB PRIMARY KEY, agent TEXT NOT NULL REFERENCES agents(name),
                prefix TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER)""",
            "CREATE INDEX api_keys_agent ON api_keys(agent)",
            """
            CREATE TABLE ledger (id INTEGER PRIMARY KEY, agent TEXT NOT NULL, model TEXT, backend TEXT,
                endpoint TEXT, started_at INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL,
                generated_tokens INTEGER NOT NULL, ttft_ms REAL, total_ms REAL NOT NULL, finish_reason TEXT,
                status INTEGER NOT NULL, error TEXT)""",
            "CREATE INDEX ledger_time ON ledger(started_at)",
            "CREATE INDEX ledger_agent_time ON ledger(agent, started_at)"),
            // 1 -> 2: per-agent weights in the fair share
            List.of("ALTER TABLE agents ADD COLUMN weight INTEGER NOT NULL DEFAULT 1 CHECK (weight >= 1)"));

    private AgentDatabase() {}

    public static int schemaVersion() {
        return MIGRATIONS.size();
    }

    /** {@code agents.db} under {@link HearthHome#resolve()}. */
    public static Path defaultPath() {
        return HearthHome.resolve().resolve(FILE_NAME);
    }

    /** Opens (creating it and its directory if needed) and migrates the database; the caller closes it. */
    public static Connection open(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            SqliteNativeLibrary.useCopyIn(file.toAbsolutePath().getParent().resolve("native"));
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
                st.execute("PRAGMA journal_mode = WAL");
                st.execute("PRAGMA synchronous = FULL");
                st.execute("PRAGMA foreign_keys = ON");
            }
            migrate(c, file);
            return c;
        } catch (SQLException e) {
            throw new AgentStoreException("cannot open the agents database " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new AgentStoreException("cannot create the directory of " + file + ": " + e.getMessage(), e);
        }
    }

    private static void migrate(Connection c, Path file) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            int version;
            try (var rs = st.executeQuery("PRAGMA user_version")) {
                version = rs.getInt(1);
            }
            if (version > MIGRATIONS.size()) {
                throw new AgentStoreException(file + " has schema version " + version + ", newer than this hearth ("
                        + MIGRATIONS.size() + "); upgrade hearth", null);
            }
            for (int v = version; v < MIGRATIONS.size(); v++) {
                for (String sql : MIGRATIONS.get(v)) {
                    st.execute(sql);
                }
                st.execute("PRAGMA user_version = " + (v + 1));
                c.commit();
            }
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
