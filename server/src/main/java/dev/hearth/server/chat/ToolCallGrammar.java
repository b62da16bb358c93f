package dev.hearth.server.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.grammar.Grammar;
import dev.hearth.grammar.GrammarException;
import dev.hearth.grammar.GrammarLinker;
import dev.hearth.grammar.JsonSchemaGrammar;
import dev.hearth.grammar.TriggeredText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grammar of an answer with tool calls in a model family's markup ({@link ToolCallFormat}), each call naming one
 * of the offered functions with arguments valid against that function's {@code parameters} schema:
 * <ul>
 * <li>Qwen: {@code <tool_call>\n{"name": "f", "arguments": {...}}\n</tool_call>}, one or more, newline-separated;
 * <li>Llama 3: {@code {"name": "f", "parameters": {...}}}, exactly one (its parser splits several on {@code ;},
 *     which argument strings may hold), or after {@code <|python_tag|>} in auto mode;
 * <li>Mistral: {@code [TOOL_CALLS] [{"name": "f", "arguments": {...}}, ...]}.
 * </ul>
 * Required ({@code tool_choice: required} or a named function, whose tools list holds that one function): the
 * answer is calls only, after a {@code <think>} block for reasoning models. Auto: free text until the family's call
 * opener appears ({@link TriggeredText}), then calls to the end; with a content grammar ({@code response_format},
 * {@code grammar}), either that content or calls.
 */
public final class ToolCallGrammar {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolCallGrammar() {}

    /**
     * @param tools the offered functions in OpenAI's shape ({@code {"type": "function", "function": {...}}})
     * @param required the answer must be calls; otherwise calls are optional (auto)
     * @param reasoning the model reasons in {@code <think>} blocks
     * @param opensThought the prompt ends inside an open {@code <think>} block
     * @param content the grammar of a plain answer in auto mode (null: free text); ignored when required
     * @throws GrammarException naming {@code tools[i].function.parameters} for a schema that cannot be followed
     */
    public static Grammar build(ToolCallFormat format, List<Map<String, Object>> tools, boolean required,
            boolean reasoning, boolean opensThought, Grammar content) {
        if (format == ToolCallFormat.NONE) {
            throw new IllegalArgumentException("the model has no known tool-call format");
        }
        if (tools.isEmpty()) {
            throw new IllegalArgumentException("no tools to call");
        }
        Map<String, Grammar> linked = new LinkedHashMap<>();
        List<String> branches = new ArrayList<>();
        String argumentsKey = format == ToolCallFormat.LLAMA3 ? "parameters" : "arguments";
        for (int i = 0; i < tools.size(); i++) {
            Map<?, ?> function = tools.get(i).get("function") instanceof Map<?, ?> f ? f : Map.of();
            String name = String.valueOf(function.get("name"));
            linked.put("args-" + i, arguments(function.get("parameters"), "tools[" + i + "].function.parameters"));
            branches.add(GrammarLinker.literal(json(name) + ", " + json(argumentsKey) + ": ") + " args-" + i);
        }
        StringBuilder g = new StringBuilder();
        // a call's JSON object without its opening brace: {"name": ...} splits as "{" call-rest
        g.append("call-rest ::= ").append(GrammarLinker.literal("\"name\": ")).append(" ( ")
                .append(String.join(" | ", branches)).append(" ) \"}\"\n");
        g.append("call ::= \"{\" call-rest\n");
        List<TriggeredText.Trigger> triggers = new ArrayList<>();
        String calls = switch (format) {
            case QWEN -> {
                g.append("qwen-call ::= ").append(GrammarLinker.literal(QwenToolCallParser.OPEN)).append(" qwen-rest\n");
                g.append("qwen-rest ::= \"\\n\" call ").append(GrammarLinker.literal("\n" + QwenToolCallParser.CLOSE))
                        .append(" ( \"\\n\" qwen-call )?\n");
                triggers.add(new TriggeredText.Trigger(QwenToolCallParser.OPEN, "qwen-rest", false));
                yield "qwen-call";
            }
            case LLAMA3 -> {
                g.append("llama-tagged ::= call\n");
                triggers.add(new TriggeredText.Trigger("{", "call-rest", true));
                triggers.add(new TriggeredText.Trigger(LlamaToolCallParser.PYTHON_TAG, "llama-tagged", false));
                yield "call";
            }
            case MISTRAL -> {
                g.append("mistral-calls ::= ").append(GrammarLinker.literal(MistralToolCallParser.MARKER))
                        .append(" mistral-rest\n");
                g.append("mistral-rest ::= \" [\" call ( \", \" call )* \"]\"\n");
                triggers.add(new TriggeredText.Trigger(MistralToolCallParser.MARKER, "mistral-rest", false));
                yield "mistral-calls";
            }
            case NONE -> throw new AssertionError();
        };
        String thought = TriggeredText.rules("thought", List.of(
                new TriggeredText.Trigger(ReasoningParser.CLOSE, "after-thought", false)), required);
        if (required) {
            g.append("after-thought ::= \"\\n\"? \"\\n\"? ").append(calls).append('\n');
            if (reasoning && opensThought) {
                g.append("root ::= thought\n").append(thought);
            } else if (reasoning) {
                g.append("root ::= ").append(GrammarLinker.literal(ReasoningParser.OPEN)).append(" thought | ")
                        .append(calls).append('\n').append(thought);
            } else {
                g.append("root ::= ").append(calls).append('\n');
            }
        } else if (content != null) {
            linked.put("content", content);
            g.append("root ::= content | ").append(calls).append('\n');
        } else {
            if (reasoning) {
                triggers.add(new TriggeredText.Trigger(ReasoningParser.OPEN, "thought", false));
                g.append("after-thought ::= text\n").append(thought);
            }
            g.append("root ::= ").append(reasoning && opensThought ? "thought" : "text").append('\n');
            g.append(TriggeredText.rules("text", triggers, false));
        }
        return GrammarLinker.link(g.toString(), linked);
    }

    /**
     * The grammar of one function's arguments: its {@code parameters} schema (an object; absent: any object).
     *
     * @param path where the schema is, for messages ({@code tools[0].function.parameters})
     * @throws GrammarException naming the path and the keyword that cannot be followed
     */
    public static Grammar arguments(Object parameters, String path) {
        if (parameters == null) {
            return JsonSchemaGrammar.compile(Map.of("type", "object"));
        }
        if (!(parameters instanceof Map<?, ?> raw)) {
            throw new GrammarException(path + " must be a JSON schema object");
        }
        Map<String, Object> schema = new LinkedHashMap<>();
        raw.forEach((k, v) -> schema.put(String.valueOf(k), v));
        Object type = schema.get("type");
        if (type == null && !schema.containsKey("$ref") && !schema.containsKey("anyOf") && !schema.containsKey("oneOf")
                && !schema.containsKey("allOf")) {
            schema.put("type", "object");  // OpenAI function parameters are always an object
        } else if (type != null && !"object".equals(type)) {
            throw new GrammarException(path + " must describe an object (\"type\": \"object\"), got type "
                    + json(type));
        }
        try {
            return JsonSchemaGrammar.compile(schema);
        } catch (GrammarException e) {
            throw new GrammarException(path + ": " + e.getMessage());
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
