package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How an entry's pages are held: the native library maps it at a 2 MiB boundary and says how much of it the kernel
 * maps in huge pages; {@link RepackCache#promote} moves it into anonymous memory at the same addresses, piece by piece,
 * while another thread reads it, which sees the same bytes throughout and after.
 */
class RepackCachePagesTest {
    @Test
    void aMappedEntryMovesIntoAnonymousMemoryWhileAnotherThreadReadsIt(@TempDir Path dir) throws Exception {
        assertThat(NativeKernels.available()).isEqualTo(NativeKernelsTest.nativeExpected());
        if (!NativeKernels.available()) {
            return;  // no native mapping to move: RepackCachePruneTest covers the JDK's
        }
        Path model = Files.write(dir.resolve("m.gguf"), new byte[] {1});
        RepackCache entry = RepackCache.forModel(dir.resolve("cache"), model);
        byte[] first = pattern(5 << 20, 7);
        byte[] second = pattern((4 << 20) + 12345, 11);
        entry.write(List.of(new RepackCache.Source("a", 12, 1, 1, MemorySegment.ofArray(first)),
                new RepackCache.Source("b", 14, 1, 1, MemorySegment.ofArray(second))));
        try (Arena arena = Arena.ofShared()) {
            RepackCache.Mapped mapped = entry.open(arena, null);
            MemorySegment all = mapped.all();
            assertThat(all.address() % (2 << 20)).isZero();
            assertThat(mapped.hugeBytes()).isBetween(0L, all.byteSize());
            assertThat(mappedFile(all.address())).isEqualTo(entry.file().toRealPath().toString());
            MemorySegment a = mapped.matrices().get(RepackCache.key("a", 12, 1, 1));
            MemorySegment b = mapped.matrices().get(RepackCache.key("b", 14, 1, 1));

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger passes = new AtomicInteger();
            AtomicReference<String> wrong = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                while (!stop.get() && wrong.get() == null) {
                    if (!java.util.Arrays.equals(a.toArray(ValueLayout.JAVA_BYTE), first)
                            || !java.util.Arrays.equals(b.toArray(ValueLayout.JAVA_BYTE), second)) {
                        wrong.set("a read during the move saw other bytes");
                    }
                    passes.incrementAndGet();
                }
            });
            while (passes.get() == 0) {
                Thread.onSpinWait();
            }
            int before = passes.get();
            assertThat(RepackCache.promote(mapped, 2 << 20)).isNull();
            while (passes.get() < before + 2) {  // reads that began after the move ended
                Thread.onSpinWait();
            }
            stop.set(true);
            reader.join();
            assertThat(wrong.get()).isNull();
            for (long at = 0; at < all.byteSize(); at += 4096) {  // no page of it maps the file any more
                assertThat(mappedFile(all.address() + at)).as("page at %d", at).isEmpty();
            }
            assertThat(a.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(first);
            assertThat(b.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(second);
            entry.verify(mapped, null);  // every chunk's checksum, from the moved pages
            assertThat(entry.dropCachedPages()).isTrue();  // the file's own pages, unmapped now, leave the page cache
            assertThat(b.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(second);
        }
    }

    private static byte[] pattern(int length, int step) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * step + (i >> 12));
        }
        return bytes;
    }

    /** The file /proc/self/maps names for the mapping holding {@code address} ("" for anonymous memory). */
    private static String mappedFile(long address) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] fields = line.trim().split("\\s+", 6);
            String[] range = fields[0].split("-");
            if (Long.compareUnsigned(Long.parseUnsignedLong(range[0], 16), address) <= 0
                    && Long.compareUnsigned(address, Long.parseUnsignedLong(range[1], 16)) < 0) {
                return fields.length == 6 ? fields[5] : "";
            }
        }
        throw new AssertionError("no mapping holds " + Long.toHexString(address));
    }
}
