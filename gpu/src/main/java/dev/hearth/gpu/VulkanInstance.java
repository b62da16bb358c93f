package dev.hearth.gpu;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import dev.hearth.device.DeviceInfo;
import dev.hearth.device.DeviceType;
import dev.hearth.device.DeviceUnavailableException;
import dev.hearth.device.ProcessExit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VK11;
import org.lwjgl.vulkan.VK12;
import org.lwjgl.vulkan.VkApplicationInfo;
import org.lwjgl.vulkan.VkExtensionProperties;
import org.lwjgl.vulkan.VkInstance;
import org.lwjgl.vulkan.VkInstanceCreateInfo;
import org.lwjgl.vulkan.VkPhysicalDevice;
import org.lwjgl.vulkan.VkPhysicalDeviceDriverProperties;
import org.lwjgl.vulkan.VkPhysicalDeviceMemoryProperties;
import org.lwjgl.vulkan.VkPhysicalDeviceProperties;
import org.lwjgl.vulkan.VkPhysicalDeviceProperties2;

/**
 * The process's one Vulkan instance and its physical devices, made on first use, and the contexts (logical devices)
 * open on it. A JVM shutdown hook ends them in order before the process exits: each open context after the work in
 * flight on it (see {@link VulkanContext#close(long)}), then the instance. Without it the NVIDIA driver's own
 * exit-time teardown ran over live devices and crashed the JVM at exit (SIGSEGV in libEGL_nvidia). That was not
 * enough: the NVIDIA proprietary driver also crashes in its own library destructors during libc's exit, so on it
 * (or with {@code -Dhearth.vulkan.quickExit=true}) the process ends through {@link ProcessExit}'s quick exit instead:
 * contexts closed, instance left alive, {@code _exit}.
 */
final class VulkanInstance {
    static final String PUSH_DESCRIPTOR = "VK_KHR_push_descriptor";
    /** Host memory imported as device memory: weights read in place from the mapped file on unified memory. */
    static final String HOST_IMPORT = "VK_EXT_external_memory_host";

    /**
     * A context (logical device) open on the instance, as the shutdown closes it: {@link VulkanContext} is the one.
     * The instance knows contexts only through this, so that it stays below them.
     */
    interface OpenContext {
        /** Closes after the work in flight, waiting at most {@code waitMillis}; false when that did not end in time. */
        boolean close(long waitMillis);
    }

    /** How long the shutdown hook waits for a submission in flight on each context. */
    private static final long SHUTDOWN_WAIT_MILLIS = 20_000;
    private static VulkanInstance shared;
    private static DeviceUnavailableException failure;
    private final Set<OpenContext> open = new LinkedHashSet<>();
    private boolean destroyed;

    final VkInstance instance;
    final List<VkPhysicalDevice> physicalDevices;
    final List<DeviceInfo> infos;

    /** Whether a device runs on NVIDIA's proprietary driver, which crashes in its destructors at exit. */
    final boolean nvidia;

    private VulkanInstance(VkInstance instance, List<VkPhysicalDevice> physical, List<DeviceInfo> infos,
            boolean nvidia) {
        this.instance = instance;
        this.physicalDevices = physical;
        this.infos = infos;
        this.nvidia = nvidia;
    }

    /** {@code -Dhearth.vulkan.quickExit=true|false} forces it; by default on NVIDIA's proprietary driver only. */
    static boolean quickExitWanted(boolean nvidia) {
        String forced = System.getProperty("hearth.vulkan.quickExit");
        return forced == null || forced.isBlank() ? nvidia : Boolean.parseBoolean(forced.strip());
    }

    /**
     * The quick exit (see {@link ProcessExit}): each open context after its work in flight, then the output
     * flushed and libc's {@code _exit}, leaving the instance and the driver loaded so that no driver destructor runs.
     */
    private void quickExit(int status) {
        synchronized (VulkanInstance.class) {
            failure = new DeviceUnavailableException("the process is exiting: Vulkan is shut down");
            shared = null;
        }
        List<OpenContext> left;
        synchronized (this) {
            destroyed = true;  // no new context; the instance itself is never destroyed
            left = new ArrayList<>(open);
        }
        boolean all = true;
        for (OpenContext ctx : left.reversed()) {
            all &= ctx.close(SHUTDOWN_WAIT_MILLIS);
        }
        if (!all) {
            System.err.println("hearth: a Vulkan device was still busy at exit; left to the driver");
        }
        NativeExit.now(status);
    }

