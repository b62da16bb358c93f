package dev.hearth.device;

import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufTensorInfo;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.ModelConfig;

/**
 * The device memory a forward pass holds to run layers [first, numLayers) of a model and its output head, from the
 * GGUF directory alone (nothing is read but the header): what {@code --gpu-layers auto} fits under a device's memory
 * and {@code --gpu-memory}, and what the planner counts per device. It follows the Vulkan pass's buffers: weight
 * matrices in their GGML layout, norms and biases as floats, the token embedding only when the device runs every
 * layer, the output matrix always (the embedding again where the output is tied); keys and values of its layers for
 * every pool row (F32, F16, or Q8_0 with a float scale per 32 values); activations for the largest batch, the host
 * buffers of a step and the logits rows. {@code DeviceMemoryTest} holds it to what the pass allocates.
 */
public final class DeviceFootprint {
    /**
     * Position ranges times rows of a decode step whose attention is split over positions, at most: the Vulkan pass
     * keeps one buffer of partial sums that size (gpu.GpuKernels.attentionRanges keeps to it).
     */
    public static final int ATTENTION_RANGE_ROWS = 32;
    /** Output rows of a step whose blocked products may split their columns (gpu.GpuKernels.splitK), at most. */
    public static final int SPLIT_ROWS = 64;
    /** Bytes by use; {@link #total()} is what the device gives. */
    public record Sizes(long weights, long kv, long scratch) {
        public long total() {
            return weights + kv + scratch;
        }
    }

    private final int numLayers;
    private final long[] weightsOfLayer;
    private final long embedding;
    private final boolean tied;
    private final long output;
    private final long kvPerLayer;
    private final long scratch;
    private final long splitInput;

    private DeviceFootprint(int numLayers, long[] weightsOfLayer, long embedding, boolean tied, long output,
            long kvPerLayer, long scratch, long splitInput) {
        this.numLayers = numLayers;
        this.weightsOfLayer = weightsOfLayer;
        this.embedding = embedding;
        this.tied = tied;
        this.output = output;
        this.kvPerLayer = kvPerLayer;
        this.scratch = scratch;
        this.splitInput = splitInput;
    }

    /**
     * @param kvRows rows of the KV pool (blocks x block size), each layer's keys and values for all of them
     * @param maxBatch rows of one forward pass
     * @param maxSequences KV slots (the logits rows are at most one per sequence in a step)
     * @param contextLength positions per sequence (block tables of a step)
     */
    public static DeviceFootprint of(GgufFile file, KvPrecision precision, long kvRows, int maxBatch, int maxSequences,
            int contextLength, int blockSize) {
        ModelConfig c = ModelConfig.from(file);
        long[] layers = new long[c.numLayers()];
        long embedding = 0;
        long outputMatrix = 0;
        long outputNorm = 0;
        for (GgufTensorInfo t : file.tensors()) {
            long bytes = buffer(t.shape().length < 2 ? 4 * t.elementCount() : t.byteSize());
            String name = t.name();
            if (name.startsWith("blk.")) {
                int dot = name.indexOf('.', 4);
                int layer = dot < 0 ? -1 : parseLayer(name.substring(4, dot));
                if (layer >= 0 && layer < layers.length) {
                    layers[layer] += bytes;
                }
            } else if (name.equals(GgufKeys.TOKEN_EMBD)) {
                embedding = bytes;
            } else if (name.equals(GgufKeys.OUTPUT)) {
                outputMatrix = bytes;
            } else if (name.equals(GgufKeys.OUTPUT_NORM)) {
                outputNorm = bytes;
            }
        }
        long output = (c.tiedOutput() ? embedding : outputMatrix) + outputNorm;
        long values = kvRows * c.kvDim();
        long kvPerLayer = 2 * switch (precision) {
            case F32 -> buffer(4 * values);
            case F16 -> buffer(2 * values);
            case Q8_0 -> buffer(values) + buffer(4 * (values / 32));
        };
        long b = maxBatch;
        int used = c.isMixtureOfExperts() ? c.expertsUsed() : 1;
        long activations = buffer(4 * b * c.dim()) * 4                      // x, xNorm, blockOut, logit input
                + buffer(4 * b * c.queryDim()) * 2                            // q, attention
                + buffer(4 * b * c.kvDim()) * 2                               // k, v rows
                + buffer(4 * b * c.ffnLength() * used) * 2                    // hidden, hiddenUp
                + buffer(4 * b * Math.max(1, c.expertCount()))                // router logits
                + buffer(4 * b * used) * 2                                    // expert ids, weights
                + buffer(4 * b * c.dim() * used)                              // expert outputs
                + buffer(attentionPartsBytes(c.numHeads(), c.headSize()))     // decode attention ranges
                + buffer(splitPartsBytes(c, maxBatch))                        // split-K partial sums
                + quantizedInputBytes(c, maxBatch)                            // decode's 8-bit input
                + runTailBytes(c, maxBatch)                                   // its run tails' input, sums, counters
                + buffer(halfInputBytes(c, maxBatch))                         // prompt products' halves
                + buffer(16);                                                 // the unused binding
        long blocksPerSequence = (contextLength + blockSize - 1) / blockSize;
        long logitRows = Math.min(maxSequences, maxBatch);
        long host = 2 * (buffer(4 * b) * 3                                    // tokens, kv rows, logit rows
                + buffer(8 * b * (c.rotaryDims() / 2))                        // rope cos and sin
                + buffer(8 * b)                                               // attention rows
                + buffer(4 * Math.min(maxSequences, maxBatch) * blocksPerSequence)  // block tables
                + buffer(4 * Math.max(1, logitRows) * c.vocabSize()));        // logits
        // each twice: mapped for the host, and the device-local copy that the shaders use
        return new DeviceFootprint(c.numLayers(), layers, embedding, c.tiedOutput(), output, kvPerLayer,
                activations + host, buffer(4 * b * c.dim()));
    }

