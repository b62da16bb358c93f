package dev.hearth.model;

import dev.hearth.kernel.Attention;
import dev.hearth.kernel.ComputePool;
import dev.hearth.kernel.Kernels;
import dev.hearth.kernel.Norms;
import dev.hearth.kernel.RangeBody;
import dev.hearth.kernel.Rope;
import dev.hearth.kernel.VectorOps;
import dev.hearth.kv.KvCache;
import dev.hearth.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder-only transformer shared by every family: token embedding, then per layer pre-norm grouped-query
 * attention with RoPE and a pre-norm feed-forward block, each added to the residual stream; a final RMSNorm and
 * the output projection for the rows that need logits. Families differ only in the hooks of {@link Architecture}
 * (q/k/v biases, q/k norms, RoPE pairing) and in the feed-forward kind. One caller at a time.
 */
final class Transformer implements ForwardPass {
    private final ModelConfig c;
    private final ModelWeights w;
    private final ComputePool pool;
    private final ForwardBuffers b;
    private final FeedForwardBlock feedForward;
    private final double[] ropeFrequencies;
    private final int maxBatch;
    /** The attention-heads loop body, reused every layer and step (no allocation per step). */
    private final HeadsBody heads = new HeadsBody();

    Transformer(ModelConfig config, ModelWeights weights, ComputePool pool, int maxBatch) {
        this.c = config;
        this.w = weights;
        this.pool = pool;
        this.maxBatch = maxBatch;
        this.b = new ForwardBuffers(config, maxBatch, pool.threads());
        this.feedForward = new FeedForwardBlock(config, pool, b);
        this.ropeFrequencies = Rope.frequencies(config.ropeTheta(), config.rotaryDims(), config.ropeFrequencyFactors(),
                config.ropeScale());
        List<WeightMatrix> samples = new ArrayList<>(List.of(weights.output()));
        for (LayerWeights layer : weights.layers()) {  // one matrix per weight type is enough to compile its kernels
            samples.addAll(List.of(layer.query(), layer.key(), layer.value(), layer.attentionOutput()));
        }
        Kernels.warmUp(pool, samples);
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public void close() {
        // the weights belong to the model's mapping and pool, closed by the model
    }

    @Override
    public void forward(Batch batch, KvCache kv, Logits logits) {
        forward(batch, kv, logits, null);
    }

    /**
     * The forward pass; with {@code hidden} not null, also writes every row's final-normed hidden state there
     * ({@code [n, dim]}, for embeddings). Rows that do not need logits cost no output projection.
     */
    void forward(Batch batch, KvCache kv, Logits logits, float[] hidden) {
        int n = batch.size();
        BatchChecks.validate(c, maxBatch, batch, kv, logits);
        int dim = c.dim();
        logits.setBatchRows(batch);
        embedAndRunLayers(batch, kv, c.numLayers());
        if (hidden != null) {
            Norms.rmsNormRows(hidden, b.x, w.outputNorm(), n, dim, c.rmsEpsilon());  // [n, dim]
        }
        int m = 0;
        for (int t = 0; t < n; t++) {
            if (batch.needsLogits(t)) {
                Norms.rmsNorm(b.logitInput, m++ * dim, b.x, t * dim, w.outputNorm(), dim, c.rmsEpsilon());  // [m, dim]
            }
        }
        if (m > 0) {
            Kernels.matmul(pool, w.output(), b.logitInput, m, logits.values());  // [m, vocab]
        }
    }

    /**
     * Only the first {@code layers} layers (the CPU's part of a {@link SplitForwardPass}): embeds the batch, stores those
     * layers' keys and values, and returns the residual stream after them ({@code [n, dim]}, a buffer the next call
     * reuses). No logits.
     */
    float[] forwardLayers(Batch batch, KvCache kv, Logits logits, int layers) {
        BatchChecks.validate(c, maxBatch, batch, kv, logits);
        embedAndRunLayers(batch, kv, layers);
        return b.x;
    }

    /** Embeds the batch into x and runs layers [0, layers) over it. */
    private void embedAndRunLayers(Batch batch, KvCache kv, int layers) {
        int n = batch.size();
        int dim = c.dim();
        int half = c.rotaryDims() / 2;
        b.ensureScores(kv.contextLength());
        for (int t = 0; t < n; t++) {
            kv.reserve(batch.sequenceId(t), batch.position(t));
            Kernels.dequantizeRow(w.tokenEmbedding(), batch.token(t), b.x, t * dim);  // x: [n, dim]
            Rope.fillCosSin(batch.position(t), ropeFrequencies, b.cos, b.sin, t * half);  // [n, rotaryDims / 2]
        }
        for (int l = 0; l < layers; l++) {
            LayerWeights layer = w.layers()[l];
            Norms.rmsNormRows(b.xNorm, b.x, layer.attentionNorm(), n, dim, c.rmsEpsilon());  // [n, dim]
            attention(batch, kv, l, layer);                                                  // blockOut: [n, dim]
            VectorOps.addInPlace(b.x, 0, b.blockOut, 0, n * dim);                            // x += attention
            Norms.rmsNormRows(b.xNorm, b.x, layer.ffnNorm(), n, dim, c.rmsEpsilon());        // [n, dim]
            feedForward.apply(layer.feedForward(), n);                                       // blockOut: [n, dim]
            VectorOps.addInPlace(b.x, 0, b.blockOut, 0, n * dim);                            // x += ffn
        }
    }

    /** Self-attention of layer l over xNorm into blockOut; stores this batch's keys and values first. */
    private void attention(Batch batch, KvCache kv, int l, LayerWeights layer) {
        int n = batch.size();
        int qDim = c.queryDim();
        int kvDim = c.kvDim();
        int half = c.rotaryDims() / 2;
        // q: [n, queryDim], k and v: [n, kvDim], in one parallel pass
        Kernels.matmul(pool, layer.query(), b.q, layer.key(), b.k, layer.value(), b.v, b.xNorm, n);
        if (c.hasQkvBiases()) {
            VectorOps.addBiasRows(b.q, n, qDim, layer.queryBias());
            VectorOps.addBiasRows(b.k, n, kvDim, layer.keyBias());
            VectorOps.addBiasRows(b.v, n, kvDim, layer.valueBias());
        }
        if (c.hasQkNorms()) {
            Norms.rmsNormRows(b.q, b.q, layer.queryNorm(), n * c.numHeads(), c.headSize(), c.rmsEpsilon());
            Norms.rmsNormRows(b.k, b.k, layer.keyNorm(), n * c.numKeyValueHeads(), c.headSize(), c.rmsEpsilon());
        }
        for (int t = 0; t < n; t++) {
            switch (c.ropeStyle()) {
                case NORM -> {
                    Rope.rotateAdjacentPairs(b.q, t * qDim, c.numHeads(), c.headSize(), c.rotaryDims(), b.cos, b.sin, t * half);
                    Rope.rotateAdjacentPairs(b.k, t * kvDim, c.numKeyValueHeads(), c.headSize(), c.rotaryDims(), b.cos, b.sin, t * half);
                }
                case NEOX -> {
                    Rope.rotateHalves(b.q, t * qDim, c.numHeads(), c.headSize(), c.rotaryDims(), b.cos, b.sin, t * half);
                    Rope.rotateHalves(b.k, t * kvDim, c.numKeyValueHeads(), c.headSize(), c.rotaryDims(), b.cos, b.sin, t * half);
                }
            }
            kv.store(l, batch.sequenceId(t), batch.position(t), b.k, t * kvDim, b.v, t * kvDim);
        }
        heads.set(batch, kv, l);
        try {
            pool.parallelFor(pool.threads(), heads);  // attention[t, head h]: [headSize] for every row and head
        } finally {
            heads.clear();
        }
        Kernels.matmul(pool, layer.attentionOutput(), b.attention, n, b.blockOut);  // [n, dim]
    }

    private void attendHead(Batch batch, KvCache kv, int l, int t, int h, int worker) {
        int seq = batch.sequenceId(t);
        int length = batch.position(t) + 1;  // causal: positions 0..pos of this sequence
        int headSize = c.headSize();
        int kvHeadOffset = h / (c.numHeads() / c.numKeyValueHeads()) * headSize;
        int qOffset = t * c.queryDim() + h * headSize;
        float scale = (float) (1.0 / Math.sqrt(headSize));
        int[] blocks = kv.table(seq).blocks();  // position j: block blocks[j / blockSize], row j % blockSize
        int bs = kv.blockSize();
        float[] scores = b.scores[worker];
        switch (kv.precision()) {
            case F32 -> Attention.attendF32(b.q, qOffset, kv.keys(l), kv.values(l), blocks, bs, kvHeadOffset,
                    c.kvDim(), length, headSize, scale, scores, b.attention, qOffset);
            case F16 -> Attention.attendF16(b.q, qOffset, kv.keys(l), kv.values(l), blocks, bs, kvHeadOffset,
                    c.kvDim(), length, headSize, scale, scores, b.f16Row[worker], b.attention, qOffset);
            case Q8_0 -> Attention.attendQ8(b.q, qOffset, kv.keys(l), kv.keyScales(l), kv.values(l),
                    kv.valueScales(l), blocks, bs, kvHeadOffset, c.kvDim(), length, headSize, scale, scores,
                    b.attention, qOffset);
        }
    }

    /** Splits the (row, head) pairs of one layer's attention among the pool's threads; one worker index each. */
    private final class HeadsBody implements RangeBody {
        private Batch batch;
        private KvCache kv;
        private int layer;

        void set(Batch batch, KvCache kv, int layer) {
            this.batch = batch;
            this.kv = kv;
            this.layer = layer;
        }

        void clear() {
            batch = null;
            kv = null;
        }

        @Override
        public void run(int first, int last) {
            int n = batch.size();
            int numHeads = c.numHeads();
            int threads = pool.threads();
            for (int worker = first; worker < last; worker++) {
                for (int i = worker; i < n * numHeads; i += threads) {
                    attendHead(batch, kv, layer, i / numHeads, i % numHeads, worker);
                }
            }
        }
    }
}
