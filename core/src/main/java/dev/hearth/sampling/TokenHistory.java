package dev.hearth.sampling;

/**
 * The last {@code window} tokens of a sequence with per-token counts, for the repetition, presence and frequency
 * penalties. Fixed-size ring buffer plus a count per vocabulary entry; no allocation after construction.
 */
public final class TokenHistory {
    private final int[] ring;
    private final int[] counts;
    private final int[] stamps;
    private int stamp;
    private int size;
    private int next;

    public TokenHistory(int window, int vocabSize) {
        ring = new int[Math.max(window, 0)];
        counts = new int[vocabSize];
        stamps = new int[vocabSize];
    }

    /** Records a token; the oldest one leaves the window when it is full. */
    public void add(int token) {
        if (ring.length == 0) {
            return;
        }
        if (token < 0 || token >= counts.length) {
            throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, " + counts.length + ")");
        }
        if (size == ring.length) {
            counts[ring[next]]--;
        } else {
            size++;
        }
        ring[next] = token;
        counts[token]++;
        next = (next + 1) % ring.length;
    }

    public int count(int token) {
        return counts[token];
    }

    public int size() {
        return size;
    }

    public void clear() {
        for (int i = 0; i < size; i++) {
            counts[ring[i]] = 0;
        }
        size = 0;
        next = 0;
    }

    /**
     * Applies llama.cpp's penalties to logits indexed by token id, once per distinct token in the window: a positive
     * logit is divided by {@code repetition}, a negative one multiplied; then {@code count * frequency + presence} is
     * subtracted.
     */
    void penalize(float[] logits, float repetition, float presence, float frequency) {
        stamp++;
        if (stamp == Integer.MAX_VALUE) {
            java.util.Arrays.fill(stamps, 0);
            stamp = 1;
        }
        for (int i = 0; i < size; i++) {
            int token = ring[i];
            if (stamps[token] == stamp) {
                continue;
            }
            stamps[token] = stamp;
            float logit = logits[token];
            logit = logit > 0 ? logit / repetition : logit * repetition;
            logits[token] = logit - counts[token] * frequency - presence;
        }
    }
}
