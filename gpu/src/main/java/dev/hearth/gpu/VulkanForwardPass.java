package dev.hearth.gpu;

import dev.hearth.device.DeviceFootprint;
import dev.hearth.device.DeviceUnavailableException;
import dev.hearth.kernel.Rope;
import dev.hearth.kv.BlockTable;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Batch;
import dev.hearth.model.BatchChecks;
import dev.hearth.model.FeedForward;
import dev.hearth.model.LayerRangePass;
import dev.hearth.model.LayerWeights;
import dev.hearth.model.Logits;
import dev.hearth.model.ModelConfig;
import dev.hearth.model.ModelWeights;
import dev.hearth.model.RopeStyle;
import java.lang.foreign.Arena;

/**
 * The transformer of {@code model.Transformer} on a Vulkan device: weights, the KV cache's blocks and every
 * activation live in device memory; per step the host writes only the tokens, RoPE angles, KV rows and block tables
 * into mapped staging buffers, which the step's first commands copy into device memory (shaders never read host
 * memory: on a discrete card each such read crosses the bus), and reads back the logits rows that were asked for,
 * copied out the same way. The pass is recorded once per step shape and reused ({@link StepRecordings}). It runs the
 * layers [firstLayer, numLayers) and the output head: from the tokens when firstLayer is 0, else from the residual
 * stream the CPU's layers left (one host-to-device copy per step; {@code model.SplitForwardPass}).
 */
final class VulkanForwardPass implements LayerRangePass {
    /** RoPE folded into the KV store's pass (kvstore.comp ROPE 1); -Dhearth.gpu.ropeStore=off: two passes. */
    private static final boolean ROPE_IN_STORE = !"off".equals(System.getProperty("hearth.gpu.ropeStore"));
    private final VulkanContext ctx;
    private final GpuKernels k;
    private final ModelConfig c;
    private final String name;
    private final int maxBatch;
    private final int firstLayer;
    private final KvPrecision kvPrecision;
    private final long kvRowsAllocated;
    private final double[] ropeFrequencies;
    private final DeviceWeights w;
    private final KvLayer[] kvLayers;
    // activations, [maxBatch, width] each
    private final GpuBuffer x;
    private final GpuBuffer xNorm;
    private final GpuBuffer q;
    private final GpuBuffer kRows;
    private final GpuBuffer vRows;
    private final GpuBuffer attention;
    private final GpuBuffer blockOut;
    private final GpuBuffer hidden;
    private final GpuBuffer hiddenUp;
    private final GpuBuffer routerLogits;
    private final GpuBuffer expertIds;
    private final GpuBuffer expertWeights;
    private final GpuBuffer expertOut;
    private final GpuBuffer logitInput;
    /** Decode products' input as 8-bit activations, where they take them (GpuKernels#takesQ8). */
    private final QuantizedInput quantized;
    /** Decode run tails (RunTail): the residual products' 8-bit output, its runs' sums of squares, the counters. */
    private final QuantizedInput quantizedNext;
    private final GpuBuffer normPartials;
    private final GpuBuffer runCounters;
    // written by the host every step (mapped), and their device copies, which the shaders read
    private final StepInput tokens;
    private final StepInput cosSin;
    private final StepInput kvRows;
    private final StepInput attentionMeta;
    private final StepInput tables;
    private final StepInput logitRows;
    private final int blocksPerSequence;
    private final int maxSequences;
    /** The residual stream from the CPU's layers, [maxBatch, dim] (mapped); null when this pass embeds the tokens. */
    private final GpuBuffer xIn;
    /** The logits rows: computed in device memory, copied to the mapped buffer the host reads. */
    private GpuBuffer logitsDevice;
    private GpuBuffer logitsOut;
    /** Decode attention's partial sums per position range (GpuKernels.attentionSplit). */
    private final GpuBuffer attentionParts;
    private final StepRecordings recordings;
    private final int[] tokenIds;
    private final int[] rows;
    private final int[] meta;
    private final int[] tableWords;
    private final int[] wanted;
    private final float[] cos;
    private final float[] sin;
    private final int[] tableOffsetOfSlot;

