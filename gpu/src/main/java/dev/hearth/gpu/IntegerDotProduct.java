package dev.hearth.gpu;

import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.KHRShaderIntegerDotProduct;
import org.lwjgl.vulkan.VK11;
import org.lwjgl.vulkan.VkPhysicalDevice;
import org.lwjgl.vulkan.VkPhysicalDeviceFeatures2;
import org.lwjgl.vulkan.VkPhysicalDeviceProperties2;
import org.lwjgl.vulkan.VkPhysicalDeviceShaderIntegerDotProductFeaturesKHR;
import org.lwjgl.vulkan.VkPhysicalDeviceShaderIntegerDotProductPropertiesKHR;

/**
 * Whether a device takes the decode products over 8-bit activations (quantize_q8.comp, then matvec_q4k_q8,
 * matvec_q6k_q8 or matvec_q4_0_q8): VK_KHR_shader_integer_dot_product, whose packed 4 x 8-bit signed dot is one instruction where
 * the driver says it is accelerated (NVIDIA's dp4a). -Dhearth.gpu.q8=auto (the default) takes them there only; =on
 * wherever the feature exists (lavapipe emulates it: the tests run them so); =off nowhere. On the H100, decode with
 * them against without: 8B Q4_K_M 199.5 against 166.5 tokens/s, 14B 115.2 against 93.9.
 */
final class IntegerDotProduct {
    static final String EXTENSION = KHRShaderIntegerDotProduct.VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME;

    private IntegerDotProduct() {
    }

    /** Whether the device offers the feature: the device is then made with it on, whatever the switch says. */
    static boolean supported(VkPhysicalDevice pd) {
        if (!VulkanInstance.hasExtension(pd, EXTENSION)) {
            return false;
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            var dot = VkPhysicalDeviceShaderIntegerDotProductFeaturesKHR.calloc(stack).sType$Default();
            VK11.vkGetPhysicalDeviceFeatures2(pd, VkPhysicalDeviceFeatures2.calloc(stack).sType$Default()
                    .pNext(dot.address()));
            return dot.shaderIntegerDotProduct();
        }
    }

    /** Whether decode products take 8-bit activations on a device where {@link #supported} holds. */
    static boolean preferred(VkPhysicalDevice pd) {
        String mode = mode();
        if (!"auto".equals(mode)) {
            return "on".equals(mode);
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            var props = VkPhysicalDeviceShaderIntegerDotProductPropertiesKHR.calloc(stack).sType$Default();
            VK11.vkGetPhysicalDeviceProperties2(pd, VkPhysicalDeviceProperties2.calloc(stack).sType$Default()
                    .pNext(props.address()));
            return props.integerDotProduct4x8BitPackedSignedAccelerated();
        }
    }

    /** Read at each device's opening (a test turns it on for one device). */
    private static String mode() {
        return System.getProperty("hearth.gpu.q8", "auto");
    }

    /** The feature structure that turns it on, ahead of {@code next} in a device's pNext chain. */
    static long enable(MemoryStack stack, long next) {
        return VkPhysicalDeviceShaderIntegerDotProductFeaturesKHR.calloc(stack).sType$Default()
                .shaderIntegerDotProduct(true).pNext(next).address();
    }
}
