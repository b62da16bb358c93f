package dev.hearth.gpu;

import dev.hearth.device.DeviceUnavailableException;
import dev.hearth.gguf.GgmlType;
import dev.hearth.tensor.WeightMatrix;

/**
 * A weight matrix in device memory, in its file's GGML layout (the shaders dequantize it): {@code experts} matrices of
 * {@code rows x cols}, {@code expertBytes} apart.
 */
record GpuTensor(String name, GpuBuffer buffer, GgmlType type, int rows, int cols, long rowBytes, long expertBytes,
        int experts) {

    /** The shaders' code for a weight type ({@code dequant.glsl}); a clear refusal for a type they lack. */
    static int typeCode(GgmlType type, String tensor) throws DeviceUnavailableException {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case BF16 -> 2;
            case Q8_0 -> 3;
            case Q4_0 -> 4;
            case Q4_1 -> 5;
            case Q5_0 -> 6;
            case Q5_1 -> 7;
            case Q4_K -> 8;
            case Q5_K -> 9;
            case Q6_K -> 10;
            default -> throw new DeviceUnavailableException("tensor '" + tensor + "' has type " + type
                    + ", which the Vulkan shaders do not read yet");
        };
    }

    /**
     * Copies one matrix, or a layer's experts (one after the other), to the device; a single matrix in host memory the
     * device can import ({@link VulkanContext#importHost}) is read in place instead.
     */
    static GpuTensor upload(VulkanContext ctx, WeightMatrix... matrices) throws DeviceUnavailableException {
        WeightMatrix first = matrices[0];
        typeCode(first.type(), first.name());
        if (first.cols() % 32 != 0) {
            throw new DeviceUnavailableException("tensor '" + first.name() + "' has rows of " + first.cols()
                    + " values; the Vulkan shaders need a multiple of 32");
        }
        long expertBytes = first.rows() * first.rowBytes();
        // padded to 16 bytes: the decode kernels read whole 8-byte words, past the end of the 210-byte Q6_K blocks
        long padded = (expertBytes * matrices.length + 15) & ~15L;
        if (matrices.length == 1) {  // on unified memory, read in place from the mapped file where the device can
            GpuBuffer imported = ctx.importHost(first.data().asSlice(0, expertBytes), padded, first.name());
            if (imported != null) {
                return new GpuTensor(first.name(), imported, first.type(), first.rows(), first.cols(),
                        first.rowBytes(), expertBytes, 1);
            }
        }
        GpuBuffer buffer = ctx.deviceBuffer(padded, first.name());
        for (int e = 0; e < matrices.length; e++) {
            ctx.upload(buffer, matrices[e].data().asSlice(0, expertBytes), e * expertBytes);
        }
        return new GpuTensor(first.name(), buffer, first.type(), first.rows(), first.cols(), first.rowBytes(),
                expertBytes, matrices.length);
    }

    int code() {
        try {
            return typeCode(type, name);
        } catch (DeviceUnavailableException e) {
            throw new IllegalStateException(e);
        }
    }
}
