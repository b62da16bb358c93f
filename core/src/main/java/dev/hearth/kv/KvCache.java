package dev.hearth.kv;

import dev.hearth.kernel.Q8Rows;
import dev.hearth.kernel.SegmentRows;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;

/**
 * Paged keys and values: one pool of {@code numBlocks} blocks of {@code blockSize} positions, allocated once, shared by
 * every sequence through per-sequence {@link BlockTable}s. Row {@code r = block * blockSize + offset} of a layer holds
 * one position's {@code kvDim} values at value {@code r * kvDim} of that layer's segments, in the cache's precision:
 * F32 or F16 ({@link #keys}, {@link #values}) or Q8_0 (the same, with {@link #keyScales} and {@link #valueScales}).
 *
 * <p>The pool is native memory ({@link KvMemory}: one anonymous mapping, sliced per layer), so no heap or direct
 * memory limit applies, nothing is zero-filled up front, and pages become resident as positions are written.
 * {@link #close} unmaps it; a cache that is dropped without a close is unmapped once it is unreachable.
 *
 * <p>A sequence id indexes a table. The engine's scheduler fills tables itself from {@link #allocator()} and
 * {@link #bind}s them; a standalone caller lets {@link #reserve} take blocks as positions arrive and gives them back
 * with {@link #clear}. One thread at a time.
 */
