package dev.hearth.kv;

/** How cached keys and values are stored: float32, float16, or ggml's Q8_0 (32 bytes plus an f16 scale per 32 values). */
public enum KvPrecision {
    F32,
    F16,
    Q8_0;

    /** Bytes that one row of {@code kvDim} values takes (keys or values alone). */
    public long bytesPerRow(int kvDim) {
        return switch (this) {
            case F32 -> 4L * kvDim;
            case F16 -> 2L * kvDim;
            case Q8_0 -> kvDim + 2L * (kvDim / 32);
        };
    }

    /** Bytes one cached key or value element takes on average: a row of one Q8_0 block (32 values) over 32. */
    public double bytesPerElement() {
        return bytesPerRow(32) / 32.0;
    }

    public static KvPrecision parse(String s) {
        return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> F32;
            case "f16" -> F16;
            case "q8_0", "q8" -> Q8_0;
            default -> throw new IllegalArgumentException("unknown KV cache type '" + s
                    + "' (expected f32, f16 or q8_0)");
        };
    }
}
