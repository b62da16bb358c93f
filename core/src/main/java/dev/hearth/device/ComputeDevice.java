package dev.hearth.device;

import dev.hearth.kv.KvCache;
import dev.hearth.model.ForwardPass;
import dev.hearth.model.LayerRangePass;
import dev.hearth.model.ModelConfig;
import dev.hearth.model.ModelWeights;

/** One device of a backend: what it is, and a forward pass for a model whose layers (or last layers) run on it. */
public interface ComputeDevice {
    DeviceInfo info();

    /** The whole model on the device, with no memory limit but the device's own: {@link #open(ModelConfig,
     * ModelWeights, KvCache, int, int, long)} from layer 0. */
    default ForwardPass open(ModelConfig config, ModelWeights weights, KvCache kv, int maxBatchTokens)
            throws DeviceUnavailableException {
        return open(config, weights, kv, maxBatchTokens, 0, 0);
    }

    /**
     * Copies the weights of layers [firstLayer, numLayers) and the output head (and the token embedding when
     * firstLayer is 0) to the device and allocates there those layers' keys and values in {@code kv}'s block pool
     * (same blocks, same block tables: the host cache keeps only the tables and the CPU layers' keys and values) and
     * the activations for batches of up to {@code maxBatchTokens} rows.
     *
     * @param memoryLimit the most bytes the pass may allocate on the device ({@code --gpu-memory}); 0: no limit but
     *     the device's own
     * @throws DeviceUnavailableException when the device cannot run this model (memory, a weight type it lacks,
     *     a driver error); one line, nothing left allocated
     */
    LayerRangePass open(ModelConfig config, ModelWeights weights, KvCache kv, int maxBatchTokens, int firstLayer,
            long memoryLimit) throws DeviceUnavailableException;

    /**
     * The device's memory bandwidth in bytes per second, measured by copying a buffer of about {@code bytes} within
     * its memory (bytes read + written per second): the roofline of a decode step.
     */
    double copyBandwidth(long bytes) throws DeviceUnavailableException;
}
