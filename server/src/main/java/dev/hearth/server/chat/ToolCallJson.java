package dev.hearth.server.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the JSON of calls as models write them ({@code {"name": ..., "arguments" | "parameters": {...}}}) into
 * {@link ToolCall}s with fresh {@code call_...} ids and compact argument JSON. Anything else is not a call.
 */
final class ToolCallJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // numbers keep their value as written: 1e400 must not come back as "Infinity", nor 0.1 as 0.1000000001
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private ToolCallJson() {}

    /** One call object, or empty when the text is not one (or names a function not offered). */
    static Optional<ToolCall> one(String json, Set<String> allowedNames) {
        JsonNode node = parse(json);
        return node == null ? Optional.empty() : call(node, allowedNames);
    }

    /** A JSON array of call objects, or a single object; empty when any element is not a call. */
    static Optional<List<ToolCall>> list(String json, Set<String> allowedNames) {
        JsonNode node = parse(json);
        if (node == null) {
            return Optional.empty();
        }
        List<ToolCall> calls = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode element : node) {
                Optional<ToolCall> call = call(element, allowedNames);
                if (call.isEmpty()) {
                    return Optional.empty();
                }
                calls.add(call.get());
            }
        } else {
            Optional<ToolCall> call = call(node, allowedNames);
            if (call.isEmpty()) {
                return Optional.empty();
            }
            calls.add(call.get());
        }
        return calls.isEmpty() ? Optional.empty() : Optional.of(calls);
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json.strip());
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static Optional<ToolCall> call(JsonNode node, Set<String> allowedNames) {
        if (node == null || !node.isObject() || !node.path("name").isTextual()) {
            return Optional.empty();
        }
        String name = node.get("name").textValue();
        if (name.isBlank() || (!allowedNames.isEmpty() && !allowedNames.contains(name))) {
            return Optional.empty();
        }
        JsonNode arguments = node.has("arguments") ? node.get("arguments") : node.get("parameters");
        String text;
        if (arguments == null || arguments.isNull()) {
            text = "{}";
        } else if (arguments.isObject()) {
            text = arguments.toString();
        } else if (arguments.isTextual() && parse(arguments.textValue()) instanceof JsonNode inner
                && inner.isObject()) {
            text = inner.toString(); // some models write the arguments as a JSON string
        } else {
            return Optional.empty();
        }
        return Optional.of(new ToolCall(newId(), name, text));
    }

    /** {@code call_} and 24 random letters and digits, as OpenAI's ids look. */
    static String newId() {
        StringBuilder sb = new StringBuilder("call_");
        for (int i = 0; i < 24; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
