package dev.hearth.device;

/**
 * One compute device as a backend lists it.
 *
 * @param backend the backend's name as {@code --device} spells it ({@code vulkan})
 * @param index the device's index within its backend ({@code --device vulkan:N})
 * @param memoryBytes the device-local memory (for a unified-memory device, the heap the driver reports)
 * @param unifiedMemory whether device memory is also host memory (integrated GPUs, software devices)
 * @param cooperativeMatrix whether the driver offers cooperative-matrix (tensor core) operations
 * @param weightsInPlace whether the device reads weights in place from host memory (unified memory whose driver
 *     imports host pointers): then its weights take no second copy of host memory
 * @param driver the driver's name and version, one line
 */
public record DeviceInfo(String backend, int index, String name, DeviceType type, long memoryBytes,
        boolean unifiedMemory, boolean cooperativeMatrix, boolean weightsInPlace, String driver) {

    /** {@code vulkan:0}: what {@code --device} takes to pick this device. */
    public String id() {
        return backend + ":" + index;
    }

    /** One line for people: id, name, type, memory. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%s  %s (%s, %.1f GiB%s%s%s, %s)", id(), name, type.label(),
                memoryBytes / (double) (1L << 30), unifiedMemory ? " unified" : "",
                weightsInPlace ? ", weights read in place" : "", cooperativeMatrix ? ", cooperative matrix" : "",
                driver);
    }
}
