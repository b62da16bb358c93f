package dev.hearth.sampling;

import dev.hearth.grammar.GrammarMatcher;
import java.util.List;

/**
 * A {@link TokenSampler} that constrains another: masks the logits with the sequence's {@link GrammarMatcher}, lets
 * the delegate pick among the allowed tokens, then advances the matcher. One per sequence, like its delegate. The
 * delegate's logprobs are those of the masked distribution (renormalized over the allowed tokens).
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
            // only when every allowed logit is -inf or NaN: take the first allowed token rather than break the output
            token = firstAllowed(vocabularySize);
            if (token < 0 || !matcher.accept(token)) {
                throw new IllegalStateException("the grammar allows no token here (no end-of-generation token?)");
            }
        }
        return token;
    }

    private int firstAllowed(int vocabularySize) {
        for (int t = 0; t < vocabularySize; t++) {
            if (matcher.isAllowed(t)) {
                return t;
            }
        }
        return -1;
    }

    @Override
    public float lastLogprob() {
        return delegate.lastLogprob();
    }

    @Override
    public List<TopLogprob> lastTopLogprobs() {
        return delegate.lastTopLogprobs();
    }
}
