package dev.hearth.server.hub;

import dev.hearth.device.DeviceFootprint;
import dev.hearth.device.Placement;

/**
 * The device part of a plan: where the user's {@code --device}/{@code --gpu-layers}/{@code --gpu-memory} put the
 * layers (for {@code auto}, the split that fits) and what the device holds for its layers.
 *
 * @param placement where the layers go; on the CPU with a {@link Placement#shortfall()} when the layers asked for do
 *     not fit the device
 * @param sizes the device's weights, KV cache and scratch for the placed (or refused) layers; null when the model
 *     runs on the CPU for another reason (no device, {@code auto} with not even one layer fitting)
 * @param cpuLayerWeightBytes the weights of the layers the CPU runs (as in the file), for the speed estimate
 */
public record DevicePlan(Placement placement, DeviceFootprint.Sizes sizes, int numLayers, long cpuLayerWeightBytes) {

    /**
     * Single-sequence decode tokens/s of this placement, bandwidth-bound: each token reads the CPU layers' weights from
     * host memory and the device's from device memory, one after the other, at {@code efficiency} of each bandwidth
     * (bytes/s); 0 when the model is not on the device.
     */
    public double decodeTokensPerSec(double hostBandwidth, double deviceBandwidth, double efficiency) {
        if (placement.onCpu() || sizes == null || deviceBandwidth <= 0) {
            return 0;
        }
        double seconds = sizes.weights() / (deviceBandwidth * efficiency)
                + (hostBandwidth > 0 ? cpuLayerWeightBytes / (hostBandwidth * efficiency) : 0);
        return 1 / seconds;
    }

    /**
     * Host memory the device's part takes: on unified memory its KV cache and scratch, and its weights unless it reads
     * them in place from the mapped file ({@link dev.hearth.device.DeviceInfo#weightsInPlace()}); 0 on a device with
     * memory of its own, or for a model the CPU runs.
     */
    public long hostBytes() {
        if (placement.onCpu() || sizes == null || !placement.device().info().unifiedMemory()) {
            return 0;
        }
        return sizes.kv() + sizes.scratch() + (placement.device().info().weightsInPlace() ? 0 : sizes.weights());
    }

    /** Whether the device holds what it was asked to (false: refuse, with {@link #describe()}). */
    public boolean fits() {
        return placement.shortfall() == null;
    }

    /** Layers whose keys and values stay in host memory (those the CPU runs). */
    public int hostLayers() {
        return placement.onCpu() ? numLayers : placement.firstLayer();
    }

    /** One line: the placement with its device memory, or the shortfall with both numbers. */
    public String describe() {
        if (!fits()) {
            return "needs more device memory: " + placement.shortfall();
        }
        if (sizes == null) {
            return placement.note();
        }
        return String.format(java.util.Locale.ROOT, "%s (device weights %s, KV cache %s, scratch %s)",
                placement.note(), Bytes.format(sizes.weights()), Bytes.format(sizes.kv()),
                Bytes.format(sizes.scratch()));
    }
}
