package dev.hearth.server.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Tool-call and reasoning parsing per family, whole and streamed cut at every character boundary. */
class ChatOutputParserTest {
    static final Set<String> TOOLS = Set.of("get_weather", "get_time");
    static final ChatOutputFormat QWEN = new ChatOutputFormat(ToolCallFormat.QWEN, false);
    static final ChatOutputFormat QWEN3 = new ChatOutputFormat(ToolCallFormat.QWEN, true);
    static final ChatOutputFormat LLAMA = new ChatOutputFormat(ToolCallFormat.LLAMA3, false);
    static final ChatOutputFormat MISTRAL = new ChatOutputFormat(ToolCallFormat.MISTRAL, false);

    /** content | reasoning | name(args); ... : what an answer parsed into, without the random ids. */
    static String summary(ChatOutputParser.Parsed p) {
        String calls = p.toolCalls().stream().map(c -> c.name() + c.arguments()).collect(Collectors.joining("; "));
        return p.content() + "|" + p.reasoning() + "|" + calls;
    }

    static String whole(ChatOutputFormat format, Set<String> tools, String prompt, String text) {
        ChatOutputParser.Parsed p = format.newParser(tools, prompt).parse(text);
        p.toolCalls().forEach(c -> assertThat(c.id()).matches("call_[A-Za-z0-9]{24}"));
        return summary(p);
    }

    /** Streams {@code text} in pieces cut at the given offsets; checks call indexes count up from 0. */
    static String streamed(ChatOutputFormat format, Set<String> tools, String prompt, String text, int... cuts) {
        ChatOutputParser parser = format.newParser(tools, prompt);
        ChatOutputParser.Parsed p = new ChatOutputParser.Parsed();
        List<Integer> indexes = new ArrayList<>();
        OutputSink sink = new OutputSink() {
            @Override
            public void content(String t) {
                assertThat(t).isNotEmpty();
                p.content(t);
            }

            @Override
            public void reasoning(String t) {
                assertThat(t).isNotEmpty();
                p.reasoning(t);
            }

            @Override
            public void toolCall(int index, ToolCall call) {
                indexes.add(index);
                p.toolCall(index, call);
            }
        };
        int at = 0;
        for (int cut : cuts) {
            parser.push(text.substring(at, cut), sink);
            at = cut;
        }
        parser.push(text.substring(at), sink);
        parser.finish(sink);
        for (int i = 0; i < indexes.size(); i++) {
            assertThat(indexes.get(i)).isEqualTo(i);
        }
        return summary(p);
    }

    /** The whole parse is {@code expected}; so is every stream cut in two, and one cut at every character. */
    static void check(ChatOutputFormat format, String prompt, String text, String expected) {
        assertThat(whole(format, TOOLS, prompt, text)).isEqualTo(expected);
        for (int i = 0; i <= text.length(); i++) {
            assertThat(streamed(format, TOOLS, prompt, text, i)).as("cut at %d", i).isEqualTo(expected);
        }
        int[] every = new int[text.length()];
        for (int i = 0; i < every.length; i++) {
            every[i] = i;
        }
        assertThat(streamed(format, TOOLS, prompt, text, every)).as("cut everywhere").isEqualTo(expected);
    }

    static void check(ChatOutputFormat format, String text, String expected) {
        check(format, "", text, expected);
    }

    @Test
    void qwenSingleCall() {
        check(QWEN, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\"}}\n</tool_call>",
                "|null|get_weather{\"location\":\"Paris\"}");
    }

    @Test
    void qwenTextThenSeveralCalls() {
        check(QWEN, "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\"}}"
                + "\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"CET\"}}\n</tool_call>",
                "Let me check.\n|null|get_weather{\"location\":\"Paris\"}; get_time{\"zone\":\"CET\"}");
    }

    @Test
    void qwenUnclosedCompleteCallAtTheEndIsACall() {
        check(QWEN, "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n", "|null|get_time{}");
    }

    @Test
    void qwenMalformedCallFallsBackToContent() {
        String bad = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": </tool_call> ok";
        check(QWEN, bad, bad + "|null|");
        String unknown = "<tool_call>{\"name\": \"rm_rf\", \"arguments\": {}}</tool_call>";
        check(QWEN, unknown, unknown + "|null|");
        check(QWEN, "<tool_call>{\"name\": \"get_t", "<tool_call>{\"name\": \"get_t|null|");
    }

    @Test
    void qwenPlainTextWithAngleBrackets() {
        check(QWEN, "a < b and <tool not a call> <tool_cal", "a < b and <tool not a call> <tool_cal|null|");
    }

