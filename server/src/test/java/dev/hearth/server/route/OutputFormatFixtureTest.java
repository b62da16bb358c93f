package dev.hearth.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.TextDecoder;
import dev.hearth.gguf.GgufFile;
import dev.hearth.server.chat.ChatOutputFormat;
import dev.hearth.server.chat.ChatOutputParser;
import dev.hearth.server.chat.ToolCallFormat;
import dev.hearth.server.local.GgufModelText;
import dev.hearth.testing.Fixtures;
import dev.hearth.tokenizer.Tokenizer;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The output parser each fixture model gets from its real template and vocabulary, and answers made of real token
 * ids (call markup tokens included) decoded as the server decodes them, then parsed.
 */
class OutputFormatFixtureTest {

    static GgufModelText text(String file) throws Exception {
        try (GgufFile gguf = GgufFile.open(Fixtures.model(file))) {
            return GgufModelText.create(gguf, Clock.systemUTC());
        }
    }

    static Tokenizer tokenizer(String file) throws Exception {
        try (GgufFile gguf = GgufFile.open(Fixtures.model(file))) {
            return Tokenizer.fromGguf(gguf.metadata());
        }
    }

    /** Token by token through the model text's decoder, as the engine feeds it. */
    static String decode(GgufModelText text, int[] ids) {
        TextDecoder decoder = text.newDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            sb.append(decoder.append(id));
        }
        return sb.append(decoder.flush()).toString();
    }

    @Test
    void eachFamilyGetsItsParser() throws Exception {
        assertThat(text("qwen2-fx-Q8_0.gguf").outputFormat()).isEqualTo(new ChatOutputFormat(ToolCallFormat.QWEN,
                false));
        assertThat(text("qwen3-fx-Q8_0.gguf").outputFormat()).isEqualTo(new ChatOutputFormat(ToolCallFormat.QWEN,
                true));
        assertThat(text("llama3-fx-Q4_0.gguf").outputFormat()).isEqualTo(new ChatOutputFormat(ToolCallFormat.LLAMA3,
                false));
        assertThat(text("mixtral-fx-Q4_0.gguf").outputFormat()).isEqualTo(ChatOutputFormat.PLAIN);
    }

    @Test
    void qwen3AnswerWithThoughtAndCallFromRealTokens() throws Exception {
        GgufModelText text = text("qwen3-fx-Q8_0.gguf");
        String answer = "<think>\nThe user wants weather.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", "
                + "\"arguments\": {\"location\": \"Paris\"}}\n</tool_call>";
        int[] ids = tokenizer("qwen3-fx-Q8_0.gguf").encode(answer, false, true);
        ChatOutputParser.Parsed p = text.outputFormat().newParser(Set.of("get_weather"), "").parse(decode(text, ids));
        assertThat(p.reasoning()).isEqualTo("The user wants weather.");
        assertThat(p.content()).isEmpty();
        assertThat(p.toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("get_weather");
            assertThat(c.arguments()).isEqualTo("{\"location\":\"Paris\"}");
        });
    }

    @Test
    void llamaPythonTagIsWrittenOutForTheParser() throws Exception {
        GgufModelText text = text("llama3-fx-Q4_0.gguf");
        Tokenizer tokenizer = tokenizer("llama3-fx-Q4_0.gguf");
        int tag = tokenizer.vocabulary().idOf("<|python_tag|>");
        assertThat(tag).isNotNegative();
        int[] body = tokenizer.encode("{\"name\": \"get_time\", \"parameters\": {\"zone\": \"UTC\"}}", false, false);
        int[] ids = new int[body.length + 1];
        ids[0] = tag;
        System.arraycopy(body, 0, ids, 1, body.length);
        String decoded = decode(text, ids);
        assertThat(decoded).startsWith("<|python_tag|>{");
        ChatOutputParser.Parsed p = text.outputFormat().newParser(Set.of("get_time"), "").parse(decoded);
        assertThat(p.toolCalls()).singleElement().satisfies(c -> assertThat(c.arguments())
                .isEqualTo("{\"zone\":\"UTC\"}"));
        // only call and reasoning markup tokens are written out; other control tokens stay hidden
        assertThat(decode(text, new int[] {tokenizer.vocabulary().idOf("<|eot_id|>")})).isEmpty();
    }
}
