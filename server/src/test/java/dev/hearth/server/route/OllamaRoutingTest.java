package dev.hearth.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.route.FakeUpstream.Behaviour;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ollama's endpoints go through the router: a route or a remote model asked for from {@code /api/chat} or
 * {@code /api/generate} is served by a remote OpenAI-compatible upstream, its answer translated into Ollama's
 * shape (whole, or NDJSON relayed chunk by chunk); a failing upstream falls back to the local model as for OpenAI;
 * routes are listed by {@code /api/tags}, {@code /api/show} and {@code /v1/models}.
 */
class OllamaRoutingTest {
    static final String CLOUD = "Hello from the cloud";

    static List<JsonNode> lines(HttpResponse<String> r) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank()) {
                out.add(RouterFaultTest.JSON.readTree(line));
            }
        }
        return out;
    }

    static String chat(String model, Boolean stream) {
        return "{\"model\":\"" + model + "\"," + (stream == null ? "" : "\"stream\":" + stream + ",")
                + "\"options\":{\"temperature\":0.5,\"num_predict\":64},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}";
    }

    @Test
    void chatToARouteServedRemotelyWholeAndStreamed() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.OK); RoutedServer s = RouterFaultTest.server(up)) {
            HttpResponse<String> whole = s.post("/api/chat", chat("assistant", false), Map.of());
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(RoutedServer.backend(whole)).isEqualTo("cloud/gpt-test");
            JsonNode j = RouterFaultTest.JSON.readTree(whole.body());
            assertThat(j.path("model").asText()).isEqualTo("assistant");
            assertThat(j.path("message").path("role").asText()).isEqualTo("assistant");
            assertThat(j.path("message").path("content").asText()).isEqualTo(CLOUD);
            assertThat(j.path("done").asBoolean()).isTrue();
            assertThat(j.path("done_reason").asText()).isEqualTo("stop");
            assertThat(j.path("prompt_eval_count").asInt()).isEqualTo(1000);
            assertThat(j.path("eval_count").asInt()).isEqualTo(2000);
            JsonNode sent = RouterFaultTest.JSON.readTree(up.bodies.getFirst());
            assertThat(sent.path("model").asText()).isEqualTo("gpt-test");
            assertThat(sent.path("stream").asBoolean()).isFalse();
            assertThat(sent.path("temperature").asDouble()).isEqualTo(0.5);
            assertThat(sent.path("max_tokens").asInt()).isEqualTo(64);
            assertThat(sent.path("messages").path(0).path("content").asText()).isEqualTo("hi there");

            // Ollama streams unless told not to: one NDJSON line per relayed chunk, then the done line
            HttpResponse<String> streamed = s.post("/api/chat", chat("assistant", null), Map.of());
            assertThat(RoutedServer.backend(streamed)).isEqualTo("cloud/gpt-test");
            assertThat(streamed.headers().firstValue("content-type").orElse("")).contains("ndjson");
            List<JsonNode> lines = lines(streamed);
            assertThat(lines).hasSize(FakeUpstream.WORDS.size() + 1);
            for (int i = 0; i < FakeUpstream.WORDS.size(); i++) {
                assertThat(lines.get(i).path("message").path("content").asText()).isEqualTo(FakeUpstream.WORDS.get(i));
                assertThat(lines.get(i).path("done").asBoolean()).isFalse();
            }
            JsonNode last = lines.getLast();
            assertThat(last.path("done").asBoolean()).isTrue();
            assertThat(last.path("done_reason").asText()).isEqualTo("stop");
            assertThat(last.path("eval_count").asInt()).isEqualTo(2000);
            assertThat(streamed.body()).doesNotContain("usage", "[DONE]");
            assertThat(RouterFaultTest.JSON.readTree(up.bodies.get(1)).path("stream").asBoolean()).isTrue();
        }
    }

    @Test
    void generateToARemoteModelWholeAndStreamed() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.OK); RoutedServer s = RouterFaultTest.server(up)) {
            String body = "{\"model\":\"cloud/gpt-test\",\"system\":\"be brief\",\"prompt\":\"hi there\",\"stream\":";
            HttpResponse<String> whole = s.post("/api/generate", body + "false}", Map.of());
            assertThat(RoutedServer.backend(whole)).isEqualTo("cloud/gpt-test");
            JsonNode j = RouterFaultTest.JSON.readTree(whole.body());
            assertThat(j.path("response").asText()).isEqualTo(CLOUD);
            assertThat(j.path("done").asBoolean()).isTrue();
            assertThat(j.path("prompt_eval_count").asInt()).isEqualTo(1000);
            JsonNode sent = RouterFaultTest.JSON.readTree(up.bodies.getFirst());
            assertThat(sent.path("messages").path(0).path("role").asText()).isEqualTo("system");
            assertThat(sent.path("messages").path(1).path("content").asText()).isEqualTo("hi there");

            List<JsonNode> lines = lines(s.post("/api/generate", body + "true}", Map.of()));
            StringBuilder text = new StringBuilder();
            lines.forEach(l -> text.append(l.path("response").asText()));
            assertThat(text.toString()).isEqualTo(CLOUD);
            assertThat(lines).hasSize(FakeUpstream.WORDS.size() + 1);
            assertThat(lines.getLast().path("done").asBoolean()).isTrue();
            assertThat(lines.getLast().path("eval_count").asInt()).isEqualTo(2000);
        }
    }

    @Test
    void aFailingRemoteFallsBackToLocalFromOllamaEndpoints() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.ERROR_500); RoutedServer s = RouterFaultTest.server(up)) {
            HttpResponse<String> whole = s.post("/api/chat", chat("assistant", false), Map.of());
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(RoutedServer.backend(whole)).isEqualTo("local/fake-model");
            assertThat(RouterFaultTest.JSON.readTree(whole.body()).path("message").path("content").asText())
                    .isEqualTo(RouterFaultTest.LOCAL_ANSWER);

            HttpResponse<String> streamed = s.post("/api/chat", chat("assistant", true), Map.of());
            assertThat(RoutedServer.backend(streamed)).isEqualTo("local/fake-model");
            StringBuilder text = new StringBuilder();
            List<JsonNode> lines = lines(streamed);
            lines.forEach(l -> text.append(l.path("message").path("content").asText()));
            assertThat(text.toString()).isEqualTo(RouterFaultTest.LOCAL_ANSWER);
            assertThat(lines.getLast().path("done").asBoolean()).isTrue();
            assertThat(up.requests()).isEqualTo(2); // one try each: a 500 is not retried on the same backend
            assertThat(s.router.metrics().counter("fallbacks", "cloud/gpt-test", "server_error")).isEqualTo(2);
        }
    }

    @Test
    void aStreamCutMidwayEndsWithAnErrorLineAndNoDoneLine() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.STOP_MIDWAY); RoutedServer s = RouterFaultTest.server(up)) {
            HttpResponse<String> r = s.post("/api/chat", chat("assistant", true), Map.of());
            assertThat(RoutedServer.backend(r)).isEqualTo("cloud/gpt-test");
            List<JsonNode> lines = lines(r);
            assertThat(lines.getFirst().path("message").path("content").asText()).isEqualTo("Hello");
            assertThat(lines.getLast().has("error")).isTrue();
            assertThat(lines).noneMatch(l -> l.path("done").asBoolean());
        }
    }

    @Test
    void aFormatHearthCannotCompileIsRefusedOnlyWhenTheLocalEngineIsTried() throws Exception {
        // allOf with two schemas: valid JSON schema, beyond Hearth's grammar compiler
        String format = "\"format\":{\"allOf\":[{\"type\":\"object\"},{\"required\":[\"a\"]}]},";
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.OK); RoutedServer s = RouterFaultTest.server(up)) {
            HttpResponse<String> remote = s.post("/api/chat", chat("assistant", false).replace("{\"model\"",
                    "{" + format + "\"model\""), Map.of());
            assertThat(remote.statusCode()).as(remote.body()).isEqualTo(200);
            assertThat(RoutedServer.backend(remote)).isEqualTo("cloud/gpt-test");
            JsonNode sent = RouterFaultTest.JSON.readTree(up.bodies.getFirst());
            assertThat(sent.path("response_format").path("type").asText()).isEqualTo("json_schema");
            assertThat(sent.path("response_format").path("json_schema").path("schema").path("allOf")).hasSize(2);

            HttpResponse<String> local = s.post("/api/chat", chat("fake-model", false).replace("{\"model\"",
                    "{" + format + "\"model\""), Map.of());
            assertThat(local.statusCode()).isEqualTo(400);
            assertThat(local.body()).contains("allOf");
            // a format of the wrong shape is refused before routing, wherever it would go
            HttpResponse<String> bad = s.post("/api/chat", chat("assistant", false).replace("{\"model\"",
                    "{\"format\":42,\"model\""), Map.of());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("'format' must be");
            assertThat(up.requests()).isEqualTo(1);
        }
    }

    @Test
    void relayedToolResultsNameTheCallTheyAnswer() throws Exception {
        String body = "{\"model\":\"assistant\",\"stream\":false,\"messages\":["
                + "{\"role\":\"user\",\"content\":\"weather?\"},"
                + "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":{\"city\":\"Oslo\"}}}]},"
                + "{\"role\":\"tool\",\"content\":\"sunny\",\"tool_name\":\"get_weather\"}]}";
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.OK); RoutedServer s = RouterFaultTest.server(up)) {
            HttpResponse<String> r = s.post("/api/chat", body, Map.of());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode sent = RouterFaultTest.JSON.readTree(up.bodies.getFirst()).path("messages");
            String id = sent.path(1).path("tool_calls").path(0).path("id").asText();
            assertThat(id).isEqualTo("call_1_0");
            assertThat(sent.path(2).path("tool_call_id").asText()).isEqualTo(id);
        }
    }

    @Test
    void routesAreListedByOllamaAndOpenAi() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> Behaviour.OK); RoutedServer s = RouterFaultTest.server(up)) {
            JsonNode tags = RouterFaultTest.JSON.readTree(get(s, "/api/tags").body());
            assertThat(tags.path("models").findValuesAsText("name")).containsExactly("fake-model", "assistant");
            assertThat(tags.path("models").path(1).path("details").path("family").asText()).isEqualTo("route");
            HttpResponse<String> show = s.post("/api/show", "{\"model\":\"assistant\"}", Map.of());
            assertThat(show.statusCode()).isEqualTo(200);
            assertThat(RouterFaultTest.JSON.readTree(show.body()).path("model_info").path("hearth.route.targets")
                    .toString()).isEqualTo("[\"cloud/gpt-test\",\"local/fake-model\"]");
            assertThat(s.post("/api/show", "{\"model\":\"nope\"}", Map.of()).statusCode()).isEqualTo(404);

            JsonNode models = RouterFaultTest.JSON.readTree(get(s, "/v1/models").body());
            assertThat(models.path("object").asText()).isEqualTo("list");
            assertThat(models.path("data").findValuesAsText("id")).containsExactly("fake-model", "assistant");
            assertThat(models.path("data").findValuesAsText("owned_by")).containsExactly("hearth", "hearth-route");
            JsonNode one = RouterFaultTest.JSON.readTree(get(s, "/v1/models/assistant").body());
            assertThat(one.path("id").asText()).isEqualTo("assistant");
            assertThat(one.path("object").asText()).isEqualTo("model");
            assertThat(one.path("owned_by").asText()).isEqualTo("hearth-route");
            assertThat(one.path("created").asLong()).isPositive();
            assertThat(get(s, "/v1/models/nope").statusCode()).isEqualTo(404);
        }
    }

    static HttpResponse<String> get(RoutedServer s, String path) throws Exception {
        return s.client.send(HttpRequest.newBuilder(URI.create(s.base() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
