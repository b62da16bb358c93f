package dev.hearth.quant;

import dev.hearth.gguf.GgmlType;
import java.util.List;

/**
 * One output tensor of a conversion: its GGUF name, stored type and GGML shape (shape[0] contiguous), and where its
 * rows come from. Row R of the output is row {@code R % rowsPerSource} of source {@code R / rowsPerSource} (several
 * sources: experts stacked along the last GGML dimension), taken through the llama.cpp q/k permutation when
 * {@code permuteHeads} is positive. {@code fixed} values (rope_freqs) replace the sources when not null.
 */
public record PlannedTensor(String name, GgmlType type, long[] shape, List<String> sources, int permuteHeads,
        float[] fixed) {

    public int rowLength() {
        return Math.toIntExact(shape[0]);
    }

    public long rows() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n = Math.multiplyExact(n, shape[i]);
        }
        return n;
    }

    public long rowsPerSource() {
        return rows() / Math.max(1, sources.size());
    }

    /**
     * The source row that output row {@code row} of one source takes. HF stores each head's rotary dimensions as two
     * halves (i, i + d/2); llama.cpp's NORM RoPE rotates adjacent pairs (2i, 2i + 1), so convert_hf_to_gguf moves
     * source row (h, half, i) to output row (h, i, half).
     */
    public long sourceRow(long row) {
        if (permuteHeads <= 0) {
            return row;
        }
        long headDim = rowsPerSource() / permuteHeads;
        long half = headDim / 2;
        long head = row / headDim;
        long within = row % headDim;
        return head * headDim + (within % 2) * half + within / 2;
    }

    public long byteSize() {
        return type.byteSize(Math.multiplyExact(rows(), (long) rowLength()));
    }
}
