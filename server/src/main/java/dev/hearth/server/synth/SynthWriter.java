package dev.hearth.server.synth;

import dev.hearth.gguf.GgufWriter;
import dev.hearth.quant.BlockEncoder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a {@link SynthPlan} as a GGUF file, tensor by tensor and chunk of rows by chunk of rows: each chunk's rows
 * are drawn and encoded by a few threads into one buffer, then streamed to the file. Memory stays at a few chunks
 * whatever the model size, and the bytes depend only on the seed, never on the thread count.
 */
public final class SynthWriter {
    /** About this many output bytes per chunk (and as many float bytes per thread at most). */
    static final int CHUNK_BYTES = 8 << 20;

    private SynthWriter() {}

    public static void write(SynthPlan plan, long seed, Path out, int threads) throws IOException {
        GgufWriter writer = new GgufWriter();
        plan.metadata().forEach(writer::put);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "hearth-synth");
            t.setDaemon(true);
            return t;
        });
        try {
            for (SynthTensor t : plan.tensors()) {
                writer.addTensor(t.name(), t.type(), t.shape(), o -> writeTensor(t, seed, o, pool, threads));
            }
            writer.write(out);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void writeTensor(SynthTensor t, long seed, OutputStream out, ExecutorService pool, int threads)
            throws IOException {
        int cols = t.rowLength();
        long rows = t.rows();
        int rowBytes = BlockEncoder.forType(t.type()).rowBytes(cols);
        if (t.fixed() != null) {
            byte[] bytes = new byte[rowBytes];
            BlockEncoder.forType(t.type()).encodeRow(t.fixed(), 0, cols, bytes, 0);
            out.write(bytes);
            return;
        }
        long tensorSeed = GaussianRows.tensorSeed(seed, t.name());
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
                    BlockEncoder encoder = BlockEncoder.forType(t.type());
                    float[] row = new float[cols];
                    for (int r = from; r < to; r++) {
                        GaussianRows.fill(tensorSeed, first + r, t.mean(), t.std(), row, cols);
                        encoder.encodeRow(row, 0, cols, chunk, r * rowBytes);
                    }
                    return null;
                });
            }
            runAll(pool, tasks, t.name());
            out.write(chunk, 0, n * rowBytes);
        }
    }

    private static void runAll(ExecutorService pool, List<Callable<Void>> tasks, String tensor) throws IOException {
        try {
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating tensor '" + tensor + "'", e);
        } catch (ExecutionException e) {
            throw new IOException("generating tensor '" + tensor + "' failed: " + e.getCause(), e.getCause());
        }
    }
}
