package dev.hearth.server.agents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.server.agents.sim.AgentsSim;
import dev.hearth.server.agents.sim.SimReport;
import dev.hearth.server.agents.sim.SimSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small agents-sim run against a server started here on the fake backend (loopback only). */
class AgentsSimTest {
    @TempDir
    Path dir;

    @Test
    void everyTurnCompletesOnceAndTheReportAddsUp() throws Exception {
        try (AgentsTestSupport s = new AgentsTestSupport(dir, "admin-key", 1, 4096)) {
            URI target = URI.create(s.base());
            assertThat(AgentsSim.isLoopback(target)).isTrue();
            SimReport r = AgentsSim.run(new SimSettings(target, null, 12, 4, 2, 3, 16, "admin-key", 120, 20));
            assertThat(r.sampleErrors()).isEmpty();
            // 10 agents x 4 turns + 2 greedy agents x 3 conversations x 4 turns
            assertThat(r.requests()).isEqualTo(64);
            assertThat(r.completed()).isEqualTo(64);
            assertThat(r.lost()).isZero();
            assertThat(r.cutAtDeadline()).isZero();
            assertThat(r.notSent()).isZero();
            assertThat(r.duplicated()).isZero();
            assertThat(r.perPriority()).containsKeys("high", "normal", "low");
            assertThat(r.ttftP50Ms()).isPositive().isLessThanOrEqualTo(r.ttftP99Ms());
            assertThat(r.tokensPerSecond()).isPositive();
            assertThat(r.jainIndex()).isBetween(1.0 / 12, 1.0);
            Map<String, Object> json = r.toJson();
            System.out.println("agents-sim on the fake backend: " + json);
            assertThat(json).containsKeys("completed", "lost", "duplicated", "ttft_p50_ms", "ttft_p99_ms",
                    "tokens_per_second", "jain_index");
            s.gate.ledger().flush();
            // the header identities reached the ledger: 12 agents, all served
            assertThat(s.gate.usage(0, null)).hasSize(12).allSatisfy(u -> assertThat(u.errors()).isZero());
        }
    }

    @Test
    void aDeadlineStopsTheRunAndCountsCutAndUnsentTurnsApartFromLostOnes() throws Exception {
        // each answer takes about 16 steps of 40 ms: 4 agents x 5 turns cannot finish in 1 s
        try (AgentsTestSupport s = new AgentsTestSupport(dir, "admin-key", 40, 4096)) {
            long start = System.nanoTime();
            SimReport r = AgentsSim.run(new SimSettings(URI.create(s.base()), null, 4, 5, 0, 1, 16, "admin-key", 1,
                    20));
            assertThat((System.nanoTime() - start) / 1e9).as("seconds").isLessThan(30);
            assertThat(r.lost()).as("lost: " + r.sampleErrors()).isZero();
            assertThat(r.duplicated()).isZero();
            assertThat(r.notSent()).isPositive();
            assertThat(r.completed() + r.lost() + r.cutAtDeadline() + r.notSent()).isEqualTo(4 * 5);
            assertThat(r.requests()).isEqualTo(r.completed() + r.cutAtDeadline());
        }
    }
}
