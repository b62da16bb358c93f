package dev.hearth.server.http.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ollama tool conversations as OpenAI messages: every call has an id and every tool result names the call it answers. */
class OllamaToOpenAiTest {
    private static OllamaRequests.Message msg(String role, String content, String toolName, String... calls) {
        List<OllamaRequests.ToolCall> toolCalls = java.util.Arrays.stream(calls)
                .map(n -> new OllamaRequests.ToolCall(new OllamaRequests.Function(n, Map.of("city", "Oslo"))))
                .toList();
        return new OllamaRequests.Message(role, content, null, toolCalls.isEmpty() ? null : toolCalls, toolName);
    }

    @Test
    void toolResultsCarryTheIdOfTheCallTheyAnswer() {
        OllamaRequests.Chat chat = new OllamaRequests.Chat("m", List.of(
                msg("user", "weather and time?", null),
                msg("assistant", "", null, "get_weather", "get_time"),
                msg("tool", "12:00", "get_time"),          // by name: the second call
                msg("tool", "sunny", null),                // by order: the first call still open
                msg("assistant", "", null, "get_weather"),
                msg("tool", "rain", null),
                msg("tool", "stray", null),                // nothing left to answer: an id of its own
                msg("user", "thanks", null)), false, null, null, null, null, null);
        ObjectNode body = OllamaToOpenAi.chat(chat);
        JsonNode m = body.path("messages");
        assertThat(m.path(1).path("tool_calls").findValuesAsText("id")).containsExactly("call_1_0", "call_1_1");
        assertThat(m.path(1).path("tool_calls").path(0).path("function").path("arguments").asText())
                .isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(m.path(2).path("tool_call_id").asText()).isEqualTo("call_1_1");
        assertThat(m.path(2).path("name").asText()).isEqualTo("get_time");
        assertThat(m.path(3).path("tool_call_id").asText()).isEqualTo("call_1_0");
        assertThat(m.path(4).path("tool_calls").path(0).path("id").asText()).isEqualTo("call_4_0");
        assertThat(m.path(5).path("tool_call_id").asText()).isEqualTo("call_4_0");
        assertThat(m.path(6).path("tool_call_id").asText()).isEqualTo("call_6");
        assertThat(m.path(0).has("tool_call_id")).isFalse();
        assertThat(m.path(7).has("tool_call_id")).isFalse();
        // the same conversation gives the same ids (a prefix cache upstream sees the same text)
        assertThat(OllamaToOpenAi.chat(chat)).isEqualTo(body);
    }
}
