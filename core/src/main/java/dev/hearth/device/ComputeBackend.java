package dev.hearth.device;

import java.util.List;

/**
 * A compute backend (Vulkan, ...), found by {@link ComputeDevices} through {@link java.util.ServiceLoader}, so that
 * core names no backend class. Implementations live in their own module (see {@code gpu}).
 */
public interface ComputeBackend {
    /** The name {@code --device} uses for this backend, lower case ({@code vulkan}). */
    String name();

    /**
     * The devices this backend can run on, in its own index order.
     *
     * @throws DeviceUnavailableException when the backend cannot start here (no loader, driver error); one line
     */
    List<ComputeDevice> devices() throws DeviceUnavailableException;
}
