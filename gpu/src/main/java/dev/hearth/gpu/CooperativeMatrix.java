package dev.hearth.gpu;

import static org.lwjgl.vulkan.KHRCooperativeMatrix.*;

import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.KHRShaderFloat16Int8;
import org.lwjgl.vulkan.KHRVulkanMemoryModel;
import org.lwjgl.vulkan.VK11;
import org.lwjgl.vulkan.VkCooperativeMatrixPropertiesKHR;
import org.lwjgl.vulkan.VkPhysicalDevice;
import org.lwjgl.vulkan.VkPhysicalDeviceCooperativeMatrixFeaturesKHR;
import org.lwjgl.vulkan.VkPhysicalDeviceFeatures2;
import org.lwjgl.vulkan.VkPhysicalDeviceShaderFloat16Int8Features;
import org.lwjgl.vulkan.VkPhysicalDeviceVulkanMemoryModelFeatures;

/**
 * Whether a device runs matmm_coop.comp: VK_KHR_cooperative_matrix with 16 x 16 x 16 tiles of halves summed as floats
 * in subgroup scope, half-precision shader arithmetic and the Vulkan memory model (the SPIR-V that glslang makes for
 * cooperative matrices declares it), and a subgroup size that divides the kernel's 16 tiles among 4, 8 or 16
 * subgroups. Where all hold, the device is made with those extensions and features on. {@code
 * -Dhearth.gpu.coopmat=off} keeps a device off it (prompts then take matmm.comp).
 */
final class CooperativeMatrix {
    static final String EXTENSION = VK_KHR_COOPERATIVE_MATRIX_EXTENSION_NAME;
    private static final String[] EXTENSIONS = {EXTENSION, KHRVulkanMemoryModel.VK_KHR_VULKAN_MEMORY_MODEL_EXTENSION_NAME,
        KHRShaderFloat16Int8.VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME};
    private static final boolean ALLOWED = !"off".equals(System.getProperty("hearth.gpu.coopmat"));

    private CooperativeMatrix() {
    }

    /** Whether the kernel can run on this device with subgroups of {@code subgroupSize}. */
    static boolean supported(VkPhysicalDevice pd, int subgroupSize) {
        if (!ALLOWED || (subgroupSize != 16 && subgroupSize != 32 && subgroupSize != 64)) {
            return false;
        }
        for (String e : EXTENSIONS) {
            if (!VulkanInstance.hasExtension(pd, e)) {
                return false;
            }
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            var coop = VkPhysicalDeviceCooperativeMatrixFeaturesKHR.calloc(stack).sType$Default();
            var model = VkPhysicalDeviceVulkanMemoryModelFeatures.calloc(stack).sType$Default().pNext(coop.address());
            var half = VkPhysicalDeviceShaderFloat16Int8Features.calloc(stack).sType$Default().pNext(model.address());
            VK11.vkGetPhysicalDeviceFeatures2(pd, VkPhysicalDeviceFeatures2.calloc(stack).sType$Default()
                    .pNext(half.address()));
            if (!coop.cooperativeMatrix() || !model.vulkanMemoryModel() || !half.shaderFloat16()) {
                return false;
            }
            var count = stack.mallocInt(1);
            if (vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR(pd, count, null) != 0 || count.get(0) == 0) {
                return false;
            }
            var props = VkCooperativeMatrixPropertiesKHR.calloc(count.get(0), stack);
            for (int i = 0; i < props.capacity(); i++) {
                props.get(i).sType$Default();
            }
            if (vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR(pd, count, props) != 0) {
                return false;
            }
            for (int i = 0; i < count.get(0); i++) {
                VkCooperativeMatrixPropertiesKHR p = props.get(i);
                if (p.MSize() == 16 && p.NSize() == 16 && p.KSize() == 16
                        && p.AType() == VK_COMPONENT_TYPE_FLOAT16_KHR && p.BType() == VK_COMPONENT_TYPE_FLOAT16_KHR
                        && p.CType() == VK_COMPONENT_TYPE_FLOAT32_KHR
                        && p.ResultType() == VK_COMPONENT_TYPE_FLOAT32_KHR && p.scope() == VK_SCOPE_SUBGROUP_KHR) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The extensions a device with the kernel is made with. */
    static String[] extensions() {
        return EXTENSIONS.clone();
    }

    /** The feature structures that turn them on, ahead of {@code next} in a device's pNext chain. */
    static long enable(MemoryStack stack, long next) {
        var coop = VkPhysicalDeviceCooperativeMatrixFeaturesKHR.calloc(stack).sType$Default().cooperativeMatrix(true)
                .pNext(next);
        var model = VkPhysicalDeviceVulkanMemoryModelFeatures.calloc(stack).sType$Default().vulkanMemoryModel(true)
                .pNext(coop.address());
        return VkPhysicalDeviceShaderFloat16Int8Features.calloc(stack).sType$Default().shaderFloat16(true)
                .pNext(model.address()).address();
    }
}
