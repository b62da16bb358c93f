package dev.hearth.gpu;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import dev.hearth.device.DeviceUnavailableException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.EXTExternalMemoryHost;
import org.lwjgl.vulkan.VkBufferCopy;
import org.lwjgl.vulkan.VkBufferCreateInfo;
import org.lwjgl.vulkan.VkCommandBuffer;
import org.lwjgl.vulkan.VkCommandBufferAllocateInfo;
import org.lwjgl.vulkan.VkCommandBufferBeginInfo;
import org.lwjgl.vulkan.VkCommandPoolCreateInfo;
import org.lwjgl.vulkan.VkDevice;
import org.lwjgl.vulkan.VkDeviceCreateInfo;
import org.lwjgl.vulkan.VkDeviceQueueCreateInfo;
import org.lwjgl.vulkan.VkExternalMemoryBufferCreateInfo;
import org.lwjgl.vulkan.VkFenceCreateInfo;
import org.lwjgl.vulkan.VkImportMemoryHostPointerInfoEXT;
import org.lwjgl.vulkan.VkMemoryAllocateInfo;
import org.lwjgl.vulkan.VkMemoryBarrier;
import org.lwjgl.vulkan.VkMemoryHostPointerPropertiesEXT;
import org.lwjgl.vulkan.VkMemoryRequirements;
import org.lwjgl.vulkan.VkPhysicalDevice;
import org.lwjgl.vulkan.VkPhysicalDeviceExternalMemoryHostPropertiesEXT;
import org.lwjgl.vulkan.VkPhysicalDeviceMemoryProperties;
import org.lwjgl.vulkan.VK11;
import org.lwjgl.vulkan.VkPhysicalDeviceProperties;
import org.lwjgl.vulkan.VkPhysicalDeviceProperties2;
import org.lwjgl.vulkan.VkPhysicalDeviceSubgroupProperties;
import org.lwjgl.vulkan.VkQueryPoolCreateInfo;
import org.lwjgl.vulkan.VkQueue;
import org.lwjgl.vulkan.VkQueueFamilyProperties;
import org.lwjgl.vulkan.VkSubmitInfo;

/**
 * One logical device with a compute queue, one command buffer and a fence: what a loaded model's forward pass (or a
 * kernel test) runs on. Makes and owns every buffer, and moves bytes between the host and them (staged where the
 * memory is device-only); {@link #close()} waits for the device to go idle and destroys pipelines, buffers, the pool,
 * the fence and the device, in that order.
 *
 * <p>Thread safety of the teardown: a recording ({@link #begin()} to {@link #submitAndWait()}) and any host access to
 * mapped memory ({@link #exclusive}) hold the context's lock; {@link #close()} takes the same lock, so it never
 * destroys the device under a submission in flight or a host read of mapped memory (the JVM's shutdown hook closes
 * contexts that their owners left open, from another thread: see {@link VulkanInstance}). Closing twice is a no-op;
 * work after close fails with an {@link IllegalStateException}, never touches freed memory.
 */
