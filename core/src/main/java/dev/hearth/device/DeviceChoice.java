package dev.hearth.device;

import java.util.Locale;

/**
 * What the user asked for: {@code --device cpu|vulkan[:N]} and {@code --gpu-layers N|all|auto}.
 *
 * @param backend {@code cpu}, a backend's name, or null when {@code --device} was not given
 * @param index the device index within the backend, or -1 for the best one
 * @param layers the GPU layers asked for, or null when {@code --gpu-layers} was not given
 */
public record DeviceChoice(String backend, int index, GpuLayers layers) {
    public static final String CPU = "cpu";
    /** Neither option given: the CPU, as before there were devices. */
    public static final DeviceChoice DEFAULT = new DeviceChoice(null, -1, null);

    /** Parses the two options (either may be null: not given); a clear message for a bad value. */
    public static DeviceChoice parse(String device, String gpuLayers) {
        GpuLayers layers = gpuLayers == null ? null : GpuLayers.parse(gpuLayers);
        if (device == null || device.isBlank()) {
            return new DeviceChoice(null, -1, layers);
        }
        String d = device.strip().toLowerCase(Locale.ROOT);
        int colon = d.indexOf(':');
        String backend = colon < 0 ? d : d.substring(0, colon);
        if (!backend.matches("[a-z][a-z0-9_-]*")) {
            throw new IllegalArgumentException("--device takes cpu or vulkan[:N]; got '" + device + "'");
        }
        int index = -1;
        if (colon >= 0) {
            try {
                index = Integer.parseInt(d.substring(colon + 1));
            } catch (NumberFormatException e) {
                index = -2;
            }
            if (index < 0 || backend.equals(CPU)) {
                throw new IllegalArgumentException("--device takes cpu or vulkan[:N] with N a device index from "
                        + "'hearth info'; got '" + device + "'");
            }
        }
        return new DeviceChoice(backend, index, layers);
    }

    /** Whether this choice asks for no GPU at all (then no backend is even started). */
    public boolean wantsCpuOnly() {
        if (CPU.equals(backend)) {
            return true;
        }
        if (backend == null) {
            return layers == null || (layers.mode() == GpuLayers.Mode.COUNT && layers.count() == 0);
        }
        return layers != null && layers.mode() == GpuLayers.Mode.COUNT && layers.count() == 0;
    }

    @Override
    public String toString() {
        String d = backend == null ? "(default)" : index < 0 ? backend : backend + ":" + index;
        return "--device " + d + (layers == null ? "" : " --gpu-layers " + layers);
    }
}
