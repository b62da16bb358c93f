package dev.hearth.gpu;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import dev.hearth.device.DeviceUnavailableException;
import java.util.ArrayList;
import java.util.List;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkCommandBuffer;
import org.lwjgl.vulkan.VkCommandBufferAllocateInfo;
import org.lwjgl.vulkan.VkCommandBufferBeginInfo;
import org.lwjgl.vulkan.VkCommandPoolCreateInfo;
import org.lwjgl.vulkan.VkDevice;
import org.lwjgl.vulkan.VkDeviceCreateInfo;
import org.lwjgl.vulkan.VkDeviceQueueCreateInfo;
import org.lwjgl.vulkan.VkFenceCreateInfo;
import org.lwjgl.vulkan.VkPhysicalDevice;
import org.lwjgl.vulkan.VkPhysicalDeviceMemoryProperties;
import org.lwjgl.vulkan.VkPhysicalDeviceProperties;
import org.lwjgl.vulkan.VkQueue;
import org.lwjgl.vulkan.VkQueueFamilyProperties;
import org.lwjgl.vulkan.VkSubmitInfo;

/**
 * One logical device with a compute queue, one command buffer and a fence: what a loaded model's forward pass (or a
 * kernel test) runs on. Owns every buffer made through it; {@link #close()} waits for the device to go idle and
 * destroys pipelines, buffers, the pool, the fence and the device, in that order.
 */
final class VulkanContext implements AutoCloseable {
    final VkPhysicalDevice physical;
    final VkDevice device;
    final VkQueue queue;
    final long maxStorageBufferRange;
    final int maxWorkGroupsX;
    private final long commandPool;
    final VkCommandBuffer commands;
    private final long fence;
    private final VkPhysicalDeviceMemoryProperties memory;
    private final List<GpuBuffer> buffers = new ArrayList<>();
    private final List<AutoCloseable> pipelines = new ArrayList<>();
    /** Bytes of memory allocated for the buffers held now (staging excluded), and the most allowed (0: no limit). */
    private long allocatedBytes;
    private long memoryLimit;
    private boolean closed;

