package dev.hearth.server.http.openai;

import dev.hearth.engine.FinishReason;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.server.http.ChoiceEvents;
import dev.hearth.server.http.ErrorMapper;
import dev.hearth.server.http.StreamWriter;
import dev.hearth.server.route.Generation;
import dev.hearth.server.route.SamplingSettings;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one chat completion: as one JSON object, or streamed as OpenAI streams it: per choice a first chunk with
 * the role, content deltas, a last chunk with {@code finish_reason}; then a usage chunk when asked, then
 * {@code data: [DONE]}. A client that goes away mid-stream cancels its generation.
 */
final class ChatResponder {
    private final String id;
    private final long created = System.currentTimeMillis() / 1000;
    private final Generation generation;
    private final SamplingSettings sampling;

    ChatResponder(String id, Generation generation, SamplingSettings sampling) {
        this.id = id;
        this.generation = generation;
        this.sampling = sampling;
    }

    ChatCompletion complete(ChoiceEvents events) throws InterruptedException {
        CollectedChoices c = CollectedChoices.read(events, generation.tokenText(), sampling.topLogprobs());
        List<ChatCompletion.Choice> choices = new ArrayList<>();
        for (int i = 0; i < c.text.length; i++) {
            ChatCompletion.Logprobs logprobs = sampling.logprobs() && !c.logprobs.get(i).isEmpty()
                    ? new ChatCompletion.Logprobs(c.logprobs.get(i)) : null;
            choices.add(new ChatCompletion.Choice(i, new ChatCompletion.Message("assistant", c.text[i].toString(),
                    null), logprobs, c.finishReasons[i]));
        }
        return new ChatCompletion(id, "chat.completion", created, generation.model(), null, choices,
                Usage.of(generation.promptTokens(), c.completionTokens));
    }

    void stream(ChoiceEvents events, ServerResponse res, boolean includeUsage) throws InterruptedException {
        StreamWriter out = StreamWriter.sse(res);
        try {
            for (int i = 0; i < events.choices(); i++) {
                out.event(chunk(i, new ChatCompletionChunk.Delta("assistant", ""), null, null));
            }
            int completionTokens = 0;
            for (ChoiceEvents.Event e; (e = events.next()) != null; ) {
                int i = e.index();
                switch (e.event()) {
                    case GenerationEvent.Token t -> {
                        ChatCompletion.TokenLogprob lp = sampling.logprobs()
                                ? CollectedChoices.logprob(t, generation.tokenText(), sampling.topLogprobs()) : null;
                        if (!t.text().isEmpty() || lp != null) {
                            out.event(chunk(i, new ChatCompletionChunk.Delta(null, t.text()),
                                    lp == null ? null : new ChatCompletion.Logprobs(List.of(lp)), null));
                        }
                    }
                    case GenerationEvent.Done d -> {
                        if (d.reason() == FinishReason.ERROR) {
                            out.event(ErrorMapper.openAiBody(ErrorMapper.map(
                                    new IllegalStateException("generation failed: " + d.error()))));
                            events.cancel();
                            return;
                        }
                        completionTokens += d.generatedTokens();
                        out.event(chunk(i, new ChatCompletionChunk.Delta(null, null), null, d.reason().apiName()));
                    }
                }
            }
            if (includeUsage) {
                out.event(new ChatCompletionChunk(id, "chat.completion.chunk", created, generation.model(), null,
                        List.of(), Usage.of(generation.promptTokens(), completionTokens)));
            }
            out.done();
        } catch (StreamWriter.ClientGoneException gone) {
            events.cancel();
        } finally {
            out.close();
        }
    }

    private ChatCompletionChunk chunk(int index, ChatCompletionChunk.Delta delta, ChatCompletion.Logprobs logprobs,
            String finishReason) {
        return new ChatCompletionChunk(id, "chat.completion.chunk", created, generation.model(), null,
                List.of(new ChatCompletionChunk.Choice(index, delta, logprobs, finishReason)), null);
    }
}
