package dev.hearth.gpu;

import dev.hearth.kv.KvPrecision;

/**
 * One layer's keys and values on the device, in the pool's rows: F32, F16 (pairs of halves per word) or Q8_0 (four
 * quants per word, with one float scale per 32 values in keyScales / valueScales; null otherwise).
 */
record KvLayer(KvPrecision precision, GpuBuffer keys, GpuBuffer values, GpuBuffer keyScales, GpuBuffer valueScales) {

    /** A layer of {@code rows} pool rows of {@code kvDim} values. */
    static KvLayer allocate(VulkanContext ctx, KvPrecision precision, long rows, int kvDim, int layer) {
        long values = rows * kvDim;
        long bytes = switch (precision) {
            case F32 -> 4 * values;
            case F16 -> 2 * values;
            case Q8_0 -> values;
        };
        boolean q8 = precision == KvPrecision.Q8_0;
        return new KvLayer(precision, ctx.deviceBuffer(bytes, "keys of layer " + layer),
                ctx.deviceBuffer(bytes, "values of layer " + layer),
                q8 ? ctx.deviceBuffer(4 * (values / 32), "key scales of layer " + layer) : null,
                q8 ? ctx.deviceBuffer(4 * (values / 32), "value scales of layer " + layer) : null);
    }
}
