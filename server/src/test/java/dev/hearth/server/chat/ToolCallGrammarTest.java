package dev.hearth.server.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.hearth.grammar.CompiledGrammar;
import dev.hearth.grammar.Grammar;
import dev.hearth.grammar.GrammarException;
import dev.hearth.grammar.GrammarMatcher;
import dev.hearth.grammar.JsonSchemaGrammar;
import dev.hearth.grammar.TokenVocabulary;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The tool-call grammar of each family, walked at random over a small vocabulary (every byte plus the families'
 * markers and a few JSON pieces): whatever the walk picks among the allowed tokens, a finished answer parses, with
 * the family's own parser, into calls that name offered functions and validate against their schemas.
 */
class ToolCallGrammarTest {
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    static final String[] SCHEMAS = {
        """
        {"type": "object", "properties": {"location": {"type": "string", "maxLength": 10},
          "unit": {"enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}""",
        """
        {"type": "object", "properties": {"a": {"type": "integer", "minimum": -5, "maximum": 1000},
          "b": {"type": "number"}, "round": {"type": "boolean"}}, "required": ["a", "b"],
          "additionalProperties": false}""",
        """
        {"type": "object", "properties": {"query": {"type": "string", "pattern": "^[a-z ]{1,6}$"},
          "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}, "maxItems": 3},
          "filter": {"anyOf": [{"type": "null"}, {"type": "object", "properties": {"year": {"type": "integer",
          "minimum": 1900, "maximum": 2100}}, "required": ["year"]}]}}, "required": ["query", "tags", "filter"]}""",
        """
        {"type": "object", "properties": {}}"""};
    static final String[] NAMES = {"get_weather", "add", "search_docs", "ping"};
    static final String[] MARKERS = {"<tool_call>", "</tool_call>", "<|python_tag|>", "[TOOL_CALLS]", "<think>",
        "</think>", "{\"", "\": ", "\"name\": \"", "get_", "search", "\n"};

    static List<Map<String, Object>> tools(int... indexes) throws Exception {
        List<Map<String, Object>> tools = new ArrayList<>();
        for (int i : indexes) {
            Map<String, Object> function = new HashMap<>();
            function.put("name", NAMES[i]);
            function.put("parameters", JSON.readValue(SCHEMAS[i], Map.class));
            tools.add(Map.of("type", "function", "function", function));
        }
        return tools;
    }

    static final String[] PIECES = pieces();
    static final TokenVocabulary VOCABULARY = vocabulary();

    static String[] pieces() {
        String[] out = new String[256 + MARKERS.length];  // 0..255: the raw bytes (see vocabulary())
        System.arraycopy(MARKERS, 0, out, 256, MARKERS.length);
        return out;
    }

    static TokenVocabulary vocabulary() {
        byte[][] bytes = new byte[PIECES.length + 1][];
        for (int i = 0; i < PIECES.length; i++) {
            bytes[i] = i < 256 ? new byte[] {(byte) i} : PIECES[i].getBytes(StandardCharsets.UTF_8);
        }
        return TokenVocabulary.of(bytes, new int[] {PIECES.length});
    }

    record Walk(String text, boolean finished) {}

