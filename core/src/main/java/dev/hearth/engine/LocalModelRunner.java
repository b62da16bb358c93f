package dev.hearth.engine;

import dev.hearth.device.DeviceChoice;
import dev.hearth.gguf.GgufFile;
import dev.hearth.kv.BlockAllocator;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Batch;
import dev.hearth.model.Logits;
import dev.hearth.model.Model;
import dev.hearth.model.ModelConfig;
import dev.hearth.model.ModelOptions;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The engine's runner over a loaded model: one paged KV cache (a pool of blocks shared by every slot), whose block
 * tables the scheduler fills; each step binds each row's table to its slot before the forward pass.
 */
public final class LocalModelRunner implements ModelRunner {
    private final Model model;
    private final KvCache kv;
    private final Batch batch;
    private final Logits logits;
    private final int maxSequences;
    private final int contextLength;
    private final long kvNanos;
    private final String placement;
    private final dev.hearth.device.ComputeDevice device;
    private final int firstDeviceLayer;

    /** A pool with room for every slot's full context. */
    public LocalModelRunner(Model model, int contextLength, int maxSequences, KvPrecision precision) {
        this(model, contextLength, maxSequences, precision,
                Math.multiplyExact(maxSequences, blocksFor(contextLength)));
    }

    /**
     * @param contextLength positions per sequence
     * @param maxSequences KV slots (the most sequences running at once)
     * @param kvBlocks blocks of {@link KvCache#DEFAULT_BLOCK_SIZE} positions in the shared pool; at least one full
     *     context, so that a sequence alone always fits
     */
    public LocalModelRunner(Model model, int contextLength, int maxSequences, KvPrecision precision, int kvBlocks) {
        this(model, contextLength, maxSequences, precision, kvBlocks, DeviceChoice.DEFAULT);
    }

    /**
     * As {@link #LocalModelRunner(Model, int, int, KvPrecision, int)} on the device the user chose: the forward pass,
     * weights and KV blocks move to it; where it cannot be used, the CPU runs the model and {@link #placement()} says
     * why in one line.
     */
    public LocalModelRunner(Model model, int contextLength, int maxSequences, KvPrecision precision, int kvBlocks,
            DeviceChoice device) {
        if (kvBlocks < blocksFor(contextLength)) {
            throw new IllegalArgumentException("a KV budget of " + kvBlocks + " blocks of " + KvCache.DEFAULT_BLOCK_SIZE
                    + " positions cannot hold one sequence of the context length " + contextLength + " (needs "
                    + blocksFor(contextLength) + ")");
        }
        this.model = model;
        this.contextLength = contextLength;
        this.maxSequences = maxSequences;
        long start = System.nanoTime();
        DeviceSetup setup = DeviceSetup.attach(model, device, contextLength, maxSequences, precision,
                KvCache.DEFAULT_BLOCK_SIZE, kvBlocks);
        this.kvNanos = System.nanoTime() - start;
        this.kv = setup.kv();
        this.placement = setup.placement();
        this.device = setup.device();
        this.firstDeviceLayer = setup.firstDeviceLayer();
        this.batch = model.newBatch();
        this.logits = model.newLogits(Math.min(maxSequences, model.maxBatchTokens()));
    }

    /** The batch size (most rows of one forward pass) when none is asked for. */
    public static final int DEFAULT_MAX_BATCH_TOKENS = ModelOptions.DEFAULT_MAX_BATCH_TOKENS;

    /** The device the model runs on, or null on the CPU. */
    public dev.hearth.device.ComputeDevice device() {
        return device;
    }

    /** The first layer the device runs (0: all of them, or no device); the CPU runs the layers before it. */
    public int firstDeviceLayer() {
        return firstDeviceLayer;
    }

    /** The model's layer count (for the share of layers on each device). */
    public int numLayers() {
        return model.config().numLayers();
    }

    @Override
    public String placement() {
        return placement;
    }

    /** Whether matmuls run on the native int8 kernels in this process (see {@code kernel.NativeKernels}). */
    public static boolean nativeKernels() {
        return dev.hearth.kernel.NativeKernels.available();
    }

    /** One line on which matmul kernels run here and, where the native ones do not, why. */
    public static String matmulKernels() {
        return dev.hearth.kernel.NativeKernels.status();
    }

    /** Loads a GGUF model and sizes the runner: threads, batch size, context per sequence, slots, KV precision. */
    public static LocalModelRunner load(Path path, int threads, int maxBatchTokens, int contextLength, int maxSequences,
            KvPrecision precision) throws IOException {
        return load(path, threads, maxBatchTokens, contextLength, maxSequences, precision, 0);
    }

    /**
     * As {@link #load(Path, int, int, int, int, KvPrecision)} with a KV memory budget in bytes (keys and values of all
     * layers); 0 sizes the pool for every slot's full context.
     */
    public static LocalModelRunner load(Path path, int threads, int maxBatchTokens, int contextLength, int maxSequences,
            KvPrecision precision, long kvBudgetBytes) throws IOException {
        return load(path, threads, maxBatchTokens, contextLength, maxSequences, precision, kvBudgetBytes, null);
    }

    /**
     * As {@link #load(Path, int, int, int, int, KvPrecision, long)} with the repack cache's directory (null: repacked
     * weights live in memory only and are rebuilt at every load).
     */
    public static LocalModelRunner load(Path path, int threads, int maxBatchTokens, int contextLength, int maxSequences,
            KvPrecision precision, long kvBudgetBytes, Path repackCache) throws IOException {
        return load(path, threads, maxBatchTokens, contextLength, maxSequences, precision, kvBudgetBytes, repackCache,
                DeviceChoice.DEFAULT);
    }

