package dev.hearth.model;

/**
 * The output of a forward pass: one row of vocabSize logits for each batch row that asked for them, in batch order.
 * Row i starts at {@code offset(i)} in {@link #values()}; {@link #batchRow(int)} says which batch row it belongs to.
 */
public final class Logits {
    private final int vocabSize;
    private final float[] values;
    private final int[] batchRows;
    private int rows;

    public Logits(int capacityRows, int vocabSize) {
        if ((long) capacityRows * vocabSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(capacityRows + " logit rows of " + vocabSize + " do not fit one array");
        }
        this.vocabSize = vocabSize;
        this.values = new float[capacityRows * vocabSize];
        this.batchRows = new int[capacityRows];
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int capacityRows() {
        return batchRows.length;
    }

    /** Rows filled by the last forward pass. */
    public int rows() {
        return rows;
    }

    public float[] values() {
        return values;
    }

    public int offset(int row) {
        return row * vocabSize;
    }

    public int batchRow(int row) {
        return batchRows[row];
    }

    public float get(int row, int tokenId) {
        return values[row * vocabSize + tokenId];
    }

    /** Called by a forward pass: records which batch rows have logits. */
    public void setBatchRows(Batch batch) {
        int n = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (batch.needsLogits(i)) {
                if (n == batchRows.length) {
                    throw new IllegalArgumentException("batch asks for " + batch.logitRows()
                            + " logit rows but the Logits buffer holds " + batchRows.length);
                }
                batchRows[n++] = i;
            }
        }
        rows = n;
    }
}
