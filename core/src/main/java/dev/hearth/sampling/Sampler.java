package dev.hearth.sampling;

import dev.hearth.kernel.VectorOps;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Picks the next token of one sequence from its logits through a chain of {@link SamplingStep}s over reused
 * {@link Candidates}: penalties, logit bias, top-k, temperature, softmax, top-p, min-p, then a random pick (or
 * the argmax at temperature 0, lowest id on ties). Owned by one thread; nothing is allocated per token.
 */
public final class Sampler {
    private final SamplingParams params;
    private final int vocabSize;
    private final Candidates candidates;
    private final TokenHistory history;
    private final List<SamplingStep> steps;
    private final long seed;
    private final SplittableRandom random;

    public Sampler(SamplingParams params, int vocabSize) {
        this.params = params;
        this.vocabSize = vocabSize;
        this.candidates = new Candidates(vocabSize);
        this.history = new TokenHistory(params.penaltiesEnabled() ? params.penaltyWindow() : 0, vocabSize);
        this.seed = params.seed() != null ? params.seed() : new SecureRandom().nextLong();
        this.random = new SplittableRandom(seed);
        List<SamplingStep> chain = new ArrayList<>();
        if (params.penaltiesEnabled()) {
            chain.add(new SamplingStep.Penalties(history, params.repetitionPenalty(), params.presencePenalty(),
                    params.frequencyPenalty()));
        }
        if (!params.logitBias().isEmpty()) {
            int[] tokens = new int[params.logitBias().size()];
            float[] biases = new float[tokens.length];
            int i = 0;
            for (Map.Entry<Integer, Float> e : params.logitBias().entrySet()) {
                if (e.getKey() >= vocabSize) {
                    throw new IllegalArgumentException("logitBias token id " + e.getKey()
                            + " outside the vocabulary [0, " + vocabSize + ")");
                }
                tokens[i] = e.getKey();
                biases[i++] = e.getValue();
            }
            chain.add(new SamplingStep.LogitBias(tokens, biases));
        }
        if (!params.isGreedy()) {
            chain.add(new SamplingStep.TopK(params.topK()));
            chain.add(new SamplingStep.Temperature(params.temperature()));
            chain.add(new SamplingStep.Softmax());
            chain.add(new SamplingStep.TopP(params.topP()));
            chain.add(new SamplingStep.MinP(params.minP()));
        }
        this.steps = List.copyOf(chain);
    }

    /** The seed in use (the given one, or the random one chosen when none was given), to reproduce a run. */
    public long seed() {
        return seed;
    }

    public SamplingParams params() {
        return params;
    }

    /** Records a token that was not sampled here (a prompt token) in the penalty window. */
    public void accept(int token) {
        history.add(token);
    }

    /** Picks the next token from {@code logits} (at least vocabSize entries, left unchanged) and records it. */
    public int sample(float[] logits) {
        return sample(logits, 0);
    }

    /** As {@link #sample(float[])}, for the row of logits at {@code logits[offset..offset + vocabSize)}. */
    public int sample(float[] logits, int offset) {
        if (steps.isEmpty() && params.isGreedy()) {  // nothing to change or reorder: the argmax of the row in place
            if (logits.length - offset < vocabSize) {
                throw new IllegalArgumentException("logits has " + (logits.length - offset) + " entries from offset "
                        + offset + ", vocabulary has " + vocabSize);
            }
            int token = VectorOps.argmax(logits, offset, vocabSize);
            history.add(token);
            return token;
        }
        Candidates c = candidates;
        c.reset(logits, offset);
        for (SamplingStep step : steps) {
            step.apply(c);
        }
        int token;
        if (params.isGreedy()) {
            token = c.identity ? VectorOps.argmax(c.logits, 0, c.size)
                    : c.ids[Selection.argBest(c.ids, c.logits, 0, c.size)];
        } else {
            token = pick(c);
        }
        history.add(token);
        return token;
    }

    /**
     * The candidates left after the last {@link #sample} that ran steps (a greedy pick with none reads the logits in
     * place and leaves them as they were): for tests and diagnostics.
     */
    public Candidates lastCandidates() {
        return candidates;
    }

    private int pick(Candidates c) {
        double total = 0;
        for (int i = 0; i < c.size; i++) {
            total += c.probs[i];
        }
        double target = random.nextDouble() * total;
        double cumulative = 0;
        for (int i = 0; i < c.size; i++) {
            cumulative += c.probs[i];
            if (target < cumulative) {
                return c.id(i);
            }
        }
        return c.id(c.size - 1);
    }

    /**
     * Log-probability of {@code token} and the {@code out.ids.length} most likely tokens under the raw logits
     * (log-softmax over the whole vocabulary; ties: lower id first).
     */
    public static void logprobs(float[] logits, int vocabSize, int token, TopLogprobs out) {
        logprobs(logits, 0, vocabSize, token, out);
    }

    /** As {@link #logprobs(float[], int, int, TopLogprobs)} for the row at {@code logits[offset..]}. */
    public static void logprobs(float[] logits, int offset, int vocabSize, int token, TopLogprobs out) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocabSize; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        float logNormalizer = (float) (max + Math.log(sum));
        out.chosenId = token;
        out.chosenLogprob = logits[offset + token] - logNormalizer;
        int capacity = out.ids.length;
        int count = 0;
        for (int i = 0; i < vocabSize && capacity > 0; i++) {
            float v = logits[offset + i];
            if (count == capacity && !Selection.before(v, i, out.logprobs[count - 1], out.ids[count - 1])) {
                continue;
            }
            int j = count == capacity ? count - 1 : count++;
            while (j > 0 && Selection.before(v, i, out.logprobs[j - 1], out.ids[j - 1])) {
                out.logprobs[j] = out.logprobs[j - 1];
                out.ids[j] = out.ids[j - 1];
                j--;
            }
            out.logprobs[j] = v;
            out.ids[j] = i;
        }
        for (int r = 0; r < count; r++) {
            out.logprobs[r] -= logNormalizer;
        }
        out.count = count;
    }

    public int vocabSize() {
        return vocabSize;
    }
}