    /** As {@link #load(Path, int, int, int, int, KvPrecision, long, Path)} on the device the user chose. */
    public static LocalModelRunner load(Path path, int threads, int maxBatchTokens, int contextLength, int maxSequences,
            KvPrecision precision, long kvBudgetBytes, Path repackCache, DeviceChoice device) throws IOException {
        return load(Model.load(path, new ModelOptions(threads, maxBatchTokens).withRepackCache(repackCache)),
                contextLength, maxSequences, precision, kvBudgetBytes, device);
    }

    /**
     * As {@link #load(Path, int, int, int, int, KvPrecision, long, Path, DeviceChoice)} over a file the caller opened,
     * which the runner owns from here on (closed with it, or at once when the load fails).
     */
    public static LocalModelRunner load(GgufFile file, int threads, int maxBatchTokens, int contextLength,
            int maxSequences, KvPrecision precision, long kvBudgetBytes, Path repackCache, DeviceChoice device)
            throws IOException {
        return load(Model.load(file, new ModelOptions(threads, maxBatchTokens).withRepackCache(repackCache)),
                contextLength, maxSequences, precision, kvBudgetBytes, device);
    }

    private static LocalModelRunner load(Model model, int contextLength, int maxSequences, KvPrecision precision,
            long kvBudgetBytes, DeviceChoice device) {
        try {
            int ctx = contextLength > 0 ? Math.min(contextLength, model.config().contextLength())
                    : Math.min(4096, model.config().contextLength());
            if (kvBudgetBytes <= 0) {
                return new LocalModelRunner(model, ctx, maxSequences, precision,
                        Math.multiplyExact(maxSequences, blocksFor(ctx)), device);
            }
            long perBlock = model.kvBytesPerPosition(precision) * KvCache.DEFAULT_BLOCK_SIZE;
            return new LocalModelRunner(model, ctx, maxSequences, precision,
                    (int) Math.min(Integer.MAX_VALUE, kvBudgetBytes / perBlock), device);
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
    }

    private static int blocksFor(int positions) {
        return (positions + KvCache.DEFAULT_BLOCK_SIZE - 1) / KvCache.DEFAULT_BLOCK_SIZE;
    }

    public ModelConfig config() {
        return model.config();
    }

    public Model model() {
        return model;
    }

    /** Bytes of repacked weights (native memory or the mapped cache) and one line on what the repack cache did. */
    public long repackedBytes() {
        return model.packer().packedBytes();
    }

    /** Seconds each phase of the load took (the model's, then the KV cache's allocation). */
    public String loadPhases() {
        return model.loadPhases() + String.format(java.util.Locale.ROOT, ", KV cache %.2f s", kvNanos / 1e9);
    }

    /** The parsed GGUF the model reads (the server reuses it for tokenizer and chat template). */
    public GgufFile file() {
        return model.file();
    }

    /**
     * Starts the repack cache entry's background work: its move into huge pages, and the chunk check (once the load and
     * warm-up are done).
     */
    public void startRepackCheck() {
        model.packer().startBackgroundCheck();
    }

    /**
     * Runs the repack cache entry's background work now and waits for it (what a benchmark does before it times
     * anything: the move and the check each read every byte of the entry, and run 30 s after the load the check fell
     * inside a 14B's decode timings).
     */
    public void awaitRepackCheck() throws InterruptedException {
        model.packer().awaitVerifier();
    }

    public String repackNote() {
        return model.packer().note();
    }

    /** The KV cache (its size and precision, for reports). */
    public KvCache kvCache() {
        return kv;
    }

    @Override
    public int vocabularySize() {
        return model.config().vocabSize();
    }

    @Override
    public int maxSequences() {
        return maxSequences;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    @Override
    public int maxBatchTokens() {
        return model.maxBatchTokens();
    }

    @Override
    public long kvCacheBytes() {
        return kv.totalBytes();
    }

    @Override
    public BlockAllocator kvBlocks() {
        return kv.allocator();
    }

    @Override
    public String fault() {
        return model.packer().fault();
    }

    @Override
    public void forward(StepBatch plan, float[] out) {
        String fault = fault();
        if (fault != null) {
            throw new InternalError(fault);  // fatal: the engine fails with this reason
        }
        batch.clear();
        for (int row = 0; row < plan.size(); row++) {
            int slot = plan.slot(row);
            kv.bind(slot, plan.table(row));
            if (plan.position(row) >= kv.capacity(slot)) {
                throw new IllegalStateException("slot " + slot + " has KV blocks for " + kv.capacity(slot)
                        + " positions, the step writes position " + plan.position(row));
            }
            batch.add(plan.token(row), plan.position(row), slot, plan.needsLogits(row));
        }
        model.forward(batch, kv, logits);
        if (out != logits.values()) {
            System.arraycopy(logits.values(), 0, out, 0, logits.rows() * logits.vocabSize());
        }
    }

    @Override
    public float[] logitsArray() {
        return logits.values();
    }

    @Override
    public float[] embed(int[] ids) {
        return model.embed(ids);
    }

    @Override
    public void releaseSlot(int slot) {
        // the scheduler gave the slot's blocks back; the table it bound is no longer ours to touch
    }

    @Override
    public void close() {
        kv.close();
        model.close();
    }
}
