package dev.hearth.server.synth;

import dev.hearth.gguf.GgmlType;

/**
 * One tensor of a synthetic model: name, stored type, GGML shape (shape[0] contiguous) and how its values are made:
 * {@code fixed} values when not null, else mean + std * N(0, 1) per element.
 */
public record SynthTensor(String name, GgmlType type, long[] shape, float mean, float std, float[] fixed) {

    public static SynthTensor gaussian(String name, GgmlType type, float mean, float std, long... shape) {
        return new SynthTensor(name, type, shape, mean, std, null);
    }

    public static SynthTensor fixed(String name, float[] values) {
        return new SynthTensor(name, GgmlType.F32, new long[] {values.length}, 0, 0, values);
    }

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
}
