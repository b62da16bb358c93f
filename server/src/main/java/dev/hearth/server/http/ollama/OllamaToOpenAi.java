package dev.hearth.server.http.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.server.http.api.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An Ollama request as the OpenAI request a remote backend takes: {@code /api/chat} and {@code /api/generate} become
 * a chat completion (a raw generate, a text completion); options map to their OpenAI fields, {@code format} to
 * {@code response_format}, tool calls' arguments from objects to JSON text. Streaming is explicit (Ollama streams
 * by default, OpenAI does not).
 *
 * <p>Ollama's messages carry no call ids, OpenAI's need them: each assistant tool call gets
 * {@code call_<message>_<call>} (stable for the same conversation, unique within it), and each tool result takes the
 * id of the earliest unanswered call of the latest assistant message, preferring one whose function is the result's
 * {@code tool_name}; a result with no call to answer gets {@code call_<message>}.
 */
final class OllamaToOpenAi {
    private OllamaToOpenAi() {}

    static ObjectNode chat(OllamaRequests.Chat r) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", r.model());
        ArrayNode messages = body.putArray("messages");
        List<String[]> pending = new ArrayList<>();  // unanswered calls of the latest assistant message: id, name
        for (int index = 0; index < r.messages().size(); index++) {
            OllamaRequests.Message m = r.messages().get(index);
            ObjectNode out = messages.addObject();
            out.put("role", m.role());
            out.put("content", m.content() == null ? "" : m.content());
            if ("tool".equals(m.role())) {
                out.put("tool_call_id", answeredCall(pending, m.toolName(), index));
            } else if ("assistant".equals(m.role())) {
                pending.clear();
            }
            if (m.toolCalls() != null && !m.toolCalls().isEmpty()) {
                ArrayNode calls = out.putArray("tool_calls");
                for (int i = 0; i < m.toolCalls().size(); i++) {
                    OllamaRequests.Function f = m.toolCalls().get(i).function();
                    ObjectNode call = calls.addObject();
                    String id = "call_" + index + "_" + i;
                    pending.add(new String[] {id, f.name()});
                    call.put("id", id);
                    call.put("type", "function");
                    call.putObject("function").put("name", f.name()).put("arguments", new String(Json.write(
                            f.arguments() == null ? Map.of() : f.arguments()), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            if (m.toolName() != null) {
                out.put("name", m.toolName());
            }
        }
        if (r.tools() != null && !r.tools().isEmpty()) {
            body.set("tools", Json.MAPPER.valueToTree(r.tools()));
        }
        common(body, !Boolean.FALSE.equals(r.stream()), r.options(), r.format());
        return body;
    }

    /** The id of the call a tool result answers (removed from {@code pending}), or a stable one of its own. */
    private static String answeredCall(List<String[]> pending, String toolName, int message) {
        for (int i = 0; i < pending.size(); i++) {
            if (toolName != null && toolName.equals(pending.get(i)[1])) {
                return pending.remove(i)[0];
            }
        }
        return pending.isEmpty() ? "call_" + message : pending.removeFirst()[0];
    }

    /** A generate as a chat (system and prompt as messages), or with {@code raw} as a text completion. */
    static ObjectNode generate(OllamaRequests.Generate r) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", r.model());
        String prompt = r.prompt() == null ? "" : r.prompt();
        if (Boolean.TRUE.equals(r.raw())) {
            body.put("prompt", prompt);
        } else {
            ArrayNode messages = body.putArray("messages");
            if (r.system() != null && !r.system().isEmpty()) {
                messages.addObject().put("role", "system").put("content", r.system());
            }
            messages.addObject().put("role", "user").put("content", prompt);
        }
        common(body, !Boolean.FALSE.equals(r.stream()), r.options(), r.format());
        return body;
    }

    private static void common(ObjectNode body, boolean stream, OllamaRequests.Options o, JsonNode format) {
        body.put("stream", stream);
        if (o != null) {
            putIfSet(body, "temperature", o.temperature());
            putIfSet(body, "top_p", o.topP());
            putIfSet(body, "presence_penalty", o.presencePenalty());
            putIfSet(body, "frequency_penalty", o.frequencyPenalty());
            if (o.seed() != null) {
                body.put("seed", o.seed());
            }
            if (o.numPredict() != null && o.numPredict() >= 0) {
                body.put("max_tokens", Math.max(1, o.numPredict()));
            }
            if (o.stop() != null && !o.stop().isEmpty()) {
                body.set("stop", Json.MAPPER.valueToTree(List.copyOf(o.stop())));
            }
        }
        if (format != null && format.isTextual() && format.textValue().equals("json")) {
            body.putObject("response_format").put("type", "json_object");
        } else if (format != null && format.isObject()) {
            ObjectNode schema = body.putObject("response_format").put("type", "json_schema")
                    .putObject("json_schema");
            schema.put("name", "format");
            schema.set("schema", format);
        }
    }

    private static void putIfSet(ObjectNode body, String field, Double value) {
        if (value != null) {
            body.put(field, value);
        }
    }
}
