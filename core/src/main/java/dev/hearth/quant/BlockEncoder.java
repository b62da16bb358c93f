package dev.hearth.quant;

import dev.hearth.gguf.GgmlType;
import java.nio.ByteBuffer;

/**
 * Encodes rows of floats into GGML blocks of one type, following ggml's reference quantizers
 * ({@code quantize_row_*_ref}) so that files match llama.cpp's closely. An encoder keeps its scratch buffers and is
 * therefore used by one thread at a time; {@link #forType} makes a fresh one. Encoding allocates nothing.
 */
public abstract sealed class BlockEncoder
        permits FloatEncoders.F32, FloatEncoders.F16, FloatEncoders.BF16, LegacyEncoders.Q8_0, LegacyEncoders.Q4_0,
                LegacyEncoders.Q4_1, LegacyEncoders.Q5_0, LegacyEncoders.Q5_1, Q4KEncoder, Q5KEncoder, Q6KEncoder {

    private final GgmlType type;
    private byte[] bufferScratch = new byte[0];

    BlockEncoder(GgmlType type) {
        this.type = type;
    }

    /** A new encoder for {@code type}. */
    public static BlockEncoder forType(GgmlType type) {
        return switch (type) {
            case F32 -> new FloatEncoders.F32();
            case F16 -> new FloatEncoders.F16();
            case BF16 -> new FloatEncoders.BF16();
            case Q8_0 -> new LegacyEncoders.Q8_0();
            case Q4_0 -> new LegacyEncoders.Q4_0();
            case Q4_1 -> new LegacyEncoders.Q4_1();
            case Q5_0 -> new LegacyEncoders.Q5_0();
            case Q5_1 -> new LegacyEncoders.Q5_1();
            case Q4_K -> new Q4KEncoder();
            case Q5_K -> new Q5KEncoder();
            case Q6_K -> new Q6KEncoder();
            default -> throw new IllegalArgumentException("no encoder for " + type);
        };
    }

    /** Whether {@link #forType} has an encoder for this type. */
    public static boolean canEncode(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    public final GgmlType type() {
        return type;
    }

    /** Bytes taken by a row of {@code n} elements. */
    public final int rowBytes(int n) {
        return Math.toIntExact(type.byteSize(n));
    }

    /**
     * Encodes x[xOffset, xOffset + n) into out[outOffset, outOffset + rowBytes(n)).
     *
     * @throws IllegalArgumentException when n is not a multiple of the block size
     */
    public final void encodeRow(float[] x, int xOffset, int n, byte[] out, int outOffset) {
        if (n % type.blockSize() != 0) {
            throw new IllegalArgumentException("row of " + n + " elements is not a multiple of the " + type
                    + " block size " + type.blockSize());
        }
        java.util.Objects.checkFromIndexSize(xOffset, n, x.length);
        java.util.Objects.checkFromIndexSize(outOffset, rowBytes(n), out.length);
        int blocks = n / type.blockSize();
        for (int b = 0; b < blocks; b++) {
            encodeBlock(x, xOffset + b * type.blockSize(), out, outOffset + b * type.typeSize());
        }
    }

    /** Encodes a row into {@code out} at its position, advancing it by rowBytes(n). */
    public final void encodeRow(float[] x, int xOffset, int n, ByteBuffer out) {
        int bytes = rowBytes(n);
        if (out.hasArray()) {
            encodeRow(x, xOffset, n, out.array(), out.arrayOffset() + out.position());
            out.position(out.position() + bytes);
        } else {
            if (bufferScratch.length < bytes) {
                bufferScratch = new byte[bytes];
            }
            encodeRow(x, xOffset, n, bufferScratch, 0);
            out.put(bufferScratch, 0, bytes);
        }
    }

    /** Encodes one block of type.blockSize() elements from x[xOffset] into type.typeSize() bytes at out[outOffset]. */
    abstract void encodeBlock(float[] x, int xOffset, byte[] out, int outOffset);
}