final class VulkanContext implements AutoCloseable, VulkanInstance.OpenContext {
    /** Staging uploads and read-backs go in pieces of this many bytes. */
    private static final long STAGING_BYTES = 64L << 20;
    final VkPhysicalDevice physical;
    final VkDevice device;
    final VkQueue queue;
    final long maxStorageBufferRange;
    final int maxWorkGroupsX;
    /** Shared memory a compute workgroup may declare, in bytes. */
    final int maxSharedMemory;
    /** Compute shaders may use subgroupAdd (GL_KHR_shader_subgroup_arithmetic); the subgroup size (0 unknown). */
    final boolean subgroupArithmetic;
    final int subgroupSize;
    /** Prompt and batch products may take matmm_coop.comp (see {@link CooperativeMatrix}). */
    final boolean cooperativeMatrix;
    /** Shaders may use GL_EXT_integer_dot_product (see {@link IntegerDotProduct}). */
    final boolean integerDot;
    /** Decode products take 8-bit activations where they have a kernel for it (see {@link IntegerDotProduct}). */
    final boolean q8Products;
    /**
     * Where weights may be read in place from host memory (VK_EXT_external_memory_host on a device of unified memory:
     * integrated or software), the host pointers' alignment; 0: every weight is copied to the device.
     * -Dhearth.gpu.import=off copies them everywhere.
     */
    final long hostImportAlignment;
    /** The device shares the host's memory (an integrated GPU or a software device such as lavapipe). */
    final boolean unifiedMemory;
    private final long minStorageOffset;
    private final long commandPool;
    /** The command buffer of one-time work (uploads, tests); forward steps record their own (see StepRecordings). */
    private final VkCommandBuffer commands;
    /** Where dispatches and copies are recorded now: {@link #commands} or a step's reusable buffer. */
    private VkCommandBuffer recordingInto;
    /** A dispatch or copy was recorded since the last barrier: the next one waits for it unless told otherwise. */
    private boolean barrierPending;
    private final long fence;
    private final VkPhysicalDeviceMemoryProperties memory;
    private final List<GpuBuffer> buffers = new ArrayList<>();
    private final List<AutoCloseable> pipelines = new ArrayList<>();
    /** Bytes of memory allocated for the buffers held now (staging excluded), and the most allowed (0: no limit). */
    private long allocatedBytes;
    private long memoryLimit;
    private long importedBytes;
    private final ReentrantLock use = new ReentrantLock();
    private final VulkanInstance vk;
    private volatile boolean closed;
    private boolean recording;
    /** The GPU profile's timestamps (0: not profiling): see {@link GpuProfile}. */
    private static final int PROFILE_QUERIES = 8192;
    private long queryPool;
    private double nsPerTick;
    private final String[] queryLabels = new String[PROFILE_QUERIES];
    private int queries;
    private int stepTokens;
    private long stepStartNs;
    private long[] stepTicks = new long[0];
    private int stepQueries;
    /** -Dhearth.gpu.profile=steps: one timestamp at each end of a step, its recording reused (see GpuProfile). */
    private final boolean stepsOnly = GpuProfile.stepsOnly();

    VulkanContext(VulkanInstance vk, int index) throws DeviceUnavailableException {
        this.vk = vk;
        physical = vk.physicalDevices.get(index);
        if (!VulkanInstance.hasExtension(physical, VulkanInstance.PUSH_DESCRIPTOR)) {
            throw new DeviceUnavailableException("the driver lacks " + VulkanInstance.PUSH_DESCRIPTOR);
        }
        try (MemoryStack stack = stackPush()) {
            VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.calloc(stack);
            vkGetPhysicalDeviceProperties(physical, props);
            maxStorageBufferRange = Integer.toUnsignedLong(props.limits().maxStorageBufferRange());
            maxWorkGroupsX = props.limits().maxComputeWorkGroupCount(0);
            maxSharedMemory = props.limits().maxComputeSharedMemorySize();
            VkPhysicalDeviceSubgroupProperties sub = VkPhysicalDeviceSubgroupProperties.calloc(stack).sType$Default();
            VK11.vkGetPhysicalDeviceProperties2(physical, VkPhysicalDeviceProperties2.calloc(stack).sType$Default()
                    .pNext(sub.address()));
            subgroupSize = sub.subgroupSize();
            subgroupArithmetic = (sub.supportedStages() & VK_SHADER_STAGE_COMPUTE_BIT) != 0
                    && (sub.supportedOperations() & VK11.VK_SUBGROUP_FEATURE_ARITHMETIC_BIT) != 0
                    && subgroupSize >= 4 && Integer.bitCount(subgroupSize) == 1;
            int family = computeQueueFamily(stack);
            VkDeviceQueueCreateInfo.Buffer queues = VkDeviceQueueCreateInfo.calloc(1, stack).sType$Default()
                    .queueFamilyIndex(family).pQueuePriorities(stack.floats(1f));
            cooperativeMatrix = CooperativeMatrix.supported(physical, subgroupSize);
            minStorageOffset = props.limits().minStorageBufferOffsetAlignment();
            unifiedMemory = VulkanInstance.unified(props.deviceType());
            hostImportAlignment = hostImportAlignment(stack, props.deviceType());
            integerDot = IntegerDotProduct.supported(physical);
            q8Products = integerDot && IntegerDotProduct.preferred(physical);
            List<String> extensions = new ArrayList<>(List.of(VulkanInstance.PUSH_DESCRIPTOR));
            if (hostImportAlignment > 0) {
                extensions.add(VulkanInstance.HOST_IMPORT);
            }
            long features = 0;
            if (cooperativeMatrix) {
                extensions.addAll(List.of(CooperativeMatrix.extensions()));
                features = CooperativeMatrix.enable(stack, features);
            }
            if (integerDot) {
                extensions.add(IntegerDotProduct.EXTENSION);
                features = IntegerDotProduct.enable(stack, features);
            }
            PointerBuffer names = stack.mallocPointer(extensions.size());
            for (String e : extensions) {
                names.put(stack.UTF8(e));
            }
            VkDeviceCreateInfo ci = VkDeviceCreateInfo.calloc(stack).sType$Default().pQueueCreateInfos(queues)
                    .ppEnabledExtensionNames(names.flip()).pNext(features);
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
            recordingInto = commands;
            Vk.check(vkCreateFence(device, VkFenceCreateInfo.calloc(stack).sType$Default(), null, lp),
                    "vkCreateFence");
            fence = lp.get(0);
            memory = VkPhysicalDeviceMemoryProperties.calloc();
            vkGetPhysicalDeviceMemoryProperties(physical, memory);
            if (GpuProfile.wanted() || GpuProfile.stepsOnly()) {
                if (props.limits().timestampComputeAndGraphics()) {
                    Vk.check(vkCreateQueryPool(device, VkQueryPoolCreateInfo.calloc(stack).sType$Default()
                            .queryType(VK_QUERY_TYPE_TIMESTAMP).queryCount(PROFILE_QUERIES), null, lp),
                            "vkCreateQueryPool");
                    queryPool = lp.get(0);
                    nsPerTick = props.limits().timestampPeriod();
                } else {
                    System.err.println("hearth: -Dhearth.gpu.profile: this device has no compute timestamps");
                }
            }
        }
        vk.opened(this);
    }

