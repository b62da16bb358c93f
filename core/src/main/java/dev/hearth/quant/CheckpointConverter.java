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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Converts a Hugging Face safetensors checkpoint into a GGUF file: plans the tensors ({@link ConversionPlan}, which
 * checks every name and shape first), then streams them one at a time, a chunk of rows at a time, from the mapped
 * checkpoint through the block encoders into {@link GgufWriter}, which writes atomically. Memory stays at a few
 * chunks (about {@link RowStreamEncoder#CHUNK_BYTES} each) whatever the model size; the output bytes do not depend on the thread count.
 */
public final class CheckpointConverter {

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
        List<SafetensorsTensor> sources = new ArrayList<>();
        if (t.fixed() == null) {
            for (String s : t.sources()) {
                sources.add(checkpoint.tensor(s));
            }
        }
        long perSource = t.rowsPerSource();
        RowStreamEncoder.write(out, t.type(), t.name(), t.rows(), cols, t.fixed(), (outRow, row) -> {
            SafetensorsTensor source = sources.get((int) (outRow / perSource));
            source.read(t.sourceRow(outRow % perSource) * cols, cols, row, 0);
        }, pool, threads, "converting");
    }
}
