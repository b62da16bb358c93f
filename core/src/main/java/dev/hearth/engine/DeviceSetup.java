package dev.hearth.engine;

import dev.hearth.device.ComputeDevice;
import dev.hearth.device.ComputeDevices;
import dev.hearth.device.DeviceChoice;
import dev.hearth.device.DeviceUnavailableException;
import dev.hearth.device.Placement;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Model;

/**
 * Puts a loaded model on the device the user chose: places it ({@link ComputeDevices#place}), opens the device's
 * forward pass with a KV cache whose blocks live there, and makes the model run on it. Any device problem leaves the
 * model on the CPU with a host KV cache and says why in {@link #placement} (one line); nothing here throws for it.
 *
 * @param kv the cache to run the model with (tables only when the model runs on a device)
 * @param placement where the model runs, for people
 * @param device the device the model runs on, or null for the CPU
 */
public record DeviceSetup(KvCache kv, String placement, ComputeDevice device) {

    public static DeviceSetup attach(Model model, DeviceChoice choice, int contextLength, int maxSequences,
            KvPrecision precision, int blockSize, int numBlocks) {
        int layers = model.config().numLayers();
        long deviceBytes = model.file().fileSize()
                + model.kvBytesPerPosition(precision) * (long) blockSize * numBlocks;
        Placement place = ComputeDevices.place(choice, layers, deviceBytes);
        if (!place.onCpu()) {
            KvCache tables = model.newDeviceKvCache(contextLength, maxSequences, precision, blockSize, numBlocks);
            try {
                model.runOn(place.device().open(model.config(), model.weights(), tables, model.maxBatchTokens()));
                return new DeviceSetup(tables, place.note(), place.device());
            } catch (DeviceUnavailableException e) {
                place = dev.hearth.device.Placement.cpu(place.device().info().id() + ": " + e.getMessage()
                        + "; all " + layers + " layers run on the CPU");
            }
        }
        return new DeviceSetup(model.newKvCache(contextLength, maxSequences, precision, blockSize, numBlocks),
                place.note(), null);
    }
}
