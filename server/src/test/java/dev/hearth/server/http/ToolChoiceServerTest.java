package dev.hearth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import dev.hearth.kv.KvPrecision;
import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.local.ModelLoader;
import dev.hearth.testing.Fixtures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code tool_choice} through the server on random-weight fixture models (Qwen 2.5, Qwen3 with reasoning, Llama
 * 3.2): whatever the weights, with {@code required} or a named function every answer is tool calls that name an
 * offered function and whose arguments validate against its schema (checked with a JSON schema validator library),
 * whole and streamed; in auto mode, once the model writes its family's call opener the call is constrained too.
 */
class ToolChoiceServerTest {
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    static final String TOOLS = """
            [{"type": "function", "function": {"name": "get_weather", "description": "Weather of a city",
              "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 12},
                "unit": {"enum": ["celsius", "fahrenheit"]}}, "required": ["city", "unit"]}}},
             {"type": "function", "function": {"name": "add", "parameters": {"type": "object", "properties": {
                "a": {"type": "integer", "minimum": 0, "maximum": 999}, "b": {"type": "number"},
                "exact": {"type": "boolean"}}, "required": ["a", "b"], "additionalProperties": false}}},
             {"type": "function", "function": {"name": "tag_items", "parameters": {"type": "object", "properties": {
                "tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]{1,4}$"}, "maxItems": 3},
                "when": {"type": "string", "format": "date"}}, "required": ["tags", "when"]}}}]""";
    static final String[] MODELS = {"qwen2-fx", "qwen3-fx", "llama3-fx"};
    static TestServer server;
    static Map<String, JsonSchema> validators = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        LocalBackend backend = new LocalBackend();
        LoadOptions options = new LoadOptions(8, 1024, 2, 256, 16, KvPrecision.F32);
        backend.add(ModelLoader.load(Fixtures.model("qwen2-fx-Q8_0.gguf"), "qwen2-fx", options));
        backend.add(ModelLoader.load(Fixtures.model("qwen3-fx-Q8_0.gguf"), "qwen3-fx", options));
        backend.add(ModelLoader.load(Fixtures.model("llama3-fx-Q4_0.gguf"), "llama3-fx", options));
        server = new TestServer(backend);
        for (JsonNode tool : JSON.readTree(TOOLS)) {
            validators.put(tool.path("function").path("name").asText(), JsonSchemaFactory.getInstance(
                    SpecVersion.VersionFlag.V202012).getSchema(tool.path("function").path("parameters")));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Answer(String finishReason, String content, List<String[]> calls) {}

    static String request(String model, String toolChoice, int seed, boolean stream, String extra) {
        double temperature = new double[] {0, 0.8, 1.5}[seed % 3];
        return "{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Use a tool " + seed
                + "\"}], \"max_tokens\": 300, \"n\": 8, \"temperature\": " + temperature + ", \"seed\": " + seed
                + ", \"stream\": " + stream + ", \"tools\": " + TOOLS + ", \"tool_choice\": " + toolChoice + extra
                + "}";
    }

    /** Every choice of a response, whole or streamed (tool-call deltas joined per call index). */
    static List<Answer> answers(String body, boolean stream) throws Exception {
        List<Answer> out = new ArrayList<>();
        if (!stream) {
            for (JsonNode choice : JSON.readTree(body).path("choices")) {
                List<String[]> calls = new ArrayList<>();
                for (JsonNode call : choice.path("message").path("tool_calls")) {
                    assertThat(call.path("id").asText()).startsWith("call_");
                    calls.add(new String[] {call.path("function").path("name").asText(),
                        call.path("function").path("arguments").asText()});
                }
                out.add(new Answer(choice.path("finish_reason").asText(), choice.path("message").path("content")
                        .asText(""), calls));
            }
            return out;
        }
        Map<Integer, String> reasons = new HashMap<>();
        Map<Integer, StringBuilder> contents = new HashMap<>();
        Map<Integer, Map<Integer, String[]>> calls = new HashMap<>();
        for (String line : body.split("\n")) {
            if (!line.startsWith("data: {")) {
                continue;
            }
            for (JsonNode choice : JSON.readTree(line.substring(6)).path("choices")) {
                int i = choice.path("index").asInt();
                JsonNode delta = choice.path("delta");
                contents.computeIfAbsent(i, k -> new StringBuilder()).append(delta.path("content").asText(""));
                for (JsonNode d : delta.path("tool_calls")) {
                    String[] call = calls.computeIfAbsent(i, k -> new LinkedHashMap<>())
                            .computeIfAbsent(d.path("index").asInt(), k -> new String[] {"", ""});
                    call[0] += d.path("function").path("name").asText("");
                    call[1] += d.path("function").path("arguments").asText("");
                }
                if (choice.hasNonNull("finish_reason")) {
                    reasons.put(i, choice.get("finish_reason").asText());
                }
            }
        }
        for (int i = 0; i < reasons.size(); i++) {
            out.add(new Answer(reasons.get(i), contents.get(i).toString(),
                    new ArrayList<>(calls.getOrDefault(i, Map.of()).values())));
        }
        return out;
    }

    /** Checks each call; returns how many calls there were. */
    static int validate(List<Answer> answers, String onlyName) throws Exception {
        int count = 0;
        for (Answer a : answers) {
            for (String[] call : a.calls()) {
                assertThat(validators).as(call[0]).containsKey(call[0]);
                if (onlyName != null) {
                    assertThat(call[0]).isEqualTo(onlyName);
                }
                assertThat(validators.get(call[0]).validate(JSON.readTree(call[1]))).as(call[1]).isEmpty();
                count++;
            }
            if (!a.calls().isEmpty()) {
                assertThat(a.finishReason()).isEqualTo("tool_calls");
            }
        }
        return count;
    }

    @Test
    void requiredAndNamedChoicesAlwaysGiveValidCalls() throws Exception {
        String[] names = {"get_weather", "add", "tag_items"};
        for (String model : MODELS) {
            int answered = 0;
            int withCalls = 0;
            int calls = 0;
            for (int seed = 0; seed < 6; seed++) {
                boolean stream = seed % 2 == 1;
                String named = seed % 3 == 2 ? names[seed / 3 % 3] : null;
                String choice = named == null ? "\"required\""
                        : "{\"type\": \"function\", \"function\": {\"name\": \"" + named + "\"}}";
                var response = server.post("/v1/chat/completions", request(model, choice, seed, stream, ""));
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                List<Answer> answers = answers(response.body(), stream);
                assertThat(answers).hasSize(8);
                calls += validate(answers, named);
                for (Answer a : answers) {
                    answered++;
                    if (!a.calls().isEmpty()) {
                        withCalls++;
                    } else {
                        assertThat(a.finishReason()).as(model + ": " + a.content()).isEqualTo("length");
                    }
                }
            }
            assertThat(withCalls).as(model + ": answers with calls").isGreaterThan(answered * 3 / 4);
            assertThat(calls).as(model).isGreaterThanOrEqualTo(withCalls);
        }
    }

    @Test
    void autoConstrainsTheCallOnceTheOpenerIsWritten() throws Exception {
        // the opener made near certain with a logit bias: Qwen's <tool_call> (an added token), Llama's <|python_tag|>
        // (a control token); the call after it must be valid whatever the weights
        Map<String, Integer> openers = Map.of("qwen2-fx", 151657, "llama3-fx", 128010);
        for (Map.Entry<String, Integer> e : openers.entrySet()) {
            for (int seed = 0; seed < 4; seed++) {
                boolean stream = seed % 2 == 0;
                var response = server.post("/v1/chat/completions", request(e.getKey(), "\"auto\"", seed, stream,
                        ", \"logit_bias\": {\"" + e.getValue() + "\": 100}"));
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                List<Answer> answers = answers(response.body(), stream);
                validate(answers, null);
                for (Answer a : answers) {
                    if (!"length".equals(a.finishReason())) {
                        assertThat(a.calls()).as(e.getKey() + ": " + a.content()).isNotEmpty();
                    }
                }
                assertThat(answers.stream().filter(a -> !a.calls().isEmpty()).count()).isGreaterThan(4);
            }
        }
        // without a bias, auto stays free text: whatever comes, calls (if any) validate
        for (String model : MODELS) {
            var response = server.post("/v1/chat/completions", request(model, "\"auto\"", 1, false, ""));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            validate(answers(response.body(), false), null);
        }
    }

    @Test
    void noneLeavesTheAnswerUnconstrainedAndUnparsed() throws Exception {
        var response = server.post("/v1/chat/completions", request("qwen2-fx", "\"none\"", 0, false,
                ", \"logit_bias\": {\"151657\": 100}"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        for (Answer a : answers(response.body(), false)) {
            assertThat(a.calls()).isEmpty();
            assertThat(a.content()).startsWith("<tool_call>");
        }
    }

    @Test
    void badSchemasAndUnknownNamesAre400() throws Exception {
        String bad = TOOLS.replace("\"maxLength\": 12", "\"maxLength\": 12, \"contentMediaType\": \"text/plain\"");
        var response = server.post("/v1/chat/completions", "{\"model\": \"qwen2-fx\", \"messages\": [{\"role\": "
                + "\"user\", \"content\": \"hi\"}], \"tools\": " + bad + "}");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("param").asText()).isEqualTo("tools");
        assertThat(error.path("message").asText()).contains("contentMediaType").contains("tools[0]");
        var unknown = server.post("/v1/chat/completions", request("qwen2-fx", "{\"type\": \"function\","
                + " \"function\": {\"name\": \"nope\"}}", 0, false, ""));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unknown.body()).path("error").path("param").asText()).startsWith("tool_choice");
    }

    @Test
    void openAiSdkGetsValidArgumentsWithRequired() throws Exception {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.base() + "/v1").apiKey("unused")
                .maxRetries(0).build();
        try {
            JsonNode tool = JSON.readTree(TOOLS).get(1).path("function");
            FunctionParameters.Builder parameters = FunctionParameters.builder();
            tool.path("parameters").properties().forEach(p -> parameters.putAdditionalProperty(p.getKey(),
                    JsonValue.from(JSON.convertValue(p.getValue(), Object.class))));
            for (long seed = 0; seed < 3; seed++) {
                ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                        .model("qwen2-fx").addUserMessage("add two numbers").maxCompletionTokens(200).seed(seed)
                        .temperature(1.0).toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
                        .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                                .name("add").parameters(parameters.build()).build()).build()).build());
                ChatCompletion.Choice choice = c.choices().getFirst();
                assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
                for (var call : choice.message().toolCalls().orElseThrow()) {
                    ChatCompletionMessageFunctionToolCall f = call.asFunction();
                    assertThat(f.function().name()).isEqualTo("add");
                    assertThat(validators.get("add").validate(JSON.readTree(f.function().arguments()))).isEmpty();
                }
            }
        } finally {
            client.close();
        }
    }
}
