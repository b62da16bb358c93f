package dev.hearth.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.server.config.BackendConfig;
import dev.hearth.server.route.RouteRequest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The breaker's state machine on a fake clock, and the backoff's bounds. */
class ResilienceUnitTest {

    @Test
    void breakerOpensAtTheThresholdLetsOneProbeThroughAndClosesOrReopens() {
        AtomicLong now = new AtomicLong();
        CircuitBreaker b = new CircuitBreaker(3, Duration.ofSeconds(10), now::get);
        for (int i = 0; i < 2; i++) {
            assertThat(b.tryAcquire()).isTrue();
            b.onFailure();
        }
        assertThat(b.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        b.onSuccess(); // a success resets the count: failures must be in a row
        for (int i = 0; i < 3; i++) {
            assertThat(b.tryAcquire()).isTrue();
            b.onFailure();
        }
        assertThat(b.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(b.tryAcquire()).isFalse();
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(b.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(b.tryAcquire()).as("the probe").isTrue();
        assertThat(b.tryAcquire()).as("a second request while the probe runs").isFalse();
        b.onFailure();
        assertThat(b.state()).as("the probe failed: open again").isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(b.tryAcquire()).isFalse();
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(b.tryAcquire()).isTrue();
        b.onSuccess();
        assertThat(b.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.tryAcquire()).isTrue();
    }

    @Test
    void backoffGrowsWithJitterWithinItsBoundsAndHonoursRetryAfter() {
        BackendConfig.Retry policy = new BackendConfig.Retry(5, Duration.ofMillis(100), Duration.ofMillis(1000),
                Duration.ofSeconds(5));
        for (int i = 0; i < 200; i++) {
            assertThat(Backoff.delayMillis(policy, 1, -1)).isBetween(50L, 100L);
            assertThat(Backoff.delayMillis(policy, 3, -1)).isBetween(200L, 400L);
            assertThat(Backoff.delayMillis(policy, 10, -1)).isBetween(500L, 1000L);
        }
        assertThat(Backoff.delayMillis(policy, 1, 2000)).isEqualTo(2000);
        assertThat(Backoff.delayMillis(policy, 1, 6000)).as("longer than max_retry_after").isEqualTo(-1);
        assertThat(Backoff.parseRetryAfter("2")).isEqualTo(2000);
        assertThat(Backoff.parseRetryAfter("0.5")).isEqualTo(500);
        assertThat(Backoff.parseRetryAfter(null)).isEqualTo(-1);
        assertThat(Backoff.parseRetryAfter("soon")).isEqualTo(-1);
    }

    @Test
    void balancerPrefersTheLeastLoadedAndKeepsAffinityWithinTheSlack() {
        BackendConfig.Remote cfg = new BackendConfig.Remote("c", true,
                java.util.List.of(java.net.URI.create("http://127.0.0.1:9/v1"), java.net.URI.create("http://127.0.0.1:10/v1")),
                null, java.util.List.of("m"), BackendConfig.Prices.FREE, BackendConfig.Timeouts.DEFAULT,
                BackendConfig.Retry.DEFAULT, BackendConfig.Breaker.DEFAULT, BackendConfig.Health.NONE, 2);
        try (UpstreamNode a = new UpstreamNode("c.0", cfg.nodes().get(0), null, cfg);
                UpstreamNode b = new UpstreamNode("c.1", cfg.nodes().get(1), null, cfg)) {
            NodeBalancer balancer = new NodeBalancer(java.util.List.of(a, b), 2);
            a.outstanding.set(3);
            assertThat(balancer.pick(0, false, n -> false)).isSameAs(b);
            long key = RouteRequest.hash("You are helpful");
            a.outstanding.set(0);
            UpstreamNode preferred = balancer.pick(key, true, n -> false);
            UpstreamNode other = preferred == a ? b : a;
            preferred.outstanding.set(2);
            assertThat(balancer.pick(key, true, n -> false)).as("within the slack").isSameAs(preferred);
            preferred.outstanding.set(3);
            assertThat(balancer.pick(key, true, n -> false)).as("past the slack").isSameAs(other);
            assertThat(balancer.pick(key, true, n -> n == other)).isSameAs(preferred);
            assertThat(balancer.pick(key, true, n -> true)).isNull();
        }
    }
}
