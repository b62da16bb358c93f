package dev.hearth.device;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds the compute backends on the class path ({@link ServiceLoader} of {@link ComputeBackend}), lists their devices
 * and decides where a model runs from the user's {@link DeviceChoice}. Nothing here throws for a missing or broken
 * backend: a problem becomes a one-line note and the CPU.
 */
public final class ComputeDevices {
    /** Share of a device's memory a model may take when placement is automatic (the rest: driver, other users). */
    static final double AUTO_MEMORY_SHARE = 0.9;

    private ComputeDevices() {
    }

    /** Every device of every backend found, plus one line per backend that could not start. */
    public record Listing(List<DeviceInfo> devices, List<String> problems) {
    }

    public static List<ComputeBackend> backends() {
        List<ComputeBackend> list = new ArrayList<>();
        ServiceLoader.load(ComputeBackend.class).forEach(list::add);
        return list;
    }

    public static Listing list() {
        List<DeviceInfo> devices = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (ComputeBackend backend : backends()) {
            try {
                backend.devices().forEach(d -> devices.add(d.info()));
            } catch (DeviceUnavailableException e) {
                problems.add(backend.name() + ": " + e.getMessage());
            }
        }
        return new Listing(devices, problems);
    }

    /**
     * Where a model of {@code numLayers} layers that needs {@code deviceBytes} of device memory (weights, KV cache,
     * activations) runs, given the user's choice.
     *
     * @throws IllegalArgumentException when the choice names a backend or device index that does not exist here
     */
    public static Placement place(DeviceChoice choice, int numLayers, long deviceBytes) {
        if (choice.wantsCpuOnly()) {
            return Placement.cpu("all " + numLayers + " layers on the CPU");
        }
        GpuLayers layers = choice.layers() != null ? choice.layers()
                : choice.backend() != null ? GpuLayers.ALL : GpuLayers.AUTO;
        if (layers.mode() == GpuLayers.Mode.COUNT && layers.count() < numLayers) {
            return Placement.cpu("--gpu-layers " + layers.count() + " of " + numLayers
                    + ": splitting layers between the CPU and a GPU is not supported yet, so all " + numLayers
                    + " layers run on the CPU (use --gpu-layers all)");
        }
        String backendName = choice.backend() != null ? choice.backend() : "vulkan";
        ComputeBackend backend = backends().stream().filter(b -> b.name().equals(backendName)).findFirst()
                .orElse(null);
        if (backend == null) {
            if (choice.backend() != null && !choice.backend().equals("vulkan")) {
                throw new IllegalArgumentException("--device takes cpu or vulkan[:N]; got '" + choice.backend() + "'");
            }
            return Placement.cpu("no Vulkan backend in this build; running on the CPU");
        }
        List<ComputeDevice> devices;
        try {
            devices = backend.devices();
        } catch (DeviceUnavailableException e) {
            return Placement.cpu(backendName + ": " + e.getMessage() + "; running on the CPU");
        }
        ComputeDevice device;
        if (choice.index() >= 0) {
            if (choice.index() >= devices.size()) {
                return Placement.cpu(backendName + ":" + choice.index() + " does not exist (" + devices.size()
                        + " device" + (devices.size() == 1 ? "" : "s") + ", see 'hearth info'); running on the CPU");
            }
            device = devices.get(choice.index());
        } else {
            // picking for the user: a real GPU first; a software device only when the user named the backend
            device = devices.stream()
                    .filter(d -> choice.backend() != null || d.info().type() != DeviceType.CPU)
                    .min(Comparator.comparingInt((ComputeDevice d) -> d.info().type().preference())
                            .thenComparing(d -> -d.info().memoryBytes()))
                    .orElse(null);
            if (device == null) {
                return Placement.cpu(backendName + ": no GPU found" + (devices.isEmpty() ? "" : " (only "
                        + devices.getFirst().info().name() + ", a software device: name it with --device "
                        + backendName + ")") + "; running on the CPU");
            }
        }
        DeviceInfo info = device.info();
        long limit = layers.mode() == GpuLayers.Mode.AUTO ? (long) (info.memoryBytes() * AUTO_MEMORY_SHARE)
                : info.memoryBytes();
        if (deviceBytes > limit) {
            return Placement.cpu(String.format(java.util.Locale.ROOT,
                    "%s (%s) has %.2f GiB%s, the model needs %.2f GiB on it; running on the CPU", info.id(),
                    info.name(), limit / (double) (1L << 30),
                    layers.mode() == GpuLayers.Mode.AUTO ? " for models" : "", deviceBytes / (double) (1L << 30)));
        }
        return new Placement(device, "all " + numLayers + " layers on " + info.id() + " (" + info.name() + ")");
    }
}
