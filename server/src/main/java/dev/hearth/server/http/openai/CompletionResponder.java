package dev.hearth.server.http.openai;

import dev.hearth.server.backend.GenerationFailedException;
import dev.hearth.engine.FinishReason;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.server.http.api.ChoiceEvents;
import dev.hearth.server.http.api.ErrorMapper;
import dev.hearth.server.http.api.StreamWriter;
import dev.hearth.server.backend.Generation;
import dev.hearth.server.backend.SamplingSettings;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes one text completion, whole or streamed (text deltas, a last chunk with the finish reason, [DONE]). */
final class CompletionResponder implements Responder {
    private final String id;
    private final long created = System.currentTimeMillis() / 1000;
    private final Generation generation;
    private final SamplingSettings sampling;

    CompletionResponder(String id, Generation generation, SamplingSettings sampling) {
        this.id = id;
        this.generation = generation;
        this.sampling = sampling;
    }

    public Completion complete(ChoiceEvents events) throws InterruptedException {
        CollectedChoices c = CollectedChoices.read(events, generation.tokenText(), sampling.topLogprobs());
        List<Completion.Choice> choices = new ArrayList<>();
        for (int i = 0; i < c.text.length; i++) {
            Completion.Logprobs logprobs = sampling.logprobs() && !c.logprobs.get(i).isEmpty()
                    ? legacy(c.logprobs.get(i)) : null;
            choices.add(new Completion.Choice(c.text[i].toString(), i, logprobs, c.finishReasons[i]));
        }
        return new Completion(id, "text_completion", created, generation.model(), null, choices,
                Usage.of(generation.promptTokens(), c.completionTokens));
    }

    public void stream(ChoiceEvents events, ServerResponse res, boolean includeUsage) throws InterruptedException {
        StreamWriter out = StreamWriter.sse(res);
        try {
            int completionTokens = 0;
            for (ChoiceEvents.Event e; (e = events.next(out)) != null; ) {
                int i = e.index();
                switch (e.event()) {
                    case GenerationEvent.Token t -> {
                        ChatCompletion.TokenLogprob lp = sampling.logprobs()
                                ? CollectedChoices.logprob(t, generation.tokenText(), sampling.topLogprobs()) : null;
                        if (!t.text().isEmpty() || lp != null) {
                            out.event(chunk(new Completion.Choice(t.text(), i,
                                    lp == null ? null : legacy(List.of(lp)), null), null));
                        }
                    }
                    case GenerationEvent.Done d -> {
                        if (d.reason() == FinishReason.ERROR) {
                            out.event(ErrorMapper.openAiBody(ErrorMapper.map(
                                    new GenerationFailedException(d.error()))));
                            out.done();  // clients waiting for the terminator stop here too
                            events.cancel();
                            return;
                        }
                        completionTokens += d.generatedTokens();
                        out.event(chunk(new Completion.Choice("", i, null, d.reason().apiName()), null));
                    }
                }
            }
            if (includeUsage) {
                out.event(new Completion(id, "text_completion", created, generation.model(), null, List.of(),
                        Usage.of(generation.promptTokens(), completionTokens)));
            }
            out.done();
        } catch (StreamWriter.ClientGoneException gone) {
            events.cancel();
        } finally {
            out.close();
        }
    }

    private Completion chunk(Completion.Choice choice, Usage usage) {
        return new Completion(id, "text_completion", created, generation.model(), null, List.of(choice), usage);
    }

    private static Completion.Logprobs legacy(List<ChatCompletion.TokenLogprob> entries) {
        List<String> tokens = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<Map<String, Double>> top = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int offset = 0;
        for (ChatCompletion.TokenLogprob e : entries) {
            tokens.add(e.token());
            values.add(e.logprob());
            Map<String, Double> alternatives = new java.util.LinkedHashMap<>();
            e.topLogprobs().forEach(a -> alternatives.putIfAbsent(a.token(), a.logprob()));
            top.add(alternatives);
            offsets.add(offset);
            offset += e.token().length();
        }
        return new Completion.Logprobs(tokens, values, top, offsets);
    }
}
