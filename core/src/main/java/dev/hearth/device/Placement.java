package dev.hearth.device;

/**
 * Where a model will run: on {@code device}, or on the CPU when it is null; {@code note} says why in one line
 * (shown at load: "all 32 layers on vulkan:0 (NVIDIA H200)", or the reason a GPU was not used).
 */
public record Placement(ComputeDevice device, String note) {
    public static Placement cpu(String note) {
        return new Placement(null, note);
    }

    public boolean onCpu() {
        return device == null;
    }
}
