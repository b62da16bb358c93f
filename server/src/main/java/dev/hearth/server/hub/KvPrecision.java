package dev.hearth.server.hub;

import java.util.Locale;

/** Element type of the KV cache, with its size in bytes per element (Q8_0: 34 bytes per block of 32). */
public enum KvPrecision {
    F32(4.0),
    F16(2.0),
    Q8_0(34.0 / 32.0);

    private final double bytesPerElement;

    KvPrecision(double bytesPerElement) {
        this.bytesPerElement = bytesPerElement;
    }

    public double bytesPerElement() {
        return bytesPerElement;
    }

    public static KvPrecision parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new HubException("unknown KV cache type '" + text + "'; use f16, q8_0 or f32");
        }
    }
}
