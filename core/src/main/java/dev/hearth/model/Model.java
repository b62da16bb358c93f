package dev.hearth.model;

import dev.hearth.gguf.GgufFile;
import dev.hearth.kernel.ComputePool;
import dev.hearth.kernel.WeightPacker;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A loaded model: the mapped GGUF file, its config, its weights (views over the mapping, no copy), the compute pool
 * and the forward pass. One caller at a time; {@link #close()} unmaps the file and stops the pool.
 */
public final class Model implements AutoCloseable {
    private final GgufFile file;
    private final ModelConfig config;
    private final ComputePool pool;
    private final WeightPacker packer;
    private final ModelWeights weights;
    private final Transformer transformer;
    private final String loadPhases;
    /** The pass {@link #forward} runs: the CPU transformer, or a device's after {@link #runOn}. */
    private ForwardPass pass;
    private Embedder embedder;

    private Model(GgufFile file, ModelConfig config, ComputePool pool, WeightPacker packer, ModelWeights weights,
            Transformer transformer, String loadPhases) {
        this.file = file;
        this.config = config;
        this.pool = pool;
        this.packer = packer;
        this.weights = weights;
        this.transformer = transformer;
        this.loadPhases = loadPhases;
        this.pass = transformer;
    }

    /**
     * Opens and maps a GGUF model.
     *
     * @throws IOException when the file cannot be read
     * @throws dev.hearth.gguf.GgufException when the file is not a supported model; the message names the key or tensor
     */
    public static Model load(Path path, ModelOptions options) throws IOException {
        long start = System.nanoTime();
        return load(GgufFile.open(path), options, start);
    }

    /**
     * A model over a file the caller has already opened (to plan it first: one parse of the header, not two). The
     * model owns the file from here on: closed with the model, or at once when the load fails.
     */
    public static Model load(GgufFile file, ModelOptions options) throws IOException {
        return load(file, options, System.nanoTime());
    }

    private static Model load(GgufFile file, ModelOptions options, long start) throws IOException {
        Path path = file.path();
        ComputePool pool = null;
        WeightPacker packer = null;
        try {
            ModelConfig config = ModelConfig.from(file);
            pool = new ComputePool(options.threads(), options.nativeKernels());
            long opened = System.nanoTime();
            packer = new WeightPacker(path, options.repackCache(), options.nativeKernels(), file.arena(), pool);
            long cached = System.nanoTime();
            ModelWeights weights = ModelWeights.load(file, config, packer);
            packer.finish();
            long weighed = System.nanoTime();
            Transformer transformer = new Transformer(config, weights, pool, options.maxBatchTokens());
            long end = System.nanoTime();
            return new Model(file, config, pool, packer, weights, transformer, String.format(java.util.Locale.ROOT,
                    "open %.2f s, repack cache %.2f s, weights %.2f s, buffers %.2f s", (opened - start) / 1e9,
                    (cached - opened) / 1e9, (weighed - cached) / 1e9, (end - weighed) / 1e9));
        } catch (RuntimeException | Error e) {
            if (packer != null) {
                packer.close();
            }
            if (pool != null) {
                pool.close();
            }
            file.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public GgufFile file() {
        return file;
    }

    /** The weights as loaded (views over the mapping): what a device backend copies to its memory. */
    public ModelWeights weights() {
        return weights;
    }

    /**
     * Makes {@link #forward} run on {@code devicePass} (a GPU backend's, built from {@link #weights()}); the model
     * closes it. Embeddings stay on the CPU transformer.
     */
    public void runOn(ForwardPass devicePass) {
        if (pass != transformer) {
            pass.close();
        }
        pass = devicePass;
    }

    /**
     * Makes {@link #forward} run on {@code deviceLayers} (layers [k, numLayers) and the output head, on a device) after
     * this model's CPU transformer ran layers [0, k): a {@link SplitForwardPass}. With k 0, the device runs it all
     * ({@link #runOn}). The KV cache must keep layers [0, k) on the host ({@link #newSplitKvCache}).
     */
    public void runSplit(LayerRangePass deviceLayers) {
        runOn(deviceLayers.firstLayer() == 0 ? deviceLayers : new SplitForwardPass(transformer, deviceLayers));
    }

    /** Where {@link #forward} runs: "cpu", the device's name, or "cpu + " it for a split. */
    public String device() {
        return pass.device();
    }

    public int threads() {
        return pool.threads();
    }

    /** Seconds each phase of the load took: opening the file, the repack cache's check, weights, buffers. */
    public String loadPhases() {
        return loadPhases;
    }

    /** The repacked weights' bytes and what the load did with the repack cache. */
    public WeightPacker packer() {
        return packer;
    }

    /** The most rows one {@link #forward} call takes. */
    public int maxBatchTokens() {
        return transformer.maxBatch();
    }

    /** A KV cache with room for {@code maxSequences} sequences of up to {@code contextLength} positions each. */
    public KvCache newKvCache(int contextLength, int maxSequences, KvPrecision precision) {
        return new KvCache(config.numLayers(), config.kvDim(), contextLength, maxSequences, precision);
    }

    /**
     * A paged KV cache of {@code numBlocks} blocks of {@code blockSize} positions shared by {@code maxSequences}
     * sequences of up to {@code contextLength} positions each.
     */
    public KvCache newKvCache(int contextLength, int maxSequences, KvPrecision precision, int blockSize, int numBlocks) {
        return new KvCache(config.numLayers(), config.kvDim(), contextLength, maxSequences, precision, blockSize,
                numBlocks);
    }

    /**
     * As {@link #newKvCache(int, int, KvPrecision, int, int)} but holding only the block tables: the keys and values
     * live on the device of a {@link ForwardPass} that keeps them there.
     */
    public KvCache newDeviceKvCache(int contextLength, int maxSequences, KvPrecision precision, int blockSize,
            int numBlocks) {
        return KvCache.tablesOnly(config.numLayers(), config.kvDim(), contextLength, maxSequences, precision,
                blockSize, numBlocks);
    }

    /**
     * As {@link #newDeviceKvCache} for a split pass ({@link #runSplit}): the keys and values of layers
     * [0, cpuLayers) live in this cache's memory (those layers run on the CPU), the others' on the device.
     */
    public KvCache newSplitKvCache(int cpuLayers, int contextLength, int maxSequences, KvPrecision precision,
            int blockSize, int numBlocks) {
        return KvCache.split(cpuLayers, config.numLayers(), config.kvDim(), contextLength, maxSequences, precision,
                blockSize, numBlocks);
    }

    /** Bytes of keys and values one position takes in a cache of this precision (all layers). */
    public long kvBytesPerPosition(KvPrecision precision) {
        return KvCache.bytesPerPosition(config.numLayers(), config.kvDim(), precision);
    }

    /** A batch of the largest size this model was loaded for. */
    public Batch newBatch() {
        return new Batch(transformer.maxBatch());
    }

    /** Room for {@code rows} rows of logits. */
    public Logits newLogits(int rows) {
        return new Logits(rows, config.vocabSize());
    }

    /**
     * Runs every row of the batch through the model: stores each row's keys and values in its sequence's cache at its
     * position, attends causally over that sequence, and writes logits for the rows that ask for them.
     */
    public void forward(Batch batch, KvCache kv, Logits logits) {
        pass.forward(batch, kv, logits);
    }

    /**
     * The embedding of a token sequence: the final-normed hidden states of all its positions (computed by the
     * forward pass without logits, in its own KV cache) mean-pooled and L2-normalised; {@code dim} values.
     */
    public float[] embed(int[] ids) {
        if (embedder == null) {
            embedder = new Embedder(config, transformer);
        }
        return embedder.embed(ids);
    }

    @Override
    public void close() {
        if (embedder != null) {
            embedder.close();
        }
        if (pass != transformer) {
            pass.close();  // device memory first, while the mapping it was copied from still exists
        }
        packer.close();  // its writer reads weights of the file's arena
        pool.close();
        file.close();
    }
}
