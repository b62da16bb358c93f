package dev.hearth.server.http.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.http.api.Json;
import dev.hearth.server.http.api.StreamWriter;
import dev.hearth.server.upstream.RelayedResponse;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A remote OpenAI-compatible answer written as Ollama's: one object, or an NDJSON line per relayed chunk (each as
 * it arrives) and a last line with {@code done}, the reason and the token counts the upstream reported. Tool calls
 * (streamed as pieces of JSON text) go out whole, with their arguments as objects, before the last line. An upstream
 * that fails midway ends the stream with an {@code {"error": ...}} line.
 */
final class OllamaRelay {
    private final RelayedResponse relayed;
    private final String model;
    private final boolean chat;
    private final long startNanos = System.nanoTime();

    /** @param chat {@code /api/chat} (a message per chunk) rather than {@code /api/generate} (a response text) */
    OllamaRelay(RelayedResponse relayed, String model, boolean chat) {
        this.relayed = relayed;
        this.model = model;
        this.chat = chat;
    }

    void write(ServerResponse res) throws IOException {
        if (!relayed.stream()) {
            JsonNode choice = relayed.answer().path("choices").path(0);
            JsonNode message = choice.path("message");
            String text = chat || !choice.has("text") ? message.path("content").asText("") : choice.path("text")
                    .asText("");
            List<OllamaResponses.ToolCall> calls = new ArrayList<>();
            JsonNode toolCalls = message.path("tool_calls");
            for (int i = 0; i < toolCalls.size(); i++) {
                JsonNode f = toolCalls.get(i).path("function");
                calls.add(call(i, f.path("name").asText(""), f.path("arguments").asText("")));
            }
            String thinking = reasoning(message);
            Json.send(res, 200, last(text, thinking, calls, choice.path("finish_reason").asText("stop")));
            return;
        }
        StreamWriter out = StreamWriter.ndjson(res);
        try {
            relayed.relay(new Sink(out));
        } catch (StreamWriter.ClientGoneException gone) {
            throw new IOException("the client went away", gone);
        } finally {
            out.close();
        }
    }

    /** Turns OpenAI chunks into Ollama lines. */
    private final class Sink implements RelayedResponse.ChunkSink {
        private final StreamWriter out;
        private final Map<Integer, String[]> calls = new TreeMap<>(); // index -> {name, arguments so far}
        private String finishReason = "stop";

        Sink(StreamWriter out) {
            this.out = out;
        }

        @Override
        public void chunk(String data, JsonNode json) {
            JsonNode choice = json.path("choices").path(0);
            if (choice.isMissingNode()) {
                return; // the usage chunk: counted by the relay
            }
            JsonNode delta = choice.path("delta");
            String text = chat || !choice.has("text") ? delta.path("content").asText("") : choice.path("text")
                    .asText("");
            String thinking = reasoning(delta);
            if (!text.isEmpty() || thinking != null) {
                out.event(line(text, thinking, null));
            }
            for (JsonNode c : delta.path("tool_calls")) {
                String[] call = calls.computeIfAbsent(c.path("index").asInt(calls.size()), i -> new String[] {"", ""});
                JsonNode f = c.path("function");
                if (f.hasNonNull("name")) {
                    call[0] = f.get("name").asText();
                }
                call[1] += f.path("arguments").asText("");
            }
            if (choice.hasNonNull("finish_reason")) {
                finishReason = choice.get("finish_reason").asText();
            }
        }

        @Override
        public void done() {
            List<OllamaResponses.ToolCall> list = new ArrayList<>();
            calls.forEach((index, c) -> list.add(call(index, c[0], c[1])));
            if (!list.isEmpty()) {
                out.event(line("", null, list));
            }
            out.event(last("", null, List.of(), finishReason));
        }

        @Override
        public void failed(String message) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("error", message);
            out.event(error);
        }

        @Override
        public void flush() {
            // every line is flushed as it is written
        }
    }

    private static String reasoning(JsonNode node) {
        JsonNode r = node.hasNonNull("reasoning_content") ? node.get("reasoning_content") : node.get("reasoning");
        return r != null && r.isTextual() && !r.textValue().isEmpty() ? r.textValue() : null;
    }

    @SuppressWarnings("unchecked")
    private static OllamaResponses.ToolCall call(int index, String name, String arguments) {
        Map<String, Object> args;
        try {
            args = arguments.isBlank() ? Map.of() : Json.MAPPER.readValue(arguments, LinkedHashMap.class);
        } catch (IOException | RuntimeException e) {
            args = Map.of("arguments", arguments); // not an object: kept as the upstream sent it
        }
        return new OllamaResponses.ToolCall(new OllamaResponses.Function(index, name, args));
    }

    private Object line(String text, String thinking, List<OllamaResponses.ToolCall> calls) {
        String created = Instant.now().toString();
        if (chat) {
            return new OllamaResponses.ChatChunk(model, created, new OllamaResponses.Message("assistant", text,
                    thinking, calls), false, null, null, null, null, null, null, null);
        }
        return new OllamaResponses.GenerateChunk(model, created, text, false, null, null, null, null, null, null,
                null);
    }

    private Object last(String text, String thinking, List<OllamaResponses.ToolCall> calls, String finishReason) {
        String created = Instant.now().toString();
        String reason = finishReason.equals("length") ? "length" : "stop";
        long total = System.nanoTime() - startNanos;
        int prompt = (int) relayed.promptTokens();
        int completion = (int) relayed.completionTokens();
        if (chat) {
            return new OllamaResponses.ChatChunk(model, created, new OllamaResponses.Message("assistant", text,
                    thinking, calls.isEmpty() ? null : calls), true, reason, total, 0L, prompt, 0L, completion, total);
        }
        return new OllamaResponses.GenerateChunk(model, created, text, true, reason, total, 0L, prompt, 0L,
                completion, total);
    }
}
