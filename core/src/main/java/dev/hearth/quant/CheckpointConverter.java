package dev.hearth.quant;

import dev.hearth.gguf.GgufValue;
import dev.hearth.gguf.GgufWriter;
import dev.hearth.safetensors.SafetensorsCheckpoint;
import dev.hearth.safetensors.SafetensorsTensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Converts a Hugging Face safetensors checkpoint into a GGUF file: plans the tensors ({@link ConversionPlan}, which
 * checks every name and shape first), then streams them one at a time, a chunk of rows at a time, from the mapped
 * checkpoint through the block encoders into {@link GgufWriter}, which writes atomically. Memory stays at a few
 * chunks (about {@link #CHUNK_BYTES} each) whatever the model size; the output bytes do not depend on the thread count.
 */
public final class CheckpointConverter {
    static final int CHUNK_BYTES = 8 << 20;

    /** Told about each tensor as it starts (index from 0), for progress output. */
    @FunctionalInterface
    public interface Progress {
        void tensor(int index, int count, PlannedTensor tensor);
    }

    private CheckpointConverter() {}

    /** Converts and returns the plan that was written. */
    public static List<PlannedTensor> convert(SafetensorsCheckpoint checkpoint, HfModelConfig config,
            QuantRecipe recipe, Map<String, GgufValue> tokenizer, Path out, int threads, Progress progress)
            throws IOException {
        List<PlannedTensor> plan = ConversionPlan.of(config, recipe, checkpoint);
        GgufWriter writer = new GgufWriter();
        ConvertMetadata.of(config, recipe, tokenizer).forEach(writer::put);
        int parts = Math.max(1, threads);
        ExecutorService pool = Executors.newFixedThreadPool(parts, r -> {
            Thread t = new Thread(r, "hearth-quantize");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < plan.size(); i++) {
                PlannedTensor t = plan.get(i);
                int index = i;
                writer.addTensor(t.name(), t.type(), t.shape(), o -> {
                    progress.tensor(index, plan.size(), t);
                    writeTensor(checkpoint, t, o, pool, parts);
                });
            }
            writer.write(out);
        } finally {
            pool.shutdownNow();
        }
        return plan;
    }

    private static void writeTensor(SafetensorsCheckpoint checkpoint, PlannedTensor t, OutputStream out,
            ExecutorService pool, int threads) throws IOException {
        int cols = t.rowLength();
        long rows = t.rows();
        int rowBytes = BlockEncoder.forType(t.type()).rowBytes(cols);
        if (t.fixed() != null) {
            byte[] bytes = new byte[rowBytes];
            BlockEncoder.forType(t.type()).encodeRow(t.fixed(), 0, cols, bytes, 0);
            out.write(bytes);
            return;
        }
        List<SafetensorsTensor> sources = new ArrayList<>();
        for (String s : t.sources()) {
            sources.add(checkpoint.tensor(s));
        }
        long perSource = t.rowsPerSource();
        int rowsPerChunk = (int) Math.max(1, Math.min(rows, CHUNK_BYTES / Math.max(rowBytes, 4L * cols)));
        byte[] chunk = new byte[Math.multiplyExact(rowsPerChunk, rowBytes)];
        int parts = (int) Math.min(threads, rowsPerChunk);
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
                        long outRow = first + r;
                        SafetensorsTensor source = sources.get((int) (outRow / perSource));
                        long sourceRow = t.sourceRow(outRow % perSource);
                        source.read(sourceRow * cols, cols, row, 0);
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
            throw new IOException("interrupted while converting tensor '" + tensor + "'", e);
        } catch (ExecutionException e) {
            throw new IOException("converting tensor '" + tensor + "' failed: " + e.getCause(), e.getCause());
        }
    }
}
