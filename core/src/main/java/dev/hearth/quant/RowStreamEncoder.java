package dev.hearth.quant;

import dev.hearth.gguf.GgmlType;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Encodes a tensor row by row into a GGUF data stream, in chunks of about {@link #CHUNK_BYTES} whatever the tensor size,
 * with the rows of each chunk split over a thread pool; the bytes do not depend on the thread count. The quantizer and
 * {@code hearth synth} both write their tensors through it.
 */
public final class RowStreamEncoder {
    public static final int CHUNK_BYTES = 8 << 20;

    /** Fills {@code row} (cols floats) with the values of row {@code index}; called from pool threads. */
    @FunctionalInterface
    public interface RowSource {
        void fill(long index, float[] row) throws IOException;
    }

    private RowStreamEncoder() {}

    /**
     * Writes {@code rows} rows of {@code cols} values as {@code type}; {@code fixed} (one row's values, or null) is
     * a single-row tensor given in full. {@code what} names the work in errors ("converting", "generating").
     */
    public static void write(OutputStream out, GgmlType type, String tensor, long rows, int cols, float[] fixed,
            RowSource source, ExecutorService pool, int threads, String what) throws IOException {
        int rowBytes = BlockEncoder.forType(type).rowBytes(cols);
        if (fixed != null) {
            byte[] bytes = new byte[rowBytes];
            BlockEncoder.forType(type).encodeRow(fixed, 0, cols, bytes, 0);
            out.write(bytes);
            return;
        }
        int rowsPerChunk = (int) Math.max(1, Math.min(rows, CHUNK_BYTES / Math.max(rowBytes, 4L * cols)));
        byte[] chunk = new byte[Math.multiplyExact(rowsPerChunk, rowBytes)];
        int parts = (int) Math.min(Math.max(1, threads), rowsPerChunk);
        for (long start = 0; start < rows; start += rowsPerChunk) {
            int n = (int) Math.min(rowsPerChunk, rows - start);
            List<Callable<Void>> tasks = new ArrayList<>(parts);
            for (int p = 0; p < parts; p++) {
                int from = (int) ((long) n * p / parts);
                int to = (int) ((long) n * (p + 1) / parts);
                long first = start;
                tasks.add(() -> {
                    BlockEncoder encoder = BlockEncoder.forType(type);
                    float[] row = new float[cols];
                    for (int r = from; r < to; r++) {
                        source.fill(first + r, row);
                        encoder.encodeRow(row, 0, cols, chunk, r * rowBytes);
                    }
                    return null;
                });
            }
            try {
                for (Future<Void> f : pool.invokeAll(tasks)) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while " + what + " tensor '" + tensor + "'", e);
            } catch (ExecutionException e) {
                throw new IOException(what + " tensor '" + tensor + "' failed: " + e.getCause(), e.getCause());
            }
            out.write(chunk, 0, n * rowBytes);
        }
    }
}
