package dev.hearth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.kv.KvPrecision;
import dev.hearth.server.agents.sim.AgentsSim;
import dev.hearth.server.agents.sim.SimReport;
import dev.hearth.server.agents.sim.SimSettings;
import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.local.ModelLoader;
import dev.hearth.testing.Fixtures;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * agents-sim on a real (random-weight) fixture model: every second turn requires a tool call, so calls come back
 * (constrained to the tools' schema), their results are fed back, and the conversations go on to the end.
 */
class AgentsSimToolsTest {
    @Test
    void forcedToolTurnsProduceCallsWhoseResultsAreFedBack() throws Exception {
        LocalBackend backend = new LocalBackend();
        backend.add(ModelLoader.load(Fixtures.model("qwen2-fx-Q8_0.gguf"), "qwen2-fx",
                new LoadOptions(8, 2048, 2, 256, 16, KvPrecision.F32)));
        try (TestServer server = new TestServer(backend)) {
            SimReport r = AgentsSim.run(new SimSettings(URI.create(server.base()), "qwen2-fx", 3, 4, 0, 1, 24, null,
                    300, 20, 2));
            assertThat(r.lost()).as("lost: " + r.sampleErrors()).isZero();
            assertThat(r.duplicated()).isZero();
            assertThat(r.completed()).isEqualTo(12);
            assertThat(r.toolCalls()).as("turns 2 and 4 of each of 3 conversations must call a tool")
                    .isGreaterThanOrEqualTo(6);
        }
    }
}
