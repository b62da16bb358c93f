package dev.hearth.sampling;

/**
 * Reusable holder for the OpenAI {@code logprobs} / {@code top_logprobs} values of one position, computed from the
 * raw logits (log-softmax over the whole vocabulary, before penalties, bias, temperature and truncation).
 */
public final class TopLogprobs {
    final int[] ids;
    final float[] logprobs;
    int count;
    int chosenId;
    float chosenLogprob;

    public TopLogprobs(int maxTop) {
        if (maxTop < 0 || maxTop > 20) {
            throw new IllegalArgumentException("top_logprobs must be in [0, 20], got " + maxTop);
        }
        ids = new int[maxTop];
        logprobs = new float[maxTop];
    }

    public int count() {
        return count;
    }

    public int id(int rank) {
        return ids[rank];
    }

    public float logprob(int rank) {
        return logprobs[rank];
    }

    public int chosenId() {
        return chosenId;
    }

    public float chosenLogprob() {
        return chosenLogprob;
    }
}