    /** Picks allowed tokens at random (markers more often, the end only sometimes) until the end or a cap. */
    static Walk walk(GrammarMatcher m, Random random, double markerBias) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int eog = PIECES.length;
        long[] mask = new long[(eog + 64) / 64];
        for (int step = 0; step < 3000; step++) {
            m.fillMask(mask);
            List<Integer> allowed = new ArrayList<>();
            List<Integer> markers = new ArrayList<>();
            for (int t = 0; t <= eog; t++) {
                if ((mask[t >>> 6] >>> t & 1L) != 0) {
                    (t >= 256 && t < eog ? markers : allowed).add(t);
                }
            }
            if (allowed.isEmpty() && markers.isEmpty()) {
                throw new AssertionError("nothing allowed after " + out.toString(StandardCharsets.UTF_8));
            }
            int pick;
            if (!markers.isEmpty() && (allowed.isEmpty() || random.nextDouble() < markerBias)) {
                pick = markers.get(random.nextInt(markers.size()));
            } else {
                pick = allowed.get(random.nextInt(allowed.size()));
                if (pick == eog && allowed.size() > 1 && random.nextDouble() < 0.7) {
                    pick = allowed.get(random.nextInt(allowed.size() - 1));  // the end is the last id
                }
            }
            assertThat(m.accept(pick)).isTrue();
            if (pick == eog) {
                return new Walk(out.toString(StandardCharsets.UTF_8), true);
            }
            byte[] bytes = pick < 256 ? new byte[] {(byte) pick} : PIECES[pick].getBytes(StandardCharsets.UTF_8);
            out.writeBytes(bytes);
        }
        return new Walk(out.toString(StandardCharsets.UTF_8), false);
    }

    /** Walks a grammar many times; checks every finished answer; returns how many calls were seen. */
    static int check(ToolCallFormat format, boolean reasoning, List<Map<String, Object>> tools, boolean required,
            Grammar content, int walks, long seed) throws Exception {
        Grammar grammar = ToolCallGrammar.build(format, tools, required, reasoning, false, content);
        CompiledGrammar compiled = new CompiledGrammar(grammar, VOCABULARY);
        Map<String, JsonSchema> validators = new HashMap<>();
        for (Map<String, Object> tool : tools) {
            Map<?, ?> f = (Map<?, ?>) tool.get("function");
            validators.put((String) f.get("name"), JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(JSON.writeValueAsString(f.get("parameters"))));
        }
        Random random = new Random(seed);
        int calls = 0;
        int finished = 0;
        for (int i = 0; i < walks; i++) {
            Walk w = walk(new GrammarMatcher(compiled), random, required ? 0.2 : 0.02);
            if (!w.finished()) {
                continue;
            }
            finished++;
            ChatOutputParser.Parsed parsed = new ChatOutputFormat(format, reasoning).newParser(validators.keySet(), "")
                    .parse(w.text());
            if (required) {
                assertThat(parsed.toolCalls()).as(w.text()).isNotEmpty();
                assertThat(parsed.content()).as(w.text()).isBlank();
            }
            if (content != null && parsed.toolCalls().isEmpty()) {
                assertThat(JSON.readTree(parsed.content()).isObject()).as(w.text()).isTrue();
            }
            for (ToolCall call : parsed.toolCalls()) {
                JsonSchema validator = validators.get(call.name());
                assertThat(validator).as(call.name()).isNotNull();
                JsonNode arguments = JSON.readTree(call.arguments());
                assertThat(validator.validate(arguments)).as(w.text()).isEmpty();
                calls++;
            }
        }
        assertThat(finished).as("finished walks").isGreaterThan(walks / 2);
        return calls;
    }

    @Test
    void requiredCallsParseAndValidateInEveryFamily() throws Exception {
        int calls = 0;
        calls += check(ToolCallFormat.QWEN, false, tools(0, 1, 2, 3), true, null, 150, 1);
        calls += check(ToolCallFormat.QWEN, true, tools(0, 1, 2), true, null, 100, 2);
        calls += check(ToolCallFormat.LLAMA3, false, tools(0, 1, 2, 3), true, null, 150, 3);
        calls += check(ToolCallFormat.MISTRAL, false, tools(0, 1, 2, 3), true, null, 150, 4);
        assertThat(calls).isGreaterThan(500);
    }

    @Test
    void aNamedFunctionIsTheOnlyOneCalled() throws Exception {
        for (ToolCallFormat format : List.of(ToolCallFormat.QWEN, ToolCallFormat.LLAMA3, ToolCallFormat.MISTRAL)) {
            assertThat(check(format, false, tools(2), true, null, 60, 5)).isGreaterThan(30);
        }
    }

    @Test
    void autoIsFreeTextUntilTheOpenerThenCalls() throws Exception {
        for (ToolCallFormat format : List.of(ToolCallFormat.QWEN, ToolCallFormat.LLAMA3, ToolCallFormat.MISTRAL)) {
            assertThat(check(format, false, tools(0, 1, 2), false, null, 150, 6)).as(format.name())
                    .isGreaterThan(10);
        }
        assertThat(check(ToolCallFormat.QWEN, true, tools(0, 1), false, null, 150, 7)).isGreaterThan(10);
    }

    @Test
    void autoWithAResponseFormatIsThatContentOrCalls() throws Exception {
        Grammar content = JsonSchemaGrammar.compile(Map.of("type", "object", "properties",
                Map.of("answer", Map.of("type", "string", "maxLength", 5)), "required", List.of("answer")));
        for (ToolCallFormat format : List.of(ToolCallFormat.QWEN, ToolCallFormat.MISTRAL)) {
            check(format, false, tools(0, 1), false, content, 200, 8);
        }
    }

    @Test
    void freeTextStaysFreeBeforeAnyOpener() {
        Grammar grammar = ToolCallGrammar.build(ToolCallFormat.QWEN, List.of(Map.of("type", "function", "function",
                Map.of("name", "f"))), false, false, false, null);
        GrammarMatcher m = new GrammarMatcher(grammar, VOCABULARY);
        assertThat(m.acceptBytes("Hello, wörld: {\"not\": a call} </tool_call> <tool_cal".getBytes(StandardCharsets.UTF_8)))
                .isTrue();
        assertThat(m.canEnd()).isTrue();
        assertThat(m.acceptBytes("l>\n{\"name\": \"g\"".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(m.acceptBytes("l>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>".getBytes(StandardCharsets.UTF_8)))
                .isTrue();
        assertThat(m.canEnd()).isTrue();
    }

    @Test
    void schemasThatCannotBeFollowedNameTheToolAndKeyword() {
        assertThatThrownBy(() -> ToolCallGrammar.arguments(Map.of("type", "object", "properties",
                Map.of("x", Map.of("type", "string", "contentEncoding", "base64"))), "tools[1].function.parameters"))
                .isInstanceOf(GrammarException.class).hasMessageContaining("tools[1].function.parameters")
                .hasMessageContaining("contentEncoding");
        assertThatThrownBy(() -> ToolCallGrammar.arguments(Map.of("type", "string"), "tools[0].function.parameters"))
                .isInstanceOf(GrammarException.class).hasMessageContaining("object");
        assertThat(Set.of(NAMES)).hasSize(4);
    }
}
