package dev.hearth.server.http.ollama;

import dev.hearth.server.backend.GenerationFailedException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.hearth.engine.FinishReason;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.server.chat.ChatOutputParser;
import dev.hearth.server.chat.OutputSink;
import dev.hearth.server.chat.ToolCall;
import dev.hearth.server.http.api.ChoiceEvents;
import dev.hearth.server.http.api.ErrorMapper;
import dev.hearth.server.http.api.Json;
import dev.hearth.server.http.api.StreamWriter;
import dev.hearth.server.backend.Generation;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes one {@code /api/chat} answer in Ollama's shape: NDJSON chunks of content or {@code thinking}, a chunk per
 * tool call ({@code message.tool_calls} with arguments as an object), a last chunk with the counts; or, with
 * {@code stream: false}, one object.
 */
final class OllamaChatWriter {
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};
    private final String model;
    private final ChatOutputParser parser;

    OllamaChatWriter(Generation generation) {
        this.model = generation.model();
        this.parser = generation.newParser();
    }

    void write(ServerResponse res, boolean stream, ChoiceEvents events) throws InterruptedException {
        if (!stream) {
            ChoiceEvents.Whole whole = events.whole();
            ChatOutputParser.Parsed parsed = parser.parse(whole.text());
            List<OllamaResponses.ToolCall> calls = new ArrayList<>();
            for (int i = 0; i < parsed.toolCalls().size(); i++) {
                calls.add(call(i, parsed.toolCalls().get(i)));
            }
            Json.send(res, 200, done(new OllamaResponses.Message("assistant",
                    parsed.content(), parsed.reasoning(), calls.isEmpty() ? null : calls), whole.done()));
            return;
        }
        StreamWriter out = StreamWriter.ndjson(res);
        OutputSink sink = new OutputSink() {
            @Override
            public void content(String text) {
                out.event(chunk(new OllamaResponses.Message("assistant", text)));
            }

            @Override
            public void reasoning(String text) {
                out.event(chunk(new OllamaResponses.Message("assistant", "", text, null)));
            }

            @Override
            public void toolCall(int index, ToolCall call) {
                out.event(chunk(new OllamaResponses.Message("assistant", "", null, List.of(call(index, call)))));
            }
        };
        try {
            for (ChoiceEvents.Event e; (e = events.next()) != null; ) {
                switch (e.event()) {
                    case GenerationEvent.Token t -> parser.push(t.text(), sink);
                    case GenerationEvent.Done d -> {
                        if (d.reason() == FinishReason.ERROR) {
                            out.event(ErrorMapper.ollamaBody(ErrorMapper.map(new GenerationFailedException(d.error()))));
                        } else {
                            parser.finish(sink);
                            out.event(done(new OllamaResponses.Message("assistant", ""), d));
                        }
                    }
                }
            }
        } catch (StreamWriter.ClientGoneException gone) {
            events.cancel();
        } finally {
            out.close();
        }
    }

    private OllamaResponses.ChatChunk chunk(OllamaResponses.Message message) {
        return new OllamaResponses.ChatChunk(model, Instant.now().toString(), message, false, null, null, null, null,
                null, null, null);
    }

    private OllamaResponses.ChatChunk done(OllamaResponses.Message message, GenerationEvent.Done d) {
        return new OllamaResponses.ChatChunk(model, Instant.now().toString(), message, true, d.reason().apiName(),
                d.totalNanos(), 0L, d.promptTokens(), d.timeToFirstTokenNanos(), d.generatedTokens(),
                d.totalNanos() - d.timeToFirstTokenNanos());
    }

    static OllamaResponses.ToolCall call(int index, ToolCall call) {
        try {
            return new OllamaResponses.ToolCall(new OllamaResponses.Function(index, call.name(),
                    Json.MAPPER.readValue(call.arguments(), OBJECT)));
        } catch (IOException e) {
            throw new UncheckedIOException("tool call arguments are not a JSON object: " + call.arguments(), e);
        }
    }
}
