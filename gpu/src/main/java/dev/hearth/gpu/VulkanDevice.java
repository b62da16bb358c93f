package dev.hearth.gpu;

import dev.hearth.device.ComputeDevice;
import dev.hearth.device.DeviceInfo;
import dev.hearth.device.DeviceUnavailableException;
import dev.hearth.kv.KvCache;
import dev.hearth.model.LayerRangePass;
import dev.hearth.model.ModelConfig;
import dev.hearth.model.ModelWeights;

/** One Vulkan physical device; each {@link #open} makes its own logical device for one model. */
final class VulkanDevice implements ComputeDevice {
    private final VulkanInstance vk;
    private final int index;

    VulkanDevice(VulkanInstance vk, int index) {
        this.vk = vk;
        this.index = index;
    }

    @Override
    public DeviceInfo info() {
        return vk.infos.get(index);
    }

    @Override
    public LayerRangePass open(ModelConfig config, ModelWeights weights, KvCache kv, int maxBatchTokens,
            int firstLayer, long memoryLimit) throws DeviceUnavailableException {
        VulkanContext ctx = new VulkanContext(vk, index);
        ctx.limitMemory(memoryLimit);
        try {
            return new VulkanForwardPass(ctx, info().id() + " (" + info().name() + ")", config, weights, kv,
                    maxBatchTokens, firstLayer);
        } catch (DeviceUnavailableException e) {
            ctx.close();
            throw e;
        } catch (Vk.VulkanException | IllegalStateException e) {
            ctx.close();
            throw new DeviceUnavailableException(e.getMessage(), e);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    @Override
    public double copyBandwidth(long bytes) throws DeviceUnavailableException {
        try (VulkanContext ctx = new VulkanContext(vk, index)) {
            return CopyBandwidth.measure(ctx, bytes);
        } catch (Vk.VulkanException e) {
            throw new DeviceUnavailableException(e.getMessage(), e);
        }
    }

    /** A bare context on this device, for kernel tests. */
    VulkanContext context() throws DeviceUnavailableException {
        return new VulkanContext(vk, index);
    }
}