    VulkanForwardPass(VulkanContext ctx, String name, ModelConfig c, ModelWeights weights, KvCache kv, int maxBatch,
            int firstLayer) throws DeviceUnavailableException {
        if (firstLayer < 0 || firstLayer >= c.numLayers() || kv.hostLayers() != firstLayer) {
            throw new IllegalArgumentException("a device pass from layer " + firstLayer + " of " + c.numLayers()
                    + " needs a KV cache with the layers before it on the host; this one keeps " + kv.hostLayers());
        }
        if (kv.precision() == KvPrecision.Q8_0 && c.kvDim() % 32 != 0) {
            throw new DeviceUnavailableException("a Q8_0 KV cache needs key/value rows of a multiple of 32 values; "
                    + "this model's hold " + c.kvDim() + " (use --kv f16)");
        }
        if (c.headSize() > 256 || c.headSize() % 2 != 0) {
            throw new DeviceUnavailableException("head size " + c.headSize() + " is not supported by the Vulkan "
                    + "attention kernel (even, at most 256)");
        }
        this.ctx = ctx;
        this.name = name;
        this.c = c;
        this.maxBatch = maxBatch;
        this.firstLayer = firstLayer;
        this.kvPrecision = kv.precision();
        this.k = new GpuKernels(ctx);
        k.useSplitParts(ctx.deviceBuffer(DeviceFootprint.splitPartsBytes(c, maxBatch), "split-K parts"));
        k.useHalfInputs(ctx.deviceBuffer(DeviceFootprint.halfInputBytes(c, maxBatch), "product input halves"));
        this.ropeFrequencies = Rope.frequencies(c.ropeTheta(), c.rotaryDims(), c.ropeFrequencyFactors(),
                c.ropeScale());
        this.w = DeviceWeights.upload(ctx, c, weights, firstLayer);
        if (ctx.importedBytes() > 0) {
            System.err.printf(java.util.Locale.ROOT, "hearth: %s reads %.1f MiB of weights in place from host memory"
                    + " (unified memory: no second copy)%n", name, ctx.importedBytes() / 1048576.0);
        }
        if (k.q8Products()) {
            System.err.printf("hearth: %s takes 8-bit activations in decode products (integer dot products)%n", name);
        }
        this.kvRowsAllocated = (long) kv.numBlocks() * kv.blockSize();
        kvLayers = new KvLayer[c.numLayers()];
        for (int l = firstLayer; l < c.numLayers(); l++) {
            kvLayers[l] = KvLayer.allocate(ctx, kvPrecision, kvRowsAllocated, c.kvDim(), l);
        }
        int used = c.isMixtureOfExperts() ? c.expertsUsed() : 1;
        x = activation(c.dim(), "x");
        xNorm = activation(c.dim(), "xNorm");
        q = activation(c.queryDim(), "q");
        kRows = activation(c.kvDim(), "k");
        vRows = activation(c.kvDim(), "v");
        attention = activation(c.queryDim(), "attention");
        blockOut = activation(c.dim(), "blockOut");
        hidden = activation((long) c.ffnLength() * used, "hidden");
        hiddenUp = activation((long) c.ffnLength() * used, "hiddenUp");
        routerLogits = activation(Math.max(1, c.expertCount()), "router logits");
        expertIds = activation(used, "expert ids");
        expertWeights = activation(used, "expert weights");
        expertOut = activation((long) c.dim() * used, "expert outputs");
        logitInput = activation(c.dim(), "logit input");
        quantized = QuantizedInput.allocate(ctx, Math.min(maxBatch, DeviceFootprint.QUANTIZED_INPUT_ROWS),
                DeviceFootprint.widestProductInput(c));
        attentionParts = ctx.deviceBuffer(DeviceFootprint.attentionPartsBytes(c.numHeads(), c.headSize()),
                "attention ranges");
        int tailRows = Math.min(maxBatch, DeviceFootprint.QUANTIZED_INPUT_ROWS);
        quantizedNext = QuantizedInput.allocate(ctx, tailRows, c.dim());
        normPartials = ctx.deviceBuffer(4L * tailRows * (c.dim() / 32), "run sums of squares");
        long counterBytes = 4L * DeviceFootprint.QUANTIZED_INPUT_ROWS * (DeviceFootprint.widestProductInput(c) / 32 + 1);
        runCounters = ctx.deviceBuffer(counterBytes, "run counters");
        try (Arena arena = Arena.ofConfined()) {
            ctx.upload(runCounters, arena.allocate(counterBytes), 0);  // zero; each tail sets its run's back to zero
        }
        int half = c.rotaryDims() / 2;
        tokens = new StepInput(ctx, 4L * maxBatch, "tokens");
        cosSin = new StepInput(ctx, 8L * maxBatch * half, "rope angles");
        kvRows = new StepInput(ctx, 4L * maxBatch, "kv rows");
        attentionMeta = new StepInput(ctx, 8L * maxBatch, "attention rows");
        blocksPerSequence = (kv.contextLength() + kv.blockSize() - 1) / kv.blockSize();
        maxSequences = kv.maxSequences();
        tableWords = new int[Math.multiplyExact(Math.min(kv.maxSequences(), maxBatch), blocksPerSequence)];
        tables = new StepInput(ctx, 4L * tableWords.length, "block tables");
        logitRows = new StepInput(ctx, 4L * maxBatch, "logit rows");
        xIn = firstLayer == 0 ? null : ctx.hostBuffer(4L * maxBatch * c.dim(), "residual stream from the CPU");
        recordings = new StepRecordings(ctx);
        ensureLogits(Math.min(kv.maxSequences(), maxBatch));  // the engine's rows: one per sequence at most
        tokenIds = new int[maxBatch];
        rows = new int[maxBatch];
        meta = new int[2 * maxBatch];
        wanted = new int[maxBatch];
        cos = new float[maxBatch * half];
        sin = new float[maxBatch * half];
        tableOffsetOfSlot = new int[kv.maxSequences()];
    }

