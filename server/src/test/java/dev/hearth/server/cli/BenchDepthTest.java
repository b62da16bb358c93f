package dev.hearth.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench -d}: decode timed with tokens already in the context, as llama-bench's depth. */
class BenchDepthTest {
    @TempDir
    Path home;
    final ModelByNameTest cli = new ModelByNameTest();  // its offline store and captured run

    @BeforeEach
    void setUp() {
        cli.home = home;
        cli.setUp();
    }

    @AfterEach
    void tearDown() {
        cli.tearDown();
    }

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void decodeIsTimedAtTheGivenDepth() throws Exception {
        String model = ModelByNameTest.fixture("qwen3-fx-Q8_0.gguf").toString();
        assertThat(run("bench", model, "-p", "0", "-n", "4", "-d", "40", "-b", "1,2", "-r", "1", "--json"))
                .as(cli.err).isZero();
        JsonNode results = new ObjectMapper().readTree(cli.out.substring(cli.out.indexOf('[')));
        assertThat(results).hasSize(2);
        for (JsonNode r : results) {
            assertThat(r.get("test").asText()).isEqualTo("tg4@d40");
            assertThat(r.get("tokens_per_second").asDouble()).isPositive();
        }
    }

    @Test
    void aDepthNeedsTokensAfterTheFirst() {
        String model = ModelByNameTest.fixture("qwen3-fx-Q8_0.gguf").toString();
        assertThat(run("bench", model, "-p", "0", "-n", "1", "-d", "40", "-r", "1")).isNotZero();
        assertThat(cli.err).contains("-d times the tokens after the first");
        assertThat(run("bench", model, "-d", "-3", "-r", "1")).isNotZero();
        assertThat(cli.err).contains("-d >= 0");
    }
}