    /** The host pointer alignment of imports where this device may read weights in place (see the field), or 0. */
    private long hostImportAlignment(MemoryStack stack, int deviceType) {
        if (!VulkanInstance.importsHostMemory(physical, deviceType)) {
            return 0;
        }
        var host = VkPhysicalDeviceExternalMemoryHostPropertiesEXT.calloc(stack).sType$Default();
        VK11.vkGetPhysicalDeviceProperties2(physical, VkPhysicalDeviceProperties2.calloc(stack).sType$Default()
                .pNext(host.address()));
        long alignment = host.minImportedHostPointerAlignment();
        return alignment > 0 && Long.bitCount(alignment) == 1 ? alignment : 0;
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
        return track(allocate(bytes, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0, what, true));
    }

    /** As {@link #deviceBuffer}, not counted against {@link #limitMemory} (see {@link #uncountedHostBuffer}). */
    GpuBuffer uncountedDeviceBuffer(long bytes, String what) {
        return track(allocate(bytes, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0, what, false));
    }

    /** A buffer the host writes or reads every step (always mapped). */
    GpuBuffer hostBuffer(long bytes, String what) {
        return track(allocate(bytes,
                VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                VK_MEMORY_PROPERTY_HOST_CACHED_BIT, what, true));
    }

    /**
     * A mapped buffer not counted against {@link #limitMemory}: staging for one upload (released right after it), or
     * logits rows beyond those the pass was opened for (asked only by tools that score every prompt row).
     */
    GpuBuffer uncountedHostBuffer(long bytes, String what) {
        return track(allocate(bytes,
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

    /** Called by {@link #allocate} before it allocates a counted buffer; refuses one over the cap. */
    private void reserve(long bytes, String what) {
        if (memoryLimit > 0 && allocatedBytes + bytes > memoryLimit) {
            throw new Vk.VulkanException(String.format(java.util.Locale.ROOT, "%s needs %.1f MiB more, over the"
                    + " --gpu-memory limit of %.2f GiB (%.2f GiB in use)", what, bytes / 1048576.0,
                    memoryLimit / (double) (1L << 30), allocatedBytes / (double) (1L << 30)));
        }
        allocatedBytes += bytes;
    }

    /**
     * A new buffer of at least {@code bytes} (rounded up to 16) in a memory type with {@code required}, preferring
     * {@code preferred}; mapped where that memory is host-visible.
     */
    private GpuBuffer allocate(long bytes, int required, int preferred, String what, boolean counted) {
        long size = Math.max(16, (bytes + 15) & ~15L);
        if (size > maxStorageBufferRange) {
            throw new Vk.VulkanException(what + " needs one buffer of " + size + " bytes, the device's storage buffers "
                    + "reach " + maxStorageBufferRange);
        }
        try (MemoryStack stack = stackPush()) {
            var lp = stack.mallocLong(1);
            Vk.check(vkCreateBuffer(device, VkBufferCreateInfo.calloc(stack).sType$Default().size(size)
                    .usage(VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT
                            | VK_BUFFER_USAGE_TRANSFER_DST_BIT)
                    .sharingMode(VK_SHARING_MODE_EXCLUSIVE), null, lp), "vkCreateBuffer (" + what + ")");
            long buffer = lp.get(0);
            VkMemoryRequirements req = VkMemoryRequirements.calloc(stack);
            vkGetBufferMemoryRequirements(device, buffer, req);
            int type = memoryType(req.memoryTypeBits(), required, preferred);
            if (type < 0) {
                vkDestroyBuffer(device, buffer, null);
                throw new Vk.VulkanException("no memory type for " + what);
            }
            if (counted) {
                try {
                    reserve(req.size(), what);
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
                    reserve(-req.size(), what);  // gives the reservation back
                }
                throw new Vk.VulkanException("allocating " + req.size() + " bytes for " + what + ": " + Vk.name(r));
            }
            long bufferMemory = lp.get(0);
            Vk.check(vkBindBufferMemory(device, buffer, bufferMemory, 0), "vkBindBufferMemory");
            MemorySegment mapped = null;
            if ((memoryFlags(type) & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0) {
                PointerBuffer pp = stack.mallocPointer(1);
                Vk.check(vkMapMemory(device, bufferMemory, 0, VK_WHOLE_SIZE, 0, pp), "vkMapMemory");
                mapped = MemorySegment.ofAddress(pp.get(0)).reinterpret(size);
            }
            return new GpuBuffer(buffer, bufferMemory, size, mapped, what, req.size(), counted);
        }
    }

    /**
     * {@code data} read in place (no copy) where this device imports host memory ({@link #hostImportAlignment}): a
     * buffer over the whole pages that hold it, bound from the data's first byte; shaders may read {@code readBytes}
     * from there (the data and the padding the kernels read past its end, which must lie in its last page). Counted
     * against {@link #limitMemory} as a copy would be (what the device reads, as DeviceFootprint predicts; an
     * allocation over the cap fails the same way), though the memory is the host's: a mapped file's pages, shared
     * with the page cache. Null where it cannot be: no import here, heap or misaligned data, or a driver that refuses
     * the pointer; the caller copies instead.
     */
    GpuBuffer importHost(MemorySegment data, long readBytes, String what) {
        long a = hostImportAlignment;
        if (a == 0 || !data.isNative() || data.byteSize() == 0) {
            return null;
        }
        long address = data.address();
        long base = address & -a;
        long end = (address + data.byteSize() + a - 1) & -a;  // the pages holding the data: all mapped
        long offset = address - base;
        if (offset % minStorageOffset != 0 || address + readBytes > end || end - address > maxStorageBufferRange) {
            return null;
        }
        int handleType = EXTExternalMemoryHost.VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
        long counted = (readBytes + 15) & ~15L;
        reserve(counted, what);
        GpuBuffer imported = importPages(data, base, end, readBytes, offset, handleType, counted, what);
        if (imported == null) {
            reserve(-counted, what);  // gives the reservation back: the caller copies, and counts the copy
        }
        return imported;
    }

    private GpuBuffer importPages(MemorySegment data, long base, long end, long readBytes, long offset,
            int handleType, long counted, String what) {
        try (MemoryStack stack = stackPush()) {
            var pointer = VkMemoryHostPointerPropertiesEXT.calloc(stack).sType$Default();
            if (EXTExternalMemoryHost.vkGetMemoryHostPointerPropertiesEXT(device, handleType, base, pointer)
                    != VK_SUCCESS || pointer.memoryTypeBits() == 0) {
                return null;
            }
            var lp = stack.mallocLong(1);
            var external = VkExternalMemoryBufferCreateInfo.calloc(stack).sType$Default().handleTypes(handleType);
            if (vkCreateBuffer(device, VkBufferCreateInfo.calloc(stack).sType$Default().pNext(external.address())
                    .size(end - base).usage(VK_BUFFER_USAGE_STORAGE_BUFFER_BIT)
                    .sharingMode(VK_SHARING_MODE_EXCLUSIVE), null, lp) != VK_SUCCESS) {
                return null;
            }
            long buffer = lp.get(0);
            VkMemoryRequirements req = VkMemoryRequirements.calloc(stack);
            vkGetBufferMemoryRequirements(device, buffer, req);
            int type = memoryType(req.memoryTypeBits() & pointer.memoryTypeBits(), 0, 0);
            var imported = VkImportMemoryHostPointerInfoEXT.calloc(stack).sType$Default().handleType(handleType)
                    .pHostPointer(base);
            if (type < 0 || req.size() > end - base || vkAllocateMemory(device, VkMemoryAllocateInfo.calloc(stack)
                    .sType$Default().pNext(imported.address()).allocationSize(end - base).memoryTypeIndex(type),
                    null, lp) != VK_SUCCESS) {
                vkDestroyBuffer(device, buffer, null);
                return null;
            }
            long memory = lp.get(0);
            if (vkBindBufferMemory(device, buffer, memory, 0) != VK_SUCCESS) {
                vkDestroyBuffer(device, buffer, null);
                vkFreeMemory(device, memory, null);
                return null;
            }
            importedBytes += data.byteSize();
            return track(new GpuBuffer(buffer, memory, readBytes, offset, what, counted));
        }
    }

    /** Bytes of weights this context has read in place from host memory ({@link #importHost}), not copied. */
    long importedBytes() {
        return importedBytes;
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

    /** Copies {@code src} to {@code into} at {@code offset} (directly, or through staging and a transfer). */
    void upload(GpuBuffer into, MemorySegment src, long offset) {
        if (into.mapped != null) {
            exclusive(() -> MemorySegment.copy(src, 0, into.mapped, offset, src.byteSize()));
        } else {
            uploadStaged(into, src, offset);
        }
    }

    /** The upload to device-only memory: pieces through a host-visible buffer and a transfer each. */
    void uploadStaged(GpuBuffer into, MemorySegment src, long offset) {
        staged(src.byteSize(), "staging", (staging, done, n) -> {
            MemorySegment.copy(src, done, staging.mapped, 0, n);
            begin();
            copy(staging, 0, into, offset + done, n);
            submitAndWait();
        });
    }

    /** One piece of a staged transfer: {@code n} bytes at {@code done} of the whole, through {@code staging}. */
    private interface StagedPiece {
        void move(GpuBuffer staging, long done, long n);
    }

    /** Moves {@code bytes} in pieces through one host-visible buffer (not counted against the memory limit). */
    private void staged(long bytes, String what, StagedPiece piece) {
        GpuBuffer staging = uncountedHostBuffer(Math.min(STAGING_BYTES, bytes), what);
        try {
            for (long done = 0; done < bytes; done += staging.bytes) {
                piece.move(staging, done, Math.min(staging.bytes, bytes - done));
            }
        } finally {
            release(staging);
        }
    }

    /**
     * Copies {@code dst.byteSize()} bytes of {@code from} at {@code offset} into {@code dst}: a plain copy where the
     * memory is mapped, else through staging (device-local memory of a discrete card is not host-visible).
     */
    void download(GpuBuffer from, MemorySegment dst, long offset) {
        if (from.mapped != null) {
            exclusive(() -> MemorySegment.copy(from.mapped, offset, dst, 0, dst.byteSize()));
        } else {
            downloadStaged(from, dst, offset);
        }
    }

    /** The read-back of device-only memory: a transfer into a host-visible buffer per piece, then a copy. */
    void downloadStaged(GpuBuffer from, MemorySegment dst, long offset) {
        staged(dst.byteSize(), "read-back staging", (staging, done, n) -> exclusive(() -> {
            begin();
            copy(from, offset + done, staging, 0, n);
            submitAndWait();
            MemorySegment.copy(staging.mapped, 0, dst, done, n);
        }));
    }

    /**
     * Starts recording the one-time command buffer (after the previous submission finished) and holds the context
     * until {@link #submitAndWait()}. A recording this thread left open (its recording code threw) is started afresh.
     */
    void begin() {
        begin(commands, VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT);
    }

    /**
     * Starts recording {@code reusable} (from {@link #allocateCommandBuffer()}), to be submitted again and again by
     * {@link #submitRecorded}; {@link #submitAndWait()} ends the recording and runs it once.
     */
    void beginReusable(VkCommandBuffer reusable) {
        begin(reusable, 0);
    }

    private void begin(VkCommandBuffer into, int flags) {
        if (!(recording && use.isHeldByCurrentThread())) {
            use.lock();
        }
        try {
            checkOpen();
            recording = true;
            recordingInto = into;
            barrierPending = false;
            try (MemoryStack stack = stackPush()) {
                Vk.check(vkResetCommandBuffer(into, 0), "vkResetCommandBuffer");
                Vk.check(vkBeginCommandBuffer(into, VkCommandBufferBeginInfo.calloc(stack).sType$Default()
                        .flags(flags)), "vkBeginCommandBuffer");
            }
            queries = 0;
            if (queryPool != 0 && stepTokens > 0) {
                vkCmdResetQueryPool(into, queryPool, 0, stepsOnly ? 2 : PROFILE_QUERIES);
                writeTimestamp("(start)");
            }
        } catch (RuntimeException e) {
            recording = false;
            recordingInto = commands;
            use.unlock();
            throw e;
        }
    }

    /** The command buffer being recorded (between begin and submitAndWait). */
    VkCommandBuffer recording() {
        if (!recording) {
            throw new IllegalStateException("nothing is being recorded");
        }
        return recordingInto;
    }

    /**
     * Before a dispatch or copy: a barrier when something was recorded since the last one (every write before it
     * made visible to every later read), then marks this command as one the next must wait for.
     */
    void beforeCommand() {
        if (barrierPending) {
            barrier(recordingInto);
        }
        barrierPending = true;
    }

    /** The next command does not read or write what the commands since the last barrier write: no barrier before it. */
    void skipBarrier() {
        barrierPending = false;
    }

    /** The next command waits for every command before it, even after {@link #skipBarrier}. */
    void keepBarrier() {
        barrierPending = true;
    }

    private static void barrier(VkCommandBuffer cmd) {
        try (MemoryStack stack = stackPush()) {
            VkMemoryBarrier.Buffer barrier = VkMemoryBarrier.calloc(1, stack).sType$Default()
                    .srcAccessMask(VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT)
                    .dstAccessMask(VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT
                            | VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT);
            vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                    0, barrier, null, null);
        }
    }

    /** Records a transfer of {@code bytes} from src at srcOffset to dst at dstOffset (after a barrier if needed). */
    void copy(GpuBuffer src, long srcOffset, GpuBuffer dst, long dstOffset, long bytes) {
        beforeCommand();
        try (MemoryStack stack = stackPush()) {
            vkCmdCopyBuffer(recording(), src.handle, dst.handle,
                    VkBufferCopy.calloc(1, stack).srcOffset(srcOffset).dstOffset(dstOffset).size(bytes));
        }
    }

    /** A fresh command buffer from this context's pool, for {@link #beginReusable}; give it back with free. */
    VkCommandBuffer allocateCommandBuffer() {
        checkOpen();
        try (MemoryStack stack = stackPush()) {
            PointerBuffer p = stack.mallocPointer(1);
            Vk.check(vkAllocateCommandBuffers(device, VkCommandBufferAllocateInfo.calloc(stack).sType$Default()
                    .commandPool(commandPool).level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1), p),
                    "vkAllocateCommandBuffers");
            return new VkCommandBuffer(p.get(0), device);
        }
    }

    void freeCommandBuffer(VkCommandBuffer cb) {
        if (!closed) {
            vkFreeCommandBuffers(device, commandPool, cb);
        }
    }

    /** Ends recording, submits and waits until the device has run everything; releases the hold of begin. */
    void submitAndWait() {
        if (!(recording && use.isHeldByCurrentThread())) {
            throw new IllegalStateException("submitAndWait without begin on this thread");
        }
        try {
            if (barrierPending) {
                barrier(recordingInto);  // the host reads what the last commands wrote
                barrierPending = false;
            }
            if (stepsOnly && queries == 1) {
                writeTimestamp("(step)");
            }
            Vk.check(vkEndCommandBuffer(recordingInto), "vkEndCommandBuffer");
            submit(recordingInto);
            readTimestamps(queries);
            queries = 0;
        } finally {
            recording = false;
            recordingInto = commands;
            use.unlock();
        }
    }

    /** Runs a command buffer recorded earlier (beginReusable, then submitAndWait) once more, and waits for it. */
    void submitRecorded(VkCommandBuffer recorded) {
        exclusive(() -> {
            submit(recorded);
            if (stepsOnly && stepTokens > 0) {
                readTimestamps(2);  // a step's recording holds its two timestamps
            }
        });
    }

    private void readTimestamps(int count) {
        if (count > 1) {
            long[] ticks = new long[count];
            Vk.check(vkGetQueryPoolResults(device, queryPool, 0, count, ticks, Long.BYTES,
                    VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT), "vkGetQueryPoolResults");
            stepTicks = ticks;
            stepQueries = count;
        }
    }

    private void submit(VkCommandBuffer cb) {
        try (MemoryStack stack = stackPush()) {
            VkSubmitInfo submit = VkSubmitInfo.calloc(stack).sType$Default().pCommandBuffers(stack.pointers(cb));
            Vk.check(vkQueueSubmit(queue, submit, fence), "vkQueueSubmit");
            Vk.check(vkWaitForFences(device, stack.longs(fence), true, Long.MAX_VALUE), "vkWaitForFences");
            Vk.check(vkResetFences(device, stack.longs(fence)), "vkResetFences");
        }
    }

    /** Whether forward steps are being profiled (then each is recorded afresh, with its timestamps). */
    boolean profiling() {
        return queryPool != 0 && !stepsOnly;
    }

    /** Under the GPU profile: a timestamp after the dispatch just recorded (the barrier behind it serializes). */
    void timestamp(String label) {
        if (!stepsOnly) {
            writeTimestamp(label);
        }
    }

    private void writeTimestamp(String label) {
        if (queryPool != 0 && stepTokens > 0 && recording && queries < PROFILE_QUERIES) {
            vkCmdWriteTimestamp(recordingInto, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queryPool, queries);
            queryLabels[queries++] = label;
        }
    }

    /** A forward step of {@code tokens} starts (its uploads included): profiled when the profile is on. */
    void stepStarted(int tokens) {
        if (queryPool != 0) {
            stepTokens = tokens;
            stepStartNs = System.nanoTime();
            stepQueries = 0;
            GpuProfile.stepStarted(tokens, stepStartNs);
        }
    }

    /** The step's logits are read back: its kernel times and host wall time go to the profile. */
    void stepEnded() {
        if (queryPool != 0 && stepTokens > 0) {
            if (stepQueries > 1) {
                GpuProfile.record(stepTokens, queryLabels, stepTicks, stepQueries, nsPerTick,
                        System.nanoTime() - stepStartNs);
            }
            stepTokens = 0;
        }
    }

    /**
     * Runs {@code work} holding the context: host writes and reads of mapped buffers around a submission, so that a
     * close from another thread (the shutdown hook) waits for them. Re-entrant with begin/submitAndWait.
     */
    <T> T exclusive(Supplier<T> work) {
        use.lock();
        try {
            checkOpen();
            return work.get();
        } finally {
            use.unlock();
        }
    }

    void exclusive(Runnable work) {
        exclusive(() -> {
            work.run();
            return null;
        });
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the Vulkan device was closed (model closed or the process is exiting)");
        }
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        close(Long.MAX_VALUE);
    }

    /**
     * Closes after the work in flight ends, waiting at most {@code waitMillis} for it; false when that work did not
     * end in time (the device is then left as it is: a leak at exit beats destroying it under a running submission).
     */
    @Override
    public boolean close(long waitMillis) {
        try {
            if (!use.tryLock(waitMillis, TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            if (closed) {
                return true;
            }
            closed = true;
            destroy();
            return true;
        } finally {
            vk.closed(this);
            use.unlock();
        }
    }

    private void destroy() {
        vkDeviceWaitIdle(device);
        for (AutoCloseable p : pipelines.reversed()) {
            try {
                p.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        pipelines.clear();
        if (queryPool != 0) {
            vkDestroyQueryPool(device, queryPool, null);
            queryPool = 0;
        }
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
