package dev.hearth.grammar;

import dev.hearth.engine.GenerationEvent;
import dev.hearth.engine.TokenSampler;
import java.util.List;

/**
 * A {@link TokenSampler} that constrains another: masks the logits with the sequence's {@link GrammarMatcher}, lets
 * the delegate pick among the allowed tokens, then advances the matcher. One per sequence, like its delegate.
 */
public final class GrammarSampler implements TokenSampler {
    private final TokenSampler delegate;
    private final GrammarMatcher matcher;

    public GrammarSampler(TokenSampler delegate, GrammarMatcher matcher) {
        this.delegate = delegate;
        this.matcher = matcher;
    }

    public GrammarMatcher matcher() {
        return matcher;
    }

    @Override
    public int sample(float[] logits, int offset, int vocabularySize, int[] history, int historyLength) {
        matcher.applyMask(logits, offset, vocabularySize);
        int token = delegate.sample(logits, offset, vocabularySize, history, historyLength);
        if (!matcher.accept(token)) {
            throw new IllegalStateException("the sampler picked token " + token
                    + ", which the grammar does not allow (every allowed logit was -inf or the sampler ignores it)");
        }
        return token;
    }

    @Override
    public float lastLogprob() {
        return delegate.lastLogprob();
    }

    @Override
    public List<GenerationEvent.TopLogprob> lastTopLogprobs() {
        return delegate.lastTopLogprobs();
    }
}
