package dev.hearth.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.GenerationHandle;
import dev.hearth.server.backend.Backend;
import dev.hearth.server.backend.GenerationSpec;
import dev.hearth.server.backend.PromptMessage;
import dev.hearth.server.route.FakeUpstream.Behaviour;
import dev.hearth.server.config.RoutingConfig.Target;
import dev.hearth.server.upstream.UpstreamException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Fallback decided before running (not stored, context too short, queue wait) and complexity rules. */
class RoutingPolicyTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static String config(String url, String extra) {
        return """
                policy: {max_queue_wait: 1s}
                backends:
                  local:
                    type: local
                    models: {fake-model: /models/fake.gguf, big-model: /models/big.gguf}
                  cloud:
                    type: openai
                    url: %s
                    models: [gpt-test]
                routes:
                  - model: assistant
                    targets: [local/fake-model, cloud/gpt-test]
                    rules:
                      - when: {tools: true}
                        targets: [cloud/gpt-test]
                      - when: {reasoning: true}
                        targets: [local/big-model, cloud/gpt-test]
                      - when: {prompt_tokens_over: 500}
                        targets: [cloud/gpt-test]
                      - when: {header: {x-hearth-tier: premium}}
                        targets: [cloud/gpt-test]
                      - when: {agent_class: batch, prompt_tokens_at_most: 100}
                        targets: [local/fake-model]
                %s""".formatted(url, extra);
    }

    @Test
    void aPromptLongerThanTheLocalContextGoesToTheCloud() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.OK);
                RoutedServer s = new RoutedServer(config(up.url(), ""), FakeBackends.create(4, 64, 16, 0))) {
            assertThat(RoutedServer.backend(s.chat("assistant", "hi", true, Map.of(), ""))).isEqualTo("local/fake-model");
            assertThat(up.requests()).isZero();
            String longer = "x".repeat(100); // over 64 tokens, under the 500-token rule
            assertThat(RoutedServer.backend(s.chat("assistant", longer, true, Map.of(), ""))).isEqualTo("cloud/gpt-test");
            assertThat(s.router.metrics().counter("fallbacks", "local/fake-model", "context_exceeded")).isEqualTo(1);
            // a bare local name is still served by the local engine alone
            assertThat(RoutedServer.backend(s.chat("fake-model", "hi", false, Map.of(), ""))).isEqualTo("local/fake-model");
        }
    }

    @Test
    void aModelNotStoredIsPassedOverWithoutTryingIt() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.OK);
                RoutedServer s = new RoutedServer(config(up.url(), ""), FakeBackends.create(),
                        Map.of("fake-model", "not_stored"))) {
            assertThat(RoutedServer.backend(s.chat("assistant", "hi", false, Map.of(), ""))).isEqualTo("cloud/gpt-test");
            assertThat(s.router.metrics().counter("fallbacks", "local/fake-model", "not_stored")).isEqualTo(1);
            // backend/model reaches one target directly
            assertThat(RoutedServer.backend(s.chat("cloud/gpt-test", "hi", false, Map.of(), ""))).isEqualTo("cloud/gpt-test");
        }
    }

    @Test
    void whenNoTargetCanServeTheErrorNamesEachSkippedTargetAndWhy() throws Exception {
        try (RoutedServer s = new RoutedServer(config("http://127.0.0.1:9/v1", ""), FakeBackends.create(),
                Map.of("fake-model", "not_stored"))) {
            RouteRequest plain = request("{\"model\":\"assistant\",\"messages\":[{\"role\":\"user\",\"content\":"
                    + "\"hi\"}]}", Map.of());
            RouteRequest localOnly = new RouteRequest(plain.path(), plain.model(), plain.body(), false,
                    plain.promptTokens(), false, false, plain.header(), "local", true, 0, false, null);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.router.route(localOnly,
                    GenerationSpec.chat("assistant", List.of(PromptMessage.of("user", "hi")), 8)))
                    .isInstanceOf(UpstreamException.class)
                    .hasMessage("no target could serve 'assistant': local/fake-model (not stored); cloud/gpt-test"
                            + " (the caller's key has --class local, which keeps its requests on this machine's"
                            + " models)");
            // through HTTP, with the cloud down: a 502 naming both targets and why
            var res = s.chat("assistant", "hi", false, Map.of(), "");
            assertThat(res.statusCode()).isEqualTo(502);
            assertThat(res.body()).contains("no target could serve 'assistant': local/fake-model (not stored);"
                    + " cloud/gpt-test (cloud: cannot connect");
        }
    }

    @Test
    void aLongPredictedQueueWaitGoesToTheCloud() throws Exception {
        // one slot, 20 ms per step: three 40-token answers keep the engine busy for seconds
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.OK);
                RoutedServer s = new RoutedServer(config(up.url(), ""), FakeBackends.create(1, 512, 16, 20))) {
            for (int i = 0; i < 3; i++) {
                s.router.queueWait().finished("fake-model", 100); // measured: 300 tokens in the window
            }
            List<GenerationHandle> busy = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                busy.addAll(s.local.generate(GenerationSpec.chat("fake-model",
                        List.of(PromptMessage.of("user", "busy " + i)), 40)).handles());
            }
            Backend.LoadStatus load = s.local.load("fake-model");
            assertThat(load.waiting()).isGreaterThanOrEqualTo(1);
            // (waiting + 1) x 100 tokens / (300 tokens / 30 s) = 20 s or more, over max_queue_wait 1s
            assertThat(s.router.queueWait().waitMillis("fake-model", load)).isGreaterThan(1000);
            assertThat(RoutedServer.backend(s.chat("assistant", "hi", true, Map.of(), ""))).isEqualTo("cloud/gpt-test");
            assertThat(s.router.metrics().counter("fallbacks", "local/fake-model", "queue_wait")).isEqualTo(1);
            busy.forEach(GenerationHandle::cancel);
        }
    }

    @Test
    void complexityRulesPickTheTargets() throws Exception {
        try (RoutedServer s = new RoutedServer(config("http://127.0.0.1:9/v1", ""), FakeBackends.create())) {
            Router r = s.router;
            Target local = new Target("local", "fake-model");
            Target big = new Target("local", "big-model");
            Target cloud = new Target("cloud", "gpt-test");
            assertThat(r.targets(request("{\"model\":\"assistant\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    Map.of()))).containsExactly(local, cloud);
            assertThat(r.targets(request("{\"model\":\"assistant\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                    + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}", Map.of())))
                    .containsExactly(cloud);
            assertThat(r.targets(request("{\"model\":\"assistant\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                    + "\"reasoning_effort\":\"high\"}", Map.of()))).containsExactly(big, cloud);
            String longText = "y".repeat(2400); // about 600 tokens
            assertThat(r.targets(request("{\"model\":\"assistant\",\"messages\":[{\"role\":\"user\",\"content\":\""
                    + longText + "\"}]}", Map.of()))).containsExactly(cloud);
            assertThat(r.targets(request("{\"model\":\"assistant\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    Map.of("x-hearth-tier", "premium")))).containsExactly(cloud);
            assertThat(r.targets(request("{\"model\":\"assistant\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    Map.of("x-hearth-agent-class", "batch")))).containsExactly(local);
            assertThat(r.targets(request("{\"model\":\"assistant\",\"messages\":[{\"role\":\"user\",\"content\":\""
                    + "z".repeat(800) + "\"}]}", Map.of("x-hearth-agent-class", "batch")))).containsExactly(local, cloud);
            // through HTTP: tools go to the cloud, which is down here: the client gets a 502 naming it
            var res = s.chat("assistant", "hi", false, Map.of(),
                    ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}]");
            assertThat(res.statusCode()).isEqualTo(502);
            assertThat(res.body()).contains("cloud: cannot connect");
        }
    }

    static RouteRequest request(String json, Map<String, String> headers) throws Exception {
        return RouteRequest.of("/chat/completions", (ObjectNode) JSON.readTree(json), headers);
    }
}
