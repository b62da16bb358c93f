package dev.hearth.safetensors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One tensor of a safetensors file: its name, dtype, shape (row-major, last dimension contiguous, as PyTorch stores
 * it) and its bytes, a slice of the file's mapping. Reading converts to float32 a row at a time.
 */
public record SafetensorsTensor(String name, SafetensorsDtype dtype, long[] shape, MemorySegment data, String file) {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The length of the contiguous last dimension (1 for a scalar). */
    public long rowLength() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    /** Converts elements [first, first + n) to float32 into out[outOffset, outOffset + n). */
    public void read(long first, int n, float[] out, int outOffset) {
        java.util.Objects.checkFromIndexSize(first, n, elementCount());
        long at = first * dtype.bytes();
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32, at, out, outOffset, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[outOffset + i] = Float.float16ToFloat(data.get(I16, at + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[outOffset + i] = Float.intBitsToFloat((data.get(I16, at + 2L * i) & 0xFFFF) << 16);
                }
            }
        }
    }

    /** Shape as "[a, b]" for messages. */
    public String shapeString() {
        return java.util.Arrays.toString(shape);
    }
}
