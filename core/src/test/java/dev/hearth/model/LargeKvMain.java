package dev.hearth.model;

import dev.hearth.kv.BlockTable;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@link KvCacheMemoryTest} runs in a JVM with a small heap and direct-memory limit: for each KV precision, a
 * pool of at least {@code args[1]} bytes whose last block holds a sequence, against a one-sequence pool; the logits
 * must be identical. Prints, per precision, {@code PRECISION mapped=BYTES resident+=BYTES}; exits non-zero on failure.
 */
public final class LargeKvMain {
    private LargeKvMain() {}

    public static void main(String[] args) throws Exception {
        long poolBytes = Long.parseLong(args[1]);
        try (Model model = Model.load(Path.of(args[0]), new ModelOptions(2, 8))) {
            for (KvPrecision precision : KvPrecision.values()) {
                float[] expected = logits(model, model.newKvCache(16, 1, precision), 0);
                long perBlock = model.kvBytesPerPosition(precision) * KvCache.DEFAULT_BLOCK_SIZE;
                int blocks = (int) Math.min(Integer.MAX_VALUE / KvCache.DEFAULT_BLOCK_SIZE, poolBytes / perBlock + 1);
                long before = residentBytes();
                try (KvCache large = model.newKvCache(16, 1, precision, KvCache.DEFAULT_BLOCK_SIZE, blocks)) {
                    float[] actual = logits(model, large, blocks - 1);
                    long grown = residentBytes() - before;
                    if (!java.util.Arrays.equals(expected, actual)) {
                        throw new IllegalStateException(precision + ": logits over the pool's last block differ");
                    }
                    System.out.println(precision + " mapped=" + large.mappedBytes() + " resident+=" + grown);
                }
            }
        }
    }

    /** Logits of the prompt 1 2 3 with sequence 0's positions in pool block {@code block}. */
    private static float[] logits(Model model, KvCache kv, int block) {
        try (kv) {
            BlockTable table = new BlockTable();
            table.add(block);
            kv.bind(0, table);
            Batch batch = model.newBatch().add(1, 0, 0, false).add(2, 1, 0, false).add(3, 2, 0, true);
            Logits logits = model.newLogits(1);
            model.forward(batch, kv, logits);
            return java.util.Arrays.copyOf(logits.values(), logits.vocabSize());
        }
    }

    /** VmRSS from /proc/self/status. */
    static long residentBytes() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
