package dev.hearth.sampling;

import java.util.ArrayList;
import java.util.List;

/**
 * The engine's sampler over the {@link Sampler} chain: feeds the prompt into the penalty window on the first pick,
 * and computes logprobs (chosen token and top N) from the raw logits when asked.
 */
public final class ChainSampler implements TokenSampler {
    private final Sampler sampler;
    private final TopLogprobs top;
    private final boolean logprobs;
    private boolean primed;
    private float lastLogprob = Float.NaN;
    private List<TopLogprob> lastTop = List.of();

    /**
     * @param logprobs whether to compute the chosen token's logprob
     * @param topLogprobs how many alternatives to report (0 to 20)
     */
    public ChainSampler(SamplingParams params, int vocabularySize, boolean logprobs, int topLogprobs) {
        this.sampler = new Sampler(params, vocabularySize);
        this.logprobs = logprobs || topLogprobs > 0;
        this.top = new TopLogprobs(topLogprobs);
    }

    public long seed() {
        return sampler.seed();
    }

    @Override
    public int sample(float[] logits, int offset, int vocabularySize, int[] history, int historyLength) {
        if (!primed) {
            for (int i = 0; i < historyLength; i++) {
                sampler.accept(history[i]);
            }
            primed = true;
        }
        int token = sampler.sample(logits, offset);
        if (logprobs) {
            Sampler.logprobs(logits, offset, vocabularySize, token, top);
            lastLogprob = top.chosenLogprob();
            if (top.count() > 0) {
                List<TopLogprob> alternatives = new ArrayList<>(top.count());
                for (int r = 0; r < top.count(); r++) {
                    alternatives.add(new TopLogprob(top.id(r), top.logprob(r)));
                }
                lastTop = alternatives;
            }
        }
        return token;
    }

    @Override
    public float lastLogprob() {
        return lastLogprob;
    }

    @Override
    public List<TopLogprob> lastTopLogprobs() {
        return lastTop;
    }
}
