package dev.hearth.device;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.function.IntToLongFunction;

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
     * Where a model of {@code numLayers} layers runs, given the user's choice and the device bytes that running layers
     * [first, numLayers) and the output head there takes ({@code deviceBytes.applyAsLong(first)}, see
     * {@link DeviceFootprint}). {@code --gpu-layers N} below the layer count splits: the first layers on the CPU, the
     * last N and the output on the device; {@code auto} puts as many of the last layers there as fit the device's
     * memory (90% of it) and {@code --gpu-memory}; {@code all} or a count that does not fit runs on the CPU with the
     * numbers.
     *
     * @throws IllegalArgumentException when the choice names a backend or device index that does not exist here
     */
    public static Placement place(DeviceChoice choice, int numLayers, IntToLongFunction deviceBytes) {
        if (choice.wantsCpuOnly()) {
            return Placement.cpu("all " + numLayers + " layers on the CPU");
        }
        GpuLayers layers = choice.layers() != null ? choice.layers()
                : choice.backend() != null ? GpuLayers.ALL : GpuLayers.AUTO;
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
        boolean auto = layers.mode() == GpuLayers.Mode.AUTO;
        long deviceLimit = auto ? (long) (info.memoryBytes() * AUTO_MEMORY_SHARE) : info.memoryBytes();
        long limit = choice.memoryLimit() > 0 ? Math.min(choice.memoryLimit(), info.memoryBytes()) : deviceLimit;
        String has = gib(limit) + (choice.memoryLimit() > 0 ? " (--gpu-memory)" : auto ? " for models" : "");
        String where = info.id() + " (" + info.name() + ")";
        int first;
        if (auto) {
            int fit = 0;
            while (fit < numLayers && deviceBytes.applyAsLong(numLayers - fit - 1) <= limit) {
                fit++;
            }
            if (fit == 0) {
                return Placement.cpu(String.format(Locale.ROOT, "%s has %s, one layer and the output need %s on it;"
                        + " all %d layers run on the CPU", where, has, gib(deviceBytes.applyAsLong(numLayers - 1)),
                        numLayers));
            }
            first = numLayers - fit;
        } else {
            first = layers.mode() == GpuLayers.Mode.COUNT ? Math.max(0, numLayers - layers.count()) : 0;
            long needs = deviceBytes.applyAsLong(first);
            if (needs > limit) {
                String what = first == 0 ? "the model's " + numLayers + " layers"
                        : (numLayers - first == 1 ? "the last layer" : "the last " + (numLayers - first) + " layers")
                                + " and the output";
                String shortfall = String.format(Locale.ROOT, "%s need %s on %s, it has %s", what, gib(needs),
                        info.id(), has);
                return new Placement(null, first, needs, limit, String.format(Locale.ROOT,
                        "%s has %s, %s on it need %s; running on the CPU%s", where, has, what, gib(needs),
                        first == 0 ? "" : " (--gpu-layers auto fits what it can)"), shortfall);
            }
        }
        long needs = deviceBytes.applyAsLong(first);
        String memory = ", " + gib(needs) + " of " + has;
        String note = first == 0 ? "all " + numLayers + " layers on " + where + memory
                : layers(0, first - 1) + " cpu, " + layers(first, numLayers - 1) + " + output " + where + memory;
        return new Placement(device, first, needs, limit, note, null);
    }

    /** "layers 0-13", or "layer 0" for one. */
    private static String layers(int first, int last) {
        return first == last ? "layer " + first : "layers " + first + "-" + last;
    }

    /** "1.20 GiB", or "512.0 MiB" under one GiB (a small --gpu-memory would read 0.00 GiB). */
    static String gib(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
