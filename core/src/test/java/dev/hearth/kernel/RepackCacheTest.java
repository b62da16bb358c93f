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
 * The repack cache: written (and stamped) after a cold load, mapped by the next without a checksum pass before use, with
 * the same logits as a load without it; an entry whose data, header or length was changed is detected at open (its
 * stamp no longer matches), not used, and rewritten; damage the file system did not see (a stamp that still matches)
 * is found by the background check, which fails the model and deletes the entry; a changed model file gets a new entry.
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
        assertThat(logits(MODEL, cache, "stamp matches")).isEqualTo(reference);

        long size = Files.size(entry);
        flip(entry, size - 5000);                 // a weight byte
        assertThat(logits(MODEL, cache, "checksum")).isEqualTo(reference);
        assertThat(logits(MODEL, cache, "stamp matches")).isEqualTo(reference);  // rewritten by the load that found it

        flip(entry, 40);                          // a header byte
        assertThat(logits(MODEL, cache, "header fails its checksum")).isEqualTo(reference);

        try (RandomAccessFile f = new RandomAccessFile(entry.toFile(), "rw")) {
            f.setLength(size / 2);                // a write cut short
        }
        assertThat(logits(MODEL, cache, "bytes, its header says")).isEqualTo(reference);
        Files.write(entry, new byte[] {1, 2, 3});  // not an entry at all
        assertThat(logits(MODEL, cache, "unreadable header")).isEqualTo(reference);
        assertThat(logits(MODEL, cache, "stamp matches")).isEqualTo(reference);
        Files.delete(entry.resolveSibling(entry.getFileName() + ".ok"));
        assertThat(logits(MODEL, cache, "every chunk checked")).isEqualTo(reference);  // and stamped again
        assertThat(logits(MODEL, cache, "stamp matches")).isEqualTo(reference);
    }

    @Test
    void damageUnderAMatchingStampFailsTheModelInTheBackground(@TempDir Path cache) throws Exception {
        if (!NativeKernels.available()) {
            assertThat(NativeKernelsTest.nativeExpected()).isFalse();
            return;
        }
        logits(MODEL, cache, "no entry yet");
        Path entry = onlyEntry(cache);
        flip(entry, Files.size(entry) - 5000);
        // bit rot: the bytes changed, the file system's times did not (forged here by stamping the damaged file)
        Path stamp = entry.resolveSibling(entry.getFileName() + ".ok");
        Thread.sleep(RepackCache.STAMP_SETTLE_MILLIS + 10);
        Files.writeString(stamp, entry.getFileName() + " " + RepackCache.fileStamp(entry) + "\n");
        try (Model m = Model.load(MODEL, new ModelOptions(2, 8).withRepackCache(cache))) {
            assertThat(m.packer().note()).contains("stamp matches");
            m.packer().awaitVerifier();
            assertThat(m.packer().fault()).contains("failed its background check").contains("fail their checksum");
        }
        assertThat(entry).doesNotExist();
        assertThat(stamp).doesNotExist();
        logits(MODEL, cache, "no entry yet");
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

    /** The one entry, with its stamp and no temporary file left behind. */
    private static Path onlyEntry(Path cache) throws IOException {
        try (var files = Files.list(cache)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertThat(names).hasSize(2);
            assertThat(names.get(0)).endsWith(".hpack");
            assertThat(names.get(1)).isEqualTo(names.get(0) + ".ok");
            return cache.resolve(names.get(0));
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
