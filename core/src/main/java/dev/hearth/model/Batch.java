package dev.hearth.model;

/**
 * The rows of one forward pass: for each row a token, its position, its sequence id, and whether its logits are
 * wanted. Rows of several sequences may be mixed; within a sequence, positions must follow the ones already in the
 * KV cache. Sized once and reused: {@link #clear()}, then {@link #add} up to {@link #capacity()} rows.
 */
public final class Batch {
    private final int[] tokens;
    private final int[] positions;
    private final int[] sequenceIds;
    private final boolean[] needsLogits;
    private int size;

    public Batch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("batch capacity must be at least 1, got " + capacity);
        }
        tokens = new int[capacity];
        positions = new int[capacity];
        sequenceIds = new int[capacity];
        needsLogits = new boolean[capacity];
    }

    public void clear() {
        size = 0;
    }

    public Batch add(int token, int position, int sequenceId, boolean wantLogits) {
        if (size == tokens.length) {
            throw new IllegalStateException("batch is full (" + tokens.length + " rows)");
        }
        tokens[size] = token;
        positions[size] = position;
        sequenceIds[size] = sequenceId;
        needsLogits[size] = wantLogits;
        size++;
        return this;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return tokens.length;
    }

    public int token(int row) {
        return tokens[row];
    }

    public int position(int row) {
        return positions[row];
    }

    public int sequenceId(int row) {
        return sequenceIds[row];
    }

    public boolean needsLogits(int row) {
        return needsLogits[row];
    }

    /** Rows whose logits are wanted. */
    public int logitRows() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            n += needsLogits[i] ? 1 : 0;
        }
        return n;
    }
}
