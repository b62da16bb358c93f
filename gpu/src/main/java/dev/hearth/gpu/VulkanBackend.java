package dev.hearth.gpu;

import dev.hearth.device.ComputeBackend;
import dev.hearth.device.ComputeDevice;
import dev.hearth.device.DeviceUnavailableException;
import java.util.ArrayList;
import java.util.List;

/** The Vulkan backend, registered for {@link java.util.ServiceLoader} in META-INF/services. */
public final class VulkanBackend implements ComputeBackend {
    @Override
    public String name() {
        return "vulkan";
    }

    @Override
    public List<ComputeDevice> devices() throws DeviceUnavailableException {
        VulkanInstance vk = VulkanInstance.get();
        List<ComputeDevice> list = new ArrayList<>();
        for (int i = 0; i < vk.infos.size(); i++) {
            list.add(new VulkanDevice(vk, i));
        }
        return list;
    }
}
