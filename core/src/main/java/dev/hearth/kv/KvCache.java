package dev.hearth.kv;

import dev.hearth.kernel.VectorOps;

/**
 * Keys and values per layer and per sequence, {@code contextLength} positions of {@code kvDim} values each
 * (row {@code pos} starts at {@code pos * kvDim}). A sequence's storage is allocated when the sequence is first
 * written and kept until {@link #close()}; {@link #clear(int)} forgets its contents. F32 storage uses
 * {@link #keysF32}/{@link #valuesF32}, F16 storage {@link #keysF16}/{@link #valuesF16}.
 */
public final class KvCache {
    private final int layers;
    private final int kvDim;
    private final int contextLength;
    private final int maxSequences;
    private final KvPrecision precision;
    private final float[][][] keysF32;
    private final float[][][] valuesF32;
    private final short[][][] keysF16;
    private final short[][][] valuesF16;
    private final int[] lengths;

    public KvCache(int layers, int kvDim, int contextLength, int maxSequences, KvPrecision precision) {
        if (contextLength < 1 || maxSequences < 1) {
            throw new IllegalArgumentException("KV cache needs a context length and a sequence count of at least 1, got "
                    + contextLength + " and " + maxSequences);
        }
        if ((long) contextLength * kvDim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("KV cache context length " + contextLength + " x " + kvDim
                    + " values per position is too large for one sequence");
        }
        this.layers = layers;
        this.kvDim = kvDim;
        this.contextLength = contextLength;
        this.maxSequences = maxSequences;
        this.precision = precision;
        boolean f32 = precision == KvPrecision.F32;
        this.keysF32 = f32 ? new float[layers][maxSequences][] : null;
        this.valuesF32 = f32 ? new float[layers][maxSequences][] : null;
        this.keysF16 = f32 ? null : new short[layers][maxSequences][];
        this.valuesF16 = f32 ? null : new short[layers][maxSequences][];
        this.lengths = new int[maxSequences];
    }

    public KvPrecision precision() {
        return precision;
    }

    public int contextLength() {
        return contextLength;
    }

    public int maxSequences() {
        return maxSequences;
    }

    public int kvDim() {
        return kvDim;
    }

    /** One past the highest position written for the sequence (0 when empty). */
    public int length(int seq) {
        checkSequence(seq);
        return lengths[seq];
    }

    /** Fails with a message naming the sequence and the limit when pos does not fit; allocates on first use. */
    public void reserve(int seq, int pos) {
        checkSequence(seq);
        if (pos < 0 || pos >= contextLength) {
            throw new KvCacheFullException("sequence " + seq + " position " + pos + " exceeds the KV cache context length "
                    + contextLength + " (raise the context length)");
        }
        if (precision == KvPrecision.F32 ? keysF32[0][seq] == null : keysF16[0][seq] == null) {
            for (int l = 0; l < layers; l++) {
                switch (precision) {
                    case F32 -> {
                        keysF32[l][seq] = new float[contextLength * kvDim];
                        valuesF32[l][seq] = new float[contextLength * kvDim];
                    }
                    case F16 -> {
                        keysF16[l][seq] = new short[contextLength * kvDim];
                        valuesF16[l][seq] = new short[contextLength * kvDim];
                    }
                }
            }
        }
        lengths[seq] = Math.max(lengths[seq], pos + 1);
    }

    /** Writes one position's key and value rows (kvDim values each) for a layer; {@link #reserve} first. */
    public void store(int layer, int seq, int pos, float[] k, int kOffset, float[] v, int vOffset) {
        int at = pos * kvDim;
        switch (precision) {
            case F32 -> {
                System.arraycopy(k, kOffset, keysF32[layer][seq], at, kvDim);
                System.arraycopy(v, vOffset, valuesF32[layer][seq], at, kvDim);
            }
            case F16 -> {
                VectorOps.toFloat16(k, kOffset, keysF16[layer][seq], at, kvDim);
                VectorOps.toFloat16(v, vOffset, valuesF16[layer][seq], at, kvDim);
            }
        }
    }

    /** Forgets the sequence's positions (storage is kept for reuse). */
    public void clear(int seq) {
        checkSequence(seq);
        lengths[seq] = 0;
    }

    public float[] keysF32(int layer, int seq) {
        return keysF32[layer][seq];
    }

    public float[] valuesF32(int layer, int seq) {
        return valuesF32[layer][seq];
    }

    public short[] keysF16(int layer, int seq) {
        return keysF16[layer][seq];
    }

    public short[] valuesF16(int layer, int seq) {
        return valuesF16[layer][seq];
    }

    private void checkSequence(int seq) {
        if (seq < 0 || seq >= maxSequences) {
            throw new IllegalArgumentException("sequence id " + seq + " is outside the KV cache's " + maxSequences
                    + " sequences");
        }
    }
}
