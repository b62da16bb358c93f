package dev.hearth.server.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.Priority;
import dev.hearth.engine.Scheduling;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-agent fair-share weights: stored with the agent, migrated into an old database, bound for the engine. */
class AgentWeightTest {
    @TempDir
    Path dir;

    @Test
    void weightIsStoredUpdatedAndCarriedToTheCallersScheduling() throws Exception {
        Path file = dir.resolve(AgentDatabase.FILE_NAME);
        try (Connection db = AgentDatabase.open(file)) {
            AgentKeys keys = new AgentKeys(db);
            String heavy = keys.create(new AgentPolicy("heavy", Priority.HIGH, AgentLimits.UNLIMITED, RouteClass.LOCAL,
                    1L, 2)).key();
            keys.create(AgentsTestSupport.agent("plain", AgentLimits.UNLIMITED));
            assertThat(keys.find("heavy").orElseThrow().weight()).isEqualTo(2);
            assertThat(keys.find("plain").orElseThrow().weight()).isEqualTo(1);
            assertThat(keys.authenticate(heavy).orElseThrow().scheduling())
                    .isEqualTo(new Scheduling("heavy", Priority.HIGH, 2));
            assertThat(keys.setWeight("plain", 3).weight()).isEqualTo(3);
            assertThat(keys.list()).extracting(l -> l.agent().weight()).containsExactly(2, 3);
            assertThatThrownBy(() -> keys.setWeight("plain", 0)).hasMessageContaining("weight must be between 1 and");
            assertThatThrownBy(() -> keys.setWeight("nobody", 2)).hasMessageContaining("no agent named 'nobody'");
        }
        try (AgentGate gate = AgentGate.open(file, null)) {
            String key = gate.keys().rotate("heavy").key();
            Caller caller = gate.identify("Bearer " + key, null, null).orElseThrow();
            assertThat(caller.scheduling()).isEqualTo(new Scheduling("heavy", Priority.HIGH, 2));
            // header-named callers (admin, anonymous) have weight 1
            assertThat(new Caller("x", null, true, Priority.LOW).scheduling().weight()).isEqualTo(1);
        }
        assertThatThrownBy(() -> new AgentPolicy("w", Priority.NORMAL, AgentLimits.UNLIMITED, RouteClass.LOCAL, 1L,
                AgentPolicy.MAX_WEIGHT + 1)).hasMessageContaining("weight must be between 1 and 1000");
    }

    @Test
    void aVersionOneDatabaseIsMigratedAndItsAgentsGetWeightOne() throws Exception {
        Path file = dir.resolve(AgentDatabase.FILE_NAME);
        // the schema as the first release wrote it, with one agent
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE agents (name TEXT PRIMARY KEY, priority TEXT NOT NULL, rpm INTEGER NOT NULL, "
                    + "tpm INTEGER NOT NULL, daily_tokens INTEGER NOT NULL, max_parallel INTEGER NOT NULL, "
                    + "route_class TEXT NOT NULL, created_at INTEGER NOT NULL)");
            st.execute("CREATE TABLE api_keys (hash BLOB PRIMARY KEY, agent TEXT NOT NULL REFERENCES agents(name), "
                    + "prefix TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER)");
            st.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, agent TEXT NOT NULL, model TEXT, backend TEXT, "
                    + "endpoint TEXT, started_at INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, "
                    + "generated_tokens INTEGER NOT NULL, ttft_ms REAL, total_ms REAL NOT NULL, finish_reason TEXT, "
                    + "status INTEGER NOT NULL, error TEXT)");
            st.execute("INSERT INTO agents VALUES ('old', 'low', 0, 0, 0, 0, 'local', 5)");
            st.execute("PRAGMA user_version = 1");
        }
        try (Connection db = AgentDatabase.open(file); Statement st = db.createStatement()) {
            assertThat(st.executeQuery("PRAGMA user_version").getInt(1)).isEqualTo(2).isEqualTo(
                    AgentDatabase.schemaVersion());
            AgentPolicy old = new AgentKeys(db).find("old").orElseThrow();
            assertThat(old.weight()).isEqualTo(1);
            assertThat(old.priority()).isEqualTo(Priority.LOW);
        }
    }
}
