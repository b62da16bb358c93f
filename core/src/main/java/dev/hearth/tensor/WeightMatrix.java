package dev.hearth.tensor;

import dev.hearth.gguf.GgmlType;
import dev.hearth.gguf.GgufException;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufTensorInfo;
import java.lang.foreign.MemorySegment;

/**
 * A matrix of {@code rows} rows of {@code cols} elements of one GGML type, over mapped bytes (no copy). Row r starts at
 * byte {@code r * rowBytes()}. A GGUF tensor of shape {cols, rows} is such a matrix; a 3-D expert tensor
 * {cols, rows, experts} is one matrix per expert ({@link #expert}).
 */
public record WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data) {

    public WeightMatrix {
        if (cols % type.blockSize() != 0) {
            throw new GgufException("tensor '" + name + "': row length " + cols + " is not a multiple of the " + type
                    + " block size");
        }
        if (data.byteSize() < (long) rows * type.byteSize(cols)) {
            throw new GgufException("tensor '" + name + "': " + data.byteSize() + " bytes is too small for " + rows + " x "
                    + cols + " " + type);
        }
    }

    /** Bytes per row. */
    public long rowBytes() {
        return type.byteSize(cols);
    }

    /** A 2-D tensor of the file as a matrix; refuses types without kernels, naming the tensor and the type. */
    public static WeightMatrix of(GgufFile file, GgufTensorInfo t) {
        requireSupported(t);
        if (t.shape().length > 2) {
            throw new GgufException("tensor '" + t.name() + "' has " + t.shape().length + " dimensions, expected a matrix");
        }
        return new WeightMatrix(t.name(), t.type(), checkedInt(t, t.dim(1)), checkedInt(t, t.dim(0)), file.tensorData(t));
    }

    /** Expert {@code e} of a 3-D tensor {cols, rows, experts}. */
    public static WeightMatrix expert(GgufFile file, GgufTensorInfo t, int e) {
        requireSupported(t);
        if (t.shape().length != 3) {
            throw new GgufException("tensor '" + t.name() + "' has " + t.shape().length + " dimensions, expected 3 (experts)");
        }
        int cols = checkedInt(t, t.dim(0));
        int rows = checkedInt(t, t.dim(1));
        if (e < 0 || e >= t.dim(2)) {
            throw new GgufException("tensor '" + t.name() + "' has no expert " + e);
        }
        long bytes = (long) rows * t.type().byteSize(cols);
        return new WeightMatrix(t.name() + "[" + e + "]", t.type(), rows, cols, file.tensorData(t).asSlice(e * bytes, bytes));
    }

    private static void requireSupported(GgufTensorInfo t) {
        if (!t.type().isSupported()) {
            throw new GgufException("tensor '" + t.name() + "' has type " + t.type() + ", which Hearth does not support yet");
        }
    }

    private static int checkedInt(GgufTensorInfo t, long v) {
        if (v > Integer.MAX_VALUE) {
            throw new GgufException("tensor '" + t.name() + "' dimension " + v + " is too large");
        }
        return (int) v;
    }
}
