package dev.hearth.engine;

import dev.hearth.device.ComputeDevice;
import dev.hearth.device.ComputeDevices;
import dev.hearth.device.DeviceChoice;
import dev.hearth.device.DeviceFootprint;
import dev.hearth.device.DeviceUnavailableException;
import dev.hearth.device.Placement;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Model;

/**
 * Puts a loaded model on the device the user chose: places it ({@link ComputeDevices#place}, with the device memory
 * each split takes from {@link DeviceFootprint}), opens the device's pass over its layers with a KV cache whose blocks
 * live where each layer runs, and makes the model run on it (all layers, or the first on the CPU and the rest on the
 * device). Any device problem leaves the model on the CPU with a host KV cache and says why in {@link #placement}
 * (one line); nothing here throws for it.
 *
 * @param kv the cache to run the model with (tables only, or only the CPU layers' keys and values, on a device)
 * @param placement where the model runs, for people
 * @param device the device the model runs on (all or its last layers), or null for the CPU
 * @param firstDeviceLayer the first layer the device runs (0: all; the CPU runs the ones before)
 */
public record DeviceSetup(KvCache kv, String placement, ComputeDevice device, int firstDeviceLayer) {

    public static DeviceSetup attach(Model model, DeviceChoice choice, int contextLength, int maxSequences,
            KvPrecision precision, int blockSize, int numBlocks) {
        int layers = model.config().numLayers();
        Placement place;
        if (choice.wantsCpuOnly()) {
            place = ComputeDevices.place(choice, layers, first -> 0);
        } else {
            DeviceFootprint footprint = DeviceFootprint.of(model.file(), precision, (long) blockSize * numBlocks,
                    model.maxBatchTokens(), maxSequences, contextLength, blockSize);
            place = ComputeDevices.place(choice, layers, first -> footprint.forLayers(first).total());
        }
        if (!place.onCpu()) {
            int first = place.firstLayer();
            KvCache kv = model.newSplitKvCache(first, contextLength, maxSequences, precision, blockSize, numBlocks);
            try {
                model.runSplit(place.device().open(model.config(), model.weights(), kv, model.maxBatchTokens(), first,
                        choice.memoryLimit()));
                return new DeviceSetup(kv, place.note(), place.device(), first);
            } catch (DeviceUnavailableException e) {
                kv.close();
                place = Placement.cpu(place.device().info().id() + ": " + e.getMessage() + "; all " + layers
                        + " layers run on the CPU");
            }
        }
        return new DeviceSetup(model.newKvCache(contextLength, maxSequences, precision, blockSize, numBlocks),
                place.note(), null, 0);
    }
}
