package dev.hearth.kv;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Native memory for the KV pool: anonymous pages from the C library's {@code mmap}, called through the FFM API, so the
 * pool lives neither on the Java heap nor in direct memory (no {@code -Xmx} or {@code -XX:MaxDirectMemorySize} limits
 * it). The kernel hands out zeroed pages on first touch, so gigabytes are reserved at once without a zero-filling pass,
 * and the resident set grows only with the positions sequences have written. Where there is no {@code mmap} (not a
 * POSIX system) the pool falls back to {@link Arena#allocate}, which zero-fills eagerly.
 */
final class KvMemory {
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 2;
    /** Linux's MAP_ANONYMOUS; macOS's MAP_ANON is 0x1000. */
    private static final int MAP_ANONYMOUS = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT)
            .contains("mac") ? 0x1000 : 0x20;
    /** Linux's MAP_NORESERVE: no swap is reserved for pages never touched. */
    private static final int MAP_NORESERVE = MAP_ANONYMOUS == 0x20 ? 0x4000 : 0;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        try {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            var mmapSymbol = libc.find("mmap");
            var munmapSymbol = libc.find("munmap");
            if (mmapSymbol.isPresent() && munmapSymbol.isPresent()) {
                mmap = linker.downcallHandle(mmapSymbol.get(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(munmapSymbol.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            }
        } catch (RuntimeException e) {
            mmap = null;  // no native linker here: the Arena fallback
            munmap = null;
        }
        MMAP = mmap;
        MUNMAP = munmap;
    }

    private KvMemory() {}

    /** Whether pages come lazily from mmap (else from the arena, zero-filled at once). */
    static boolean lazy() {
        return MMAP != null;
    }

    /**
     * A zeroed segment of {@code bytes} (at least one), aligned to a page, unmapped when {@code arena} closes.
     *
     * @throws OutOfMemoryError when the system refuses the mapping (the message says how much was asked)
     */
    static MemorySegment allocate(long bytes, Arena arena) {
        long size = Math.max(1, bytes);
        if (MMAP == null) {
            return arena.allocate(size, 4096);
        }
        MemorySegment raw;
        try {
            raw = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("mmap of the KV cache failed", e);
        }
        if (raw.address() == -1L || raw.address() == 0L) {
            throw new OutOfMemoryError("the system refused " + size + " bytes of memory for the KV cache");
        }
        return raw.reinterpret(size, arena, segment -> unmap(segment, size));
    }

    private static void unmap(MemorySegment segment, long size) {
        try {
            int rc = (int) MUNMAP.invokeExact(segment, size);
            assert rc == 0 : "munmap returned " + rc;
        } catch (Throwable e) {
            throw new IllegalStateException("munmap of the KV cache failed", e);
        }
    }
}
