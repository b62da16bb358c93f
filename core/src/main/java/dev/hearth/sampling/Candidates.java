package dev.hearth.sampling;

/**
 * The working set of one sampler: token ids with their logits and probabilities, sized once for the vocabulary and
 * reused for every token. Steps shrink {@link #size} and may reorder entries; {@link #sorted} says whether the first
 * {@code size} entries are in descending logit order (ties: lower id first), {@link #normalized} whether
 * {@code probs} holds a softmax of the current logits.
 */
public final class Candidates {
    final int[] ids;
    final float[] logits;
    final float[] probs;
    int size;
    /** True while candidate i is token i for every i below size: {@link #ids} is not filled yet. */
    boolean identity;
    boolean sorted;
    boolean normalized;

    public Candidates(int vocabSize) {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabSize must be > 0, got " + vocabSize);
        }
        ids = new int[vocabSize];
        logits = new float[vocabSize];
        probs = new float[vocabSize];
    }

    /** Loads the full vocabulary: candidate i is token i with logit {@code source[i]}. */
    void reset(float[] source) {
        reset(source, 0);
    }

    /** As {@link #reset(float[])}, reading the logits at {@code source[offset..offset + vocabSize)}. */
    void reset(float[] source, int offset) {
        int n = ids.length;
        if (source.length - offset < n) {
            throw new IllegalArgumentException("logits has " + (source.length - offset) + " entries from offset " + offset
                    + ", vocabulary has " + n);
        }
        System.arraycopy(source, offset, logits, 0, n);
        identity = true;
        size = n;
        sorted = false;
        normalized = false;
    }

    /** Fills {@link #ids} when it is still implicit; steps that reorder candidates call this first. */
    void materializeIds() {
        if (identity) {
            for (int i = 0; i < size; i++) {
                ids[i] = i;
            }
            identity = false;
        }
    }

    public int capacity() {
        return ids.length;
    }

    public int size() {
        return size;
    }

    public int id(int index) {
        return identity ? index : ids[index];
    }

    public float logit(int index) {
        return logits[index];
    }

    public float prob(int index) {
        return probs[index];
    }
}
