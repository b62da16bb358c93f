package dev.hearth.server.http.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.grammar.Grammar;
import dev.hearth.grammar.GrammarException;
import dev.hearth.grammar.JsonSchemaGrammar;
import dev.hearth.server.http.api.ApiException;
import dev.hearth.server.http.api.Json;
import dev.hearth.server.backend.GenerationSpec;
import dev.hearth.server.backend.PromptMessage;
import dev.hearth.server.backend.SamplingSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An Ollama request as the local engine's {@link GenerationSpec}: messages and their tool calls, {@code options}
 * (checked, a clear 400 naming the field) and {@code format}. The format's JSON schema is compiled into a grammar
 * only when a local target is tried ({@link #withFormat}), so a request routed to a remote backend is never refused
 * by Hearth's grammar compiler; its shape ({@code "json"} or an object) is checked up front.
 */
final class OllamaSpecs {
    private OllamaSpecs() {}

    /** The chat's messages as the template takes them; images are refused. */
    static List<PromptMessage> messages(List<OllamaRequests.Message> messages) {
        List<PromptMessage> out = new ArrayList<>();
        if (messages == null) {
            return out;
        }
        for (int i = 0; i < messages.size(); i++) {
            OllamaRequests.Message m = messages.get(i);
            if (m == null || m.role() == null) {
                throw ApiException.badParam("messages[" + i + "].role", "messages[" + i + "] needs a role");
            }
            if (m.images() != null && !m.images().isEmpty()) {
                throw ApiException.badParam("messages[" + i + "].images", "images are not supported");
            }
            out.add(new PromptMessage(m.role(), m.content(), toolCalls(m.toolCalls(), i), null, m.toolName()));
        }
        return out;
    }

    /** Ollama's calls (arguments as an object) as the template takes them (arguments as JSON text). */
    private static List<PromptMessage.ToolCallSpec> toolCalls(List<OllamaRequests.ToolCall> calls, int message) {
        if (calls == null) {
            return List.of();
        }
        List<PromptMessage.ToolCallSpec> out = new ArrayList<>();
        for (int j = 0; j < calls.size(); j++) {
            OllamaRequests.ToolCall c = calls.get(j);
            if (c == null || c.function() == null || c.function().name() == null) {
                throw ApiException.badParam("messages[" + message + "].tool_calls[" + j + "].function.name",
                        "a tool call needs 'function.name'");
            }
            Map<String, Object> arguments = c.function().arguments() == null ? Map.of() : c.function().arguments();
            out.add(new PromptMessage.ToolCallSpec(null, c.function().name(),
                    new String(Json.write(arguments), StandardCharsets.UTF_8)));
        }
        return out;
    }

    /**
     * {@code spec} with Ollama's {@code format} as its output grammar, compiled on the first {@code get()}: "json"
     * (any JSON object) or a JSON schema. The shape is checked now; an unsupported schema is a 400 on {@code format}
     * when the local engine is tried.
     */
    static Supplier<GenerationSpec> withFormat(GenerationSpec spec, JsonNode format) {
        if (format == null || format.isNull() || (format.isTextual() && format.textValue().isEmpty())) {
            return () -> spec;
        }
        if (!(format.isObject() || (format.isTextual() && format.textValue().equals("json")))) {
            throw ApiException.badParam("format", "'format' must be \"json\" or a JSON schema object");
        }
        return new Supplier<>() {
            private GenerationSpec compiled;

            @Override
            public GenerationSpec get() {
                if (compiled == null) {
                    compiled = new GenerationSpec(spec.model(), spec.messages(), spec.prompt(), spec.tools(),
                            spec.maxTokens(), spec.stop(), spec.sampling(), spec.choices(), spec.toolChoice(),
                            spec.keepAlive(), grammar(format));
                }
                return compiled;
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static Grammar grammar(JsonNode format) {
        if (format.isTextual()) {
            return Grammar.jsonObject();
        }
        try {
            return JsonSchemaGrammar.compile(Json.MAPPER.convertValue(format, LinkedHashMap.class));
        } catch (GrammarException e) {
            throw ApiException.badParam("format", e.getMessage());
        }
    }

    /** The request without its format: options checked and mapped to sampling settings. */
    static GenerationSpec spec(String model, List<PromptMessage> messages, String prompt,
            List<Map<String, Object>> tools, OllamaRequests.Options o, Duration keepAlive) {
        if (o == null) {
            return new GenerationSpec(model, messages, prompt, tools, null, List.of(), null, 1, null, keepAlive, null);
        }
        if (o.temperature() != null && !(o.temperature() >= 0)) {
            throw ApiException.badParam("options.temperature", "'options.temperature' must be >= 0");
        }
        if (o.topP() != null && !(o.topP() >= 0 && o.topP() <= 1)) {
            throw ApiException.badParam("options.top_p", "'options.top_p' must be in [0, 1]");
        }
        if (o.stop() != null && o.stop().stream().anyMatch(s -> s == null || s.isEmpty())) {
            throw ApiException.badParam("options.stop", "'options.stop' must hold non-empty strings");
        }
        Integer maxTokens = o.numPredict() == null || o.numPredict() < 0 ? null : Math.max(1, o.numPredict());
        SamplingSettings sampling = new SamplingSettings(o.temperature(), o.topP(), o.topK(), o.minP(),
                o.repeatPenalty(), o.presencePenalty(), o.frequencyPenalty(), o.seed(), Map.of(), false, 0);
        return new GenerationSpec(model, messages, prompt, tools, maxTokens, o.stop(), sampling, 1, null, keepAlive,
                null);
    }
}
