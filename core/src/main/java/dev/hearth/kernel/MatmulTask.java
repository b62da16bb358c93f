package dev.hearth.kernel;

import dev.hearth.gguf.GgmlType;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;

/**
 * The body of one matmul over a range of rows, reused across calls (one per pool, so no allocation per call).
 * Rows are taken in tiles of {@link KernelTuning#TILE_ROWS}: for each tile, every token is multiplied with every row of
 * the tile while the tile's bytes are in cache, so each weight row comes from memory once per call for all tokens.
 */
final class MatmulTask implements RangeBody {
    /** Rows of the native many-token kernels' tiles (one row per vector lane). */
    static final int NATIVE_TILE_ROWS = 16;
    /** Matrices one call can run side by side (q, k and v; gate and up). */
    static final int MAX_PARTS = 3;

    private final GgmlType[] type = new GgmlType[MAX_PARTS];
    private final MemorySegment[] data = new MemorySegment[MAX_PARTS];
    private final long[] rowBytes = new long[MAX_PARTS];
    private final float[][] scales = new float[MAX_PARTS][];
    private final int[] rows = new int[MAX_PARTS];
    /** First global row of each part: the parts' rows are numbered one after the other. */
    private final int[] base = new int[MAX_PARTS + 1];
    private final float[][] out = new float[MAX_PARTS][];
    private int parts;
    private int cols;
    private float[] x;
    private int numTokens;
    /** Whether this call runs as a GEMM ({@link GemmKernels}), with the activations transposed into xt. */
    private boolean gemm;
    private float[] xt = new float[0];
    private int mp;
    /** Whether xt holds this call's activations (transposed on the first part that runs as a Java GEMM). */
    private boolean transposed;
    /** Whether some part of this call runs as a Java GEMM (the row chunks then follow its tile). */
    private boolean javaGemm;
    /** Whether some part of this call runs on 16-row native tiles (more than one token, or repacked weights). */
    private boolean nativeMany;
    /** Parts whose type runs on the native int8 kernels ({@link NativeKernels}). */
    private final boolean[] nat = new boolean[MAX_PARTS];
    /** Parts of float weights (F32, F16, BF16) on the native float kernels. */
    private final boolean[] natFloat = new boolean[MAX_PARTS];
    /** A heap view of this call's activations for the native float kernels. */
    private MemorySegment xView;
    /**
     * This call's activations quantized to 8 bits for the native kernels, on the first part that needs them: in
     * blocks of 32 for Q4_0 and Q8_0, in blocks of 256 for the K-quants (as llama.cpp pairs them).
     */
    private final Quantized q8 = new Quantized(false);
    private final Quantized qk = new Quantized(true);
    private final Quantized[] quant = new Quantized[MAX_PARTS];
    /** Heap views of output arrays and scale tables, kept across calls (the engine reuses its buffers). */
    private final SegmentCache views = new SegmentCache();
    /** Whether this pool's matmuls may run natively at all. */
    private final boolean allowNative;
    private final MemorySegment[] outView = new MemorySegment[MAX_PARTS];
    private final MemorySegment[] scaleView = new MemorySegment[MAX_PARTS];
    /** Each part's repacked weights (null where the matrix has none). */
    private final MemorySegment[] packed = new MemorySegment[MAX_PARTS];

    /** Per-thread GEMM scratch: a decoded weight tile and the tile's accumulators (grown, never shrunk). */
    private static final class Scratch {
        float[] wt = new float[0];
        float[] acc = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    MatmulTask(boolean allowNative) {
        this.allowNative = allowNative;
    }

    void set(WeightMatrix w, float[] x, int numTokens, float[] out) {
        begin(x, numTokens, w.cols());
        add(w, out);
    }

    /** Starts a call over several matrices that share the input x (each then added with {@link #add}). */
    void begin(float[] x, int numTokens, int cols) {
        this.x = x;
        this.numTokens = numTokens;
        this.cols = cols;
        this.parts = 0;
        this.gemm = GemmKernels.runs(numTokens);
        this.transposed = false;
        this.javaGemm = false;
        this.nativeMany = false;
        this.xView = null;
        q8.done = false;
        qk.done = false;
    }

    private void transpose() {
        mp = GemmKernels.paddedTokens(numTokens);
        if (xt.length < mp * cols) {
            xt = new float[mp * cols];
        }
        GemmKernels.transpose(x, numTokens, cols, xt, mp);
        transposed = true;
    }

    /** Activations in 8 bits and their heap views (grown, never shrunk). */
    private static final class Quantized {
        final boolean superBlocks;
        boolean done;
        byte[] xq = new byte[0];
        float[] xd = new float[0];
        int[] nsx = new int[0];
        MemorySegment xqSeg = MemorySegment.NULL;
        MemorySegment xdSeg = MemorySegment.NULL;
        MemorySegment nsxSeg = MemorySegment.NULL;

