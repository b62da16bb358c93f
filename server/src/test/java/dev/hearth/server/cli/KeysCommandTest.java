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
    String err;

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
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            return Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            out = o.toString(StandardCharsets.UTF_8);
            err = e.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void createSaysTheFirstKeyTurnsAuthenticationOnAndWhatItsClassMeans() throws Exception {
        assertThat(run("keys", "create", "--agent", "first")).isZero();
        assertThat(out.strip()).startsWith("hk-").doesNotContain(" ");  // standard output: the key alone
        assertThat(err).contains("this is the first agent key: from now on every endpoint but /health requires"
                + " 'Authorization: Bearer KEY'").contains("class local (the default): requests with this key are"
                + " served by this machine's models only; routes skip remote targets");
        assertThat(run("keys", "create", "--agent", "second", "--class", "cloud-ok")).isZero();
        assertThat(err).doesNotContain("first agent key").contains("class cloud-ok: requests with this key may go to"
                + " remote targets");
        assertThat(run("keys", "revoke", "--agent", "first")).isZero();
        assertThat(run("keys", "revoke", "--agent", "second")).isZero();
        assertThat(run("keys", "create", "--agent", "third", "--json")).isZero();
        JsonNode created = JSON.readTree(out);
        assertThat(created.path("first_key").asBoolean()).as("no active key was left").isTrue();
        assertThat(created.path("class").asText()).isEqualTo("local");
        assertThat(created.path("notes")).hasSize(2);
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
