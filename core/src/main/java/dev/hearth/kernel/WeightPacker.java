package dev.hearth.kernel;

import dev.hearth.tensor.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prepares one model's weight matrices for the kernels while it loads ({@link #prepare}), and owns what that made:
 * repacked copies for the native kernels, mapped from the {@link RepackCache} entry of the model file where a valid one
 * exists, else repacked (on the pool) into native memory ({@link NativeKernels#allocate}, outside the JVM's direct
 * memory limit and heap), which {@link #finish} then writes to the cache on a background thread for the next load.
 * Everything lives in the model's arena; {@link #close} stops the writer before that arena closes.
 */
public final class WeightPacker implements AutoCloseable {
    private final Arena arena;
    private final ComputePool pool;
    private final boolean pack;
    private final RepackCache cache;
    private final Map<String, MemorySegment> hits;
    private final List<RepackCache.Source> packed = new ArrayList<>();
    private boolean missed;
    private long packedBytes;
    private Thread writer;
    private Thread background;
    /**
     * Opened by {@link #startBackgroundCheck}: the entry's move into huge pages and its chunk check wait for it, so
     * that they do not slow the load.
     */
    private final java.util.concurrent.CountDownLatch checkMayStart = new java.util.concurrent.CountDownLatch(1);
    /** Why the mapped entry cannot be trusted (a chunk failed the background check), or null. */
    private volatile String fault;
    /** What the load did; what the background writer did (or null); where the entry's move into huge pages is. */
    private final String note;
    private volatile String written;
    private volatile String pages;

    /**
     * @param model the model file (the cache's key)
     * @param cacheDir where repack cache entries live; null keeps repacked weights in memory only
     * @param nativeKernels whether the model's matmuls may run natively (else nothing is repacked)
     */
    public WeightPacker(Path model, Path cacheDir, boolean nativeKernels, Arena arena, ComputePool pool) {
        this.arena = arena;
        this.pool = pool;
        this.pack = nativeKernels && KernelTuning.PACK && NativeKernels.available();
        RepackCache c = null;
        Map<String, MemorySegment> h = null;
        String n;
        if (!pack) {
            n = "no repacking (" + (NativeKernels.available() ? "native kernels off for this model" : NativeKernels.status()) + ")";
        } else if (cacheDir == null) {
            n = "repack cache off";
        } else {
            try {
                c = RepackCache.forModel(cacheDir, model);
                RepackCache.Mapped mapped = c.open(arena, pool);
                h = mapped == null ? null : mapped.matrices();
                n = mapped == null ? "repack cache: no entry yet (" + c.file() + ")"
                        : "repack cache: mapped " + c.file() + pagesNote(mapped) + (mapped.verified()
                                ? " (every chunk checked)" : " (stamp matches; chunks checked in the background)");
                if (mapped != null && (!mapped.verified() || mapped.promotable())) {
                    backgroundWork(c, mapped);
                }
            } catch (RepackCache.Damaged e) {
                n = "repack cache: rebuilding " + c.file() + ", the entry was not usable: " + e.getMessage();
            } catch (IOException | RuntimeException e) {
                n = "repack cache: unreadable (" + e.getMessage() + "); repacking in memory";
            }
        }
        this.cache = c;
        this.hits = h;
        this.note = n;
    }

    /**
     * Bytes a matrix of this type takes once prepared for the kernels in this process: its repacked size where the
     * native kernels repack the type (see {@link #prepare}), else its size in the file ({@code fileBytes}).
     */
    public static long preparedBytes(dev.hearth.gguf.GgmlType type, int rows, int cols, long fileBytes) {
        return KernelTuning.PACK && NativeKernels.packs(type) ? NativeKernels.packedBytes(type, rows, cols) : fileBytes;
    }

    /** How the entry is mapped: in huge pages (how much of it), or in 4 KiB pages. */
    private static String pagesNote(RepackCache.Mapped mapped) {
        if (mapped.hugeBytes() < 0) {
            return "";
        }
        long mib = mapped.all().byteSize() >> 20;
        return mapped.hugeBytes() >= RepackCache.HUGE_ENOUGH * mapped.all().byteSize()
                ? " in huge pages (" + (mapped.hugeBytes() >> 20) + " of " + mib + " MiB)"
                : " in 4 KiB pages (" + (mapped.hugeBytes() >> 20) + " of " + mib + " MiB in huge pages)";
    }

    /**
     * Once the model is loaded ({@link #startBackgroundCheck}), on one background thread: moves a promotable entry into
     * huge pages ({@link RepackCache#promote}), then checks every chunk of a stamped one. A mismatch makes {@link #fault}
     * say so (the model fails its next step and reports the reason) and deletes the entry, so that the next load
     * rebuilds it.
     */
    private void backgroundWork(RepackCache entry, RepackCache.Mapped mapped) {
        if (mapped.promotable()) {
            pages = "to be moved into huge pages once loaded";
        }
        background = Thread.ofPlatform().name("hearth-repack-background").daemon().start(() -> {
            try {
                // a 14B entry is 8 GiB: checked during the load, it took one of two cores for 5 s
                checkMayStart.await(CHECK_DELAY_LIMIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                if (mapped.promotable()) {
                    long start = System.nanoTime();
                    String stopped = RepackCache.promote(mapped);
                    pages = stopped == null ? String.format(java.util.Locale.ROOT, "moved into huge pages in %.1f s%s",
                            (System.nanoTime() - start) / 1e9, entry.dropCachedPages()
                                    ? " (its 4 KiB pages dropped from the page cache: the next load reads it in huge ones)"
                                    : "") : "left mapped: the move into huge pages " + stopped;
                }
                if (!mapped.verified()) {
                    entry.verify(mapped, null);
                }
            } catch (RepackCache.Damaged e) {
                if (!Thread.currentThread().isInterrupted()) {
                    fault = "the repack cache entry " + entry.file() + " failed its background check: " + e.getMessage()
                            + " (deleted; the next load rebuilds it)";
                    entry.discard();
                }
            } catch (RuntimeException e) {
                // the model closed under the check
            } catch (InterruptedException e) {
                // the model closed before the check began
            }
        });
    }

    /** How long the background check waits at most for {@link #startBackgroundCheck}. */
    static final long CHECK_DELAY_LIMIT_SECONDS = 30;

    /**
     * Lets the background work on a mapped entry begin (its move into huge pages, the check of a stamped one): call
     * once the model is loaded and warmed up (the server does, before it says the model is ready); without the call it
     * begins 30 s after the load.
     */
    public void startBackgroundCheck() {
        checkMayStart.countDown();
    }

    /**
     * Why this model's weights cannot be trusted: a repack cache entry that failed its background check; null while
     * none did (the check may still be running: {@link #awaitVerifier}).
     */
    public String fault() {
        return fault;
    }

    /** Starts the background work on a mapped entry now and waits for it (tests, benchmarks). */
    public void awaitVerifier() throws InterruptedException {
        startBackgroundCheck();
        Thread v = background;
        if (v != null) {
            v.join();
        }
    }

    /**
     * The matrix as the kernels that will multiply it want it: repacked where the native kernels pack its type (from
     * the cache, or repacked now), with its block-scale table where the Vector API kernels run Q4_0, else as it is.
     */
    public WeightMatrix prepare(WeightMatrix w) {
        if (!pack || !NativeKernels.packs(w.type())) {
            return Kernels.withScaleTable(w);
        }
        long bytes = NativeKernels.packedBytes(w.type(), w.rows(), w.cols());
        MemorySegment segment = hits == null ? null
                : hits.get(RepackCache.key(w.name(), w.type().id(), w.rows(), w.cols()));
        if (segment == null || segment.byteSize() != bytes) {
            missed = true;
            segment = NativeKernels.allocate(bytes, arena);
            repack(w, segment);
        }
        packed.add(new RepackCache.Source(w.name(), w.type().id(), w.rows(), w.cols(), segment));
        packedBytes += bytes;
        if (w.data().isMapped()) {
            w.data().unload();  // the file's pages read by the repack: the copy serves the matmuls from now on
        }
        return w.withPacked(segment);
    }

    /** Tiles of 16 rows split over the pool: the repack reads the file and writes memory at the pool's pace. */
    private void repack(WeightMatrix w, MemorySegment dst) {
        int tiles = (w.rows() + NativeKernels.PACK_ROWS - 1) / NativeKernels.PACK_ROWS;
        pool.parallelFor(tiles, Math.max(1, tiles / (4 * pool.threads())),
                (start, end) -> NativeKernels.repackTiles(w, dst, start, end));
    }

    /**
     * After the last {@link #prepare}: where this load repacked anything and a cache is configured, writes the entry
     * for the next load on a background thread (the model serves meanwhile from memory).
     */
    public void finish() {
        if (cache == null || (!missed && hits != null) || packed.isEmpty()) {
            return;
        }
        List<RepackCache.Source> sources = List.copyOf(packed);
        writer = Thread.ofPlatform().name("hearth-repack-cache").daemon().start(() -> {
            try {
                cache.write(sources);
                written = "wrote " + cache.file();
            } catch (InterruptedException e) {
                written = "writing stopped (model closed)";
            } catch (IOException | RuntimeException e) {
                written = "not written (" + e.getMessage() + ")";
            }
        });
        written = "writing the entry in the background";
    }

    /** Bytes of repacked weights this model holds (mapped from the cache or in native memory). */
    public long packedBytes() {
        return packedBytes;
    }

    /** One line on what the repack did: off, mapped from the cache, rebuilt and why, writing. */
    public String note() {
        String w = written;
        String p = pages;
        return note + (p == null ? "" : "; " + p) + (w == null ? "" : "; " + w);
    }

    /** Waits for the background writer (tests, and tools that exit right after loading). */
    public void awaitWriter() throws InterruptedException {
        Thread w = writer;
        if (w != null) {
            w.join();
        }
    }

    /**
     * Stops the background writer (its temporary file is deleted) and check; call before the model's arena closes.
     */
    @Override
    public void close() {
        for (Thread t : new Thread[] {writer, background}) {  // each reads the mapping the arena unmaps
            if (t != null) {
                t.interrupt();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
