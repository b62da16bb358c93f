package dev.hearth.device;

import dev.hearth.kv.KvCache;
import dev.hearth.model.ForwardPass;
import dev.hearth.model.ModelConfig;
import dev.hearth.model.ModelWeights;

/** One device of a backend: what it is, and a forward pass for a model whose layers all run on it. */
public interface ComputeDevice {
    DeviceInfo info();

    /**
     * Copies the model's weights to the device and allocates there the keys and values of {@code kv}'s block pool
     * (same blocks, same block tables: the host cache keeps only the tables) and the activations for batches of up to
     * {@code maxBatchTokens} rows.
     *
     * @throws DeviceUnavailableException when the device cannot run this model (memory, a weight type it lacks,
     *     a driver error); one line, nothing left allocated
     */
    ForwardPass open(ModelConfig config, ModelWeights weights, KvCache kv, int maxBatchTokens)
            throws DeviceUnavailableException;

    /**
     * The device's memory bandwidth in bytes per second, measured by copying a buffer of about {@code bytes} within
     * its memory (bytes read + written per second): the roofline of a decode step.
     */
    double copyBandwidth(long bytes) throws DeviceUnavailableException;
}
