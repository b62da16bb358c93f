package dev.hearth.server.http.openai;

import dev.hearth.server.backend.GenerationFailedException;
import dev.hearth.engine.FinishReason;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.server.http.api.ChoiceEvents;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** A whole generation read to the end, per choice: text, finish reason, token count and logprobs. */
final class CollectedChoices {
    final StringBuilder[] text;
    final String[] finishReasons;
    final List<List<ChatCompletion.TokenLogprob>> logprobs = new ArrayList<>();
    int completionTokens;

    private CollectedChoices(int n) {
        text = new StringBuilder[n];
        finishReasons = new String[n];
        for (int i = 0; i < n; i++) {
            text[i] = new StringBuilder();
            logprobs.add(new ArrayList<>());
        }
    }

    /** Reads every event; a failed generation becomes an exception (a 500 without details for the client). */
    static CollectedChoices read(ChoiceEvents events, IntFunction<String> tokenText, int topLogprobs)
            throws InterruptedException {
        CollectedChoices c = new CollectedChoices(events.choices());
        for (ChoiceEvents.Event e; (e = events.next()) != null; ) {
            int i = e.index();
            switch (e.event()) {
                case GenerationEvent.Token t -> {
                    c.text[i].append(t.text());
                    ChatCompletion.TokenLogprob lp = logprob(t, tokenText, topLogprobs);
                    if (lp != null) {
                        c.logprobs.get(i).add(lp);
                    }
                }
                case GenerationEvent.Done d -> {
                    if (d.reason() == FinishReason.ERROR) {
                        throw new GenerationFailedException(d.error());
                    }
                    c.finishReasons[i] = d.reason().apiName();
                    c.completionTokens += d.generatedTokens();
                }
            }
        }
        return c;
    }

    /** The logprob entry of one token, or null where there is none (no token, or the sampler did not compute it). */
    static ChatCompletion.TokenLogprob logprob(GenerationEvent.Token t, IntFunction<String> tokenText, int top) {
        if (t.tokenId() < 0 || Float.isNaN(t.logprob())) {
            return null;
        }
        List<ChatCompletion.TopLogprob> alternatives = new ArrayList<>();
        for (dev.hearth.sampling.TopLogprob alt : t.topLogprobs()) {
            if (alternatives.size() == top) {
                break;
            }
            String s = tokenText.apply(alt.tokenId());
            alternatives.add(new ChatCompletion.TopLogprob(s, alt.logprob(), bytes(s)));
        }
        String s = tokenText.apply(t.tokenId());
        return new ChatCompletion.TokenLogprob(s, t.logprob(), bytes(s), alternatives);
    }

    static int[] bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }
}