        Quantized(boolean superBlocks) {
            this.superBlocks = superBlocks;
        }

        void fill(float[] x, int tokens, int cols) {
            int n = tokens * cols;
            if (xq.length < n) {
                xq = new byte[n];
                xqSeg = MemorySegment.ofArray(xq);
            }
            int blocks = n / NativeKernels.BLOCK;
            if (xd.length < blocks) {
                xd = new float[blocks];
                nsx = new int[blocks];
                xdSeg = MemorySegment.ofArray(xd);
                nsxSeg = MemorySegment.ofArray(nsx);
            }
            if (superBlocks) {
                NativeKernels.quantizeK(x, tokens, cols, xq, xd, nsx);
            } else {
                NativeKernels.quantize(x, tokens, cols, xq, xd, nsx);
            }
            done = true;
        }
    }

    void add(WeightMatrix w, float[] out) {
        int p = parts++;
        type[p] = w.type();
        data[p] = w.data();
        rowBytes[p] = w.rowBytes();
        scales[p] = w.blockScales();
        rows[p] = w.rows();
        this.out[p] = out;
        base[p + 1] = base[p] + w.rows();
        // a packed matrix off the 16-row tiles (its first row not on one) runs where the file's layout does: natively
        // on the AVX-512 tier, else on the Vector API kernels
        boolean onTiles = w.packed() != null && base[p] % NATIVE_TILE_ROWS == 0;
        TypeKernels.Paths paths = TypeKernels.of(w.type());
        nat[p] = allowNative && (onTiles || paths.nativeInPlace());
        // float weights: natively below the GEMM's token count (decode, short prompts); the GEMM above it
        natFloat[p] = allowNative && !gemm && paths.nativeFloat();
        if (natFloat[p]) {
            outView[p] = views.of(out);
            if (xView == null) {
                xView = views.of(x);
            }
        } else if (nat[p]) {
            outView[p] = views.of(out);
            scaleView[p] = w.blockScales() == null ? MemorySegment.NULL : views.of(w.blockScales());
            Quantized q = w.type().blockSize() == 256 ? qk : q8;
            if (!q.done) {
                q.fill(x, numTokens, cols);
            }
            quant[p] = q;
            packed[p] = onTiles ? w.packed() : null;
            nativeMany |= numTokens > 1 || packed[p] != null;
        } else if (gemm) {
            javaGemm = true;
            if (!transposed) {
                transpose();
            }
        }
    }

    int cols() {
        return cols;
    }

    /** Rows of all parts together. */
    int totalRows() {
        return base[parts];
    }

    void clear() {
        for (int p = 0; p < MAX_PARTS; p++) {
            data[p] = null;
            scales[p] = null;
            out[p] = null;
            outView[p] = null;
            scaleView[p] = null;
            quant[p] = null;
            packed[p] = null;
        }
        x = null;
        xView = null;
    }

    /** Rows per task: a multiple of the tile, {@link KernelTuning#CHUNKS_PER_THREAD} tasks per thread. */
    int chunkRows(int rows, int threads) {
        // chunks of whole native tiles and whole GEMM tiles where both run (the packed kernels take no other ranges)
        int tileRows = javaGemm && nativeMany ? GemmKernels.TILE * NATIVE_TILE_ROWS / 4
                : javaGemm ? GemmKernels.TILE : nativeMany ? NATIVE_TILE_ROWS : KernelTuning.TILE_ROWS;
        int tiles = (rows + tileRows - 1) / tileRows;
        return tileRows * Math.max(1, tiles / (KernelTuning.CHUNKS_PER_THREAD * threads));
    }

    @Override
    public void run(int start, int end) {
        for (int p = 0; p < parts; p++) {
            int from = Math.max(start, base[p]);
            int to = Math.min(end, base[p + 1]);
            if (from < to) {
                runPart(p, from - base[p], to - base[p]);
            }
        }
    }

