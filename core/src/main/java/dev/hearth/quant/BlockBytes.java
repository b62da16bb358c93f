package dev.hearth.quant;

/**
 * How a GGML block stores its numbers: little-endian shorts and ints, and IEEE halves (the d and dmin scales). Its
 * own file so that the encoders' shared parts ({@link KScales}) need not reach up to {@link BlockEncoder}.
 */
final class BlockBytes {
    private BlockBytes() {}

    static void putShort(byte[] out, int at, short v) {
        out[at] = (byte) v;
        out[at + 1] = (byte) (v >> 8);
    }

    static void putInt(byte[] out, int at, int v) {
        out[at] = (byte) v;
        out[at + 1] = (byte) (v >> 8);
        out[at + 2] = (byte) (v >> 16);
        out[at + 3] = (byte) (v >> 24);
    }

    /** IEEE half, round to nearest even, as GGML_FP32_TO_FP16. */
    static short fp16(float f) {
        return Float.floatToFloat16(f);
    }

    static float fp16ToFloat(short h) {
        return Float.float16ToFloat(h);
    }
}
