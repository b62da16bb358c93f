package dev.hearth.kernel;

import dev.hearth.gguf.GgmlType;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;

/**
 * The body of one matmul over a range of rows, reused across calls (one per pool, so no allocation per call).
 * Rows are taken in tiles of {@link #TILE_ROWS}: for each tile, every token is multiplied with every row of the tile
 * while the tile's bytes are in cache, so each weight row comes from memory once per call for all tokens.
 */
final class MatmulTask implements ComputePool.RangeBody {
    /** Rows per cache tile (a few KiB to a few tens of KiB of weights). */
    static final int TILE_ROWS = 8;

    private GgmlType type;
    private MemorySegment data;
    private long rowBytes;
    private int rows;
    private int cols;
    private float[] x;
    private int numTokens;
    private float[] out;

    void set(WeightMatrix w, float[] x, int numTokens, float[] out) {
        this.type = w.type();
        this.data = w.data();
        this.rowBytes = w.rowBytes();
        this.rows = w.rows();
        this.cols = w.cols();
        this.x = x;
        this.numTokens = numTokens;
        this.out = out;
    }

    void clear() {
        data = null;
        x = null;
        out = null;
    }

    /** Rows per task: a multiple of the tile, about 8 tasks per thread so a busy core does not hold the others up. */
    static int chunkRows(int rows, int threads) {
        int tiles = (rows + TILE_ROWS - 1) / TILE_ROWS;
        return TILE_ROWS * Math.max(1, tiles / (8 * threads));
    }

    @Override
    public void run(int start, int end) {
        GgmlType t = type;
        MemorySegment w = data;
        float[] in = x;
        float[] o = out;
        if (numTokens == 1) {
            for (int r = start; r < end; r++) {
                o[r] = Kernels.dot(t, w, r * rowBytes, cols, in, 0);
            }
            return;
        }
        int groups = Kernels.hasDot4(t) ? numTokens / 4 : 0;  // tokens in groups of 4 share each decoded block
        for (int tile = start; tile < end; tile += TILE_ROWS) {
            int tileEnd = Math.min(end, tile + TILE_ROWS);
            for (int g = 0; g < groups; g++) {
                int xo = 4 * g * cols;
                int oo = 4 * g * rows;
                for (int r = tile; r < tileEnd; r++) {
                    Kernels.dot4(t, w, r * rowBytes, cols, in, xo, cols, o, oo + r, rows);
                }
            }
            for (int token = 4 * groups; token < numTokens; token++) {
                int xo = token * cols;
                int oo = token * rows;
                for (int r = tile; r < tileEnd; r++) {
                    o[oo + r] = Kernels.dot(t, w, r * rowBytes, cols, in, xo);
                }
            }
        }
    }
}
