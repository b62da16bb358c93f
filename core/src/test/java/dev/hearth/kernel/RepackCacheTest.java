package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Batch;
import dev.hearth.model.Logits;
import dev.hearth.model.Model;
import dev.hearth.model.ModelOptions;
import dev.hearth.testing.Fixtures;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repack cache: written after a cold load, mapped by the next, with the same logits as a load without it; an entry
 * whose data, header or length is damaged is detected, not used, and rewritten; a changed model file gets a new entry.
 */
class RepackCacheTest {
    private static final Path MODEL = Fixtures.model("qwen2-kq-fx-Q4_K_M.gguf");

    @Test
    void writesMapsAndRebuildsDamagedEntries(@TempDir Path cache) throws Exception {
        assertThat(NativeKernels.available()).isEqualTo(NativeKernelsTest.nativeExpected());
        float[] reference = logits(MODEL, null, "repack cache off");
        if (!NativeKernels.available()) {
            assertThat(logits(MODEL, cache, "no repacking")).isEqualTo(reference);
            return;
        }
        assertThat(logits(MODEL, cache, "no entry yet")).isEqualTo(reference);
        Path entry = onlyEntry(cache);
        assertThat(logits(MODEL, cache, "mapped")).isEqualTo(reference);

        long size = Files.size(entry);
        flip(entry, size - 5000);                 // a weight byte
        assertThat(logits(MODEL, cache, "checksum")).isEqualTo(reference);
        assertThat(logits(MODEL, cache, "mapped")).isEqualTo(reference);  // rewritten by the load that found it

        flip(entry, 40);                          // a header byte
        assertThat(logits(MODEL, cache, "header fails its checksum")).isEqualTo(reference);

        try (RandomAccessFile f = new RandomAccessFile(entry.toFile(), "rw")) {
            f.setLength(size / 2);                // a write cut short
        }
        assertThat(logits(MODEL, cache, "bytes, its header says")).isEqualTo(reference);
        Files.write(entry, new byte[] {1, 2, 3});  // not an entry at all
        assertThat(logits(MODEL, cache, "unreadable header")).isEqualTo(reference);
        assertThat(logits(MODEL, cache, "mapped")).isEqualTo(reference);
    }

    @Test
    void aChangedModelFileGetsANewEntry(@TempDir Path dir) throws Exception {
        if (!NativeKernels.available()) {
            assertThat(NativeKernelsTest.nativeExpected()).isFalse();
            return;
        }
        Path model = Files.copy(MODEL, dir.resolve("copy.gguf"), StandardCopyOption.COPY_ATTRIBUTES);
        Path cache = dir.resolve("cache");
        logits(model, cache, "no entry yet");
        Path first = onlyEntry(cache);
        Files.setLastModifiedTime(model, FileTime.fromMillis(Files.getLastModifiedTime(model).toMillis() + 60_000));
        logits(model, cache, "no entry yet");
        try (var files = Files.list(cache)) {
            assertThat(files.filter(f -> f.toString().endsWith(".hpack")).toList()).hasSize(2).contains(first);
        }
    }

    /** Loads the model, checks the packer's note, returns the logits of a short prompt (after the cache is written). */
    private static float[] logits(Path model, Path cache, String note) throws IOException, InterruptedException {
        try (Model m = Model.load(model, new ModelOptions(2, 8).withRepackCache(cache))) {
            assertThat(m.packer().note()).contains(note);
            KvCache kv = m.newKvCache(8, 1, KvPrecision.F32);
            Batch batch = m.newBatch().add(9707, 0, 0, false).add(11, 1, 0, false).add(1879, 2, 0, true);
            Logits logits = m.newLogits(1);
            m.forward(batch, kv, logits);
            m.packer().awaitWriter();
            return java.util.Arrays.copyOf(logits.values(), logits.vocabSize());
        }
    }

    private static Path onlyEntry(Path cache) throws IOException {
        try (var files = Files.list(cache)) {
            List<Path> entries = files.toList();
            assertThat(entries).hasSize(1);  // no temporary file left behind
            return entries.getFirst();
        }
    }

    private static void flip(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }
    }
}
