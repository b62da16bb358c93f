package dev.hearth.gpu;

import dev.hearth.device.DeviceUnavailableException;
import dev.hearth.model.FeedForward;
import dev.hearth.model.LayerWeights;
import dev.hearth.model.ModelConfig;
import dev.hearth.model.ModelWeights;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;

/**
 * A model's weights copied to the device: matrices in their GGML layout, norms and biases as floats. A pass over the
 * layers [first, numLayers) holds only those layers (the ones before are null: they run on the CPU) and the token
 * embedding only when first is 0 (else null; a tied output gets its own copy of the table).
 */
record DeviceWeights(GpuTensor embedding, Layer[] layers, GpuBuffer outputNorm, GpuTensor output) {

    record Layer(GpuBuffer attentionNorm, GpuTensor query, GpuTensor key, GpuTensor value, GpuBuffer queryBias,
            GpuBuffer keyBias, GpuBuffer valueBias, GpuBuffer queryNorm, GpuBuffer keyNorm,
            GpuTensor attentionOutput, GpuBuffer ffnNorm, FeedForwardWeights feedForward) {
    }

    sealed interface FeedForwardWeights permits Dense, Experts {
    }

    record Dense(GpuTensor gate, GpuTensor up, GpuTensor down) implements FeedForwardWeights {
    }

    /** The router, and each of gate, up and down as all experts' matrices in one buffer. */
    record Experts(GpuTensor router, GpuTensor gate, GpuTensor up, GpuTensor down) implements FeedForwardWeights {
    }

    static DeviceWeights upload(VulkanContext ctx, ModelConfig c, ModelWeights w, int firstLayer)
            throws DeviceUnavailableException {
        GpuTensor embedding = firstLayer == 0 ? GpuTensor.upload(ctx, w.tokenEmbedding()) : null;
        Layer[] layers = new Layer[c.numLayers()];
        for (int l = firstLayer; l < layers.length; l++) {
            LayerWeights lw = w.layers()[l];
            FeedForwardWeights ffn = switch (lw.feedForward()) {
                case FeedForward.Dense d -> new Dense(GpuTensor.upload(ctx, d.gate()), GpuTensor.upload(ctx, d.up()),
                        GpuTensor.upload(ctx, d.down()));
                case FeedForward.Experts e -> new Experts(GpuTensor.upload(ctx, e.router()),
                        GpuTensor.upload(ctx, e.gate()), GpuTensor.upload(ctx, e.up()), GpuTensor.upload(ctx, e.down()));
            };
            layers[l] = new Layer(vector(ctx, lw.attentionNorm(), "attn_norm"), GpuTensor.upload(ctx, lw.query()),
                    GpuTensor.upload(ctx, lw.key()), GpuTensor.upload(ctx, lw.value()),
                    vector(ctx, lw.queryBias(), "q bias"), vector(ctx, lw.keyBias(), "k bias"),
                    vector(ctx, lw.valueBias(), "v bias"), vector(ctx, lw.queryNorm(), "q norm"),
                    vector(ctx, lw.keyNorm(), "k norm"), GpuTensor.upload(ctx, lw.attentionOutput()),
                    vector(ctx, lw.ffnNorm(), "ffn_norm"), ffn);
        }
        WeightMatrix out = w.output();
        GpuTensor output = out == w.tokenEmbedding() && embedding != null ? embedding : GpuTensor.upload(ctx, out);
        return new DeviceWeights(embedding, layers, vector(ctx, w.outputNorm(), "output_norm"), output);
    }

    private static GpuBuffer vector(VulkanContext ctx, float[] values, String what) {
        if (values == null) {
            return null;
        }
        GpuBuffer b = ctx.deviceBuffer(4L * values.length, what);
        ctx.upload(b, MemorySegment.ofArray(values), 0);
        return b;
    }
}