    private void runPart(int p, int start, int end) {
        GgmlType t = type[p];
        MemorySegment w = data[p];
        long rb = rowBytes[p];
        int n = rows[p];
        float[] in = x;
        float[] o = out[p];
        float[] s = scales[p];
        int bpr = cols / t.blockSize();  // scale-table entries per row
        if (natFloat[p]) {
            NativeKernels.matmulFloat(t, w, rb, start, end, cols, xView, numTokens, outView[p], n);
            return;
        }
        if (nat[p]) {
            Quantized q = quant[p];
            if (packed[p] != null && (NativeKernels.packedRange(n, start, end) || !NativeKernels.matmulsInPlace(t))) {
                NativeKernels.matmulPacked(t, packed[p], n, start, end, cols, q.xqSeg, q.xdSeg, q.nsxSeg, numTokens,
                        outView[p], n);
                return;
            }
            NativeKernels.matmul(t, w, rb, scaleView[p], s == null ? 0 : s.length, start, end, cols, q.xqSeg, q.xdSeg,
                    q.nsxSeg, numTokens, outView[p], n);
            return;
        }
        if (gemm) {
            runGemm(t, w, rb, n, o, s, bpr, start, end);
            return;
        }
        if (numTokens == 1) {
            if (s != null) {
                for (int r = start; r < end; r++) {
                    o[r] = TypeKernels.dot(t, w, r * rb, cols, in, 0, s, r * bpr);
                }
            } else {
                for (int r = start; r < end; r++) {
                    o[r] = TypeKernels.dot(t, w, r * rb, cols, in, 0);
                }
            }
            return;
        }
        TypeKernels.Paths paths = TypeKernels.of(t);
        int groups = paths.dot4() ? numTokens / 4 : 0;  // tokens in groups of 4 share each decoded block
        boolean quads = paths.dot4x4();                 // and rows in groups of 4 share each activation load
        for (int tile = start; tile < end; tile += KernelTuning.TILE_ROWS) {
            int tileEnd = Math.min(end, tile + KernelTuning.TILE_ROWS);
            for (int g = 0; g < groups; g++) {
                int xo = 4 * g * cols;
                int oo = 4 * g * n;
                int r = tile;
                if (quads) {
                    for (; r + 4 <= tileEnd; r += 4) {
                        TypeKernels.dot4x4(t, w, r * rb, rb, cols, in, xo, cols, o, oo + r, n);
                    }
                }
                for (; r < tileEnd; r++) {
                    TypeKernels.dot4(t, w, r * rb, cols, in, xo, cols, o, oo + r, n);
                }
            }
            for (int token = 4 * groups; token < numTokens; token++) {
                int xo = token * cols;
                int oo = token * n;
                for (int r = tile; r < tileEnd; r++) {
                    o[oo + r] = s != null ? TypeKernels.dot(t, w, r * rb, cols, in, xo, s, r * bpr)
                            : TypeKernels.dot(t, w, r * rb, cols, in, xo);
                }
            }
        }
    }

    /**
     * Heap segments over arrays, by identity, for the native calls: the 16 most recent, so a decode step reuses the
     * views of the buffers it wrote last step and allocates nothing. Used by the calling thread only (in add).
     */
    private static final class SegmentCache {
        private static final int SIZE = 16;
        private final Object[] arrays = new Object[SIZE];
        private final MemorySegment[] segments = new MemorySegment[SIZE];
        private int next;

        MemorySegment of(float[] a) {
            for (int i = 0; i < SIZE; i++) {
                if (arrays[i] == a) {
                    return segments[i];
                }
            }
            int i = next;
            next = (next + 1) % SIZE;
            arrays[i] = a;
            segments[i] = MemorySegment.ofArray(a);
            return segments[i];
        }
    }

    /** Rows [start, end) of one matrix as a GEMM: tiles of {@link GemmKernels#TILE} rows decoded once for all tokens. */
    private void runGemm(GgmlType t, MemorySegment w, long rb, int n, float[] o, float[] s, int bpr, int start,
            int end) {
        int tr = GemmKernels.TILE;
        Scratch sc = SCRATCH.get();
        int kb = Math.min(cols, KernelTuning.K_BLOCK);
        if (sc.wt.length < tr * kb) {
            sc.wt = new float[tr * kb];
        }
        if (sc.acc.length < tr * mp) {
            sc.acc = new float[tr * mp];
        }
        float[] wt = sc.wt;
        float[] acc = sc.acc;
        int bs = t.blockSize();
        long blockBytes = t.byteSize(bs);
        for (int tile = start; tile < end; tile += tr) {
            int nr = Math.min(tr, end - tile);
            java.util.Arrays.fill(acc, 0, tr * mp, 0f);  // rows past nr hold a stale tile: computed, never read
            for (int k0 = 0; k0 < cols; k0 += kb) {
                int k1 = Math.min(cols, k0 + kb);
                for (int i = 0; i < nr; i++) {  // this K block of the tile's rows, decoded once for all tokens
                    long rowAt = (tile + i) * rb;
                    GemmKernels.decodeRow(t, w, rowAt + k0 / bs * blockBytes, k1 - k0, wt, i * kb, s,
                            (tile + i) * bpr + k0 / bs);
                }
                int t0 = 0;
                for (; t0 + 32 <= mp; t0 += 32) {
                    GemmKernels.tile12x32(wt, kb, xt, mp, t0, k0, k1, acc);
                }
                if (t0 < mp) {
                    GemmKernels.tile12x16(wt, kb, xt, mp, t0, k0, k1, acc);
                }
            }
            for (int i = 0; i < nr; i++) {
                int row = tile + i;
                int a = i * mp;
                for (int tok = 0; tok < numTokens; tok++) {
                    o[tok * n + row] = acc[a + tok];
                }
            }
        }
    }
}
