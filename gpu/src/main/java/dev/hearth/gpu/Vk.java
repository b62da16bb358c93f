package dev.hearth.gpu;

import static org.lwjgl.vulkan.VK10.*;

/** Vulkan result codes to exceptions that name the call. */
final class Vk {
    private Vk() {
    }

    static void check(int result, String call) {
        if (result != VK_SUCCESS) {
            throw new VulkanException(call + " failed: " + name(result));
        }
    }

    static String name(int result) {
        return switch (result) {
            case VK_ERROR_OUT_OF_HOST_MEMORY -> "out of host memory";
            case VK_ERROR_OUT_OF_DEVICE_MEMORY -> "out of device memory";
            case VK_ERROR_INITIALIZATION_FAILED -> "initialization failed";
            case VK_ERROR_DEVICE_LOST -> "device lost";
            case VK_ERROR_EXTENSION_NOT_PRESENT -> "extension not present";
            case VK_ERROR_FEATURE_NOT_PRESENT -> "feature not present";
            case VK_ERROR_INCOMPATIBLE_DRIVER -> "incompatible driver";
            case VK_ERROR_TOO_MANY_OBJECTS -> "too many objects";
            case VK_TIMEOUT -> "timeout";
            default -> "VkResult " + result;
        };
    }

    /** A Vulkan call failed at run time (device lost, out of memory): one line naming the call. */
    static final class VulkanException extends RuntimeException {
        VulkanException(String message) {
            super(message);
        }
    }
}
