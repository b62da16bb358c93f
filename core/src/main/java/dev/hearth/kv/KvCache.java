package dev.hearth.kv;

import dev.hearth.kernel.Q8Rows;
import dev.hearth.kernel.VectorOps;

/**
 * Paged keys and values: one pool of {@code numBlocks} blocks of {@code blockSize} positions, allocated once, shared by
 * every sequence through per-sequence {@link BlockTable}s. Row {@code r = block * blockSize + offset} of a layer holds
 * one position's {@code kvDim} values at {@code r * kvDim} of that layer's arrays, in the cache's precision:
 * F32 ({@link #keysF32}), F16 ({@link #keysF16}) or Q8_0 ({@link #keysQ8} with {@link #keyScalesQ8}).
 *
 * <p>A sequence id indexes a table. The engine's scheduler fills tables itself from {@link #allocator()} and
 * {@link #bind}s them; a standalone caller lets {@link #reserve} take blocks as positions arrive and gives them back
 * with {@link #clear}. One thread at a time.
 */
public final class KvCache {
    public static final int DEFAULT_BLOCK_SIZE = 16;
    private final int layers;
    private final int kvDim;
    private final int contextLength;
    private final int blockSize;
    private final KvPrecision precision;
    private final BlockAllocator allocator;
    private final BlockTable[] tables;
    private final float[][] keysF32;
    private final float[][] valuesF32;
    private final short[][] keysF16;
    private final short[][] valuesF16;
    private final byte[][] keysQ8;
    private final byte[][] valuesQ8;
    private final short[][] keyScales;
    private final short[][] valueScales;
    private final boolean hostStorage;

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
        this(layers, kvDim, contextLength, maxSequences, precision, blockSize, numBlocks, true);
    }

    /**
     * A cache of block tables only: the keys and values live on a compute device (whose forward pass allocated them
     * from this cache's geometry); {@link #store} and the arrays' getters are then not to be called.
     */
    public static KvCache tablesOnly(int layers, int kvDim, int contextLength, int maxSequences,
            KvPrecision precision, int blockSize, int numBlocks) {
        return new KvCache(layers, kvDim, contextLength, maxSequences, precision, blockSize, numBlocks, false);
    }

    private KvCache(int layers, int kvDim, int contextLength, int maxSequences, KvPrecision precision, int blockSize,
            int numBlocks, boolean hostStorage) {
        if (contextLength < 1 || maxSequences < 1) {
            throw new IllegalArgumentException("KV cache needs a context length and a sequence count of at least 1, got "
                    + contextLength + " and " + maxSequences);
        }
        if (precision == KvPrecision.Q8_0 && kvDim % Q8Rows.BLOCK != 0) {
            throw new IllegalArgumentException("a Q8_0 KV cache needs rows of a multiple of " + Q8Rows.BLOCK
                    + " values; this model's key/value rows hold " + kvDim + " (use f16)");
        }
        long values = (long) numBlocks * blockSize * kvDim;
        if (values > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("KV cache of " + numBlocks + " blocks x " + blockSize + " positions x "
                    + kvDim + " values is too large for one layer's array (at most " + (Integer.MAX_VALUE - 8) + ")");
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
        int n = (int) values;
        boolean f32 = hostStorage && precision == KvPrecision.F32;
        boolean f16 = hostStorage && precision == KvPrecision.F16;
        boolean q8 = hostStorage && precision == KvPrecision.Q8_0;
        this.hostStorage = hostStorage;
        keysF32 = f32 ? new float[layers][n] : null;
        valuesF32 = f32 ? new float[layers][n] : null;
        keysF16 = f16 ? new short[layers][n] : null;
        valuesF16 = f16 ? new short[layers][n] : null;
        keysQ8 = q8 ? new byte[layers][n] : null;
        valuesQ8 = q8 ? new byte[layers][n] : null;
        keyScales = q8 ? new short[layers][n / Q8Rows.BLOCK] : null;
        valueScales = q8 ? new short[layers][n / Q8Rows.BLOCK] : null;
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

    /** Whether keys and values live in this object (false: on a device, see {@link #tablesOnly}). */
    public boolean hostStorage() {
        return hostStorage;
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
        if (!hostStorage) {
            throw new IllegalStateException("this KV cache keeps its keys and values on a device");
        }
        int at = row(seq, pos) * kvDim;
        switch (precision) {
            case F32 -> {
                System.arraycopy(k, kOffset, keysF32[layer], at, kvDim);
                System.arraycopy(v, vOffset, valuesF32[layer], at, kvDim);
            }
            case F16 -> {
                VectorOps.toFloat16(k, kOffset, keysF16[layer], at, kvDim);
                VectorOps.toFloat16(v, vOffset, valuesF16[layer], at, kvDim);
            }
            case Q8_0 -> {
                Q8Rows.quantize(k, kOffset, keysQ8[layer], keyScales[layer], at, kvDim);
                Q8Rows.quantize(v, vOffset, valuesQ8[layer], valueScales[layer], at, kvDim);
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

    public float[] keysF32(int layer) {
        return keysF32[layer];
    }

    public float[] valuesF32(int layer) {
        return valuesF32[layer];
    }

    public short[] keysF16(int layer) {
        return keysF16[layer];
    }

    public short[] valuesF16(int layer) {
        return valuesF16[layer];
    }

    public byte[] keysQ8(int layer) {
        return keysQ8[layer];
    }

    public byte[] valuesQ8(int layer) {
        return valuesQ8[layer];
    }

    public short[] keyScalesQ8(int layer) {
        return keyScales[layer];
    }

    public short[] valueScalesQ8(int layer) {
        return valueScales[layer];
    }

    private void checkSequence(int seq) {
        if (seq < 0 || seq >= tables.length) {
            throw new IllegalArgumentException("sequence id " + seq + " is outside the KV cache's " + tables.length
                    + " sequences");
        }
    }
}
