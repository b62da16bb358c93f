package dev.hearth.kv;

/** How cached keys and values are stored. */
public enum KvPrecision {
    F32,
    F16;

    public static KvPrecision parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> F32;
            case "f16" -> F16;
            default -> throw new IllegalArgumentException("unknown KV cache precision '" + s + "' (expected f32 or f16)");
        };
    }
}
