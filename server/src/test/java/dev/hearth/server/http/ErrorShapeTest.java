package dev.hearth.server.http;

import dev.hearth.server.http.api.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.backend.Backend;
import dev.hearth.server.route.FakeBackends;
import dev.hearth.server.backend.Generation;
import dev.hearth.server.backend.GenerationSpec;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.backend.ModelInfo;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every error case in OpenAI's shape {"error": {"message", "type", "param", "code"}}, from the one mapper. */
class ErrorShapeTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(FakeBackends.create(4, 128, 8, 0),
                new ServerSettings("127.0.0.1", 0, null, 4096));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode error(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).contains("application/json");
        JsonNode body = Json.MAPPER.readTree(response.body());
        JsonNode error = body.get("error");
        assertThat(error.get("message").isTextual()).isTrue();
        assertThat(error.has("type") && error.has("param") && error.has("code")).isTrue();
        assertThat(response.body()).doesNotContain("\tat ").doesNotContain("Exception:");
        return error;
    }

    static String chat(String extra) {
        return "{\"model\": \"" + FakeBackends.MODEL + "\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]"
                + extra + "}";
    }

    @Test
    void malformedJson() throws Exception {
        JsonNode e = error(server.post("/v1/chat/completions", "{\"model\": \"x\", "), 400);
        assertThat(e.get("code").asText()).isEqualTo("invalid_json");
        assertThat(e.get("param").isNull()).isTrue();
    }

    @Test
    void wrongTypeNamesTheParam() throws Exception {
        JsonNode e = error(server.post("/v1/chat/completions", chat(", \"temperature\": \"hot\"")), 400);
        assertThat(e.get("param").asText()).isEqualTo("temperature");
        e = error(server.post("/v1/chat/completions", chat(", \"max_tokens\": 1.5e400")), 400);
        assertThat(e.get("param").asText()).isEqualTo("max_tokens");
        e = error(server.post("/v1/chat/completions", "{\"model\": \"m\", \"messages\": [{\"role\": \"user\","
                + " \"content\": 5}]}"), 400);
        assertThat(e.get("param").asText()).isEqualTo("messages[0].content");
    }

    @Test
    void outOfRangeNamesTheParam() throws Exception {
        for (String[] c : new String[][] {{"temperature", "2.5"}, {"top_p", "1.5"}, {"n", "0"}, {"max_tokens", "0"},
                {"presence_penalty", "-3"}, {"top_logprobs", "50"}, {"min_p", "2"}}) {
            JsonNode e = error(server.post("/v1/chat/completions", chat(", \"" + c[0] + "\": " + c[1])), 400);
            assertThat(e.get("param").asText()).isEqualTo(c[0]);
            assertThat(e.get("message").asText()).contains(c[0]);
        }
        JsonNode e = error(server.post("/v1/chat/completions", chat(", \"logit_bias\": {\"12\": 300}")), 400);
        assertThat(e.get("param").asText()).isEqualTo("logit_bias.12");
        e = error(server.post("/v1/chat/completions",
                chat(", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {}}")), 400);
        assertThat(e.get("param").asText()).isEqualTo("response_format.json_schema.schema");
        e = error(server.post("/v1/chat/completions", chat(", \"response_format\": {\"type\": \"json_schema\","
                + " \"json_schema\": {\"name\": \"x\", \"schema\": {\"type\": \"object\", \"not\": {}}}}")), 400);
        assertThat(e.get("param").asText()).isEqualTo("response_format.json_schema.schema");
        assertThat(e.get("message").asText()).contains("not");
        e = error(server.post("/v1/chat/completions", "{\"model\": \"m\"}"), 400);
        assertThat(e.get("param").asText()).isEqualTo("messages");
        e = error(server.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"),
                400);
        assertThat(e.get("param").asText()).isEqualTo("model");
    }

    @Test
    void unknownModelAndRoute() throws Exception {
        JsonNode e = error(server.post("/v1/chat/completions", chat("").replace(FakeBackends.MODEL, "nope")), 404);
        assertThat(e.get("code").asText()).isEqualTo("model_not_found");
        assertThat(e.get("message").asText()).contains("nope");
        error(server.get("/v1/models/nope"), 404);
        error(server.get("/v1/nothing-here"), 404);
    }

    @Test
    void promptTooLongGivesBothNumbers() throws Exception {
        String longText = "x".repeat(200);
        String body = chat("").replace("\"hi\"", "\"" + longText + "\"");
        JsonNode e = error(server.post("/v1/chat/completions", body), 400);
        assertThat(e.get("code").asText()).isEqualTo("context_length_exceeded");
        int promptTokens = ("user: " + longText + "\nassistant: ").length();
        assertThat(e.get("message").asText()).contains("128").contains(Integer.toString(promptTokens));
    }

    @Test
    void bodyTooLarge() throws Exception {
        String body = chat("").replace("\"hi\"", "\"" + "y".repeat(5000) + "\"");
        JsonNode e = error(server.post("/v1/chat/completions", body), 413);
        assertThat(e.get("message").asText()).contains("4096");
        // a chunked body without Content-Length is cut off at the limit too
        HttpResponse<String> chunked = server.client.send(HttpRequest.newBuilder(
                        URI.create(server.base() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.getBytes())))
                .build(), HttpResponse.BodyHandlers.ofString());
        error(chunked, 413);
    }

    @Test
    void emptyPromptNamesTheField() throws Exception {
        JsonNode e = error(server.post("/v1/completions", "{\"model\": \"" + FakeBackends.MODEL
                + "\", \"prompt\": \"\"}"), 400);
        assertThat(e.get("param").asText()).isEqualTo("prompt");
        assertThat(e.get("message").asText()).contains("empty");
    }

    @Test
    void embeddingsNotYetSupported() throws Exception {
        JsonNode e = error(server.post("/v1/embeddings", "{\"model\": \"" + FakeBackends.MODEL
                + "\", \"input\": \"hello\"}"), 501);
        assertThat(e.get("message").asText()).contains("embeddings");
    }

    @Test
    void internalErrorHidesTheStackTrace() throws Exception {
        Backend broken = new Backend() {
            @Override
            public List<ModelInfo> models() {
                return List.of();
            }

            @Override
            public Optional<ModelInfo> model(String name) {
                return Optional.empty();
            }

            @Override
            public Generation generate(GenerationSpec spec) {
                throw new NullPointerException("secret detail");
            }

            @Override
            public List<float[]> embed(String model, List<String> inputs) {
                return List.of();
            }

            @Override
            public LoadStatus load(String model) {
                return new LoadStatus(0, 0, 0, 0, 0);
            }
        };
        try (TestServer s = new TestServer(broken)) {
            JsonNode e = error(s.post("/v1/chat/completions", chat("")), 500);
            assertThat(e.get("type").asText()).isEqualTo("server_error");
            assertThat(e.get("message").asText()).doesNotContain("secret detail");
            // /health says not ready without a model
            assertThat(s.get("/health").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void engineFailureMidAnswer() throws Exception {
        try (TestServer s = new TestServer(FakeBackends.failing(4))) {
            JsonNode e = error(s.post("/v1/chat/completions", chat("")), 500);
            assertThat(e.get("type").asText()).isEqualTo("server_error");
            assertThat(e.get("message").asText()).doesNotContain("simulated");
            HttpResponse<String> stream = s.post("/v1/chat/completions", chat(", \"stream\": true"));
            assertThat(stream.statusCode()).isEqualTo(200);
            String[] events = stream.body().split("\n\n");
            // the error event, then the end marker clients wait for
            assertThat(events[events.length - 1]).isEqualTo("data: [DONE]");
            JsonNode last = Json.MAPPER.readTree(events[events.length - 2].substring("data: ".length()));
            assertThat(last.get("error").get("type").asText()).isEqualTo("server_error");
            assertThat(stream.body()).doesNotContain("simulated");
        }
    }

    @Test
    void overloadGives429WithRetryAfter() throws Exception {
        LocalBackend slow = FakeBackends.create(1, 4096, 0, 20);
        try (TestServer s = new TestServer(slow)) {
            String longMessage = "z".repeat(1000);
            Thread.ofVirtual().start(() -> {
                try {
                    s.post("/v1/chat/completions", chat(", \"max_tokens\": 300").replace("\"hi\"", "\"" + longMessage
                            + "\""));
                } catch (Exception ignored) {
                    // ends when the server closes
                }
            });
            while (slow.load(FakeBackends.MODEL).running() == 0) {
                Thread.sleep(5);
            }
            HttpResponse<String> r = s.post("/v1/chat/completions", chat(""));
            JsonNode e = error(r, 429);
            assertThat(r.headers().firstValue("retry-after")).contains("1");
            assertThat(e.get("code").asText()).isEqualTo("overloaded");
        }
    }

    @Test
    void apiKeyGuardsEverythingButHealth() throws Exception {
        try (TestServer s = new TestServer(FakeBackends.create(),
                new ServerSettings("127.0.0.1", 0, "sekret", ServerSettings.DEFAULT_MAX_BODY_BYTES))) {
            assertThat(s.get("/health").statusCode()).isEqualTo(200);
            error(s.get("/v1/models"), 401);
            HttpResponse<String> ok = s.client.send(HttpRequest.newBuilder(URI.create(s.base() + "/v1/models"))
                    .header("Authorization", "Bearer sekret").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            HttpResponse<String> ollama = s.get("/api/tags");
            assertThat(ollama.statusCode()).isEqualTo(401);
            assertThat(Json.MAPPER.readTree(ollama.body()).get("error").isTextual()).isTrue();
        }
    }
}
