package dev.hearth.gpu;

import dev.hearth.device.DeviceFootprint;

/**
 * A decode product's input as 8-bit activations (quantize_q8.comp): per row of cols values, cols signed bytes packed
 * four to a word ({@code values}) and a float scale per run of 32 ({@code scales}). Sized for up to
 * {@link DeviceFootprint#QUANTIZED_INPUT_ROWS} rows of the widest product input.
 */
record QuantizedInput(GpuBuffer values, GpuBuffer scales) {
    static QuantizedInput allocate(VulkanContext ctx, long rows, long widest) {
        return new QuantizedInput(ctx.deviceBuffer(rows * widest, "8-bit input"),
                ctx.deviceBuffer(4 * rows * (widest / 32), "8-bit input scales"));
    }
}
