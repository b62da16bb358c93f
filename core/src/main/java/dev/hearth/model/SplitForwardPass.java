package dev.hearth.model;

import dev.hearth.kv.KvCache;

/**
 * One forward pass across the CPU and a device: the CPU {@link Transformer} runs layers [0, k), the device's
 * {@link LayerRangePass} layers [k, numLayers) and the output head (llama.cpp's convention: the GPU takes the last
 * layers). Each layer's keys and values live where the layer runs (the host cache's memory for the first k, device
 * memory for the rest; {@link KvCache#split}) in the same blocks, so batching, chunked prompts and prefix reuse above
 * the seam see one cache. The residual stream crosses once per step, host to device; only logits come back.
 */
final class SplitForwardPass implements ForwardPass {
    private final Transformer cpu;
    private final LayerRangePass device;

    SplitForwardPass(Transformer cpu, LayerRangePass device) {
        if (device.firstLayer() < 1) {
            throw new IllegalArgumentException("a split needs at least one layer on the CPU; the device pass starts at "
                    + device.firstLayer());
        }
        this.cpu = cpu;
        this.device = device;
    }

    @Override
    public void forward(Batch batch, KvCache kv, Logits logits) {
        if (kv.hostLayers() != device.firstLayer()) {
            throw new IllegalArgumentException("the KV cache keeps " + kv.hostLayers() + " layers on the host, the"
                    + " split runs " + device.firstLayer() + " on the CPU");
        }
        float[] x = cpu.forwardLayers(batch, kv, logits, device.firstLayer());  // [n, dim] after the CPU's layers
        device.forward(batch, x, kv, logits);
    }

    @Override
    public int maxBatch() {
        return Math.min(cpu.maxBatch(), device.maxBatch());
    }

    @Override
    public String device() {
        return "cpu + " + device.device();
    }

    @Override
    public void close() {
        device.close();
    }
}
