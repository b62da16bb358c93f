package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pruning the repack cache: entries whose model file is gone or changed, of an old layout version or with a damaged
 * header go with their stamps; orphan stamps and temporary files unwritten for an hour go; a valid entry, a temporary
 * file being written and foreign files stay; an entry a process still maps may go, and the mapping still reads.
 */
class RepackCachePruneTest {
    private static final long NOW = System.currentTimeMillis();

    @Test
    void removesWhatNoLoadCanUseAndKeepsTheRest(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        Path kept = entry(dir, cache, "kept.gguf");
        Path changed = entry(dir, cache, "changed.gguf");
        Path gone = entry(dir, cache, "gone.gguf");
        Files.setLastModifiedTime(dir.resolve("changed.gguf"), FileTime.fromMillis(NOW - 120_000));
        Files.delete(dir.resolve("gone.gguf"));
        Path oldVersion = Files.write(cache.resolve("0123456789abcdef0123456789abcdef.hpack"), oldLayoutHeader());
        Path garbage = Files.write(cache.resolve("fedcba9876543210fedcba9876543210.hpack"), new byte[] {1, 2, 3});
        Path orphanStamp = Files.writeString(cache.resolve("00000000000000000000000000000000.hpack.ok"), "x\n");
        Path writing = Files.write(cache.resolve(kept.getFileName() + "123.tmp"), new byte[10]);
        Path abandoned = Files.write(cache.resolve(kept.getFileName() + "456.tmp"), new byte[10]);
        Files.setLastModifiedTime(abandoned, FileTime.fromMillis(NOW - RepackCachePrune.ABANDONED_TEMPORARY_MILLIS - 1));
        Path foreign = Files.writeString(cache.resolve("notes.txt"), "mine");

        List<RepackCachePrune.Removed> removed = RepackCachePrune.prune(cache, NOW);

        assertThat(removed).extracting(RepackCachePrune.Removed::file).containsExactlyInAnyOrder(changed,
                stamp(changed), gone, stamp(gone), oldVersion, garbage, orphanStamp, abandoned);
        assertThat(reason(removed, changed)).contains("has changed since it was packed");
        assertThat(reason(removed, gone)).contains("gone.gguf is gone");
        assertThat(reason(removed, oldVersion)).contains("layout version 3");
        assertThat(reason(removed, garbage)).contains("header");
        assertThat(reason(removed, abandoned)).contains("unwritten for 60 min");
        assertThat(removed.stream().filter(r -> r.file().equals(changed)).findFirst().orElseThrow().bytes())
                .isEqualTo(8192);
        assertThat(kept).exists();
        assertThat(stamp(kept)).exists();
        assertThat(writing).exists();
        assertThat(foreign).exists();
        assertThat(RepackCachePrune.prune(cache, NOW)).isEmpty();
        assertThat(RepackCachePrune.prune(dir.resolve("no-such-dir"), NOW)).isEmpty();
    }

    @Test
    void anEntryStillMappedIsRemovedAndItsMappingStillReads(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        Path model = Files.write(dir.resolve("m.gguf"), new byte[] {7});
        RepackCache entry = RepackCache.forModel(cache, model);
        byte[] bytes = new byte[5000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        try (Arena arena = Arena.ofConfined()) {
            entry.write(List.of(new RepackCache.Source("w", 8, 1, 1, MemorySegment.ofArray(bytes))));
            RepackCache.Mapped mapped = entry.open(arena, null);
            // mapped by the native library where it runs, else by the JDK
            assertThat(mapped.all().isMapped()).isEqualTo(!NativeKernels.available());
            Files.setLastModifiedTime(model, FileTime.fromMillis(NOW - 60_000));  // the model file changes
            assertThat(RepackCachePrune.prune(cache, NOW)).hasSize(2);
            assertThat(entry.file()).doesNotExist();
            assertThat(mapped.matrices().values().iterator().next().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(bytes);
        }
    }

    /** A written entry (with its stamp) for a new model file {@code name} in {@code dir}. */
    private static Path entry(Path dir, Path cache, String name) throws Exception {
        Path model = Files.write(dir.resolve(name), new byte[] {1, 2, 3});
        RepackCache entry = RepackCache.forModel(cache, model);
        entry.write(List.of(new RepackCache.Source("w", 8, 1, 1, MemorySegment.ofArray(new byte[100]))));
        assertThat(stamp(entry.file())).exists();
        return entry.file();
    }

    private static Path stamp(Path entry) {
        return entry.resolveSibling(entry.getFileName() + ".ok");
    }

    private static String reason(List<RepackCachePrune.Removed> removed, Path file) {
        return removed.stream().filter(r -> r.file().equals(file)).findFirst().orElseThrow().reason();
    }

    /** The fixed fields of a version 3 header (before the header named its model file). */
    private static byte[] oldLayoutHeader() {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.put("HEARTHPK".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(3).putInt(0).putLong(4096);
        return b.array();
    }
}
