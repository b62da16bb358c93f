package dev.hearth.server.http.openai;

import dev.hearth.engine.GenerationEvent;
import dev.hearth.server.http.api.ChoiceEvents;
import dev.hearth.server.http.api.StreamWriter;
import dev.hearth.server.backend.Generation;
import dev.hearth.server.backend.SamplingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes one text completion, whole or streamed (text deltas, a last chunk with the finish reason, [DONE]). */
final class CompletionResponder extends Responder {

    CompletionResponder(String id, Generation generation, SamplingSettings sampling) {
        super(id, generation, sampling);
    }

    @Override
    Completion complete(ChoiceEvents events) throws InterruptedException {
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

    @Override
    void begin(StreamWriter out, int choices) {}

    @Override
    void token(StreamWriter out, int index, GenerationEvent.Token token, ChatCompletion.TokenLogprob logprob) {
        if (!token.text().isEmpty() || logprob != null) {
            out.event(chunk(new Completion.Choice(token.text(), index, logprob == null ? null : legacy(List.of(logprob)),
                    null), null));
        }
    }

    @Override
    void finished(StreamWriter out, int index, GenerationEvent.Done done) {
        out.event(chunk(new Completion.Choice("", index, null, done.reason().apiName()), null));
    }

    @Override
    Completion usage(Usage usage) {
        return new Completion(id, "text_completion", created, generation.model(), null, List.of(), usage);
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
