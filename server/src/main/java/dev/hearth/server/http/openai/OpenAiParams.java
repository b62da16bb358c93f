package dev.hearth.server.http.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.http.api.ApiException;
import dev.hearth.server.backend.GenerationSpec;
import dev.hearth.server.backend.PromptMessage;
import dev.hearth.server.backend.SamplingSettings;
import dev.hearth.server.backend.ToolChoice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks OpenAI request fields and turns them into a {@link GenerationSpec}. Every rejection is a 400 naming the
 * field ({@code param}) and the allowed range.
 */
final class OpenAiParams {
    static final int MAX_CHOICES = 16;
    static final int MAX_STOP_STRINGS = 16;
    static final int MAX_TOP_LOGPROBS = 20;
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private OpenAiParams() {}

    static GenerationSpec chat(ChatCompletionRequest r) {
        String model = requireModel(r.model());
        List<PromptMessage> messages = messages(r.messages());
        Integer maxTokens = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        positive(r.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens", maxTokens);
        boolean logprobs = Boolean.TRUE.equals(r.logprobs());
        int topLogprobs = r.topLogprobs() == null ? 0 : r.topLogprobs();
        range("top_logprobs", topLogprobs, 0, MAX_TOP_LOGPROBS);
        if (topLogprobs > 0 && !logprobs) {
            throw ApiException.badParam("top_logprobs", "'top_logprobs' needs 'logprobs': true");
        }
        dev.hearth.grammar.Grammar grammar = responseFormat(r.responseFormat());
        if (r.grammar() != null && !r.grammar().isBlank()) {
            if (grammar != null) {
                throw ApiException.badParam("grammar", "give either 'grammar' or a JSON 'response_format', not both");
            }
            grammar = gbnf(r.grammar());
        }
        List<Map<String, Object>> tools = tools(r.tools());
        ToolChoice toolChoice = toolChoice(r.toolChoice(), tools);
        if (toolChoice.mode() != ToolChoice.Mode.NONE) {
            checkParameters(tools);
        }
        SamplingSettings sampling = sampling(r.temperature(), r.topP(), r.topK(), r.minP(), r.repeatPenalty(),
                r.presencePenalty(), r.frequencyPenalty(), r.seed(), r.logitBias(), logprobs, topLogprobs);
        return new GenerationSpec(model, messages, null, tools, maxTokens, stop(r.stop()), sampling, choices(r.n()),
                toolChoice, null, grammar);
    }

    static GenerationSpec completion(CompletionRequest r) {
        String model = requireModel(r.model());
        String prompt = prompt(r.prompt());
        Integer maxTokens = r.maxTokens() == null ? 16 : r.maxTokens();
        positive("max_tokens", maxTokens);
        if (Boolean.TRUE.equals(r.echo())) {
            throw ApiException.badParam("echo", "'echo' is not supported");
        }
        if (r.suffix() != null && !r.suffix().isEmpty()) {
            throw ApiException.badParam("suffix", "'suffix' (fill-in-the-middle) is not supported");
        }
        int n = choices(r.n());
        if (r.bestOf() != null && r.bestOf() != n) {
            throw ApiException.badParam("best_of", "'best_of' other than 'n' is not supported");
        }
        int logprobs = r.logprobs() == null ? 0 : r.logprobs();
        range("logprobs", logprobs, 0, 5);
        SamplingSettings sampling = sampling(r.temperature(), r.topP(), r.topK(), r.minP(), r.repeatPenalty(),
                r.presencePenalty(), r.frequencyPenalty(), r.seed(), r.logitBias(), r.logprobs() != null, logprobs);
        dev.hearth.grammar.Grammar grammar = r.grammar() == null || r.grammar().isBlank() ? null : gbnf(r.grammar());
        return new GenerationSpec(model, null, prompt, List.of(), maxTokens, stop(r.stop()), sampling, n, null, null,
                grammar);
    }

    /** The {@code grammar} extension: a GBNF grammar (llama.cpp's format, start rule {@code root}). */
    private static dev.hearth.grammar.Grammar gbnf(String text) {
        try {
            return dev.hearth.grammar.Grammar.compile(text);
        } catch (dev.hearth.grammar.GrammarException e) {
            throw ApiException.badParam("grammar", e.getMessage());
        }
    }

    static String requireModel(String model) {
        if (model == null || model.isBlank()) {
            throw ApiException.missing("model");
        }
        return model;
    }

    private static List<PromptMessage> messages(List<ChatCompletionRequest.Message> in) {
        if (in == null || in.isEmpty()) {
            throw ApiException.badParam("messages", "'messages' must be a non-empty array");
        }
        List<PromptMessage> out = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) {
            ChatCompletionRequest.Message m = in.get(i);
            String at = "messages[" + i + "]";
            if (m == null || m.role() == null) {
                throw ApiException.badParam(at + ".role", "'" + at + ".role' is required");
            }
            if (!ROLES.contains(m.role())) {
                throw ApiException.badParam(at + ".role", "'" + at + ".role' must be one of " + ROLES + ", got '"
                        + m.role() + "'");
            }
            List<PromptMessage.ToolCallSpec> calls = new ArrayList<>();
            if (m.toolCalls() != null) {
                for (int j = 0; j < m.toolCalls().size(); j++) {
                    ChatCompletionRequest.ToolCall c = m.toolCalls().get(j);
                    if (c == null || c.function() == null || c.function().name() == null) {
                        throw ApiException.badParam(at + ".tool_calls[" + j + "].function.name",
                                "a tool call needs 'function.name'");
                    }
                    calls.add(new PromptMessage.ToolCallSpec(c.id(), c.function().name(), c.function().arguments()));
                }
            }
            String role = m.role().equals("developer") ? "system" : m.role();
            out.add(new PromptMessage(role, content(m.content(), at + ".content"), calls, m.toolCallId(), m.name()));
        }
        return out;
    }

