package dev.hearth.server.synth;

import dev.hearth.gguf.GgufWriter;
import dev.hearth.quant.RowStreamEncoder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Writes a {@link SynthPlan} as a GGUF file, tensor by tensor and chunk of rows by chunk of rows: each chunk's rows
 * are drawn and encoded by a few threads into one buffer, then streamed to the file. Memory stays at a few chunks
 * whatever the model size, and the bytes depend only on the seed, never on the thread count.
 */
public final class SynthWriter {
    /** About this many output bytes per chunk (and as many float bytes per thread at most). */

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
        long tensorSeed = GaussianRows.tensorSeed(seed, t.name());
        int cols = t.rowLength();
        RowStreamEncoder.write(out, t.type(), t.name(), t.rows(), cols, t.fixed(),
                (index, row) -> GaussianRows.fill(tensorSeed, index, t.mean(), t.std(), row, cols), pool, threads,
                "generating");
    }
}
