package dev.hearth.engine;

import dev.hearth.kv.BlockTable;

/**
 * The rows of one engine step, reused across steps (no allocation per step): token id, position, KV slot and the
 * slot's block table per row, and which rows need logits.
 */
public final class StepBatch {
    private final int[] tokens;
    private final int[] positions;
    private final int[] slots;
    private final boolean[] needsLogits;
    private final BlockTable[] tables;
    private int size;
    private int logitRows;

    public StepBatch(int capacity) {
        tokens = new int[capacity];
        positions = new int[capacity];
        slots = new int[capacity];
        needsLogits = new boolean[capacity];
        tables = new BlockTable[capacity];
    }

    public void clear() {
        size = 0;
        logitRows = 0;
    }

    public void add(int token, int position, int slot, boolean logits, BlockTable table) {
        tables[size] = table;
        tokens[size] = token;
        positions[size] = position;
        slots[size] = slot;
        needsLogits[size] = logits;
        size++;
        if (logits) {
            logitRows++;
        }
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return tokens.length;
    }

    public int remaining() {
        return tokens.length - size;
    }

    public int logitRows() {
        return logitRows;
    }

    public int token(int row) {
        return tokens[row];
    }

    public int position(int row) {
        return positions[row];
    }

    public int slot(int row) {
        return slots[row];
    }

    public boolean needsLogits(int row) {
        return needsLogits[row];
    }

    /** The KV blocks of the row's sequence, filled by the scheduler to cover the row's position. */
    public BlockTable table(int row) {
        return tables[row];
    }

    /** Backing arrays for runners that copy them into their own batch type; valid for [0, size()). */
    public int[] tokens() {
        return tokens;
    }

    public int[] positions() {
        return positions;
    }

    public int[] slots() {
        return slots;
    }

    public boolean[] logitFlags() {
        return needsLogits;
    }
}
