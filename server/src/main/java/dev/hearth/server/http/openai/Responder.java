package dev.hearth.server.http.openai;

import dev.hearth.engine.FinishReason;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.server.backend.Generation;
import dev.hearth.server.backend.GenerationFailedException;
import dev.hearth.server.backend.SamplingSettings;
import dev.hearth.server.http.api.ChoiceEvents;
import dev.hearth.server.http.api.ErrorMapper;
import dev.hearth.server.http.api.StreamWriter;
import io.helidon.webserver.http.ServerResponse;

/**
 * Writes one local generation as an OpenAI answer: whole ({@link #complete}) or as SSE chunks ({@link #stream}). The
 * stream is the same for chat and text completions: each token and each finished choice become chunks of the
 * endpoint's shape; a generation that fails ends with an error event and {@code [DONE]}; then, when asked, a usage
 * chunk, then {@code [DONE]}. A client that goes away mid-stream cancels its generation.
 */
abstract sealed class Responder permits ChatResponder, CompletionResponder {
    final String id;
    final long created = System.currentTimeMillis() / 1000;
    final Generation generation;
    final SamplingSettings sampling;

    Responder(String id, Generation generation, SamplingSettings sampling) {
        this.id = id;
        this.generation = generation;
        this.sampling = sampling;
    }

    abstract Object complete(ChoiceEvents events) throws InterruptedException;

    final void stream(ChoiceEvents events, ServerResponse res, boolean includeUsage) throws InterruptedException {
        StreamWriter out = StreamWriter.sse(res);
        try {
            begin(out, events.choices());
            int completionTokens = 0;
            for (ChoiceEvents.Event e; (e = events.next(out)) != null; ) {
                switch (e.event()) {
                    case GenerationEvent.Token t -> token(out, e.index(), t, sampling.logprobs()
                            ? CollectedChoices.logprob(t, generation.tokenText(), sampling.topLogprobs()) : null);
                    case GenerationEvent.Done d -> {
                        if (d.reason() == FinishReason.ERROR) {
                            out.event(ErrorMapper.openAiBody(ErrorMapper.map(
                                    new GenerationFailedException(d.error()))));
                            out.done();  // clients waiting for the terminator stop here too
                            events.cancel();
                            return;
                        }
                        completionTokens += d.generatedTokens();
                        finished(out, e.index(), d);
                    }
                }
            }
            if (includeUsage) {
                out.event(usage(Usage.of(generation.promptTokens(), completionTokens)));
            }
            out.done();
        } catch (StreamWriter.ClientGoneException gone) {
            events.cancel();
        } finally {
            out.close();
        }
    }

    /** Before the first event, for {@code choices} choices. */
    abstract void begin(StreamWriter out, int choices);

    /** A token of choice {@code index}; {@code logprob} where the request asked for logprobs, else null. */
    abstract void token(StreamWriter out, int index, GenerationEvent.Token token, ChatCompletion.TokenLogprob logprob);

    /** Choice {@code index} ended (not in error). */
    abstract void finished(StreamWriter out, int index, GenerationEvent.Done done);

    /** The usage chunk (no choices) that ends a stream whose request asked for it. */
    abstract Object usage(Usage usage);
}
