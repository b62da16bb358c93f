package dev.hearth.device;

/**
 * Where a model will run: on the CPU when {@code device} is null; else layers [firstLayer, numLayers) and the output
 * head on {@code device} and the layers before on the CPU (firstLayer 0: all on the device), taking
 * {@code deviceBytes} of the {@code limitBytes} the device allows. {@code note} says it in one line, shown at load
 * ("layers 0-13 cpu, layers 14-27 + output vulkan:0 (NVIDIA H200), 4.20 GiB of 8.00 GiB"), or why no GPU was used.
 *
 * @param shortfall when the layers the user asked for do not fit the device, both numbers ("needs 9.80 GiB on vulkan:0,
 *     it has 8.00 GiB (--gpu-memory)"): the planner refuses with it, a load falls back to the CPU; else null
 */
public record Placement(ComputeDevice device, int firstLayer, long deviceBytes, long limitBytes, String note,
        String shortfall) {
    public static Placement cpu(String note) {
        return new Placement(null, 0, 0, 0, note, null);
    }

    public boolean onCpu() {
        return device == null;
    }

    /** Whether the layers are split between the CPU and the device. */
    public boolean split() {
        return device != null && firstLayer > 0;
    }
}