    VulkanContext(VulkanInstance vk, int index) throws DeviceUnavailableException {
        physical = vk.physicalDevices.get(index);
        if (!VulkanInstance.hasExtension(physical, VulkanInstance.PUSH_DESCRIPTOR)) {
            throw new DeviceUnavailableException("the driver lacks " + VulkanInstance.PUSH_DESCRIPTOR);
        }
        try (MemoryStack stack = stackPush()) {
            VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.calloc(stack);
            vkGetPhysicalDeviceProperties(physical, props);
            maxStorageBufferRange = Integer.toUnsignedLong(props.limits().maxStorageBufferRange());
            maxWorkGroupsX = props.limits().maxComputeWorkGroupCount(0);
            int family = computeQueueFamily(stack);
            VkDeviceQueueCreateInfo.Buffer queues = VkDeviceQueueCreateInfo.calloc(1, stack).sType$Default()
                    .queueFamilyIndex(family).pQueuePriorities(stack.floats(1f));
            PointerBuffer ext = stack.pointers(stack.UTF8(VulkanInstance.PUSH_DESCRIPTOR));
            VkDeviceCreateInfo ci = VkDeviceCreateInfo.calloc(stack).sType$Default().pQueueCreateInfos(queues)
                    .ppEnabledExtensionNames(ext);
            PointerBuffer p = stack.mallocPointer(1);
            int r = vkCreateDevice(physical, ci, null, p);
            if (r != VK_SUCCESS) {
                throw new DeviceUnavailableException("vkCreateDevice failed: " + Vk.name(r));
            }
            device = new VkDevice(p.get(0), physical, ci);
            vkGetDeviceQueue(device, family, 0, p);
            queue = new VkQueue(p.get(0), device);
            var lp = stack.mallocLong(1);
            Vk.check(vkCreateCommandPool(device, VkCommandPoolCreateInfo.calloc(stack).sType$Default()
                    .flags(VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT).queueFamilyIndex(family), null, lp),
                    "vkCreateCommandPool");
            commandPool = lp.get(0);
            Vk.check(vkAllocateCommandBuffers(device, VkCommandBufferAllocateInfo.calloc(stack).sType$Default()
                    .commandPool(commandPool).level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1), p),
                    "vkAllocateCommandBuffers");
            commands = new VkCommandBuffer(p.get(0), device);
            Vk.check(vkCreateFence(device, VkFenceCreateInfo.calloc(stack).sType$Default(), null, lp),
                    "vkCreateFence");
            fence = lp.get(0);
            memory = VkPhysicalDeviceMemoryProperties.calloc();
            vkGetPhysicalDeviceMemoryProperties(physical, memory);
        }
    }

    private int computeQueueFamily(MemoryStack stack) throws DeviceUnavailableException {
        var count = stack.mallocInt(1);
        vkGetPhysicalDeviceQueueFamilyProperties(physical, count, null);
        VkQueueFamilyProperties.Buffer families = VkQueueFamilyProperties.calloc(count.get(0), stack);
        vkGetPhysicalDeviceQueueFamilyProperties(physical, count, families);
        for (int i = 0; i < families.capacity(); i++) {
            if ((families.get(i).queueFlags() & VK_QUEUE_COMPUTE_BIT) != 0) {
                return i;
            }
        }
        throw new DeviceUnavailableException("the device has no compute queue");
    }

    /**
     * A memory type allowed by {@code allowed} with all of {@code required}, preferring one with all of
     * {@code preferred}; -1 when none.
     */
    int memoryType(int allowed, int required, int preferred) {
        int fallback = -1;
        for (int i = 0; i < memory.memoryTypeCount(); i++) {
            int flags = memory.memoryTypes(i).propertyFlags();
            if ((allowed & (1 << i)) == 0 || (flags & required) != required) {
                continue;
            }
            if ((flags & preferred) == preferred) {
                return i;
            }
            if (fallback < 0) {
                fallback = i;
            }
        }
        return fallback;
    }

    int memoryFlags(int type) {
        return memory.memoryTypes(type).propertyFlags();
    }

    /**
     * A buffer in the first device-local memory type (mapped too where that type is host-visible: integrated and
     * software devices). Not a preference for host-visible device memory: on a discrete card without resizable BAR
     * that heap is 256 MiB, so weights go through staging instead.
     */
    GpuBuffer deviceBuffer(long bytes, String what) {
        return track(GpuBuffer.create(this, bytes, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0, what, true));
    }

    /** A buffer the host writes or reads every step (always mapped). */
    GpuBuffer hostBuffer(long bytes, String what) {
        return track(GpuBuffer.create(this, bytes,
                VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                VK_MEMORY_PROPERTY_HOST_CACHED_BIT, what, true));
    }

    /**
     * A mapped buffer not counted against {@link #limitMemory}: staging for one upload (released right after it), or
     * logits rows beyond those the pass was opened for (asked only by tools that score every prompt row).
     */
    GpuBuffer uncountedHostBuffer(long bytes, String what) {
        return track(GpuBuffer.create(this, bytes,
                VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                VK_MEMORY_PROPERTY_HOST_CACHED_BIT, what, false));
    }

    /**
     * Caps what this context's buffers may allocate ({@code --gpu-memory}); 0 lifts the cap. An allocation over it
     * fails like one the device refuses.
     */
    void limitMemory(long bytes) {
        memoryLimit = bytes;
    }

    /** Memory allocated for the buffers held now (their allocations' sizes, staging excluded). */
    long allocatedBytes() {
        return allocatedBytes;
    }

    /** Called by {@link GpuBuffer#create} before it allocates a counted buffer; refuses one over the cap. */
    void reserve(long bytes, String what) {
        if (memoryLimit > 0 && allocatedBytes + bytes > memoryLimit) {
            throw new Vk.VulkanException(String.format(java.util.Locale.ROOT, "%s needs %.1f MiB more, over the"
                    + " --gpu-memory limit of %.2f GiB (%.2f GiB in use)", what, bytes / 1048576.0,
                    memoryLimit / (double) (1L << 30), allocatedBytes / (double) (1L << 30)));
        }
        allocatedBytes += bytes;
    }

    private GpuBuffer track(GpuBuffer b) {
        buffers.add(b);
        return b;
    }

    void release(GpuBuffer b) {
        if (buffers.remove(b)) {
            allocatedBytes -= b.counted ? b.allocationBytes : 0;
            b.destroy(device);
        }
    }

    void track(AutoCloseable pipeline) {
        pipelines.add(pipeline);
    }

    /** Starts recording the command buffer (after the previous submission finished). */
    void begin() {
        try (MemoryStack stack = stackPush()) {
            Vk.check(vkResetCommandBuffer(commands, 0), "vkResetCommandBuffer");
            Vk.check(vkBeginCommandBuffer(commands, VkCommandBufferBeginInfo.calloc(stack).sType$Default()
                    .flags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT)), "vkBeginCommandBuffer");
        }
    }

    /** Ends recording, submits and waits until the device has run everything. */
    void submitAndWait() {
        try (MemoryStack stack = stackPush()) {
            Vk.check(vkEndCommandBuffer(commands), "vkEndCommandBuffer");
            VkSubmitInfo submit = VkSubmitInfo.calloc(stack).sType$Default().pCommandBuffers(stack.pointers(commands));
            Vk.check(vkQueueSubmit(queue, submit, fence), "vkQueueSubmit");
            Vk.check(vkWaitForFences(device, stack.longs(fence), true, Long.MAX_VALUE), "vkWaitForFences");
            Vk.check(vkResetFences(device, stack.longs(fence)), "vkResetFences");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        vkDeviceWaitIdle(device);
        for (AutoCloseable p : pipelines.reversed()) {
            try {
                p.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        pipelines.clear();
        for (GpuBuffer b : buffers.reversed()) {
            b.destroy(device);
        }
        buffers.clear();
        vkDestroyFence(device, fence, null);
        vkDestroyCommandPool(device, commandPool, null);
        vkDestroyDevice(device, null);
        memory.free();
    }
}
