package dev.hearth.server.http;

import dev.hearth.server.http.api.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.route.FakeBackends;
import dev.hearth.server.route.FakeText;
import dev.hearth.server.backend.PromptMessage;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Ollama API as Ollama answers it: NDJSON streams, final chunk with counts, {"error": "..."} errors. */
class OllamaApiTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(FakeBackends.create());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<JsonNode> lines(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("application/x-ndjson");
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            out.add(Json.MAPPER.readTree(line));
        }
        return out;
    }

    @Test
    void chatStreamsNdjson() throws Exception {
        List<JsonNode> lines = lines(server.post("/api/chat", "{\"model\": \"" + FakeBackends.MODEL
                + "\", \"messages\": [{\"role\": \"user\", \"content\": \"héllo\"}]}"));
        StringBuilder text = new StringBuilder();
        for (JsonNode line : lines.subList(0, lines.size() - 1)) {
            assertThat(line.get("done").asBoolean()).isFalse();
            assertThat(line.get("model").asText()).isEqualTo(FakeBackends.MODEL);
            assertThat(line.get("created_at").asText()).endsWith("Z");
            assertThat(line.get("message").get("role").asText()).isEqualTo("assistant");
            text.append(line.get("message").get("content").asText());
        }
        assertThat(text.toString()).isEqualTo("You said: héllo");
        JsonNode last = lines.getLast();
        assertThat(last.get("done").asBoolean()).isTrue();
        assertThat(last.get("done_reason").asText()).isEqualTo("stop");
        assertThat(last.get("message").get("content").asText()).isEmpty();
        assertThat(last.get("prompt_eval_count").asInt())
                .isEqualTo(FakeText.render(List.of(PromptMessage.of("user", "héllo"))).getBytes("UTF-8").length);
        assertThat(last.get("eval_count").asInt()).isEqualTo("You said: héllo".getBytes("UTF-8").length + 1);
        assertThat(last.get("total_duration").asLong()).isPositive();
    }

    @Test
    void generateWithoutStreamingAndWithLimit() throws Exception {
        HttpResponse<String> r = server.post("/api/generate", "{\"model\": \"" + FakeBackends.MODEL
                + "\", \"prompt\": \"abc\", \"stream\": false, \"options\": {\"num_predict\": 5}}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertThat(body.get("response").asText()).isEqualTo("You s");
        assertThat(body.get("done").asBoolean()).isTrue();
        assertThat(body.get("done_reason").asText()).isEqualTo("length");
        assertThat(body.get("eval_count").asInt()).isEqualTo(5);
    }

    @Test
    void rawGenerateSkipsTheTemplate() throws Exception {
        HttpResponse<String> r = server.post("/api/generate", "{\"model\": \"" + FakeBackends.MODEL
                + "\", \"prompt\": \"plain\", \"raw\": true, \"stream\": false}");
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertThat(body.get("response").asText()).isEqualTo("You said: plain");
        assertThat(body.get("prompt_eval_count").asInt()).isEqualTo(5);
    }

    @Test
    void listingsAndVersion() throws Exception {
        JsonNode tags = Json.MAPPER.readTree(server.get("/api/tags").body());
        JsonNode model = tags.get("models").get(0);
        assertThat(model.get("name").asText()).isEqualTo(FakeBackends.MODEL);
        assertThat(model.get("size").asLong()).isEqualTo(1234);
        assertThat(model.get("details").get("format").asText()).isEqualTo("gguf");
        assertThat(model.get("details").get("family").asText()).isEqualTo("llama");
        assertThat(model.get("details").get("quantization_level").asText()).isEqualTo("Q4_0");
        assertThat(model.get("details").get("parameter_size").asText()).isEqualTo("15.0M");
        JsonNode ps = Json.MAPPER.readTree(server.get("/api/ps").body());
        assertThat(ps.get("models").get(0).get("name").asText()).isEqualTo(FakeBackends.MODEL);
        JsonNode show = Json.MAPPER.readTree(server.post("/api/show", "{\"model\": \"" + FakeBackends.MODEL
                + "\"}").body());
        assertThat(show.get("model_info").get("llama.context_length").asInt()).isEqualTo(512);
        assertThat(Json.MAPPER.readTree(server.get("/api/version").body()).get("version").asText()).isNotEmpty();
        // Ollama clients probe the root
        assertThat(server.get("/").body()).isEqualTo("Hearth is running");
    }

    @Test
    void errorsInOllamaShape() throws Exception {
        HttpResponse<String> r = server.post("/api/chat", "{\"model\": \"missing\", \"messages\": "
                + "[{\"role\": \"user\", \"content\": \"x\"}]}");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(Json.MAPPER.readTree(r.body()).get("error").asText()).contains("missing");
        r = server.post("/api/generate", "{\"model\": ");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(r.body()).get("error").isTextual()).isTrue();
        r = server.post("/api/show", "{\"model\": \"missing\"}");
        assertThat(r.statusCode()).isEqualTo(404);
        r = server.post("/api/embed", "{\"model\": \"" + FakeBackends.MODEL + "\", \"input\": \"x\"}");
        assertThat(r.statusCode()).isEqualTo(501);
        assertThat(Json.MAPPER.readTree(r.body()).get("error").asText()).contains("embeddings");
    }
}
