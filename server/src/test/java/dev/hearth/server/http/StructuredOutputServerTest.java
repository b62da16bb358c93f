package dev.hearth.server.http;

import dev.hearth.server.http.api.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.hearth.kv.KvPrecision;
import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.local.ModelLoader;
import dev.hearth.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code response_format} through the server on a random-weight fixture model: whatever the weights, every answer
 * that finishes parses and validates against the schema (checked with a JSON schema validator library).
 */
class StructuredOutputServerTest {
    static final String SCHEMA = """
            {"type": "object", "properties": {
              "name": {"type": "string", "maxLength": 8},
              "age": {"type": "integer", "minimum": 0, "maximum": 120},
              "mood": {"enum": ["happy", "sad", "calm"]},
              "tags": {"type": "array", "items": {"type": "boolean"}, "maxItems": 3}},
             "required": ["name", "age", "mood", "tags"], "additionalProperties": false}""";
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        LocalBackend backend = new LocalBackend();
        backend.add(ModelLoader.load(Fixtures.model("qwen2-fx-Q8_0.gguf"), "qwen2-fx",
                new LoadOptions(4, 1024, 2, 64, 16, KvPrecision.F32)));
        server = new TestServer(backend);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyFinishedAnswerValidatesAgainstTheSchema() throws Exception {
        JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(SCHEMA);
        int finished = 0;
        for (int seed = 0; seed < 6; seed++) {
            double temperature = seed % 3 == 0 ? 0 : seed % 3 == 1 ? 0.8 : 1.5;
            String body = "{\"model\": \"qwen2-fx\", \"messages\": [{\"role\": \"user\", \"content\": \"Describe a person "
                    + seed + "\"}], \"max_tokens\": 160, \"temperature\": " + temperature + ", \"seed\": " + seed
                    + ", \"stream\": " + (seed % 2 == 0) + ", \"response_format\": {\"type\": \"json_schema\", "
                    + "\"json_schema\": {\"name\": \"person\", \"strict\": true, \"schema\": " + SCHEMA + "}}}";
            var response = server.post("/v1/chat/completions", body);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            String content;
            String finish;
            if (seed % 2 == 0) {
                StringBuilder text = new StringBuilder();
                String reason = null;
                for (String line : response.body().split("\n")) {
                    if (line.startsWith("data: {")) {
                        JsonNode choice = Json.MAPPER.readTree(line.substring(6)).path("choices").path(0);
                        text.append(choice.path("delta").path("content").asText(""));
                        if (choice.hasNonNull("finish_reason")) {
                            reason = choice.get("finish_reason").asText();
                        }
                    }
                }
                content = text.toString();
                finish = reason;
            } else {
                JsonNode choice = Json.MAPPER.readTree(response.body()).path("choices").path(0);
                content = choice.path("message").path("content").asText();
                finish = choice.path("finish_reason").asText();
            }
            if ("stop".equals(finish)) {
                JsonNode parsed = Json.MAPPER.readTree(content);
                assertThat(validator.validate(parsed)).as(content).isEmpty();
                finished++;
            } else {
                assertThat(finish).as(content).isEqualTo("length");
            }
        }
        assertThat(finished).as("answers that finished within max_tokens").isGreaterThan(2);
    }

    @Test
    void jsonObjectGivesAJsonObject() throws Exception {
        var response = server.post("/v1/chat/completions", "{\"model\": \"qwen2-fx\", \"messages\": [{\"role\": "
                + "\"user\", \"content\": \"hi\"}], \"max_tokens\": 200, \"temperature\": 0, "
                + "\"response_format\": {\"type\": \"json_object\"}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode choice = Json.MAPPER.readTree(response.body()).path("choices").path(0);
        String content = choice.path("message").path("content").asText();
        assertThat(content).startsWith("{");
        if (choice.path("finish_reason").asText().equals("stop")) {
            assertThat(Json.MAPPER.readTree(content).isObject()).isTrue();
        }
    }

    @Test
    void ollamaFormatTakesJsonOrASchema() throws Exception {
        JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(SCHEMA);
        var response = server.post("/api/chat", "{\"model\": \"qwen2-fx\", \"stream\": false, \"messages\": [{\"role\":"
                + " \"user\", \"content\": \"hi\"}], \"format\": " + SCHEMA + ", \"options\": {\"num_predict\": 160,"
                + " \"temperature\": 0}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(response.body());
        String content = body.path("message").path("content").asText();
        if (body.path("done_reason").asText().equals("stop")) {
            assertThat(validator.validate(Json.MAPPER.readTree(content))).as(content).isEmpty();
        } else {
            assertThat(content).startsWith("{");
        }
        var bad = server.post("/api/generate", "{\"model\": \"qwen2-fx\", \"prompt\": \"hi\", \"format\": 12}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("format");
    }

    @Test
    void gbnfGrammarExtensionConstrainsCompletions() throws Exception {
        String grammar = "root ::= (\\\"yes\\\" | \\\"no\\\") \\\" \\\" [0-9] [0-9]?";
        for (int seed = 0; seed < 3; seed++) {
            var response = server.post("/v1/completions", "{\"model\": \"qwen2-fx\", \"prompt\": \"Answer:\","
                    + " \"max_tokens\": 20, \"temperature\": 1.0, \"seed\": " + seed + ", \"grammar\": \"" + grammar + "\"}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode choice = Json.MAPPER.readTree(response.body()).path("choices").path(0);
            assertThat(choice.path("text").asText()).matches("(yes|no) [0-9][0-9]?");
        }
        var bad = server.post("/v1/chat/completions", "{\"model\": \"qwen2-fx\", \"messages\": [{\"role\": \"user\","
                + " \"content\": \"hi\"}], \"grammar\": \"root ::= (\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(bad.body()).path("error").path("param").asText()).isEqualTo("grammar");
    }
}
