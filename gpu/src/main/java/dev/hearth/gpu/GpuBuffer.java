package dev.hearth.gpu;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkBufferCreateInfo;
import org.lwjgl.vulkan.VkDevice;
import org.lwjgl.vulkan.VkMemoryAllocateInfo;
import org.lwjgl.vulkan.VkMemoryRequirements;

/**
 * One storage buffer and its own memory allocation. {@link #mapped} is its bytes on the host where the memory is
 * host-visible (then uploads and reads are plain copies), else null and {@link #upload} goes through a staging
 * buffer.
 */
final class GpuBuffer {
    /** Staging uploads go in pieces of this many bytes. */
    private static final long STAGING_BYTES = 64L << 20;
    final long handle;
    final long memory;
    final long bytes;
    final MemorySegment mapped;
    final String what;
    /** The size of its memory allocation (the driver's, at least {@link #bytes}). */
    final long allocationBytes;
    /** Whether it counts against the context's memory limit (not a transient staging buffer). */
    final boolean counted;

    private GpuBuffer(long handle, long memory, long bytes, MemorySegment mapped, String what, long allocationBytes,
            boolean counted) {
        this.handle = handle;
        this.memory = memory;
        this.bytes = bytes;
        this.mapped = mapped;
        this.what = what;
        this.allocationBytes = allocationBytes;
        this.counted = counted;
    }

    static GpuBuffer create(VulkanContext ctx, long bytes, int required, int preferred, String what,
            boolean counted) {
        long size = Math.max(16, (bytes + 15) & ~15L);
        if (size > ctx.maxStorageBufferRange) {
            throw new Vk.VulkanException(what + " needs one buffer of " + size + " bytes, the device's storage buffers "
                    + "reach " + ctx.maxStorageBufferRange);
        }
        VkDevice device = ctx.device;
        try (MemoryStack stack = stackPush()) {
            var lp = stack.mallocLong(1);
            Vk.check(vkCreateBuffer(device, VkBufferCreateInfo.calloc(stack).sType$Default().size(size)
                    .usage(VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT
                            | VK_BUFFER_USAGE_TRANSFER_DST_BIT)
                    .sharingMode(VK_SHARING_MODE_EXCLUSIVE), null, lp), "vkCreateBuffer (" + what + ")");
            long buffer = lp.get(0);
            VkMemoryRequirements req = VkMemoryRequirements.calloc(stack);
            vkGetBufferMemoryRequirements(device, buffer, req);
            int type = ctx.memoryType(req.memoryTypeBits(), required, preferred);
            if (type < 0) {
                vkDestroyBuffer(device, buffer, null);
                throw new Vk.VulkanException("no memory type for " + what);
            }
            if (counted) {
                try {
                    ctx.reserve(req.size(), what);
                } catch (Vk.VulkanException e) {
                    vkDestroyBuffer(device, buffer, null);
                    throw e;
                }
            }
            int r = vkAllocateMemory(device, VkMemoryAllocateInfo.calloc(stack).sType$Default()
                    .allocationSize(req.size()).memoryTypeIndex(type), null, lp);
            if (r != VK_SUCCESS) {
                vkDestroyBuffer(device, buffer, null);
                if (counted) {
                    ctx.reserve(-req.size(), what);  // gives the reservation back
                }
                throw new Vk.VulkanException("allocating " + req.size() + " bytes for " + what + ": " + Vk.name(r));
            }
            long memory = lp.get(0);
            Vk.check(vkBindBufferMemory(device, buffer, memory, 0), "vkBindBufferMemory");
            MemorySegment mapped = null;
            if ((ctx.memoryFlags(type) & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0) {
                PointerBuffer pp = stack.mallocPointer(1);
                Vk.check(vkMapMemory(device, memory, 0, VK_WHOLE_SIZE, 0, pp), "vkMapMemory");
                mapped = MemorySegment.ofAddress(pp.get(0)).reinterpret(size);
            }
            return new GpuBuffer(buffer, memory, size, mapped, what, req.size(), counted);
        }
    }

    /** Copies {@code src} to this buffer at {@code offset} (directly, or through staging and a transfer). */
    void upload(VulkanContext ctx, MemorySegment src, long offset) {
        if (mapped != null) {
            ctx.exclusive(() -> MemorySegment.copy(src, 0, mapped, offset, src.byteSize()));
        } else {
            uploadStaged(ctx, src, offset);
        }
    }

    /** The upload of device-only memory: pieces through a host-visible buffer and a transfer each. */
    void uploadStaged(VulkanContext ctx, MemorySegment src, long offset) {
        GpuBuffer staging = ctx.uncountedHostBuffer(Math.min(STAGING_BYTES, src.byteSize()), "staging");
        try {
            for (long done = 0; done < src.byteSize(); done += staging.bytes) {
                long n = Math.min(staging.bytes, src.byteSize() - done);
                MemorySegment.copy(src, done, staging.mapped, 0, n);
                ctx.begin();
                ctx.copy(staging, 0, this, offset + done, n);
                ctx.submitAndWait();
            }
        } finally {
            ctx.release(staging);
        }
    }

    /**
     * Copies {@code dst.byteSize()} bytes of this buffer from {@code offset} into {@code dst}: a plain copy where the
     * memory is mapped, else through staging (device-local memory of a discrete card is not host-visible).
     */
    void download(VulkanContext ctx, MemorySegment dst, long offset) {
        if (mapped != null) {
            ctx.exclusive(() -> MemorySegment.copy(mapped, offset, dst, 0, dst.byteSize()));
        } else {
            downloadStaged(ctx, dst, offset);
        }
    }

    /** The read-back of device-only memory: a transfer into a host-visible buffer per piece, then a copy. */
    void downloadStaged(VulkanContext ctx, MemorySegment dst, long offset) {
        GpuBuffer staging = ctx.hostBuffer(Math.min(STAGING_BYTES, dst.byteSize()), "read-back staging");
        try {
            for (long done = 0; done < dst.byteSize(); done += staging.bytes) {
                long n = Math.min(staging.bytes, dst.byteSize() - done);
                long from = done;
                ctx.exclusive(() -> {
                    ctx.begin();
                    ctx.copy(this, offset + from, staging, 0, n);
                    ctx.submitAndWait();
                    MemorySegment.copy(staging.mapped, 0, dst, from, n);
                });
            }
        } finally {
            ctx.release(staging);
        }
    }

    void upload(VulkanContext ctx, float[] values) {
        upload(ctx, MemorySegment.ofArray(values), 0);
    }

    /** The host's view of a mapped buffer; fails for device-only memory (use {@link #upload}). */
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
