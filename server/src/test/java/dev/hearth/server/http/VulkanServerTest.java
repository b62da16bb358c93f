package dev.hearth.server.http;

import dev.hearth.server.http.api.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.hearth.device.DeviceChoice;
import dev.hearth.kv.KvPrecision;
import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.LoadedModel;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.local.ModelLoader;
import dev.hearth.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server with a model on the Vulkan backend ({@code --device vulkan --gpu-layers all}; lavapipe in CI): streamed
 * chat with tools whose calls validate against their schemas, streamed structured output that validates against its
 * schema, and the same greedy answer as the same model on the CPU (the engine above the seam is unchanged: batching,
 * paged KV and prefix reuse work on device memory). A third copy runs split ({@code --gpu-layers 1}: layer 0 on the
 * CPU, layer 1 and the output on the device) and answers the same.
 */
class VulkanServerTest {
    static TestServer server;
    static LoadedModel gpu;
    static LoadedModel split;

    @BeforeAll
    static void start() throws Exception {
        LocalBackend backend = new LocalBackend();
        LoadOptions options = new LoadOptions(2, 512, 1, 32, 16, KvPrecision.F16);
        gpu = ModelLoader.load(Fixtures.model("qwen2-fx-Q8_0.gguf"), "qwen2-gpu",
                options.withDevice(DeviceChoice.parse("vulkan", "all")));
        backend.add(gpu);
        split = ModelLoader.load(Fixtures.model("qwen2-fx-Q8_0.gguf"), "qwen2-split",
                options.withDevice(DeviceChoice.parse("vulkan", "1")));
        backend.add(split);
        backend.add(ModelLoader.load(Fixtures.model("qwen2-fx-Q8_0.gguf"), "qwen2-cpu", options));
        server = new TestServer(backend);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theModelRunsOnTheVulkanDevice() {
        assertThat(gpu.engine().placement()).startsWith("all 2 layers on vulkan:0");
        assertThat(split.engine().placement()).startsWith("layer 0 cpu, layer 1 + output vulkan:0")
                .containsPattern("\\d\\.\\d MiB of \\d+\\.\\d+ [MG]iB$");
    }

    @Test
    void streamsToolCallsThatValidate() throws Exception {
        JsonNode tools = Json.MAPPER.readTree(ToolChoiceServerTest.TOOLS);
        String body = "{\"model\": \"qwen2-gpu\", \"messages\": [{\"role\": \"user\", \"content\": \"Weather?\"}], "
                + "\"max_tokens\": 60, \"temperature\": 0.8, \"seed\": 3, \"stream\": true, \"tools\": "
                + ToolChoiceServerTest.TOOLS + ", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": "
                + "\"get_weather\"}}}";
        var response = server.post("/v1/chat/completions", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body().lines().filter(l -> l.startsWith("data: {")).count()).isGreaterThan(2);
        List<ToolChoiceServerTest.Answer> answers = ToolChoiceServerTest.answers(response.body(), true);
        assertThat(answers).hasSize(1);
        ToolChoiceServerTest.Answer answer = answers.getFirst();
        if (answer.finishReason().equals("tool_calls")) {
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(tools.get(0).path("function").path("parameters"));
            assertThat(answer.calls()).isNotEmpty();
            for (String[] call : answer.calls()) {
                assertThat(call[0]).isEqualTo("get_weather");
                assertThat(schema.validate(Json.MAPPER.readTree(call[1]))).as(call[1]).isEmpty();
            }
        } else {
            assertThat(answer.finishReason()).isEqualTo("length");  // cut inside the constrained call
        }
    }

    @Test
    void streamsStructuredOutputThatValidates() throws Exception {
        JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(StructuredOutputServerTest.SCHEMA);
        String body = "{\"model\": \"qwen2-gpu\", \"messages\": [{\"role\": \"user\", \"content\": \"A person\"}], "
                + "\"max_tokens\": 80, \"temperature\": 0, \"stream\": true, \"response_format\": {\"type\": "
                + "\"json_schema\", \"json_schema\": {\"name\": \"p\", \"strict\": true, \"schema\": "
                + StructuredOutputServerTest.SCHEMA + "}}}";
        var response = server.post("/v1/chat/completions", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (String line : response.body().split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode choice = Json.MAPPER.readTree(line.substring(6)).path("choices").path(0);
                text.append(choice.path("delta").path("content").asText(""));
                if (choice.hasNonNull("finish_reason")) {
                    finish = choice.get("finish_reason").asText();
                }
            }
        }
        assertThat(text.toString()).startsWith("{");
        if ("stop".equals(finish)) {
            assertThat(validator.validate(Json.MAPPER.readTree(text.toString()))).as(text.toString()).isEmpty();
        } else {
            assertThat(finish).isEqualTo("length");
        }
    }

    @Test
    void answersAsTheCpuDoes() throws Exception {
        String[] models = {"qwen2-gpu", "qwen2-cpu", "qwen2-split"};
        String[] texts = new String[models.length];
        for (int i = 0; i < models.length; i++) {
            String body = "{\"model\": \"" + models[i] + "\", \"messages\": [{\"role\": \"user\", \"content\": "
                    + "\"Hello there\"}], \"max_tokens\": 12, \"temperature\": 0}";
            var response = server.post("/v1/chat/completions", body);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            texts[i] = Json.MAPPER.readTree(response.body()).path("choices").path(0).path("message").path("content")
                    .asText();
        }
        assertThat(texts[0]).isNotEmpty().isEqualTo(texts[1]).isEqualTo(texts[2]);
    }
}