    private GpuBuffer activation(long width, String what) {
        return ctx.deviceBuffer(4L * maxBatch * width, what);
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public String device() {
        return name;
    }

    @Override
    public int firstLayer() {
        return firstLayer;
    }

    /** Whether this pass's decode steps of n rows chain their 8-bit products through run tails (RunTail). */
    boolean chainsRunTails(int n) {
        return fusedDecode(n) && chainedDecode(n);
    }

    /** Whether this pass's decode products take 8-bit activations where their weights allow. */
    boolean q8Products() {
        return k.q8Products();
    }

    /** Memory this pass's buffers hold on the device now (what {@code --gpu-memory} limits). */
    long allocatedBytes() {
        return ctx.allocatedBytes();
    }

    @Override
    public void forward(Batch batch, float[] hiddenIn, KvCache kv, Logits logits) {
        if ((hiddenIn == null) != (firstLayer == 0)) {
            throw new IllegalArgumentException(firstLayer == 0 ? "this pass embeds the tokens itself"
                    : "this pass starts at layer " + firstLayer + " and needs the residual stream before it");
        }
        BatchChecks.validate(c, maxBatch, batch, kv, logits);
        if ((long) kv.numBlocks() * kv.blockSize() > kvRowsAllocated || kv.precision() != kvPrecision) {
            throw new IllegalArgumentException("this Vulkan pass was opened for another KV cache");
        }
        int n = batch.size();
        logits.setBatchRows(batch);
        ctx.exclusive(() -> {  // the host writes and reads of mapped buffers too: a close waits for them
            ctx.stepStarted(n);
            writeInputs(batch, kv);
            if (xIn != null) {
                xIn.write(hiddenIn, 0, 0, n * c.dim());
            }
            int m = logits.rows();
            ensureLogits(logits.capacityRows());
            recordings.run(n, m, () -> record(n, m, kv.blockSize()));
            if (m > 0) {
                logitsOut.read(logits.values(), m * c.vocabSize());
            }
            ctx.stepEnded();
        });
    }

    private void writeInputs(Batch batch, KvCache kv) {
        int n = batch.size();
        int half = c.rotaryDims() / 2;
        java.util.Arrays.fill(tableOffsetOfSlot, -1);
        int used = 0;
        int m = 0;
        for (int t = 0; t < n; t++) {  // every block first: a table is copied once, at its sequence's first row
            kv.reserve(batch.sequenceId(t), batch.position(t));
        }
        for (int t = 0; t < n; t++) {
            int seq = batch.sequenceId(t);
            int pos = batch.position(t);
            tokenIds[t] = batch.token(t);
            Rope.fillCosSin(pos, ropeFrequencies, cos, sin, t * half);
            rows[t] = kv.row(seq, pos);
            if (tableOffsetOfSlot[seq] < 0) {
                BlockTable table = kv.table(seq);
                tableOffsetOfSlot[seq] = used;
                System.arraycopy(table.blocks(), 0, tableWords, used, table.size());
                used += table.size();
            }
            meta[2 * t] = tableOffsetOfSlot[seq];
            meta[2 * t + 1] = pos + 1;
            if (batch.needsLogits(t)) {
                wanted[m++] = t;
            }
        }
        tokens.host.write(tokenIds, n);
        kvRows.host.write(rows, n);
        attentionMeta.host.write(meta, 2 * n);
        tables.host.write(tableWords, used);
        logitRows.host.write(wanted, m);
        cosSin.host.write(cos, 0, 0, n * half);
        cosSin.host.write(sin, 0, 4L * maxBatch * half, n * half);
    }

    /** The step's inputs to device memory: the bytes that a step of n tokens and m logits rows can use. */
    private void copyInputs(int n, int m) {
        int half = c.rotaryDims() / 2;
        tokens.copy(ctx, 0, 4L * n);
        cosSin.copy(ctx, 0, 4L * n * half);
        cosSin.copy(ctx, 4L * maxBatch * half, 4L * n * half);
        kvRows.copy(ctx, 0, 4L * n);
        attentionMeta.copy(ctx, 0, 8L * n);
        tables.copy(ctx, 0, 4L * Math.min(n, maxSequences) * blocksPerSequence);
        if (m > 0) {
            logitRows.copy(ctx, 0, 4L * m);
        }
        if (xIn != null) {
            ctx.skipBarrier();
            ctx.copy(xIn, 0, x, 0, 4L * n * c.dim());
        }
    }

    /** A mapped buffer the host fills each step and its device-local twin, filled from it by a transfer. */
    private record StepInput(GpuBuffer host, GpuBuffer device) {
        StepInput(VulkanContext ctx, long bytes, String what) {
            this(ctx.hostBuffer(bytes, what), ctx.deviceBuffer(bytes, what + " (device)"));
        }

        /** Records the copy of bytes from offset; no barrier between the step's input copies. */
        void copy(VulkanContext ctx, long offset, long bytes) {
            ctx.skipBarrier();
            ctx.copy(host, offset, device, offset, bytes);
        }
    }

    /**
     * Room for the logits rows of a step. At open: the engine's rows (one per sequence at most), counted against
     * {@code --gpu-memory}; a caller that asks for more (scoring every prompt row) grows it outside the limit.
     */
    private void ensureLogits(int rowsWanted) {
        long bytes = 4L * Math.max(1, rowsWanted) * c.vocabSize();
        if (logitsOut == null) {
            logitsOut = ctx.hostBuffer(bytes, "logits");
            logitsDevice = ctx.deviceBuffer(bytes, "logits (device)");
        } else if (logitsOut.bytes < bytes) {
            recordings.clear();  // they copy out of the buffers replaced here
            ctx.release(logitsOut);
            ctx.release(logitsDevice);
            logitsOut = ctx.uncountedHostBuffer(bytes, "logits");
            logitsDevice = ctx.uncountedDeviceBuffer(bytes, "logits (device)");
        }
    }

    /** The whole pass, as the CPU transformer does it, one dispatch per kernel call. */
    private void record(int n, int m, int blockSize) {
        int dim = c.dim();
        float eps = c.rmsEpsilon();
        boolean neox = c.ropeStyle() == RopeStyle.NEOX;
        int sinOffset = maxBatch * (c.rotaryDims() / 2);
        copyInputs(n, m);                                          // with firstLayer > 0, x: [n, dim] from the CPU
        if (firstLayer == 0) {
            k.embed(w.embedding(), tokens.device, x, n);                                         // x: [n, dim]
        }
        boolean fused = fusedDecode(n);
        boolean chained = fused && chainedDecode(n);
        for (int l = firstLayer; l < c.numLayers(); l++) {
            DeviceWeights.Layer layer = w.layers()[l];
            if (chained) {
                attentionInputsChained(layer, l, n, eps);
            } else if (fused) {
                attentionInputsFused(layer, n, eps);
            } else {
                attentionInputs(layer, l, n, dim, eps);
            }
            if (c.hasQkNorms()) {
                k.rmsNorm(q, q, layer.queryNorm(), n * c.numHeads(), c.headSize(), eps);
                k.independent();
                k.rmsNorm(kRows, kRows, layer.keyNorm(), n * c.numKeyValueHeads(), c.headSize(), eps);
            }
            if (ROPE_IN_STORE) {
                k.ropeAndStore(q, kRows, vRows, kvLayers[l], kvRows.device, cosSin.device, n, c.numHeads(),
                        c.headSize(), c.rotaryDims(), c.queryDim(), c.kvDim(), neox, sinOffset);
            } else {
                k.rope(q, kRows, cosSin.device, n, c.numHeads(), c.numKeyValueHeads(), c.headSize(), c.rotaryDims(),
                        c.queryDim(), c.kvDim(), neox, sinOffset);
                k.kvStore(kRows, vRows, kvLayers[l], kvRows.device, c.kvDim(), n);
            }
            boolean attentionQuantized = k.attention(q, kvLayers[l], attention,
                    fused && k.takesQ8(layer.attentionOutput(), n) ? quantized : null, attentionMeta.device,
                    tables.device, attentionParts, n, c.numHeads(), c.numKeyValueHeads(), c.headSize(),
                    blockSize);                                                                   // [n, queryDim]
            if (chained) {
                feedForwardChained(layer, l, n, eps, attentionQuantized);
                continue;
            }
            if (fused) {
                feedForwardFused(layer, n, eps, attentionQuantized);
                continue;
            }
            k.matmul(layer.attentionOutput(), attention, blockOut, n);                            // [n, dim]
            k.addRmsNorm(x, blockOut, xNorm, layer.ffnNorm(), n, dim, eps);           // x += attention; [n, dim]
            switch (layer.feedForward()) {
                case DeviceWeights.Dense d -> {
                    ProductInput in = k.productInput(xNorm, n, dim);
                    k.matmul(d.gate(), in, hidden, n);                                            // [n, ffn]
                    k.independent();
                    k.matmul(d.up(), in, hiddenUp, n);                                            // [n, ffn]
                    k.matmulGlu(d.down(), hidden, hiddenUp, blockOut, n, c.ffnLength());          // [n, dim]
                }
                case DeviceWeights.Experts e -> {
                    int used = c.expertsUsed();
                    k.matmul(e.router(), xNorm, routerLogits, n);                                 // [n, experts]
                    k.moeRoute(routerLogits, expertIds, expertWeights, n, c.expertCount(), used);
                    k.matmulExperts(e.gate(), xNorm, hidden, expertIds, n * used, used, false);   // [n * used, ffn]
                    k.matmulExperts(e.up(), xNorm, hiddenUp, expertIds, n * used, used, false);
                    k.swiglu(hidden, hiddenUp, n * used * c.ffnLength());
                    k.matmulExperts(e.down(), hidden, expertOut, expertIds, n * used, used, true); // [n * used, dim]
                    k.moeCombine(expertOut, expertWeights, blockOut, n, dim, used);               // [n, dim]
                }
            }
            if (l + 1 < c.numLayers()) {                                 // x += ffn; the next layer's norm
                k.addRmsNorm(x, blockOut, xNorm, w.layers()[l + 1].attentionNorm(), n, dim, eps);
            } else {
                k.add(x, blockOut, n * dim);                                                      // x += ffn
            }
        }
        if (m > 0) {
            k.rmsNormGather(x, logitRows.device, logitInput, w.outputNorm(), m, dim, eps);        // [m, dim]
            if (k.takesQ8(w.output(), m)) {
                k.quantize(logitInput, null, GpuKernels.Input.PLAIN, 0, quantized, m, dim);
                k.q8Product(w.output(), quantized, null, false, logitsDevice, m);                 // [m, vocab]
            } else {
                k.matmul(w.output(), logitInput, logitsDevice, m);                                // [m, vocab]
            }
            ctx.copy(logitsDevice, 0, logitsOut, 0, 4L * m * c.vocabSize());
        }
    }

    /**
     * Whether a step of n rows takes the fused decode products: every norm, bias and residual add inside a product
     * (GpuKernels#fusesDecode), so a dense layer is seven passes instead of ten. MoE layers keep the passes apart.
     */
    private boolean fusedDecode(int n) {
        if (!k.fusesDecode(n)) {
            return false;
        }
        for (int l = firstLayer; l < c.numLayers(); l++) {  // the layers before firstLayer run on the CPU
            if (!(w.layers()[l].feedForward() instanceof DeviceWeights.Dense)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Decode steps of at most this many rows chain their products through run tails. On the H100 (14B Q4_K_M) the
     * tails took a 1-row step from 6.86 to 6.53-7.03 ms of GPU time (tg128 136.3 -> 141.8 tokens/s), left 4 rows
     * even (15.2 ms) and slowed 8 rows from 24.0 to 29.8-30.4 ms.
     */
    private static final int CHAINED_ROWS = 4;

    /**
     * Whether a fused decode step of n rows chains its 8-bit products through run tails (RunTail): every product of
     * every layer takes 8-bit activations, and each residual product and the gate and up products write the next
     * product's input themselves, so a dense layer is seven passes instead of ten.
     */
    private boolean chainedDecode(int n) {
        if (n > CHAINED_ROWS || !k.runTails() || c.dim() % 32 != 0 || c.ffnLength() % 32 != 0) {
            return false;
        }
        for (int l = firstLayer; l < c.numLayers(); l++) {
            DeviceWeights.Layer layer = w.layers()[l];
            DeviceWeights.Dense d = (DeviceWeights.Dense) layer.feedForward();
            for (GpuTensor t : new GpuTensor[] {layer.query(), layer.key(), layer.value(), layer.attentionOutput(),
                    d.gate(), d.up(), d.down()}) {
                if (!k.takesQ8(t, n)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * q, k and v over 8-bit activations in a chained step: the first layer quantizes x with its norm; later layers
     * read what the layer before's down product's tail wrote, and apply the norm's RMS from its sums of squares.
     */
    private void attentionInputsChained(DeviceWeights.Layer layer, int l, int n, float eps) {
        if (l == firstLayer) {
            k.quantize(x, layer.attentionNorm(), GpuKernels.Input.NORM, eps, quantized, n, c.dim());
            queryKeyValueQ8(layer, quantized, null, eps, n);
        } else {
            queryKeyValueQ8(layer, quantizedNext, normPartials, eps, n);
        }
    }

    /** The three independent 8-bit products q, k and v over in (its norm's RMS from rmsPartials where non-null). */
    private void queryKeyValueQ8(DeviceWeights.Layer layer, QuantizedInput in, GpuBuffer rmsPartials, float eps,
            int n) {
        boolean biases = c.hasQkvBiases();
        k.q8Product(layer.query(), in, rmsPartials, eps, biases ? layer.queryBias() : null, false, q, n, null);
        k.independent();
        k.q8Product(layer.key(), in, rmsPartials, eps, biases ? layer.keyBias() : null, false, kRows, n, null);
        k.independent();
        k.q8Product(layer.value(), in, rmsPartials, eps, biases ? layer.valueBias() : null, false, vRows, n, null);
    }

    /**
     * A dense layer's second half in a chained step: the o-proj's tail writes the feed-forward's input (norm weights
     * applied, its RMS left to gate and up), gate and up's tails the SwiGLU for down, and down's tail the next layer's
     * attention input (none after the last layer).
     */
    private void feedForwardChained(DeviceWeights.Layer layer, int l, int n, float eps, boolean attentionQuantized) {
        if (!attentionQuantized) {
            k.quantize(attention, null, GpuKernels.Input.PLAIN, 0, quantized, n, c.queryDim());
        }
        k.q8Product(layer.attentionOutput(), quantized, null, 0, null, true, x, n,
                RunTail.normed(layer.ffnNorm(), quantizedNext, normPartials, runCounters));  // x += attention
        DeviceWeights.Dense d = (DeviceWeights.Dense) layer.feedForward();
        RunTail swiglu = RunTail.swiglu(hidden, hiddenUp, quantized, runCounters);
        k.q8Product(d.gate(), quantizedNext, normPartials, eps, null, false, hidden, n, swiglu);       // [n, ffn]
        k.independent();  // the two count into the same runs: the last of either quantizes
        k.q8Product(d.up(), quantizedNext, normPartials, eps, null, false, hiddenUp, n, swiglu);       // [n, ffn]
        RunTail next = l + 1 < c.numLayers()
                ? RunTail.normed(w.layers()[l + 1].attentionNorm(), quantizedNext, normPartials, runCounters) : null;
        k.q8Product(d.down(), quantized, null, 0, null, true, x, n, next);                             // x += ffn
    }

    /** q, k and v of layer l from x: its norm (or, after the first layer, the residual add's), products, biases. */
    private void attentionInputs(DeviceWeights.Layer layer, int l, int n, int dim, float eps) {
        if (l == firstLayer) {  // later layers' attention norms ran with the residual add that ended the layer before
            k.rmsNorm(x, xNorm, layer.attentionNorm(), n, dim, eps);                             // [n, dim]
        }
        ProductInput in = k.productInput(xNorm, n, dim);
        k.matmul(layer.query(), in, q, n);                                                        // [n, queryDim]
        k.independent();
        k.matmul(layer.key(), in, kRows, n);                                                      // [n, kvDim]
        k.independent();
        k.matmul(layer.value(), in, vRows, n);                                                    // [n, kvDim]
        if (c.hasQkvBiases()) {
            k.addBias(q, layer.queryBias(), n, c.queryDim());
            k.independent();
            k.addBias(kRows, layer.keyBias(), n, c.kvDim());
            k.independent();
            k.addBias(vRows, layer.valueBias(), n, c.kvDim());
        }
    }

    /**
     * The same in three independent decode products, each normalizing x and adding its bias itself; or, where all
     * three take 8-bit activations, x normalized and quantized once and three products over it.
     */
    private void attentionInputsFused(DeviceWeights.Layer layer, int n, float eps) {
        boolean biases = c.hasQkvBiases();
        if (k.takesQ8(layer.query(), n) && k.takesQ8(layer.key(), n) && k.takesQ8(layer.value(), n)) {
            k.quantize(x, layer.attentionNorm(), GpuKernels.Input.NORM, eps, quantized, n, c.dim());
            queryKeyValueQ8(layer, quantized, null, eps, n);
            return;
        }
        k.normedProduct(layer.query(), x, layer.attentionNorm(), eps, biases ? layer.queryBias() : null, q, n);
        k.independent();
        k.normedProduct(layer.key(), x, layer.attentionNorm(), eps, biases ? layer.keyBias() : null, kRows, n);
        k.independent();
        k.normedProduct(layer.value(), x, layer.attentionNorm(), eps, biases ? layer.valueBias() : null, vRows, n);
    }

    /**
     * A dense layer's second half in decode products: x += o-proj(attention); x += down(silu(gate) * up) with gate
     * and up of the normalized x. Each product takes 8-bit activations where it can (its input quantized by a pass
     * that also applies the norm or the SwiGLU; the attention's merge quantized its output where attentionQuantized),
     * else folds them into its own reads.
     */
    private void feedForwardFused(DeviceWeights.Layer layer, int n, float eps, boolean attentionQuantized) {
        if (k.takesQ8(layer.attentionOutput(), n)) {
            if (!attentionQuantized) {
                k.quantize(attention, null, GpuKernels.Input.PLAIN, 0, quantized, n, c.queryDim());
            }
            k.q8Product(layer.attentionOutput(), quantized, null, true, x, n);                    // x += attention
        } else {
            k.residualProduct(layer.attentionOutput(), attention, x, n);                          // x += attention
        }
        DeviceWeights.Dense d = (DeviceWeights.Dense) layer.feedForward();
        if (k.takesQ8(d.gate(), n) && k.takesQ8(d.up(), n)) {
            k.quantize(x, layer.ffnNorm(), GpuKernels.Input.NORM, eps, quantized, n, c.dim());
            k.q8Product(d.gate(), quantized, null, false, hidden, n);                             // [n, ffn]
            k.independent();
            k.q8Product(d.up(), quantized, null, false, hiddenUp, n);                             // [n, ffn]
        } else {
            k.normedProduct(d.gate(), x, layer.ffnNorm(), eps, null, hidden, n);                  // [n, ffn]
            k.independent();
            k.normedProduct(d.up(), x, layer.ffnNorm(), eps, null, hiddenUp, n);                  // [n, ffn]
        }
        if (k.takesQ8(d.down(), n)) {
            k.quantize(hidden, hiddenUp, GpuKernels.Input.GLU, 0, quantized, n, c.ffnLength());
            k.q8Product(d.down(), quantized, null, true, x, n);                                   // x += ffn
        } else {
            k.residualGluProduct(d.down(), hidden, hiddenUp, x, n);                               // x += ffn
        }
    }

    @Override
    public void close() {
        ctx.close();
    }
}
