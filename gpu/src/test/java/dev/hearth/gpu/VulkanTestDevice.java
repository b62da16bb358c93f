package dev.hearth.gpu;

import dev.hearth.device.ComputeBackend;
import dev.hearth.device.ComputeDevice;
import dev.hearth.device.ComputeDevices;
import dev.hearth.device.DeviceUnavailableException;

/**
 * The Vulkan device the tests run on, found as the engine finds it (ServiceLoader). No device is a failure, not a
 * skip: CI installs lavapipe (mesa-vulkan-drivers) for exactly these tests.
 */
public final class VulkanTestDevice {
    private VulkanTestDevice() {
    }

    public static ComputeDevice first() {
        ComputeBackend vulkan = ComputeDevices.backends().stream().filter(b -> b.name().equals("vulkan")).findFirst()
                .orElseThrow(() -> new AssertionError("the Vulkan backend is not on the class path"));
        try {
            return vulkan.devices().getFirst();
        } catch (DeviceUnavailableException e) {
            throw new AssertionError("no Vulkan device: " + e.getMessage()
                    + " (apt-get install mesa-vulkan-drivers libvulkan1)", e);
        }
    }

    /** Device memory a Vulkan pass's buffers hold now (what {@code --gpu-memory} limits). */
    public static long allocatedBytes(dev.hearth.model.LayerRangePass pass) {
        return ((VulkanForwardPass) pass).allocatedBytes();
    }

    /** Whether a Vulkan pass's decode products take 8-bit activations (-Dhearth.gpu.q8). */
    public static boolean takesEightBitActivations(dev.hearth.model.LayerRangePass pass) {
        return ((VulkanForwardPass) pass).q8Products();
    }

    /** Whether a Vulkan pass's single-row decode steps chain their 8-bit products through run tails (RunTail). */
    public static boolean chainsRunTails(dev.hearth.model.LayerRangePass pass) {
        return ((VulkanForwardPass) pass).chainsRunTails(1);
    }
}