    /**
     * As {@link #of} for the geometry a runner loads with: the context clamped to the model's, every one of
     * {@code parallel} sequences' full context in the pool, in blocks of {@link KvCache#DEFAULT_BLOCK_SIZE}.
     */
    public static DeviceFootprint forRunner(GgufFile file, KvPrecision precision, int context, int parallel,
            int maxBatch) {
        int ctx = Math.min(context, ModelConfig.from(file).contextLength());
        int block = KvCache.DEFAULT_BLOCK_SIZE;
        long rows = (long) parallel * ((ctx + block - 1) / block * block);
        return of(file, precision, rows, maxBatch, parallel, ctx, block);
    }

    /** Device bytes to run layers [firstLayer, numLayers) and the output head (firstLayer 0: the whole model). */
    public Sizes forLayers(int firstLayer) {
        if (firstLayer < 0 || firstLayer >= numLayers) {
            throw new IllegalArgumentException("first device layer " + firstLayer + " outside [0, " + numLayers + ")");
        }
        long weights = output + layerWeights(firstLayer, numLayers);
        boolean whole = firstLayer == 0;
        if (whole && !tied) {
            weights += embedding;  // the device embeds the tokens only when it runs every layer
        }
        return new Sizes(weights, kvPerLayer * (numLayers - firstLayer), scratch + (whole ? 0 : splitInput));
    }

    /** The weights of layers [from, to) as a device holds them (about their bytes in the file). */
    public long layerWeights(int from, int to) {
        long sum = 0;
        for (int l = from; l < to; l++) {
            sum += weightsOfLayer[l];
        }
        return sum;
    }

    public int numLayers() {
        return numLayers;
    }

    /**
     * The Vulkan pass's buffer of decode attention's ranges: per range and row, a head's partial output, its maximum
     * and its sum ({@link #ATTENTION_RANGE_ROWS} of them at most), whatever the step.
     */
    public static long attentionPartsBytes(int numHeads, int headSize) {
        return 4L * ATTENTION_RANGE_ROWS * numHeads * (headSize + 2);
    }

    /**
     * The Vulkan pass's buffer of split-K partial sums: up to 8 parts of a product of at most {@link #SPLIT_ROWS} rows
     * (and maxBatch) by the widest layer product's outputs.
     */
    public static long splitPartsBytes(ModelConfig c, int maxBatch) {
        int widest = Math.max(Math.max(c.dim(), c.ffnLength()), Math.max(c.queryDim(), c.kvDim()));
        return 4L * 8 * Math.min(maxBatch, SPLIT_ROWS) * widest;
    }

    /**
     * Decode products over 8-bit activations read at most this many input rows (GpuKernels.MATVEC_MAX_OUT): the
     * quantized input's buffers hold that many rows of the widest product input.
     */
    public static final int QUANTIZED_INPUT_ROWS = 32;

    /** The widest input of a layer's products (the feed-forward's down product reads ffnLength values). */
    public static int widestProductInput(ModelConfig c) {
        return Math.max(Math.max(c.dim(), c.queryDim()), c.ffnLength());
    }

    /**
     * The Vulkan pass's prompt and batch input as halves (matmm_coop.comp's on the matrix units): maxBatch rows of the
     * widest product input.
     */
    public static long halfInputBytes(ModelConfig c, int maxBatch) {
        return 2L * maxBatch * widestProductInput(c);
    }

    /** The Vulkan pass's 8-bit decode input: a byte per value and a float per 32 (GpuKernels.quantize). */
    public static long quantizedInputBytes(ModelConfig c, int maxBatch) {
        long rows = Math.min(maxBatch, QUANTIZED_INPUT_ROWS);
        long widest = widestProductInput(c);
        return buffer(rows * widest) + buffer(4 * rows * (widest / 32));
    }

    /**
     * The Vulkan pass's decode run tails (GpuKernels.q8Product with a RunTail): a second 8-bit input of dim-wide rows
     * (a residual product's tail writes it while its own input is read), each run's sum of squares, and a counter per
     * run and output tile.
     */
    public static long runTailBytes(ModelConfig c, int maxBatch) {
        long rows = Math.min(maxBatch, QUANTIZED_INPUT_ROWS);
        return buffer(rows * c.dim()) + buffer(4 * rows * (c.dim() / 32)) * 2
                + buffer(4L * QUANTIZED_INPUT_ROWS * (widestProductInput(c) / 32 + 1));
    }

    private static long buffer(long bytes) {
        return Math.max(16, (bytes + 15) & ~15L);  // VulkanContext.allocate's rounding
    }

    private static int parseLayer(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
