package dev.hearth.server.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.server.backend.PullPermission;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token reservations at admission, settled at the end, on the counters alone with a controlled clock. */
class QuotaReservationTest {
    private static final long T0 = 1_700_000_000_000L;  // an arbitrary instant, mid-day UTC

    @TempDir
    Path dir;

    private static AgentPolicy agent(long tpm, long daily) {
        return AgentsTestSupport.agent("a", new AgentLimits(0, tpm, daily, 0));
    }

    @Test
    void reservationsCountAgainstTheMinuteUntilSettledToTheRealCount() {
        Quotas q = new Quotas();
        AgentPolicy a = agent(100, 0);
        Quotas.Permit p1 = q.acquire(a, 40, T0);
        Quotas.Permit p2 = q.acquire(a, 40, T0);
        assertThat(q.reserved("a")).isEqualTo(80);
        // 80 reserved + 40 > 100: refused while the two are in flight; only settling can help, so retry in 1 s
        assertThatThrownBy(() -> q.acquire(a, 40, T0)).isInstanceOfSatisfying(QuotaExceededException.class, e -> {
            assertThat(e.limit()).isEqualTo("tpm");
            assertThat(e.retryAfterSeconds()).isEqualTo(1);
            assertThat(e.getMessage()).contains("tpm limit of 100");
        });
        assertThat(q.inFlight("a")).isEqualTo(2);
        p1.finish(10, T0 + 1_000);  // used less than reserved
        assertThat(q.reserved("a")).isEqualTo(40);
        assertThat(q.minuteTokens("a", T0 + 1_000)).isEqualTo(10);
        Quotas.Permit p3 = q.acquire(a, 40, T0 + 1_000);  // 10 + 40 + 40 <= 100
        p2.finish(0, T0 + 2_000);  // an error or a cancel before anything ran: nothing counted
        p3.finish(55, T0 + 2_000);  // more than reserved (the prompt estimate was low): the real count wins
        assertThat(q.reserved("a")).isZero();
        assertThat(q.minuteTokens("a", T0 + 2_000)).isEqualTo(65);
        // 65 used + 40 > 100; the 10 of second 1 age out at second 61, 58 s from now, and then 55 + 40 fits
        assertThatThrownBy(() -> q.acquire(a, 40, T0 + 3_000)).isInstanceOfSatisfying(QuotaExceededException.class,
                e -> assertThat(e.retryAfterSeconds()).isEqualTo(58));
        assertThatThrownBy(() -> q.acquire(a, 40, T0 + 60_999)).isInstanceOf(QuotaExceededException.class);
        q.acquire(a, 40, T0 + 61_000).finish(40, T0 + 61_500);
    }

    @Test
    void aReservationOverTheWholeLimitFitsOnlyAnIdleWindowAndARefusalIsNoRequest() {
        Quotas q = new Quotas();
        AgentPolicy a = new AgentPolicy("a", dev.hearth.engine.Priority.NORMAL, new AgentLimits(2, 0, 50, 0),
                RouteClass.LOCAL, T0);
        Quotas.Permit big = q.acquire(a, 500, T0);  // alone: admitted, else it could never run
        assertThatThrownBy(() -> q.acquire(a, 1, T0)).isInstanceOfSatisfying(QuotaExceededException.class,
                e -> assertThat(e.limit()).isEqualTo("daily-tokens"));
        big.finish(20, T0 + 10);
        Quotas.Permit p = q.acquire(a, T0 + 20);  // rpm: 2 of 2 taken now
        assertThatThrownBy(() -> p.reserve(31, T0 + 20)).isInstanceOf(QuotaExceededException.class);
        p.finish(0, T0 + 30);
        // the refused reservation gave its rpm slot back: one more request fits the minute's 2
        q.acquire(a, 30, T0 + 40).finish(30, T0 + 50);
        assertThatThrownBy(() -> q.acquire(a, T0 + 60)).isInstanceOfSatisfying(QuotaExceededException.class,
                e -> assertThat(e.limit()).isEqualTo("rpm"));
    }

    @Test
    void aReservationACrashNeverSettledDoesNotSurviveTheRestart() throws Exception {
        Path db = dir.resolve(AgentDatabase.FILE_NAME);
        AgentPolicy policy = agent(1_000, 0);
        try (AgentGate gate = AgentGate.open(db, null)) {
            gate.keys().create(policy);
            Caller caller = new Caller("a", policy, false, policy.priority());
            AgentCall done = gate.begin(caller, "/v1/chat/completions", PullPermission.ALLOWED);
            done.permit.reserve(300, System.currentTimeMillis());
            gate.end(done, 200, null);  // settles to 0 tokens: nothing was generated
            AgentCall hung = gate.begin(caller, "/v1/chat/completions", PullPermission.ALLOWED);
            hung.permit.reserve(900, System.currentTimeMillis());
            assertThat(gate.quotas().reserved("a")).isEqualTo(900);
            assertThatThrownBy(() -> gate.begin(caller, "/v1/chat/completions", PullPermission.ALLOWED).permit
                    .reserve(200, System.currentTimeMillis())).isInstanceOf(QuotaExceededException.class);
            gate.ledger().flush();
            // the process "dies" here: the hung request never ends
        }
        try (AgentGate gate = AgentGate.open(db, null)) {
            assertThat(gate.quotas().reserved("a")).isZero();
            AgentPolicy a = gate.keys().find("a").orElseThrow();
            gate.quotas().acquire(a, 900, System.currentTimeMillis()).finish(900, System.currentTimeMillis());
        }
    }
}