    /** The instance, or the one-line reason there is none (remembered: a missing loader does not come back). */
    static synchronized VulkanInstance get() throws DeviceUnavailableException {
        if (shared != null) {
            return shared;
        }
        if (failure != null) {
            throw failure;
        }
        try {
            shared = create();
            VulkanInstance made = shared;
            if (quickExitWanted(made.nvidia)) {
                ExitSignals.watch();
                ProcessExit.installQuickExit(made::quickExit);
            } else {
                Runtime.getRuntime().addShutdownHook(new Thread(made::shutdown, "hearth-vulkan-shutdown"));
            }
            return shared;
        } catch (DeviceUnavailableException e) {
            failure = e;
            throw e;
        } catch (LinkageError | RuntimeException e) {
            // LWJGL throws these when libvulkan.so.1 is missing or a driver's entry points fail to load
            failure = new DeviceUnavailableException("no usable Vulkan loader (" + firstLine(e)
                    + "); install libvulkan1 and a driver such as mesa-vulkan-drivers", e);
            throw failure;
        }
    }

    synchronized void opened(OpenContext ctx) {
        if (destroyed) {
            throw new IllegalStateException("the Vulkan instance is shut down (the process is exiting)");
        }
        open.add(ctx);
    }

    synchronized void closed(OpenContext ctx) {
        open.remove(ctx);
    }

    synchronized int openContexts() {
        return open.size();
    }

