package dev.hearth.device;

import java.util.Locale;

/**
 * What the user asked for: {@code --device cpu|vulkan[:N]}, {@code --gpu-layers N|all|auto} and
 * {@code --gpu-memory SIZE}.
 *
 * @param backend {@code cpu}, a backend's name, or null when {@code --device} was not given
 * @param index the device index within the backend, or -1 for the best one
 * @param layers the GPU layers asked for, or null when {@code --gpu-layers} was not given
 * @param memoryLimit the most bytes Hearth may take from the device ({@code --gpu-memory}), or 0 for no limit but the
 *     device's own memory
 */
public record DeviceChoice(String backend, int index, GpuLayers layers, long memoryLimit) {
    public static final String CPU = "cpu";
    /** Neither option given: the CPU, as before there were devices. */
    public static final DeviceChoice DEFAULT = new DeviceChoice(null, -1, null, 0);

    public DeviceChoice(String backend, int index, GpuLayers layers) {
        this(backend, index, layers, 0);
    }

    /** Parses the two options (either may be null: not given); a clear message for a bad value. */
    public static DeviceChoice parse(String device, String gpuLayers) {
        return parse(device, gpuLayers, null);
    }

    /** Parses the three options (any may be null: not given); a clear message for a bad value. */
    public static DeviceChoice parse(String device, String gpuLayers, String gpuMemory) {
        GpuLayers layers = gpuLayers == null ? null : GpuLayers.parse(gpuLayers);
        long limit = gpuMemory == null ? 0 : parseMemory(gpuMemory);
        if (device == null || device.isBlank()) {
            return new DeviceChoice(null, -1, layers, limit);
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
        return new DeviceChoice(backend, index, layers, limit);
    }

    /**
     * {@code --gpu-memory}: a byte count with an optional binary unit, as device memory is reported ({@code 512m},
     * {@code 2g}, {@code 1.5GiB}; k, m, g, t are KiB, MiB, GiB, TiB).
     */
    static long parseMemory(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?").matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("--gpu-memory takes a size such as 512m or 2g; got '" + text + "'");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        long bytes = (long) (Double.parseDouble(m.group(1)) * (1L << shift));
        if (bytes <= 0) {
            throw new IllegalArgumentException("--gpu-memory must be more than 0; got '" + text + "'");
        }
        return bytes;
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
        return "--device " + d + (layers == null ? "" : " --gpu-layers " + layers)
                + (memoryLimit == 0 ? "" : " --gpu-memory " + memoryLimit);
    }
}
