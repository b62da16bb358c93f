package dev.hearth.server.agents.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's bookkeeping: sent, completed, lost, cut at the deadline and never sent add up to the plan. */
class SimReportTest {
    private static TurnResult ok(String agent, String id, double ttft, long tokens) {
        return new TurnResult(agent, "normal", true, false, id, ttft, 100, tokens, "x", 0, null, 0, null, false);
    }

    @Test
    void cutAndUnsentTurnsAreNotLostOnes() {
        List<TurnResult> results = List.of(
                ok("a", "r1", 10, 20), ok("a", "r2", 30, 20), ok("b", "r3", 20, 10),
                new TurnResult("b", "normal", false, false, null, -1, 5, 0, "", 0, null, 3, "HTTP 429: over", false),
                TurnResult.cut("c", "low", System.nanoTime(), 0),
                ok("c", "r1", 40, 20));  // the same response id twice: a duplicate
        SimReport r = SimReport.of(results, 10, 2.0, new ServerCounters(100, 25, 0));
        assertThat(r.requests()).isEqualTo(6);
        assertThat(r.completed()).isEqualTo(4);
        assertThat(r.lost()).isEqualTo(1);
        assertThat(r.cutAtDeadline()).isEqualTo(1);
        assertThat(r.notSent()).isEqualTo(4);
        assertThat(r.completed() + r.lost() + r.cutAtDeadline() + r.notSent()).isEqualTo(10);
        assertThat(r.duplicated()).isEqualTo(1);
        assertThat(r.ttftP50Ms()).isEqualTo(20);  // nearest rank over 10, 20, 30, 40
        assertThat(r.ttftP99Ms()).isEqualTo(40);
        assertThat(r.tokensPerSecond()).isEqualTo(70 / 2.0);
        assertThat(r.prefixCacheHitRate()).isEqualTo(0.25);
        // completed turns' tokens per busy millisecond: a 40/200, b 10/100, c 20/100 -> 0.5^2 / (3 x 0.09)
        assertThat(r.jainIndex()).isCloseTo(0.25 / 0.27, org.assertj.core.data.Offset.offset(1e-12));
        Map<String, Object> json = r.toJson();
        assertThat(json).containsKeys("completed", "lost", "duplicated", "ttft_p50_ms", "ttft_p99_ms",
                "tokens_per_second", "jain_index", "cut_at_deadline", "not_sent");
        assertThat(json.get("lost")).isEqualTo(1L);
        assertThat(json.get("not_sent")).isEqualTo(4L);
    }
}