public final class KvCache implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    public static final int DEFAULT_BLOCK_SIZE = 16;
    private final int layers;
    private final int kvDim;
    private final int contextLength;
    private final int blockSize;
    private final KvPrecision precision;
    private final BlockAllocator allocator;
    private final BlockTable[] tables;
    private final Arena arena;
    private final Cleaner.Cleanable unmap;
    private final long mappedBytes;
    private final MemorySegment[] keys;
    private final MemorySegment[] values;
    private final MemorySegment[] keyScales;
    private final MemorySegment[] valueScales;
    /** Layers [0, hostLayers) keep their keys and values here; the rest live on a device. */
    private final int hostLayers;

    /** A pool with room for {@code maxSequences} full contexts (blocks of {@link #DEFAULT_BLOCK_SIZE}). */
    public KvCache(int layers, int kvDim, int contextLength, int maxSequences, KvPrecision precision) {
        this(layers, kvDim, contextLength, maxSequences, precision, DEFAULT_BLOCK_SIZE,
                Math.multiplyExact(maxSequences, (contextLength + DEFAULT_BLOCK_SIZE - 1) / DEFAULT_BLOCK_SIZE));
    }

    /**
     * @param contextLength the most positions one sequence may hold
     * @param maxSequences sequence ids [0, maxSequences)
     * @param numBlocks blocks in the pool, shared by all sequences
     */
    public KvCache(int layers, int kvDim, int contextLength, int maxSequences, KvPrecision precision, int blockSize,
            int numBlocks) {
        this(layers, kvDim, contextLength, maxSequences, precision, blockSize, numBlocks, layers);
    }

    /**
     * A cache of block tables only: the keys and values live on a compute device (whose forward pass allocated them
     * from this cache's geometry); {@link #store} and the segments' getters are then not to be called.
     */
    public static KvCache tablesOnly(int layers, int kvDim, int contextLength, int maxSequences,
            KvPrecision precision, int blockSize, int numBlocks) {
        return new KvCache(layers, kvDim, contextLength, maxSequences, precision, blockSize, numBlocks, 0);
    }

    /**
     * A cache for a forward pass split between the CPU and a device: layers [0, hostLayers) keep their keys and values
     * here, the other layers' live on the device, in the same blocks (one set of block tables for both).
     */
    public static KvCache split(int hostLayers, int layers, int kvDim, int contextLength, int maxSequences,
            KvPrecision precision, int blockSize, int numBlocks) {
        if (hostLayers < 0 || hostLayers > layers) {
            throw new IllegalArgumentException("host layers " + hostLayers + " outside [0, " + layers + "]");
        }
        return new KvCache(layers, kvDim, contextLength, maxSequences, precision, blockSize, numBlocks, hostLayers);
    }

    private KvCache(int layers, int kvDim, int contextLength, int maxSequences, KvPrecision precision, int blockSize,
            int numBlocks, int hostLayers) {
        if (contextLength < 1 || maxSequences < 1) {
            throw new IllegalArgumentException("KV cache needs a context length and a sequence count of at least 1, got "
                    + contextLength + " and " + maxSequences);
        }
        if (precision == KvPrecision.Q8_0 && kvDim % Q8Rows.BLOCK != 0) {
            throw new IllegalArgumentException("a Q8_0 KV cache needs rows of a multiple of " + Q8Rows.BLOCK
                    + " values; this model's key/value rows hold " + kvDim + " (use f16)");
        }
        if ((long) numBlocks * blockSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("KV cache of " + numBlocks + " blocks x " + blockSize
                    + " positions has more rows than an int counts");
        }
        this.layers = layers;
        this.kvDim = kvDim;
        this.contextLength = contextLength;
        this.blockSize = blockSize;
        this.precision = precision;
        this.allocator = new BlockAllocator(numBlocks, blockSize);
        this.tables = new BlockTable[maxSequences];
        for (int i = 0; i < maxSequences; i++) {
            tables[i] = new BlockTable();
        }
        this.hostLayers = hostLayers;
        long rows = hostLayers > 0 ? (long) numBlocks * blockSize : 0;
        long rowBytes = precision == KvPrecision.Q8_0 ? kvDim : precision.bytesPerRow(kvDim);
        long dataBytes = align(rows * rowBytes);
        long scaleBytes = precision == KvPrecision.Q8_0 ? align(rows * (kvDim / Q8Rows.BLOCK) * 2L) : 0;
        long layerBytes = 2 * (dataBytes + scaleBytes);
        this.mappedBytes = layerBytes * hostLayers;
        this.arena = Arena.ofShared();
        MemorySegment pool;
        try {
            pool = KvMemory.allocate(mappedBytes, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
        this.unmap = CLEANER.register(this, arena::close);
        keys = new MemorySegment[hostLayers];
        values = new MemorySegment[hostLayers];
        keyScales = new MemorySegment[precision == KvPrecision.Q8_0 ? hostLayers : 0];
        valueScales = new MemorySegment[keyScales.length];
        for (int l = 0; l < hostLayers; l++) {
            long at = l * layerBytes;
            keys[l] = pool.asSlice(at, dataBytes);
            values[l] = pool.asSlice(at + dataBytes, dataBytes);
            if (scaleBytes > 0) {
                keyScales[l] = pool.asSlice(at + 2 * dataBytes, scaleBytes);
                valueScales[l] = pool.asSlice(at + 2 * dataBytes + scaleBytes, scaleBytes);
            }
        }
    }

    private static long align(long bytes) {
        return (bytes + 63) & ~63L;
    }

    /** Unmaps the pool; the cache must not be used after. Idempotent. */
    @Override
    public void close() {
        unmap.clean();
    }

    /** Bytes of native memory mapped for the pool (reserved; resident only where positions were written). */
    public long mappedBytes() {
        return mappedBytes;
    }

    /** Bytes that one position takes over all layers, keys and values together. */
    public static long bytesPerPosition(int layers, int kvDim, KvPrecision precision) {
        return 2L * layers * precision.bytesPerRow(kvDim);
    }

    public long bytesPerPosition() {
        return bytesPerPosition(layers, kvDim, precision);
    }

    /** Bytes of the whole pool's keys and values. */
    public long totalBytes() {
        return bytesPerPosition() * allocator.totalBlocks() * blockSize;
    }

    /** Whether every layer's keys and values live in this object (false: some or all on a device). */
    public boolean hostStorage() {
        return hostLayers == layers;
    }

    /** Layers [0, hostLayers()) keep their keys and values here ({@link #split}); the others' live on a device. */
    public int hostLayers() {
        return hostLayers;
    }

    /** Layers of keys and values the pool holds. */
    public int layers() {
        return layers;
    }

    /** Blocks in the pool. */
    public int numBlocks() {
        return allocator.totalBlocks();
    }

    public KvPrecision precision() {
        return precision;
    }

    public int contextLength() {
        return contextLength;
    }

    public int maxSequences() {
        return tables.length;
    }

    public int kvDim() {
        return kvDim;
    }

    public int blockSize() {
        return blockSize;
    }

    public BlockAllocator allocator() {
        return allocator;
    }

    public BlockTable table(int seq) {
        checkSequence(seq);
        return tables[seq];
    }

    /** Makes {@code table} (filled by the caller from {@link #allocator()}) the block table of sequence {@code seq}. */
    public void bind(int seq, BlockTable table) {
        checkSequence(seq);
        tables[seq] = table;
    }

    /** Positions the sequence's table has blocks for. */
    public int capacity(int seq) {
        return table(seq).capacity(blockSize);
    }

    /** Makes sure position pos of the sequence has a block, taking blocks from the pool as needed. */
    public void reserve(int seq, int pos) {
        checkSequence(seq);
        if (pos < 0 || pos >= contextLength) {
            throw new KvCacheFullException("sequence " + seq + " position " + pos + " exceeds the KV cache context length "
                    + contextLength + " (raise the context length)");
        }
        BlockTable table = tables[seq];
        while (table.size() <= pos / blockSize) {
            table.add(allocator.allocate());
        }
    }

    /** Writes one position's key and value rows (kvDim values each) for a layer; {@link #reserve} first. */
    public void store(int layer, int seq, int pos, float[] k, int kOffset, float[] v, int vOffset) {
        if (layer >= hostLayers) {
            throw new IllegalStateException("this KV cache keeps the keys and values of layer " + layer
                    + " on a device");
        }
        long at = (long) row(seq, pos) * kvDim;
        switch (precision) {
            case F32 -> {
                SegmentRows.store(k, kOffset, keys[layer], at, kvDim);
                SegmentRows.store(v, vOffset, values[layer], at, kvDim);
            }
            case F16 -> {
                SegmentRows.toFloat16(k, kOffset, keys[layer], at, kvDim);
                SegmentRows.toFloat16(v, vOffset, values[layer], at, kvDim);
            }
            case Q8_0 -> {
                Q8Rows.quantize(k, kOffset, keys[layer], keyScales[layer], at, kvDim);
                Q8Rows.quantize(v, vOffset, values[layer], valueScales[layer], at, kvDim);
            }
        }
    }

    /** The pool row of a sequence's position (block * blockSize + offset in block). */
    public int row(int seq, int pos) {
        return tables[seq].block(pos / blockSize) * blockSize + pos % blockSize;
    }

    /** Gives the sequence's blocks back to the pool (cached prefix blocks stay findable until evicted). */
    public void clear(int seq) {
        table(seq).releaseAll(allocator);
    }

    /** A layer's keys: float32, float16 or (Q8_0) signed bytes, by the cache's precision. */
    public MemorySegment keys(int layer) {
        return keys[layer];
    }

    public MemorySegment values(int layer) {
        return values[layer];
    }

    /** A layer's Q8_0 key scales (float16, one per 32 values); Q8_0 caches only. */
    public MemorySegment keyScales(int layer) {
        return keyScales[layer];
    }

    public MemorySegment valueScales(int layer) {
        return valueScales[layer];
    }

    private void checkSequence(int seq) {
        if (seq < 0 || seq >= tables.length) {
            throw new IllegalArgumentException("sequence id " + seq + " is outside the KV cache's " + tables.length
                    + " sequences");
        }
    }
}
