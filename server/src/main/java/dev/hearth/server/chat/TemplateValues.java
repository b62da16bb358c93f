package dev.hearth.server.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the API's records into the plain maps, lists and strings a template sees, and checks that caller-supplied
 * values (tools, extra variables) are nothing else: no Java object ever reaches a template.
 */
final class TemplateValues {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TemplateValues() {}

    static List<Object> messages(List<ChatMessage> messages) {
        List<Object> out = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content() == null ? "" : m.content());
            if (!m.toolCalls().isEmpty()) {
                List<Object> calls = new ArrayList<>();
                for (ToolCall call : m.toolCalls()) {
                    Map<String, Object> function = new LinkedHashMap<>();
                    function.put("name", call.name());
                    function.put("arguments", arguments(call.arguments()));
                    Map<String, Object> c = new LinkedHashMap<>();
                    if (call.id() != null) {
                        c.put("id", call.id());
                    }
                    c.put("type", "function");
                    c.put("function", function);
                    calls.add(c);
                }
                map.put("tool_calls", calls);
            }
            if (m.toolCallId() != null) {
                map.put("tool_call_id", m.toolCallId());
            }
            if (m.name() != null) {
                map.put("name", m.name());
            }
            out.add(map);
        }
        return out;
    }

    /** Arguments JSON becomes a mapping, as llama-server and HF pass them to templates; anything else stays text. */
    static Object arguments(String json) {
        try {
            Object parsed = JSON.readValue(json, Object.class);
            return parsed instanceof Map<?, ?> ? plain(parsed, "arguments") : json;
        } catch (JsonProcessingException e) {
            return json;
        }
    }

    /** A deep copy made of LinkedHashMap, ArrayList, String, Number, Boolean and null only. */
    static Object plain(Object value, String path) {
        return switch (value) {
            case null -> null;
            case String s -> s;
            case Number n -> n;
            case Boolean b -> b;
            case Map<?, ?> map -> {
                Map<String, Object> copy = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException(path + " has a non-string key: " + e.getKey());
                    }
                    copy.put(key, plain(e.getValue(), path + "." + key));
                }
                yield copy;
            }
            case List<?> list -> {
                List<Object> copy = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    copy.add(plain(list.get(i), path + "[" + i + "]"));
                }
                yield copy;
            }
            default -> throw new IllegalArgumentException(path + " must be a map, list, string, number or boolean, got "
                    + value.getClass().getSimpleName());
        };
    }
}
