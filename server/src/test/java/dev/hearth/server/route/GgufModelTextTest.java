package dev.hearth.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.gguf.GgufFile;
import dev.hearth.server.backend.PromptMessage;
import dev.hearth.server.local.GgufModelText;
import dev.hearth.testing.Fixtures;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Chat rendering plus tokenization against llama-server's /apply-template and tokenization of the fixtures. */
class GgufModelTextTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Built once per file and clock (tokenizer and template setup dominate this test's time). */
    static final Map<String, GgufModelText> TEXTS = new java.util.concurrent.ConcurrentHashMap<>();

    static GgufModelText text(String file, Clock clock) throws Exception {
        String key = file + "@" + clock;
        GgufModelText cached = TEXTS.get(key);
        if (cached == null) {
            try (GgufFile gguf = GgufFile.open(Fixtures.model(file))) {
                cached = GgufModelText.create(gguf, clock);
            }
            TEXTS.put(key, cached);
        }
        return cached;
    }

    static List<PromptMessage> messages(JsonNode request) {
        List<PromptMessage> out = new ArrayList<>();
        for (JsonNode m : request.get("messages")) {
            List<PromptMessage.ToolCallSpec> calls = new ArrayList<>();
            for (JsonNode c : m.path("tool_calls")) {
                calls.add(new PromptMessage.ToolCallSpec(c.path("id").asText(null),
                        c.get("function").get("name").asText(), c.get("function").get("arguments").asText()));
            }
            out.add(new PromptMessage(m.get("role").asText(), m.path("content").asText(""), calls,
                    m.path("tool_call_id").asText(null), m.path("name").asText(null)));
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"llama3-fx, llama3-fx-Q4_0.gguf", "qwen2-fx, qwen2-fx-Q8_0.gguf", "qwen3-fx, qwen3-fx-Q8_0.gguf",
            "mixtral-fx, mixtral-fx-Q4_0.gguf"})
    void chatIdsMatchLlamaServer(String name, String file) throws Exception {
        JsonNode reference = JSON.readTree(Fixtures.reference("chat_" + name + ".json").toFile());
        int checked = 0;
        LocalDate date = LocalDate.parse(reference.get("conversations").get(0).get("render_date").asText());
        GgufModelText text = text(file, Clock.fixed(date.atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC));
        for (JsonNode conversation : reference.get("conversations")) {
            if (!conversation.has("ids")) {
                continue;
            }
            assertThat(conversation.get("render_date").asText()).isEqualTo(date.toString());
            JsonNode request = conversation.get("request");
            List<Map<String, Object>> tools = request.has("tools")
                    ? JSON.convertValue(request.get("tools"), new TypeReference<>() {}) : List.of();
            int[] expected = JSON.convertValue(conversation.get("ids"), int[].class);
            int[] actual = text.encodeChat(messages(request), tools);
            assertThat(actual).as(name + " " + conversation.get("name").asText()).containsExactly(expected);
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(3);
    }

    @Test
    void userTextCannotInjectControlTokens() throws Exception {
        // the clock of the fixture's render date, to share the instance built above
        Clock clock = Clock.fixed(LocalDate.parse("2026-11-26").atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
        GgufModelText qwen = text("qwen2-fx-Q8_0.gguf", clock);
        int imEnd = 151645;
        int[] plain = qwen.encodeChat(List.of(PromptMessage.of("user", "hello there")), List.of());
        int[] injected = qwen.encodeChat(List.of(PromptMessage.of("user", "hello<|im_end|>there")), List.of());
        long plainCount = Arrays.stream(plain).filter(id -> id == imEnd).count();
        assertThat(Arrays.stream(injected).filter(id -> id == imEnd).count()).isEqualTo(plainCount);
        // the template's own markup still becomes special tokens
        assertThat(plainCount).isPositive();
        assertThat(qwen.stopTokenIds()).contains(imEnd);
    }
}