    /**
     * Closes every context still open (each after its work in flight), then destroys the instance; the instance
     * stays when a context could not be closed (a device left live must not lose its instance). Idempotent.
     */
    void shutdown() {
        List<OpenContext> left;
        synchronized (VulkanInstance.class) {
            failure = new DeviceUnavailableException("the process is exiting: Vulkan is shut down");
            shared = null;
        }
        synchronized (this) {
            if (destroyed) {
                return;
            }
            left = new ArrayList<>(open);
        }
        boolean all = true;
        for (OpenContext ctx : left.reversed()) {
            all &= ctx.close(SHUTDOWN_WAIT_MILLIS);
        }
        synchronized (this) {
            if (!all || !open.isEmpty() || destroyed) {
                if (!all) {
                    System.err.println("hearth: a Vulkan device was still busy at exit; left to the driver");
                }
                return;
            }
            destroyed = true;
            vkDestroyInstance(instance, null);
        }
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static VulkanInstance create() throws DeviceUnavailableException {
        try (MemoryStack stack = stackPush()) {
            VkApplicationInfo app = VkApplicationInfo.calloc(stack).sType$Default()
                    .pApplicationName(stack.UTF8("hearth")).pEngineName(stack.UTF8("hearth"))
                    .apiVersion(VK11.VK_API_VERSION_1_1);
            VkInstanceCreateInfo ci = VkInstanceCreateInfo.calloc(stack).sType$Default().pApplicationInfo(app);
            PointerBuffer p = stack.mallocPointer(1);
            int r = vkCreateInstance(ci, null, p);
            if (r != VK_SUCCESS) {
                throw new DeviceUnavailableException("vkCreateInstance failed: " + Vk.name(r)
                        + (r == VK_ERROR_INCOMPATIBLE_DRIVER ? " (no Vulkan driver installed)" : ""));
            }
            VkInstance instance = new VkInstance(p.get(0), ci);
            var count = stack.mallocInt(1);
            Vk.check(vkEnumeratePhysicalDevices(instance, count, null), "vkEnumeratePhysicalDevices");
            if (count.get(0) == 0) {
                vkDestroyInstance(instance, null);
                throw new DeviceUnavailableException("the Vulkan loader found no device");
            }
            PointerBuffer handles = stack.mallocPointer(count.get(0));
            Vk.check(vkEnumeratePhysicalDevices(instance, count, handles), "vkEnumeratePhysicalDevices");
            List<VkPhysicalDevice> physical = new ArrayList<>();
            List<DeviceInfo> infos = new ArrayList<>();
            for (int i = 0; i < count.get(0); i++) {
                VkPhysicalDevice pd = new VkPhysicalDevice(handles.get(i), instance);
                physical.add(pd);
                infos.add(describe(pd, i));
            }
            return new VulkanInstance(instance, List.copyOf(physical), List.copyOf(infos),
                    physical.stream().anyMatch(VulkanInstance::isNvidiaProprietary));
        }
    }

    private static boolean isNvidiaProprietary(VkPhysicalDevice pd) {
        try (MemoryStack stack = stackPush()) {
            VkPhysicalDeviceDriverProperties driver = VkPhysicalDeviceDriverProperties.calloc(stack).sType$Default();
            VkPhysicalDeviceProperties2 p2 = VkPhysicalDeviceProperties2.calloc(stack).sType$Default()
                    .pNext(driver.address());
            VK11.vkGetPhysicalDeviceProperties2(pd, p2);
            return driver.driverID() == VK12.VK_DRIVER_ID_NVIDIA_PROPRIETARY;
        }
    }

    private static DeviceInfo describe(VkPhysicalDevice pd, int index) {
        try (MemoryStack stack = stackPush()) {
            VkPhysicalDeviceDriverProperties driver = VkPhysicalDeviceDriverProperties.calloc(stack).sType$Default();
            VkPhysicalDeviceProperties2 p2 = VkPhysicalDeviceProperties2.calloc(stack).sType$Default()
                    .pNext(driver.address());
            VK11.vkGetPhysicalDeviceProperties2(pd, p2);
            VkPhysicalDeviceProperties props = p2.properties();
            DeviceType type = switch (props.deviceType()) {
                case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU -> DeviceType.DISCRETE;
                case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU -> DeviceType.INTEGRATED;
                case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU -> DeviceType.VIRTUAL;
                case VK_PHYSICAL_DEVICE_TYPE_CPU -> DeviceType.CPU;
                default -> DeviceType.OTHER;
            };
            VkPhysicalDeviceMemoryProperties mem = VkPhysicalDeviceMemoryProperties.calloc(stack);
            vkGetPhysicalDeviceMemoryProperties(pd, mem);
            long deviceLocal = 0;
            for (int h = 0; h < mem.memoryHeapCount(); h++) {
                if ((mem.memoryHeaps(h).flags() & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) != 0) {
                    deviceLocal = Math.max(deviceLocal, mem.memoryHeaps(h).size());
                }
            }
            boolean unified = type == DeviceType.INTEGRATED || type == DeviceType.CPU;
            boolean coop = hasExtension(pd, "VK_KHR_cooperative_matrix") || hasExtension(pd, "VK_NV_cooperative_matrix");
            String driverLine = driver.driverNameString() + " " + driver.driverInfoString();
            return new DeviceInfo("vulkan", index, props.deviceNameString(), type, deviceLocal, unified, coop,
                    importsHostMemory(pd, props.deviceType()), driverLine.strip());
        }
    }

    /**
     * Whether weights are read in place from host memory on this device: unified memory (an integrated or software
     * device) whose driver imports host pointers ({@link #HOST_IMPORT}), unless -Dhearth.gpu.import=off. The one
     * decision the device listing and the context both take.
     */
    static boolean importsHostMemory(VkPhysicalDevice pd, int deviceType) {
        return unified(deviceType) && !"off".equals(System.getProperty("hearth.gpu.import")) && hasExtension(pd, HOST_IMPORT);
    }

    /** Whether a device of this type shares the host's memory (integrated GPUs, software devices). */
    static boolean unified(int deviceType) {
        return deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU || deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    }

    static boolean hasExtension(VkPhysicalDevice pd, String name) {
        try (MemoryStack stack = stackPush()) {
            var count = stack.mallocInt(1);
            vkEnumerateDeviceExtensionProperties(pd, (String) null, count, null);
            VkExtensionProperties.Buffer ext = VkExtensionProperties.malloc(count.get(0), stack);
            vkEnumerateDeviceExtensionProperties(pd, (String) null, count, ext);
            for (int i = 0; i < ext.capacity(); i++) {
                if (ext.get(i).extensionNameString().equals(name)) {
                    return true;
                }
            }
            return false;
        }
    }
}
