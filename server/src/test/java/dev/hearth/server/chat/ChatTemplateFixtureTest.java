package dev.hearth.server.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.testing.Fixtures;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every conversation of every chat_<model>.json renders exactly llama-server's text (or fails the same way). */
class ChatTemplateFixtureTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Clock RENDER_DATE = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
    static final Map<String, String> MODEL_FILES = Map.of(
            "llama3-fx", "llama3-fx-F16.gguf",
            "qwen2-fx", "qwen2-fx-Q8_0.gguf",
            "qwen2-kq-fx", "qwen2-kq-fx-Q4_K_M.gguf",
            "qwen3-fx", "qwen3-fx-Q8_0.gguf",
            "mixtral-fx", "mixtral-fx-F32.gguf");

    @TestFactory
    Stream<DynamicTest> rendersEveryReferenceConversation() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (String model : MODEL_FILES.keySet().stream().sorted().toList()) {
            JsonNode reference = JSON.readTree(Fixtures.reference("chat_" + model + ".json").toFile());
            ChatTemplate template = ChatTemplates.fromGguf(Fixtures.model(MODEL_FILES.get(model)), RENDER_DATE,
                    ChatTemplate.Limits.defaults());
            assertThat(reference.get("conversations")).hasSizeGreaterThanOrEqualTo(4);
            for (JsonNode conversation : reference.get("conversations")) {
                tests.add(DynamicTest.dynamicTest(model + " / " + conversation.get("name").asText(),
                        () -> check(template, conversation)));
            }
        }
        return tests.stream();
    }

    static void check(ChatTemplate template, JsonNode conversation) throws Exception {
        JsonNode request = conversation.get("request");
        List<ChatMessage> messages = messages(request.get("messages"));
        List<Map<String, Object>> tools = tools(request.get("tools"));
        boolean addGenerationPrompt = request.path("add_generation_prompt").asBoolean(true);
        if (conversation.has("error")) {
            String body = conversation.get("error").get("body").asText();
            String expected = body.substring(body.indexOf("Jinja Exception: ") + "Jinja Exception: ".length());
            expected = JSON.readTree(body).get("error").get("message").asText();
            expected = expected.substring(expected.indexOf("Jinja Exception: ") + "Jinja Exception: ".length());
            String raised = expected;
            assertThatThrownBy(() -> template.render(messages, tools, addGenerationPrompt, Map.of()))
                    .isInstanceOf(ChatTemplateException.class)
                    .hasMessageContaining(raised)
                    .hasMessageContaining(template.modelName());
        } else {
            String rendered = template.render(messages, tools, addGenerationPrompt, Map.of());
            assertThat(rendered).isEqualTo(conversation.get("rendered").asText());
        }
    }

    static List<ChatMessage> messages(JsonNode array) {
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode m : array) {
            List<ToolCall> calls = new ArrayList<>();
            for (JsonNode call : m.path("tool_calls")) {
                JsonNode function = call.get("function");
                calls.add(new ToolCall(call.path("id").asText(null), function.get("name").asText(),
                        function.get("arguments").asText()));
            }
            out.add(new ChatMessage(m.get("role").asText(), m.path("content").asText(""), calls,
                    m.path("tool_call_id").asText(null), m.path("name").asText(null)));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> tools(JsonNode tools) {
        if (tools == null || tools.isNull()) {
            return null;
        }
        return JSON.convertValue(tools, List.class);
    }
}
