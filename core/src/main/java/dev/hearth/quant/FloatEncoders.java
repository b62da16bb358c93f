package dev.hearth.quant;

import static dev.hearth.quant.BlockBytes.putInt;
import static dev.hearth.quant.BlockBytes.putShort;

import dev.hearth.gguf.GgmlType;
import dev.hearth.kernel.Float16;

/** The plain float "encoders": F32 copied, F16 and BF16 rounded to nearest even (one element per block). */
final class FloatEncoders {
    private FloatEncoders() {}

    static final class F32 extends BlockEncoder {
        F32() {
            super(GgmlType.F32);
        }

        @Override
        void encodeBlock(float[] x, int xOffset, byte[] out, int outOffset) {
            putInt(out, outOffset, Float.floatToRawIntBits(x[xOffset]));
        }
    }

    static final class F16 extends BlockEncoder {
        F16() {
            super(GgmlType.F16);
        }

        @Override
        void encodeBlock(float[] x, int xOffset, byte[] out, int outOffset) {
            putShort(out, outOffset, Float16.fromFloat(x[xOffset]));
        }
    }

    static final class BF16 extends BlockEncoder {
        BF16() {
            super(GgmlType.BF16);
        }

        @Override
        void encodeBlock(float[] x, int xOffset, byte[] out, int outOffset) {
            putShort(out, outOffset, Float16.floatToBf16(x[xOffset]));
        }
    }
}
