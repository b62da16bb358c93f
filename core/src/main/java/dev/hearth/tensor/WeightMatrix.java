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
 *
 * <p>{@code blockScales}, where not null, holds the f16 scale of every block as a float, row after row (Q4_0, whose
 * blocks start with their scale): the kernels then read each scale with one broadcast from the heap instead of
 * a load and a half-to-float conversion from the mapping, which makes the matvec about 15% faster, for 4 bytes per
 * 32 weights. The model loader asks for it where the kernels that will run use it ({@code Kernels.prepare}).
 *
 * <p>{@code packed}, where not null, holds the same weights rearranged at load for the native kernels (the layout is
 * theirs: see {@code NativeKernels.repack}); {@code data} stays the reference and serves every other reader.
 */
public record WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data, float[] blockScales,
        MemorySegment packed) {

    public WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data) {
        this(name, type, rows, cols, data, null, null);
    }

    public WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data, float[] blockScales) {
        this(name, type, rows, cols, data, blockScales, null);
    }

    public WeightMatrix {
        if (cols % type.blockSize() != 0) {
            throw new GgufException("tensor '" + name + "': row length " + cols + " is not a multiple of the " + type
                    + " block size");
        }
        if (data.byteSize() < (long) rows * type.byteSize(cols)) {
            throw new GgufException("tensor '" + name + "': " + data.byteSize() + " bytes is too small for " + rows + " x "
                    + cols + " " + type);
        }
        if (blockScales != null && blockScales.length != (long) rows * (cols / type.blockSize())) {
            throw new IllegalArgumentException("tensor '" + name + "': " + blockScales.length + " block scales for "
                    + rows + " rows of " + cols / type.blockSize() + " blocks");
        }
    }

    /** This matrix with a repacked copy of its weights for the native kernels. */
    public WeightMatrix withPacked(MemorySegment packed) {
        return new WeightMatrix(name, type, rows, cols, data, blockScales, packed);
    }

    /** Whether {@link #withBlockScales} applies to the type (blocks that start with one f16 scale). */
    public static boolean hasScaleTable(GgmlType type) {
        return type == GgmlType.Q4_0;  // Q8_0 measured no faster with a table, so it keeps its 4 bytes per block
    }

    /** This matrix with its block scale table (see the class comment); itself where the type has none. */
    public WeightMatrix withBlockScales() {
        if (!hasScaleTable(type) || blockScales != null) {
            return this;
        }
        long count = (long) rows * (cols / type.blockSize());
        if (count > Integer.MAX_VALUE - 8) {
            return this;
        }
        float[] scales = new float[(int) count];
        long blockBytes = type.byteSize(type.blockSize());
        for (int i = 0; i < scales.length; i++) {
            scales[i] = Float.float16ToFloat(data.get(F16, i * blockBytes));
        }
        return new WeightMatrix(name, type, rows, cols, data, scales);
    }

    private static final java.lang.foreign.ValueLayout.OfShort F16 =
            java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

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
        return new WeightMatrix(t.name(), t.type(), checkedInt(t, t.dim(1)), checkedInt(t, t.dim(0)),
                file.tensorData(t));
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
        return new WeightMatrix(t.name() + "[" + e + "]", t.type(), rows, cols,
                file.tensorData(t).asSlice(e * bytes, bytes));
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
