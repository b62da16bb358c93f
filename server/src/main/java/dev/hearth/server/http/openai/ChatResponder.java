package dev.hearth.server.http.openai;

import dev.hearth.engine.GenerationEvent;
import dev.hearth.server.chat.ChatOutputParser;
import dev.hearth.server.chat.OutputSink;
import dev.hearth.server.chat.ToolCall;
import dev.hearth.server.http.api.ChoiceEvents;
import dev.hearth.server.http.api.StreamWriter;
import dev.hearth.server.backend.Generation;
import dev.hearth.server.backend.SamplingSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one chat completion: as one JSON object, or streamed as OpenAI streams it: per choice a first chunk with
 * the role, content / reasoning / tool-call deltas, a last chunk with {@code finish_reason}; then a usage chunk when
 * asked, then {@code data: [DONE]}. The answer text goes through the model's output parser (tool calls, reasoning).
 * A client that goes away mid-stream cancels its generation.
 */
final class ChatResponder extends Responder {
    private ChoiceStream[] streams;

    ChatResponder(String id, Generation generation, SamplingSettings sampling) {
        super(id, generation, sampling);
    }

    @Override
    ChatCompletion complete(ChoiceEvents events) throws InterruptedException {
        CollectedChoices c = CollectedChoices.read(events, generation.tokenText(), sampling.topLogprobs());
        List<ChatCompletion.Choice> choices = new ArrayList<>();
        for (int i = 0; i < c.text.length; i++) {
            ChatCompletion.Logprobs logprobs = sampling.logprobs() && !c.logprobs.get(i).isEmpty()
                    ? new ChatCompletion.Logprobs(c.logprobs.get(i)) : null;
            ChatOutputParser.Parsed parsed = generation.newParser().parse(c.text[i].toString());
            List<ChatCompletion.ToolCall> calls = parsed.toolCalls().stream().map(ChatCompletion.ToolCall::of).toList();
            String content = calls.isEmpty() || !parsed.content().isBlank() ? parsed.content() : null;
            choices.add(new ChatCompletion.Choice(i, new ChatCompletion.Message("assistant", content, null,
                    parsed.reasoning(), calls.isEmpty() ? null : calls), logprobs,
                    calls.isEmpty() ? c.finishReasons[i] : "tool_calls"));
        }
        return new ChatCompletion(id, "chat.completion", created, generation.model(), null, choices,
                Usage.of(generation.promptTokens(), c.completionTokens));
    }

    @Override
    void begin(StreamWriter out, int choices) {
        streams = new ChoiceStream[choices];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = new ChoiceStream(i, generation.newParser(), out);
            out.event(chunk(i, new ChatCompletionChunk.Delta("assistant", ""), null, null));
        }
    }

    @Override
    void token(StreamWriter out, int index, GenerationEvent.Token token, ChatCompletion.TokenLogprob logprob) {
        ChoiceStream s = streams[index];
        s.logprob = logprob;
        s.parser.push(token.text(), s);
        if (s.logprob != null) {  // the token made no text of its own: its logprob goes alone
            out.event(chunk(s.index, new ChatCompletionChunk.Delta(null, null),
                    new ChatCompletion.Logprobs(List.of(s.logprob)), null));
        }
    }

    @Override
    void finished(StreamWriter out, int index, GenerationEvent.Done done) {
        ChoiceStream s = streams[index];
        s.logprob = null;
        s.parser.finish(s);
        String reason = s.calls > 0 ? "tool_calls" : done.reason().apiName();
        out.event(chunk(s.index, new ChatCompletionChunk.Delta(null, null), null, reason));
    }

    @Override
    ChatCompletionChunk usage(Usage usage) {
        return new ChatCompletionChunk(id, "chat.completion.chunk", created, generation.model(), null, List.of(),
                usage);
    }

    /** One choice's parser and the chunks it writes; the pending logprob rides on the first chunk written. */
    private final class ChoiceStream implements OutputSink {
        final int index;
        final ChatOutputParser parser;
        final StreamWriter out;
        ChatCompletion.TokenLogprob logprob;
        int calls;

        ChoiceStream(int index, ChatOutputParser parser, StreamWriter out) {
            this.index = index;
            this.parser = parser;
            this.out = out;
        }

        private ChatCompletion.Logprobs takeLogprob() {
            ChatCompletion.Logprobs l = logprob == null ? null : new ChatCompletion.Logprobs(List.of(logprob));
            logprob = null;
            return l;
        }

        @Override
        public void content(String text) {
            out.event(chunk(index, new ChatCompletionChunk.Delta(null, text), takeLogprob(), null));
        }

        @Override
        public void reasoning(String text) {
            out.event(chunk(index, new ChatCompletionChunk.Delta(null, null, text, null), takeLogprob(), null));
        }

        @Override
        public void toolCall(int callIndex, ToolCall call) {
            calls++;
            out.event(chunk(index, new ChatCompletionChunk.Delta(null, null, null, List.of(
                    new ChatCompletionChunk.ToolCallDelta(callIndex, call.id(), "function",
                            new ChatCompletion.Function(call.name(), "")))), takeLogprob(), null));
            out.event(chunk(index, new ChatCompletionChunk.Delta(null, null, null, List.of(
                    new ChatCompletionChunk.ToolCallDelta(callIndex, null, null,
                            new ChatCompletion.Function(null, call.arguments())))), null, null));
        }
    }

    private ChatCompletionChunk chunk(int index, ChatCompletionChunk.Delta delta, ChatCompletion.Logprobs logprobs,
            String finishReason) {
        return new ChatCompletionChunk(id, "chat.completion.chunk", created, generation.model(), null,
                List.of(new ChatCompletionChunk.Choice(index, delta, logprobs, finishReason)), null);
    }
}
