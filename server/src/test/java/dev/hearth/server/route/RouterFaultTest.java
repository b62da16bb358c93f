package dev.hearth.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.server.metrics.RouteMetrics;
import dev.hearth.server.route.FakeUpstream.Behaviour;
import dev.hearth.server.upstream.CircuitBreaker;
import dev.hearth.server.upstream.RemoteBackend;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Faults of a remote upstream on loopback (500, 429 with Retry-After, a hang, a reset, garbage, a stream cut
 * midway): the right fallback happens before the first byte, an answer is never lost, duplicated or switched
 * midway, and the breaker opens and closes again.
 */
class RouterFaultTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String LOCAL_ANSWER = FakeRunner.answer("user: hi there\nassistant: ");

    static String config(String url) {
        return """
                backends:
                  local:
                    type: local
                    models: {fake-model: /models/fake.gguf}
                  cloud:
                    type: openai
                    url: %s
                    models: [gpt-test]
                    price_per_million: {input: 0.15, output: 0.60}
                    timeouts: {connect: 1s, first_token: 1s, total: 5s}
                    retry: {attempts: 2, backoff: 10ms, max_backoff: 50ms, max_retry_after: 2s}
                    breaker: {failures: 2, open_for: 400ms}
                routes:
                  - model: assistant
                    targets: [cloud/gpt-test, local/fake-model]
                """.formatted(url);
    }

    record Answer(String backend, int status, String content, int doneMarkers, boolean error) {}

    static Answer ask(RoutedServer s, boolean stream) throws Exception {
        HttpResponse<String> r = s.chat("assistant", "hi there", stream, Map.of(), "");
        return parse(r, stream);
    }

    static Answer parse(HttpResponse<String> r, boolean stream) throws Exception {
        if (!stream || r.statusCode() != 200) {
            JsonNode j = JSON.readTree(r.body());
            return new Answer(RoutedServer.backend(r), r.statusCode(),
                    j.path("choices").path(0).path("message").path("content").asText(null), 0, j.has("error"));
        }
        StringBuilder content = new StringBuilder();
        int done = 0;
        boolean error = false;
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("data: ")) {
                continue;
            }
            String data = line.substring(6);
            if (data.equals("[DONE]")) {
                done++;
                continue;
            }
            JsonNode j = JSON.readTree(data);
            error |= j.has("error");
            for (JsonNode c : j.path("choices")) {
                content.append(c.path("delta").path("content").asText(""));
            }
        }
        return new Answer(RoutedServer.backend(r), r.statusCode(), content.toString(), done, error);
    }

    static RoutedServer server(FakeUpstream up) {
        return new RoutedServer(config(up.url()), FakeBackends.create());
    }

    static Answer once(IntFunction<Behaviour> script, boolean stream, int expectedUpstreamRequests) throws Exception {
        try (FakeUpstream up = new FakeUpstream(script); RoutedServer s = server(up)) {
            Answer a = ask(s, stream);
            assertThat(up.requests()).as("upstream requests").isEqualTo(expectedUpstreamRequests);
            return a;
        }
    }

    @Test
    void healthyCloudIsRelayedChunkByChunkWithUsageCountedAndCosted() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.OK); RoutedServer s = server(up)) {
            HttpResponse<String> r = s.chat("assistant", "hi there", true, Map.of(), "");
            Answer a = parse(r, true);
            assertThat(a).isEqualTo(new Answer("cloud/gpt-test", 200, "Hello from the cloud", 1, false));
            // the client did not ask for usage: the usage chunk Hearth asked for is not passed on
            assertThat(r.body()).doesNotContain("usage");
            JsonNode sent = JSON.readTree(up.bodies.getFirst());
            assertThat(sent.get("model").asText()).isEqualTo("gpt-test");
            assertThat(sent.path("stream_options").path("include_usage").asBoolean()).isTrue();
            assertThat(s.router.metrics().counter("tokens", "cloud/gpt-test", "completion")).isEqualTo(2000);
            assertThat(s.router.metrics().counter("cost", "cloud/gpt-test"))
                    .isCloseTo((1000 * 0.15 + 2000 * 0.60) / 1e6, org.assertj.core.data.Offset.offset(1e-12));

            Answer plain = ask(s, false);
            assertThat(plain).isEqualTo(new Answer("cloud/gpt-test", 200, "Hello from the cloud", 0, false));
        }
    }

    @Test
    void http500FallsBackToLocalBeforeTheFirstByte() throws Exception {
        assertThat(once(n -> Behaviour.ERROR_500, true, 1))
                .isEqualTo(new Answer("local/fake-model", 200, LOCAL_ANSWER, 1, false));
        assertThat(once(n -> Behaviour.ERROR_500, false, 1))
                .isEqualTo(new Answer("local/fake-model", 200, LOCAL_ANSWER, 0, false));
    }

    @Test
    void http429IsRetriedAfterRetryAfter() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> n == 0 ? Behaviour.TOO_MANY_429 : Behaviour.OK);
                RoutedServer s = server(up)) {
            assertThat(ask(s, true)).isEqualTo(new Answer("cloud/gpt-test", 200, "Hello from the cloud", 1, false));
            assertThat(up.requests()).isEqualTo(2);
            assertThat(up.arrivals.get(1) - up.arrivals.get(0)).as("waited Retry-After: 1")
                    .isGreaterThanOrEqualTo(950_000_000L);
        }
    }

    @Test
    void retryAfterLongerThanThePolicyFallsBackAtOnce() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.TOO_MANY_429); RoutedServer s = server(up)) {
            up.retryAfterSeconds = 30;
            assertThat(ask(s, true)).isEqualTo(new Answer("local/fake-model", 200, LOCAL_ANSWER, 1, false));
            assertThat(up.requests()).isEqualTo(1);
        }
    }

    @Test
    void hangHitsTheFirstTokenTimeoutAndFallsBack() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.HANG); RoutedServer s = server(up)) {
            assertThat(ask(s, true)).isEqualTo(new Answer("local/fake-model", 200, LOCAL_ANSWER, 1, false));
            assertThat(up.requests()).as("a hang is not retried on the same backend").isEqualTo(1);
            List<String> timeline = new ArrayList<>();
            long t0 = s.router.metrics().events().getFirst().nanos();
            for (RouteMetrics.Event e : s.router.metrics().events()) {
                timeline.add(String.format("%8.1f ms  %-18s %s", (e.nanos() - t0) / 1e6, e.target(), e.what()));
            }
            System.out.println("fallback timeline (upstream hangs, first_token 1s):\n  "
                    + String.join("\n  ", timeline));
            assertThat(timeline).hasSize(4);
        }
    }

    @Test
    void resetIsRetriedThenFallsBack() throws Exception {
        assertThat(once(n -> Behaviour.RESET, true, 2))
                .isEqualTo(new Answer("local/fake-model", 200, LOCAL_ANSWER, 1, false));
        // a reset on the first try, success on the retry: the cloud answers once, nothing duplicated
        assertThat(once(n -> n == 0 ? Behaviour.RESET : Behaviour.OK, true, 2))
                .isEqualTo(new Answer("cloud/gpt-test", 200, "Hello from the cloud", 1, false));
    }

    @Test
    void garbageStreamFallsBack() throws Exception {
        assertThat(once(n -> Behaviour.GARBAGE, true, 1))
                .isEqualTo(new Answer("local/fake-model", 200, LOCAL_ANSWER, 1, false));
    }

    @Test
    void streamStoppedMidwayIsNeverSwitchedToAnotherBackend() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.STOP_MIDWAY); RoutedServer s = server(up)) {
            Answer a = ask(s, true);
            assertThat(a).isEqualTo(new Answer("cloud/gpt-test", 200, "Hello from", 0, true));
            assertThat(up.requests()).isEqualTo(1);
            assertThat(s.router.metrics().counter("requests", "local/fake-model")).isZero();
            assertThat(s.router.metrics().counter("errors", "cloud/gpt-test", "midstream_connect")).isEqualTo(1);
        }
    }

    @Test
    void breakerOpensAfterFailuresAndClosesAfterAGoodProbe() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> n < 2 ? Behaviour.ERROR_500 : Behaviour.OK);
                RoutedServer s = server(up)) {
            RemoteBackend cloud = s.router.remote("cloud");
            assertThat(ask(s, true).backend()).isEqualTo("local/fake-model");
            assertThat(cloud.breakerState(0)).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(ask(s, true).backend()).isEqualTo("local/fake-model");
            assertThat(cloud.breakerState(0)).isEqualTo(CircuitBreaker.State.OPEN);
            // open: the upstream is not even asked
            assertThat(ask(s, true)).isEqualTo(new Answer("local/fake-model", 200, LOCAL_ANSWER, 1, false));
            assertThat(up.requests()).isEqualTo(2);
            Thread.sleep(450);
            assertThat(cloud.breakerState(0)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
            assertThat(ask(s, true)).isEqualTo(new Answer("cloud/gpt-test", 200, "Hello from the cloud", 1, false));
            assertThat(cloud.breakerState(0)).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(up.requests()).isEqualTo(3);
        }
    }
}
