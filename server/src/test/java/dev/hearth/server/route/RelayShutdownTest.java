package dev.hearth.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.backend.GenerationFailedException;
import dev.hearth.server.route.FakeUpstream.Behaviour;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A shutdown whose grace runs out ends relayed (remote) streams as it ends local ones: an SSE error event naming the
 * shutdown then {@code [DONE]}, or an NDJSON error line, instead of a connection cut mid-stream.
 */
class RelayShutdownTest {
    @Test
    void aRelayedSseStreamEndsWithAnErrorEventAndDone() throws Exception {
        HttpResponse<String> r = cutByShutdown(s -> s.chat("assistant", "hi there", true, Map.of(), ""));
        RouterFaultTest.Answer a = RouterFaultTest.parse(r, true);
        assertThat(a.backend()).isEqualTo("cloud/gpt-test");
        assertThat(a.content()).isEqualTo("Hello");
        assertThat(a.error()).isTrue();
        assertThat(a.doneMarkers()).isEqualTo(1);
        assertThat(r.body()).contains("\"code\":\"shutting_down\"")
                .contains(GenerationFailedException.SHUTTING_DOWN).endsWith("data: [DONE]\n\n");
    }

    @Test
    void aRelayedOllamaStreamEndsWithAnErrorLine() throws Exception {
        HttpResponse<String> r = cutByShutdown(s -> s.post("/api/chat", "{\"model\":\"assistant\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}", Map.of()));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            lines.add(RouterFaultTest.JSON.readTree(line));
        }
        assertThat(lines.getFirst().path("message").path("content").asText()).isEqualTo("Hello");
        assertThat(lines.getLast().path("error").asText()).isEqualTo(GenerationFailedException.SHUTTING_DOWN);
    }

    interface Call {
        HttpResponse<String> send(RoutedServer s) throws Exception;
    }

    /** Sends {@code call} to an upstream that stalls after its first chunk, and drains the server with 0.3 s grace. */
    private static HttpResponse<String> cutByShutdown(Call call) throws Exception {
        ExecutorService client = Executors.newVirtualThreadPerTaskExecutor();
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.STALL_MIDWAY);
                RoutedServer s = RouterFaultTest.server(up)) {
            Future<HttpResponse<String>> answer = client.submit((Callable<HttpResponse<String>>) () -> call.send(s));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (up.requests() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);  // the request is in flight once the upstream has it
            }
            assertThat(up.requests()).isEqualTo(1);
            long start = System.nanoTime();
            int cut = s.server.drain(Duration.ofMillis(300),
                    () -> s.router.stopRelays(GenerationFailedException.SHUTTING_DOWN));
            assertThat(cut).isEqualTo(1);
            // the stream ended at the abort, not when the upstream's 10 s stall ran out
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            HttpResponse<String> r = answer.get(5, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            return r;
        } finally {
            client.shutdownNow();
        }
    }
}
