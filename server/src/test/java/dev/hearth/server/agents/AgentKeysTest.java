package dev.hearth.server.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentKeysTest {
    @TempDir
    Path dir;

    @Test
    void keysAreStoredOnlyAsSha256AndAuthenticateUntilRevoked() throws Exception {
        Path file = dir.resolve("agents.db");
        try (Connection db = AgentDatabase.open(file)) {
            AgentKeys keys = new AgentKeys(db);
            AgentKeys.Issued issued = keys.create(AgentsTestSupport.agent("planner", new AgentLimits(5, 0, 0, 2)));
            assertThat(issued.key()).startsWith("hk-").hasSize(3 + 43);
            assertThat(keys.authenticate(issued.key())).get().extracting(AgentPolicy::name).isEqualTo("planner");
            assertThat(keys.authenticate(issued.key()).get().limits()).isEqualTo(new AgentLimits(5, 0, 0, 2));
            assertThat(keys.authenticate(issued.key() + "x")).isEmpty();
            try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT hash, prefix FROM api_keys")) {
                assertThat(rs.next()).isTrue();
                byte[] expected = MessageDigest.getInstance("SHA-256").digest(issued.key().getBytes(StandardCharsets.UTF_8));
                assertThat(rs.getBytes(1)).isEqualTo(expected);
                assertThat(rs.getString(2)).isEqualTo(issued.key().substring(0, 9) + "...");
            }
            // the key itself appears nowhere in the database file
            String raw = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)
                    + (Files.exists(dir.resolve("agents.db-wal"))
                    ? new String(Files.readAllBytes(dir.resolve("agents.db-wal")), StandardCharsets.ISO_8859_1) : "");
            assertThat(raw).doesNotContain(issued.key().substring(3));
            assertThat(HexFormat.of().formatHex(KeyMaterial.hash(issued.key()))).hasSize(64);
            assertThatThrownBy(() -> keys.create(AgentsTestSupport.agent("planner", AgentLimits.UNLIMITED)))
                    .hasMessageContaining("already exists");
        }
        // another connection (another process) revokes: after the cache time the server refuses the key
        try (Connection db = AgentDatabase.open(file)) {
            AgentKeys keys = new AgentKeys(db);
            String key = keys.rotate("planner").key();
            assertThat(keys.list()).singleElement().satisfies(l -> assertThat(l.activeKeys()).isEqualTo(1));
            assertThat(keys.authenticate(key)).isPresent();
            assertThat(keys.revoke("planner")).isEqualTo(1);
            assertThat(keys.authenticate(key)).isEmpty();
            assertThat(keys.anyActiveKeys()).isFalse();
            assertThatThrownBy(() -> keys.revoke("nobody")).hasMessageContaining("no agent named 'nobody'");
        }
    }

    @Test
    void rotationRetiresTheOldKey() throws Exception {
        try (Connection db = AgentDatabase.open(dir.resolve("agents.db"))) {
            AgentKeys keys = new AgentKeys(db);
            String old = keys.create(AgentsTestSupport.agent("coder", AgentLimits.UNLIMITED)).key();
            String fresh = keys.rotate("coder").key();
            assertThat(fresh).isNotEqualTo(old);
            assertThat(keys.authenticate(old)).isEmpty();
            assertThat(keys.authenticate(fresh)).isPresent();
        }
    }

    @Test
    void schemaIsVersionedAndReopeningDoesNotMigrateTwice() throws Exception {
        Path file = dir.resolve("agents.db");
        for (int i = 0; i < 2; i++) {
            try (Connection db = AgentDatabase.open(file); Statement st = db.createStatement()) {
                assertThat(st.executeQuery("PRAGMA user_version").getInt(1)).isEqualTo(AgentDatabase.schemaVersion());
                assertThat(st.executeQuery("PRAGMA journal_mode").getString(1)).isEqualTo("wal");
            }
        }
        try (Connection db = AgentDatabase.open(file); Statement st = db.createStatement()) {
            st.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> AgentDatabase.open(file)).hasMessageContaining("schema version 99");
    }
}