    @Test
    void qwenStringArgumentsAreReadAsJson() {
        check(QWEN, "<tool_call>{\"name\": \"get_time\", \"arguments\": \"{\\\"zone\\\": \\\"UTC\\\"}\"}</tool_call>",
                "|null|get_time{\"zone\":\"UTC\"}");
    }

    @Test
    void withoutToolsNothingIsParsed() {
        String text = "<tool_call>{\"name\": \"get_time\", \"arguments\": {}}</tool_call>";
        assertThat(whole(QWEN, Set.of(), "", text)).isEqualTo(text + "|null|");
        assertThat(whole(LLAMA, Set.of(), "", "{\"name\": \"get_time\", \"parameters\": {}}"))
                .isEqualTo("{\"name\": \"get_time\", \"parameters\": {}}|null|");
    }

    @Test
    void llamaJsonCall() {
        check(LLAMA, "{\"name\": \"get_weather\", \"parameters\": {\"location\": \"Paris\", \"unit\": \"celsius\"}}",
                "|null|get_weather{\"location\":\"Paris\",\"unit\":\"celsius\"}");
        check(LLAMA, "\n {\"name\": \"get_time\", \"parameters\": {}}; {\"name\": \"get_weather\", \"parameters\": "
                + "{\"location\": \"Oslo\"}}", "|null|get_time{}; get_weather{\"location\":\"Oslo\"}");
    }

    @Test
    void llamaPythonTagCall() {
        check(LLAMA, "Sure.<|python_tag|>{\"name\": \"get_time\", \"parameters\": {\"zone\": \"UTC\"}}",
                "Sure.|null|get_time{\"zone\":\"UTC\"}");
    }

    @Test
    void llamaJsonThatIsNotACallIsContent() {
        check(LLAMA, "{\"city\": \"Paris\"}", "{\"city\": \"Paris\"}|null|");
        check(LLAMA, "The answer is {\"name\": \"get_time\"}", "The answer is {\"name\": \"get_time\"}|null|");
        check(LLAMA, "<|python_tag|>print(1)", "<|python_tag|>print(1)|null|");
    }

    @Test
    void mistralCalls() {
        check(MISTRAL, "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\"}}, "
                + "{\"name\": \"get_time\", \"arguments\": {}}]", "|null|get_weather{\"location\":\"Paris\"}; get_time{}");
        check(MISTRAL, "Checking [TOOL_CALLS][{\"name\": \"get_time\", \"arguments\": {}}]", "Checking |null|get_time{}");
        check(MISTRAL, "[TOOL_CALLS] [{\"name\": \"get_time\", \"arguments\": ", "[TOOL_CALLS] [{\"name\": \"get_time\", "
                + "\"arguments\": |null|");
        check(MISTRAL, "[TOOL_CALL is not it", "[TOOL_CALL is not it|null|");
    }

    @Test
    void reasoningThenContent() {
        check(QWEN3, "<think>\nThe user greets me.\n\nI answer.\n</think>\n\nHello!", "Hello!|The user greets me.\n\n"
                + "I answer.|");
    }

    @Test
    void reasoningThenToolCall() {
        check(QWEN3, "<think>\nNeed the weather.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                + "{\"location\": \"Paris\"}}\n</tool_call>", "|Need the weather.|get_weather{\"location\":\"Paris\"}");
    }

    @Test
    void emptyThinkingAndNoThinking() {
        check(QWEN3, "<think>\n\n</think>\n\nHi.", "Hi.|null|");
        check(QWEN3, "Hi <think> there", "Hi <think> there|null|");
        check(QWEN3, "  <thin", "  <thin|null|");
    }

    @Test
    void answerThatEndsWhileThinking() {
        check(QWEN3, "<think>\nStill going  ", "|Still going|");
    }

    @Test
    void promptThatOpensTheThoughtStartsInside() {
        check(new ChatOutputFormat(ToolCallFormat.NONE, true), "<|Assistant|><think>\n", "Let me see.\n</think>\n\n42",
                "42|Let me see.|");
    }

    @Test
    void formatDetection() {
        assertThat(ChatOutputFormat.detect("{{ '<|im_start|>' }} <tool_call> {% if enable_thinking %}<think>",
                s -> true)).isEqualTo(new ChatOutputFormat(ToolCallFormat.QWEN, true));
        assertThat(ChatOutputFormat.detect("<|start_header_id|> {% if tools %}", s -> false))
                .isEqualTo(new ChatOutputFormat(ToolCallFormat.LLAMA3, false));
        assertThat(ChatOutputFormat.detect("[INST] {{ '[TOOL_CALLS]' }}", s -> false))
                .isEqualTo(new ChatOutputFormat(ToolCallFormat.MISTRAL, false));
        assertThat(ChatOutputFormat.detect("[INST] {{ m }} [/INST]", s -> false)).isEqualTo(ChatOutputFormat.PLAIN);
    }
}