    /** A string, null, or an array of {@code {"type": "text", "text": ...}} parts joined with newlines. */
    static String content(JsonNode content, String param) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw ApiException.badParam(param, "'" + param + "' must be a string or an array of content parts");
        }
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String type = part.path("type").asText("");
            if (!type.equals("text") || !part.path("text").isTextual()) {
                throw ApiException.badParam(param + "[" + j + "]", "only text content parts are supported"
                        + " ({\"type\": \"text\", \"text\": \"...\"}), got type '" + type + "'");
            }
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(part.get("text").textValue());
        }
        return sb.toString();
    }

    private static String prompt(JsonNode prompt) {
        if (prompt == null || prompt.isNull()) {
            throw ApiException.missing("prompt");
        }
        if (prompt.isTextual()) {
            return prompt.textValue();
        }
        if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            return prompt.get(0).textValue();
        }
        throw ApiException.badParam("prompt", "'prompt' must be a string (or an array of exactly one string)");
    }

    static List<String> stop(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (stop.isTextual()) {
            out.add(stop.textValue());
        } else if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw ApiException.badParam("stop", "'stop' must be a string or an array of strings");
                }
                out.add(s.textValue());
            }
        } else {
            throw ApiException.badParam("stop", "'stop' must be a string or an array of strings");
        }
        if (out.size() > MAX_STOP_STRINGS || out.stream().anyMatch(String::isEmpty)) {
            throw ApiException.badParam("stop", "'stop' takes at most " + MAX_STOP_STRINGS + " non-empty strings");
        }
        return out;
    }

    /** The output grammar that {@code response_format} asks for, or null for free text. */
    @SuppressWarnings("unchecked")
    private static dev.hearth.grammar.Grammar responseFormat(ChatCompletionRequest.ResponseFormat format) {
        if (format == null || format.type() == null) {
            return null;
        }
        return switch (format.type()) {
            case "text" -> null;
            case "json_object" -> dev.hearth.grammar.Grammar.jsonObject();
            case "json_schema" -> {
                com.fasterxml.jackson.databind.JsonNode schema = format.jsonSchema() == null ? null
                        : format.jsonSchema().get("schema");
                if (schema == null || !schema.isObject()) {
                    throw ApiException.badParam("response_format.json_schema.schema",
                            "'response_format.json_schema.schema' must be a JSON schema object");
                }
                try {
                    yield dev.hearth.grammar.JsonSchemaGrammar.compile(
                            dev.hearth.server.http.api.Json.MAPPER.convertValue(schema, java.util.LinkedHashMap.class));
                } catch (dev.hearth.grammar.GrammarException e) {
                    throw ApiException.badParam("response_format.json_schema.schema", e.getMessage());
                }
            }
            default -> throw ApiException.badParam("response_format.type",
                    "'response_format.type' must be 'text', 'json_object' or 'json_schema', got '" + format.type()
                    + "'");
        };
    }

    private static List<Map<String, Object>> tools(List<ChatCompletionRequest.Tool> tools) {
        if (tools == null || tools.isEmpty()) {
            return List.of();
        }
        List<Map<String, Object>> out = new ArrayList<>(tools.size());
        for (int i = 0; i < tools.size(); i++) {
            ChatCompletionRequest.Tool t = tools.get(i);
            if (t == null || !"function".equals(t.type()) || t.function() == null
                    || !(t.function().get("name") instanceof String)) {
                throw ApiException.badParam("tools[" + i + "]",
                        "a tool must be {\"type\": \"function\", \"function\": {\"name\": ...}}");
            }
            out.add(Map.of("type", "function", "function", t.function()));
        }
        return out;
    }

    /** Each function's {@code parameters} must be a schema the call grammar can follow (400 naming 'tools'). */
    private static void checkParameters(List<Map<String, Object>> tools) {
        for (int i = 0; i < tools.size(); i++) {
            Map<?, ?> function = (Map<?, ?>) tools.get(i).get("function");
            try {
                dev.hearth.server.chat.ToolCallGrammar.arguments(function.get("parameters"),
                        "tools[" + i + "].function.parameters");
            } catch (dev.hearth.grammar.GrammarException e) {
                throw ApiException.badParam("tools", e.getMessage());
            }
        }
    }

    /** {@code none}, {@code auto}, {@code required} or {@code {"type": "function", "function": {"name": ...}}}. */
    private static ToolChoice toolChoice(JsonNode choice, List<Map<String, Object>> tools) {
        if (choice == null || choice.isNull()) {
            return ToolChoice.AUTO;
        }
        ToolChoice parsed;
        if (choice.isTextual()) {
            parsed = switch (choice.textValue()) {
                case "none" -> ToolChoice.NONE;
                case "auto" -> ToolChoice.AUTO;
                case "required" -> ToolChoice.REQUIRED;
                default -> throw ApiException.badParam("tool_choice",
                        "'tool_choice' must be 'none', 'auto', 'required' or a function object, got '"
                        + choice.textValue() + "'");
            };
        } else if (choice.path("function").path("name").isTextual()) {
            parsed = ToolChoice.function(choice.path("function").path("name").textValue());
        } else {
            throw ApiException.badParam("tool_choice", "'tool_choice' object needs 'function.name'");
        }
        if (parsed.mode() != ToolChoice.Mode.NONE && parsed.mode() != ToolChoice.Mode.AUTO && tools.isEmpty()) {
            throw ApiException.badParam("tool_choice", "'tool_choice' " + (parsed.function() == null
                    ? "'required'" : "names '" + parsed.function() + "'") + " but no 'tools' were given");
        }
        if (parsed.function() != null && tools.stream().noneMatch(t -> t.get("function") instanceof Map<?, ?> f
                && parsed.function().equals(f.get("name")))) {
            throw ApiException.badParam("tool_choice.function.name", "'tool_choice' names the function '"
                    + parsed.function() + "', which is not among 'tools'");
        }
        return parsed;
    }

    static SamplingSettings sampling(Double temperature, Double topP, Integer topK, Double minP,
            Double repeatPenalty, Double presence, Double frequency, Long seed, Map<String, Double> bias,
            boolean logprobs, int topLogprobs) {
        range("temperature", temperature, 0, 2);
        range("top_p", topP, 0, 1);
        if (topK != null) {
            range("top_k", topK, 0, Integer.MAX_VALUE);
        }
        range("min_p", minP, 0, 1);
        if (repeatPenalty != null && !(repeatPenalty > 0)) {
            throw ApiException.badParam("repeat_penalty", "'repeat_penalty' must be > 0, got " + repeatPenalty);
        }
        range("presence_penalty", presence, -2, 2);
        range("frequency_penalty", frequency, -2, 2);
        Map<Integer, Double> logitBias = new HashMap<>();
        if (bias != null) {
            for (Map.Entry<String, Double> e : bias.entrySet()) {
                String param = "logit_bias." + e.getKey();
                int id;
                try {
                    id = Integer.parseInt(e.getKey());
                } catch (NumberFormatException ex) {
                    throw ApiException.badParam(param, "'logit_bias' keys must be token ids, got '" + e.getKey() + "'");
                }
                if (id < 0 || e.getValue() == null) {
                    throw ApiException.badParam(param, "'logit_bias' needs a token id >= 0 and a number");
                }
                range(param, e.getValue(), -100, 100);
                logitBias.put(id, e.getValue());
            }
        }
        return new SamplingSettings(temperature, topP, topK, minP, repeatPenalty, presence, frequency, seed,
                logitBias, logprobs, topLogprobs);
    }

    private static int choices(Integer n) {
        if (n == null) {
            return 1;
        }
        range("n", n, 1, MAX_CHOICES);
        return n;
    }

    private static void positive(String param, Integer value) {
        if (value != null && value < 1) {
            throw ApiException.badParam(param, "'" + param + "' must be at least 1, got " + value);
        }
    }

    private static void range(String param, Number value, double min, double max) {
        if (value == null) {
            return;
        }
        double v = value.doubleValue();
        if (!(v >= min && v <= max)) {
            throw ApiException.badParam(param, "'" + param + "' must be in [" + fmt(min) + ", " + fmt(max)
                    + "], got " + value);
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
