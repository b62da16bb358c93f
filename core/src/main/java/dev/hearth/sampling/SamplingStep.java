package dev.hearth.sampling;

/**
 * One link of the sampler chain: reads and narrows the candidates in place. Steps run in the order
 * penalties, logit bias, top-k, temperature, softmax, top-p, min-p; the pick follows.
 */
sealed interface SamplingStep {
    void apply(Candidates c);

    /** Repetition, presence and frequency penalties over the recent tokens (candidates still indexed by id). */
    record Penalties(TokenHistory history, float repetition, float presence, float frequency) implements SamplingStep {
        @Override
        public void apply(Candidates c) {
            history.penalize(c.logits, repetition, presence, frequency);
        }
    }

    /** Adds a bias to chosen token ids (candidates still indexed by id). */
    record LogitBias(int[] tokens, float[] biases) implements SamplingStep {
        @Override
        public void apply(Candidates c) {
            for (int i = 0; i < tokens.length; i++) {
                c.logits[tokens[i]] += biases[i];
            }
        }
    }

    /**
     * Keeps the k best, then sorts only those k. On the full vocabulary (the usual case) one pass with a bounded
     * min-heap of k entries: after the first few hundred logits almost every one fails the single comparison with
     * the heap's root. Otherwise quickselect.
     */
    record TopK(int k, int[] heapIds, float[] heapValues) implements SamplingStep {
        TopK(int k) {
            this(k, new int[Math.max(k, 0)], new float[Math.max(k, 0)]);
        }

        @Override
        public void apply(Candidates c) {
            if (k <= 0 || k >= c.size) {
                return;
            }
            if (c.identity) {
                Selection.heapTop(c.logits, c.size, k, heapIds, heapValues);
                System.arraycopy(heapIds, 0, c.ids, 0, k);
                System.arraycopy(heapValues, 0, c.logits, 0, k);
                c.identity = false;
            } else {
                Selection.selectTop(c.ids, c.logits, c.probs, 0, c.size, k);
            }
            Selection.sort(c.ids, c.logits, c.probs, 0, k);
            c.size = k;
            c.sorted = true;
        }
    }

    record Temperature(float temperature) implements SamplingStep {
        @Override
        public void apply(Candidates c) {
            float inverse = 1f / temperature;
            for (int i = 0; i < c.size; i++) {
                c.logits[i] *= inverse;
            }
        }
    }

    /** probs = softmax(logits) over the current candidates. */
    record Softmax() implements SamplingStep {
        @Override
        public void apply(Candidates c) {
            float max = c.sorted ? c.logits[0] : c.logits[Selection.argBest(c.ids, c.logits, 0, c.size)];
            double sum = 0;
            for (int i = 0; i < c.size; i++) {
                float p = (float) Math.exp(c.logits[i] - max);
                c.probs[i] = p;
                sum += p;
            }
            float inverse = (float) (1.0 / sum);
            for (int i = 0; i < c.size; i++) {
                c.probs[i] *= inverse;
            }
            c.normalized = true;
        }
    }

    /**
     * Nucleus: the smallest best-first prefix whose probability reaches p. Unsorted candidates are sorted only as far
     * as needed: the best 64, then 256, 1024, ... until the prefix holds p.
     */
    record TopP(float p) implements SamplingStep {
        @Override
        public void apply(Candidates c) {
            if (p >= 1f || c.size <= 1) {
                return;
            }
            c.materializeIds();
            int sortedUpTo = c.sorted ? c.size : 0;
            int want = Math.min(c.size, 64);
            double cumulative = 0;
            int i = 0;
            while (true) {
                if (want > sortedUpTo) {
                    Selection.selectTop(c.ids, c.logits, c.probs, sortedUpTo, c.size, want - sortedUpTo);
                    Selection.sort(c.ids, c.logits, c.probs, sortedUpTo, want);
                    sortedUpTo = want;
                }
                for (; i < sortedUpTo; i++) {
                    cumulative += c.probs[i];
                    if (cumulative >= p) {
                        c.size = i + 1;
                        c.sorted = true;
                        return;
                    }
                }
                if (sortedUpTo == c.size) {
                    c.sorted = true;
                    return;
                }
                want = (int) Math.min(c.size, want * 4L);
            }
        }
    }

    /** Drops candidates whose probability is below minP times the best probability (keeps the order). */
    record MinP(float minP) implements SamplingStep {
        @Override
        public void apply(Candidates c) {
            if (minP <= 0f || c.size <= 1) {
                return;
            }
            float best = c.sorted ? c.probs[0] : 0f;
            if (!c.sorted) {
                for (int i = 0; i < c.size; i++) {
                    best = Math.max(best, c.probs[i]);
                }
            }
            float threshold = best * minP;
            c.materializeIds();
            int kept = 0;
            for (int i = 0; i < c.size; i++) {
                if (c.probs[i] >= threshold) {
                    c.ids[kept] = c.ids[i];
                    c.logits[kept] = c.logits[i];
                    c.probs[kept] = c.probs[i];
                    kept++;
                }
            }
            c.size = kept;
        }
    }
}
