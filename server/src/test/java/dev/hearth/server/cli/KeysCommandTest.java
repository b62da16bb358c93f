package dev.hearth.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hearth keys} weights: set at creation, changed with {@code keys update}, shown by {@code keys list}. */
class KeysCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path home;
    String out;

    @BeforeEach
    void setUp() {
        System.setProperty("hearth.home", home.toString());
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("hearth.home");
    }

    int run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            return Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            out = o.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void weightAtCreationAndUpdate() throws Exception {
        assertThat(run("keys", "create", "--agent", "heavy", "--weight", "2", "--json")).isZero();
        assertThat(JSON.readTree(out).path("key").asText()).startsWith("hk-");
        assertThat(run("keys", "create", "--agent", "plain", "--json")).isZero();
        assertThat(run("keys", "create", "--agent", "bad", "--weight", "0")).isNotZero();
        assertThat(run("keys", "update", "--agent", "plain", "--weight", "3", "--json")).isZero();
        assertThat(JSON.readTree(out).path("weight").asInt()).isEqualTo(3);
        assertThat(run("keys", "list", "--json")).isZero();
        JsonNode list = JSON.readTree(out);
        assertThat(list).hasSize(2);
        assertThat(list.get(0).path("agent").asText()).isEqualTo("heavy");
        assertThat(list.get(0).path("weight").asInt()).isEqualTo(2);
        assertThat(list.get(1).path("weight").asInt()).isEqualTo(3);
        assertThat(run("keys", "list")).isZero();
        assertThat(out).contains("WEIGHT").containsPattern("heavy\\s+normal\\s+2\\s");
    }
}
