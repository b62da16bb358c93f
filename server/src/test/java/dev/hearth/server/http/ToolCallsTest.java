package dev.hearth.server.http;

import dev.hearth.server.http.api.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.core.JsonValue;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import dev.hearth.server.chat.ChatOutputFormat;
import dev.hearth.server.chat.ToolCallFormat;
import dev.hearth.server.route.FakeBackends;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tool calls and reasoning end to end: the fake model (Qwen format, {@code <think>} reasoning) writes call text; the
 * OpenAI SDK must read {@code tool_calls}, whole and streamed, and Ollama clients their shape.
 */
class ToolCallsTest {
    static final String CALL = "<tool_call>\\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\"}}"
            + "\\n</tool_call>";
    static TestServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = new TestServer(FakeBackends.withFormat(new ChatOutputFormat(ToolCallFormat.QWEN, true)));
        client = OpenAIOkHttpClient.builder().baseUrl(server.base() + "/v1").apiKey("unused").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    static ChatCompletionCreateParams.Builder params(String say) {
        return ChatCompletionCreateParams.builder().model(FakeBackends.MODEL).addUserMessage("say: " + say)
                .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                        .name("get_weather").description("Weather of a city")
                        .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                                .build()).build()).build());
    }

    @Test
    void sdkReadsToolCalls() {
        ChatCompletion c = client.chat().completions().create(params("Checking." + CALL + CALL).build());
        ChatCompletion.Choice choice = c.choices().getFirst();
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().content()).contains("Checking.");
        List<ChatCompletionMessageFunctionToolCall> calls = choice.message().toolCalls().orElseThrow().stream()
                .map(t -> t.asFunction()).toList();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).id()).startsWith("call_").isNotEqualTo(calls.get(1).id());
        assertThat(calls.get(0).function().name()).isEqualTo("get_weather");
        assertThat(calls.get(0).function().arguments()).isEqualTo("{\"location\":\"Paris\"}");
    }

    @Test
    void sdkReadsStreamedToolCalls() {
        List<ChatCompletionChunk.Choice.Delta.ToolCall> deltas = new ArrayList<>();
        StringBuilder content = new StringBuilder();
        List<ChatCompletionChunk.Choice.FinishReason> reasons = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
                .createStreaming(params("Checking." + CALL + CALL).build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> {
                ch.delta().content().ifPresent(content::append);
                ch.delta().toolCalls().ifPresent(deltas::addAll);
                ch.finishReason().ifPresent(reasons::add);
            }));
        }
        assertThat(content.toString()).isEqualTo("Checking.");
        assertThat(reasons).containsExactly(ChatCompletionChunk.Choice.FinishReason.TOOL_CALLS);
        // per call: a first delta with index, id, name and empty arguments, then the arguments
        assertThat(deltas).hasSize(4);
        for (int call = 0; call < 2; call++) {
            ChatCompletionChunk.Choice.Delta.ToolCall head = deltas.get(2 * call);
            ChatCompletionChunk.Choice.Delta.ToolCall args = deltas.get(2 * call + 1);
            assertThat(head.index()).isEqualTo(call);
            assertThat(head.id().orElseThrow()).startsWith("call_");
            assertThat(head.function().orElseThrow().name()).contains("get_weather");
            assertThat(head.function().orElseThrow().arguments()).contains("");
            assertThat(args.index()).isEqualTo(call);
            assertThat(args.id()).isEmpty();
            assertThat(args.function().orElseThrow().arguments()).contains("{\"location\":\"Paris\"}");
        }
    }

    @Test
    void toolChoiceNoneLeavesTheTextAlone() {
        ChatCompletion c = client.chat().completions().create(params(CALL)
                .toolChoice(ChatCompletionToolChoiceOption.Auto.NONE).build());
        assertThat(c.choices().getFirst().message().toolCalls()).isEmpty();
        assertThat(c.choices().getFirst().message().content().orElseThrow())
                .contains("<tool_call>\n{\"name\": \"get_weather\"");
        assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    }

    @Test
    void malformedCallIsContent() {
        ChatCompletion c = client.chat().completions().create(params("<tool_call>{\"name\": oops</tool_call>").build());
        assertThat(c.choices().getFirst().message().toolCalls()).isEmpty();
        assertThat(c.choices().getFirst().message().content().orElseThrow())
                .isEqualTo("<tool_call>{\"name\": oops</tool_call>");
    }

    @Test
    void toolChoiceNamingAnUnknownFunctionIs400() throws Exception {
        HttpResponse<String> r = server.post("/v1/chat/completions", """
                {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}],
                 "tools": [{"type": "function", "function": {"name": "get_weather"}}],
                 "tool_choice": {"type": "function", "function": {"name": "get_time"}}}""");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(r.body()).path("error").path("param").asText())
                .isEqualTo("tool_choice.function.name");
    }

    @Test
    void reasoningContentWholeAndStreamed() throws Exception {
        String body = """
                {"model": "fake-model", "messages": [{"role": "user",
                 "content": "say: <think>\\\\nIt is greeting me.\\\\n</think>\\\\n\\\\nHello!"}]%s}""";
        JsonNode whole = Json.MAPPER.readTree(server.post("/v1/chat/completions", body.formatted("")).body());
        JsonNode message = whole.path("choices").path(0).path("message");
        assertThat(message.path("content").asText()).isEqualTo("Hello!");
        assertThat(message.path("reasoning_content").asText()).isEqualTo("It is greeting me.");

        String sse = server.post("/v1/chat/completions", body.formatted(", \"stream\": true")).body();
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode delta = Json.MAPPER.readTree(line.substring(6)).path("choices").path(0).path("delta");
                reasoning.append(delta.path("reasoning_content").asText(""));
                content.append(delta.path("content").asText(""));
            }
        }
        assertThat(reasoning.toString()).isEqualTo("It is greeting me.");
        assertThat(content.toString()).isEqualTo("Hello!");
    }

    static String escaped(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Test
    void ollamaChatToolCalls() throws Exception {
        String body = """
                {"model": "fake-model", "stream": %s, "messages": [
                  {"role": "user", "content": "weather?"},
                  {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "get_weather",
                     "arguments": {"location": "Oslo"}}}]},
                  {"role": "tool", "content": "cold", "tool_name": "get_weather"},
                  {"role": "user", "content": "say: %s"}],
                 "tools": [{"type": "function", "function": {"name": "get_weather"}}]}""";
        HttpResponse<String> r = server.post("/api/chat", body.formatted("false", escaped(CALL)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode call = Json.MAPPER.readTree(r.body()).path("message").path("tool_calls").path(0).path("function");
        assertThat(call.path("name").asText()).isEqualTo("get_weather");
        assertThat(call.path("arguments")).isEqualTo(Json.MAPPER.valueToTree(Map.of("location", "Paris")));

        String ndjson = server.post("/api/chat", body.formatted("true", escaped(CALL))).body();
        List<JsonNode> calls = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            Json.MAPPER.readTree(line).path("message").path("tool_calls").forEach(calls::add);
        }
        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst().path("function").path("arguments").path("location").asText()).isEqualTo("Paris");
    }
}
