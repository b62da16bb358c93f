package dev.hearth.gpu;

import static org.lwjgl.vulkan.VK10.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.lwjgl.vulkan.VkDevice;

/**
 * One storage buffer and its own memory allocation, made and owned by a {@link VulkanContext} (which also moves bytes
 * in and out: {@link VulkanContext#upload}, {@link VulkanContext#download}). {@link #mapped} is its bytes on the host
 * where the memory is host-visible (then uploads and reads are plain copies), else null and uploads go through a
 * staging buffer.
 */
final class GpuBuffer {
    final long handle;
    final long memory;
    final long bytes;
    final MemorySegment mapped;
    final String what;
    /** The size of its memory allocation (the driver's, at least {@link #bytes}). */
    final long allocationBytes;
    /** Whether it counts against the context's memory limit (not a transient staging buffer). */
    final boolean counted;

    /** Where the shaders' view of it starts (bytes into the buffer): 0 but for imported host memory. */
    final long offset;

    GpuBuffer(long handle, long memory, long bytes, MemorySegment mapped, String what, long allocationBytes,
            boolean counted) {
        this(handle, memory, bytes, mapped, what, allocationBytes, counted, 0);
    }

    /** A buffer over imported host memory ({@link VulkanContext#importHost}), read from {@code offset}. */
    GpuBuffer(long handle, long memory, long bytes, long offset, String what, long countedBytes) {
        this(handle, memory, bytes, null, what, countedBytes, true, offset);
    }

    private GpuBuffer(long handle, long memory, long bytes, MemorySegment mapped, String what, long allocationBytes,
            boolean counted, long offset) {
        this.offset = offset;
        this.handle = handle;
        this.memory = memory;
        this.bytes = bytes;
        this.mapped = mapped;
        this.what = what;
        this.allocationBytes = allocationBytes;
        this.counted = counted;
    }

    /** The host's view of a mapped buffer; fails for device-only memory (use {@link VulkanContext#upload}). */
    MemorySegment host() {
        if (mapped == null) {
            throw new IllegalStateException(what + " is not host-visible");
        }
        return mapped;
    }

    void write(int[] values, int count) {
        MemorySegment.copy(values, 0, host(), ValueLayout.JAVA_INT, 0, count);
    }

    void write(float[] values, int from, long offsetBytes, int count) {
        MemorySegment.copy(values, from, host(), ValueLayout.JAVA_FLOAT, offsetBytes, count);
    }

    void read(float[] into, int count) {
        MemorySegment.copy(host(), ValueLayout.JAVA_FLOAT, 0, into, 0, count);
    }

    void destroy(VkDevice device) {
        if (mapped != null) {
            vkUnmapMemory(device, memory);
        }
        vkDestroyBuffer(device, handle, null);
        vkFreeMemory(device, memory, null);
    }
}
