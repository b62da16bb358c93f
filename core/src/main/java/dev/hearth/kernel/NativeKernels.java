package dev.hearth.kernel;

import dev.hearth.gguf.GgmlType;
import dev.hearth.tensor.WeightMatrix;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The native int8 matmul kernels, called through the FFM API: the activations are quantized to 8 bits in blocks of 32
 * (as llama.cpp does for these types), and each block's dot product is taken in integers, where the Vector API has no
 * integer dot product and must widen every weight to a float. Two tiers, by the CPU:
 * <ul>
 * <li>AVX-512 VNNI ({@code core/src/main/c/hearth_kernels.c}): Q4_0, Q5_0, Q8_0, Q4_K, Q5_K and Q6_K repacked, 64
 *     multiply-adds per instruction; Q4_0, Q8_0, Q4_K and Q6_K also in the file's layout (row ranges off the
 *     tiles); Q4_1 and Q5_1 repacked; F32, F16 and BF16 in the file's layout, in float (weights widened exactly as they load).</li>
 * <li>AVX2 ({@code hearth_kernels_avx2.c}): repacked weights only, Q4_0, Q5_0, Q8_0, Q4_K, Q5_K and Q6_K; row ranges
 *     off the 16-row tiles run on the Vector API kernels.</li>
 * </ul>
 * Repacked weights live in memory from {@code hk_alloc} (anonymous pages, huge pages asked for) or in a cache file
 * ({@link RepackCache}), never in direct buffers or on the Java heap.
 *
 * <p>The library is built by Maven where a C compiler is present ({@code src/main/c/build.sh}) and shipped inside the
 * jar; it is used when it loads, the CPU has the instructions ({@code hk_caps}) and {@code -Dhearth.kernel.native} is
 * not {@code false}. Otherwise {@link #available()} is false, {@link #status()} says why, and the Vector API kernels
 * run. {@link #matmulScalar} is the scalar twin the tests hold the native code to.
 */
public final class NativeKernels {
    private NativeKernels() {}

    /** Where the build puts the library inside core's classes (and so inside the jar). */
    static final String RESOURCE = "/native/linux-x86_64/libhearthk.so";
    public static final int BLOCK = 32;

    private static final MethodHandle MATMUL;
    private static final MethodHandle MATMUL_PACKED;
    /** The AVX2 tier's packed matmul called directly (tests hold it to the scalar twin on AVX-512 machines too). */
    private static final MethodHandle MATMUL_PACKED_AVX2;
    /** F32, F16 and BF16 matmuls in the file's layout (AVX-512 tier only). */
    private static final MethodHandle MATMUL_FLOAT;
    private static final MethodHandle REPACK;
    private static final MethodHandle ALLOC;
    private static final MethodHandle FREE;
    private static final MethodHandle STREAM_SUM;
    private static final MethodHandle MAP_FILE;
    private static final MethodHandle PROMOTE;
    private static final MethodHandle DROP_CACHED;
    private static final MethodHandle QUANTIZE_Q8;
    private static final MethodHandle QUANTIZE_Q8K;
    private static final String STATUS;
    /** The loaded library's symbols where its AVX2 kernels run (for {@link NativeOps}), else null. */
    static final SymbolLookup LOOKUP;
    /** Whether the AVX-512 VNNI kernels run (else only the AVX2 packed ones, where {@link #MATMUL_PACKED} is set). */
    private static final boolean WIDE;
    /** Rows per tile of the repacked Q4_0 layout, and bytes per block of a tile. */
    static final int PACK_ROWS = 16;
    static final int PACK_BLOCK = 288;
    /** Bytes per super-block of a 16-row tile of repacked Q4_K. */
    static final int PACK_SUPER_Q4_K = 2368;
    /** Bytes per super-block of a 16-row tile of repacked Q6_K. */
    static final int PACK_SUPER_Q6_K = 3360;
    /** Bytes per unit of a 16-row tile of the layouts packed for the AVX2 kernels (see hearth_kernels_avx2.c). */
    static final int PACK_BLOCK_Q5_0 = 352;
    static final int PACK_BLOCK_Q8_0 = 544;
    static final int PACK_SUPER_Q5_K = 2880;
    /** Bytes per block of a 16-row tile of repacked Q4_1 and Q5_1 (the AVX-512 tier only; see hearth_kernels.c). */
    static final int PACK_BLOCK_Q4_1 = 320;
    static final int PACK_BLOCK_Q5_1 = 384;

    static {
        MethodHandle matmul = null;
        MethodHandle packedMatmul = null;
        MethodHandle packedAvx2 = null;
        MethodHandle matmulFloat = null;
        MethodHandle repack = null;
        MethodHandle alloc = null;
        MethodHandle streamSum = null;
        MethodHandle mapFile = null;
        MethodHandle promote = null;
        MethodHandle dropCached = null;
        MethodHandle quantizeQ8 = null;
        MethodHandle quantizeQ8k = null;
        MethodHandle free = null;
        SymbolLookup avx2Lookup = null;
        boolean wide = false;
        String status;
        try {
            status = unavailableReason();
            if (status == null) {
                Path lib = libraryPath();
                SymbolLookup lookup = SymbolLookup.libraryLookup(lib, Arena.global());
                forgetExtracted(lib);
                Linker linker = Linker.nativeLinker();
                MethodHandle caps = linker.downcallHandle(lookup.find("hk_caps").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT));
                int bits = (int) caps.invokeExact();
                wide = (bits & 1) != 0;
                if ((bits & 2) == 0) {
                    status = "off: the CPU lacks AVX2, FMA or F16C";
                } else {
                    if (wide) {
                        matmul = linker.downcallHandle(lookup.find("hk_matmul").orElseThrow(),
                                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                        ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                                        ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                                Linker.Option.critical(true));
                        matmulFloat = linker.downcallHandle(lookup.find("hk_matmul_float").orElseThrow(),
                                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                                        ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                                Linker.Option.critical(true));
                    }
                    packedMatmul = linker.downcallHandle(lookup.find("hk_matmul_packed").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                    ValueLayout.JAVA_INT),
                            Linker.Option.critical(true));
                    packedAvx2 = linker.downcallHandle(lookup.find("hk_matmul_packed_avx2").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
                            Linker.Option.critical(true));
                    repack = linker.downcallHandle(lookup.find("hk_repack").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
                    alloc = linker.downcallHandle(lookup.find("hk_alloc").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                    free = linker.downcallHandle(lookup.find("hk_free").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                    streamSum = linker.downcallHandle(lookup.find("hk_stream_sum").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                    ValueLayout.JAVA_INT));
                    mapFile = linker.downcallHandle(lookup.find("hk_map_file").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                    promote = linker.downcallHandle(lookup.find("hk_promote").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                    dropCached = linker.downcallHandle(lookup.find("hk_drop_cached").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
                    FunctionDescriptor quantize = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS);
                    quantizeQ8 = linker.downcallHandle(lookup.find("hk_quantize_q8").orElseThrow(), quantize,
                            Linker.Option.critical(true));
                    quantizeQ8k = linker.downcallHandle(lookup.find("hk_quantize_q8k").orElseThrow(), quantize,
                            Linker.Option.critical(true));
                    avx2Lookup = lookup;
                    status = "native int8 (" + (wide ? "AVX-512 VNNI" : "AVX2")
                            + ") for Q4_0, Q5_0, Q8_0, Q4_K, Q5_K and Q6_K (repacked)"
                            + (wide ? ", Q4_1 and Q5_1 (repacked); native float for F32, F16 and BF16" : "");
                }
            }
        } catch (Throwable e) {
            matmul = null;
            packedMatmul = null;
            packedAvx2 = null;
            matmulFloat = null;
            repack = null;
            alloc = null;
            free = null;
            streamSum = null;
            mapFile = null;
            promote = null;
            dropCached = null;
            quantizeQ8 = null;
            quantizeQ8k = null;
            avx2Lookup = null;
            wide = false;
            status = "off: the native library did not load (" + e + ")";
        }
        MATMUL = matmul;
        MATMUL_PACKED = packedMatmul;
        MATMUL_PACKED_AVX2 = packedAvx2;
        MATMUL_FLOAT = matmulFloat;
        REPACK = repack;
        ALLOC = alloc;
        FREE = free;
        STREAM_SUM = streamSum;
        MAP_FILE = mapFile;
        PROMOTE = promote;
        DROP_CACHED = dropCached;
        QUANTIZE_Q8 = quantizeQ8;
        QUANTIZE_Q8K = quantizeQ8k;
        WIDE = wide;
        STATUS = status;
        LOOKUP = avx2Lookup;
    }

    private static String unavailableReason() {
        if (!KernelTuning.NATIVE) {
            return "off: -Dhearth.kernel.native=false";
        }
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "off: native kernels are built for linux-x86_64 only (this is " + os + "-" + arch + ")";
        }
        if (NativeKernels.class.getResource(RESOURCE) == null) {
            return "off: the build had no C compiler, so " + RESOURCE + " is not in the jar";
        }
        return null;
    }

    private static Path libraryPath() throws IOException, URISyntaxException {
        URL url = NativeKernels.class.getResource(RESOURCE);
        if ("file".equals(url.getProtocol())) {
            return Path.of(url.toURI());
        }
        Path dir = Files.createTempDirectory("hearth-native");  // owner-only on POSIX
        Path lib = dir.resolve("libhearthk.so");
        try (InputStream in = url.openStream()) {
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
        }
        return lib;
    }

    /**
     * Deletes the library copied out of the jar, and its directory, once it is loaded (the mapping stays valid), so
     * no process start leaves a {@code hearth-native*} directory behind, even one that is killed.
     */
    private static void forgetExtracted(Path lib) {
        if (!lib.getParent().getFileName().toString().startsWith("hearth-native")) {
            return;  // the build's own copy, read in place
        }
        try {
            Files.deleteIfExists(lib);
            Files.deleteIfExists(lib.getParent());
        } catch (IOException e) {
            lib.toFile().deleteOnExit();  // not fatal: the JVM tries again at exit
        }
    }

    /** Whether native kernels run in this process (either tier). */
    public static boolean available() {
        return MATMUL_PACKED != null;
    }

    /** Whether the AVX-512 VNNI tier runs (with matmuls over the file's layout, {@link #matmulsInPlace}). */
    public static boolean wide() {
        return WIDE && MATMUL != null;
    }

    /** One line on which matmul kernels run and, where the native ones do not, why. */
    public static String status() {
        return STATUS;
    }

    // which types each tier runs is answered here, by the code that runs them; TypeKernels builds its paths on these

    /** Whether matmuls over this weight type run natively here (over a repacked copy, or the file's layout). */
    public static boolean supports(GgmlType type) {
        return packs(type) || matmulsInPlace(type);
    }

    /** Whether {@link #matmul} runs this type in the file's layout (the AVX-512 tier: Q4_0, Q8_0, Q4_K, Q6_K). */
    public static boolean matmulsInPlace(GgmlType type) {
        return switch (type) {
            case Q4_0, Q8_0, Q4_K, Q6_K -> wide();
            default -> false;
        };
    }

    /** Whether {@link #matmulFloat} runs this type (F32, F16, BF16 on the AVX-512 tier). */
    public static boolean matmulsFloat(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16 -> wide();
            default -> false;
        };
    }

    /** Whether matrices of this type are repacked at load for the native kernels (Q4_1 and Q5_1: AVX-512 tier). */
    public static boolean packs(GgmlType type) {
        return switch (type) {
            case Q4_0, Q5_0, Q8_0, Q4_K, Q5_K, Q6_K -> available();  // either tier
            case Q4_1, Q5_1 -> available() && wide();
            default -> false;
        };
    }

    /** Bytes of the repacked layout of a rows x cols matrix of the type (a packable type). */
    public static long packedBytes(GgmlType type, int rows, int cols) {
        long tiles = (rows + PACK_ROWS - 1) / PACK_ROWS;
        return switch (type) {
            case Q4_K -> tiles * (cols / 256) * PACK_SUPER_Q4_K;
            case Q5_K -> tiles * (cols / 256) * PACK_SUPER_Q5_K;
            case Q6_K -> tiles * (cols / 256) * PACK_SUPER_Q6_K;
            case Q5_0 -> tiles * (cols / BLOCK) * PACK_BLOCK_Q5_0;
            case Q8_0 -> tiles * (cols / BLOCK) * PACK_BLOCK_Q8_0;
            case Q4_1 -> tiles * (cols / BLOCK) * PACK_BLOCK_Q4_1;
            case Q5_1 -> tiles * (cols / BLOCK) * PACK_BLOCK_Q5_1;
            default -> tiles * (cols / BLOCK) * PACK_BLOCK;
        };
    }

    /**
     * {@code bytes} of zeroed memory outside the JVM's accounting (not counted against -XX:MaxDirectMemorySize, not on
     * the heap), freed when the arena closes.
     */
    public static MemorySegment allocate(long bytes, Arena arena) {
        if (ALLOC == null) {
            throw new IllegalStateException("no native allocator here (" + STATUS + ")");
        }
        MemorySegment raw;
        try {
            raw = (MemorySegment) ALLOC.invokeExact(bytes);
        } catch (Throwable e) {
            throw new IllegalStateException("native allocation failed", e);
        }
        if (raw.address() == 0) {
            throw new OutOfMemoryError("the system refused " + bytes + " bytes for repacked weights");
        }
        return raw.reinterpret(bytes, arena, segment -> free(segment, bytes));
    }

    /**
     * The bandwidth probe's read of bytes [from, to) of a native segment, with the matmul kernels' software prefetch
     * (hk_stream_sum); the Vector API loop of {@link MachineProbes#streamSum} where the library is not loaded.
     */
    public static long streamSum(MemorySegment s, long from, long to) {
        return streamSum(s, from, to, true);
    }

    /** As {@link #streamSum(MemorySegment, long, long)}, with the software prefetch or (false) without it. */
    public static long streamSum(MemorySegment s, long from, long to, boolean prefetch) {
        if (STREAM_SUM == null || !s.isNative()) {
            return MachineProbes.streamSum(s, from, to);
        }
        try {
            return (long) STREAM_SUM.invokeExact(s.asSlice(from, to - from), to - from, prefetch ? 1 : 0);
        } catch (Throwable e) {
            throw new IllegalStateException("native stream read failed", e);
        }
    }

    /** The arena's cleanup: the segment it gets has the allocation's address (and no size, so the size is kept). */
    private static void free(MemorySegment segment, long bytes) {
        try {
            int rc = (int) FREE.invokeExact(segment, bytes);
            assert rc == 0 : "hk_free returned " + rc;
        } catch (Throwable e) {
            throw new IllegalStateException("native free failed", e);
        }
    }

    /**
     * The matrix's weights repacked for the native kernels into {@code dst} (at least {@link #packedBytes}): tiles of
     * 16 rows, row i of a tile in lane i of every vector. Q4_0: each block of a tile 4 vectors of 4 bytes of nibbles
     * per row and the 16 scales, the same bytes as the file. Q4_K: each super-block 32 such vectors, the 6-bit scales
     * and mins one byte each, d and dmin (148 bytes per row and super-block against 144). Q6_K: each super-block the
     * low 4 bits as Q4_K's nibbles, the high 2 bits four to a byte, the 16 group scales, d (210 bytes, as the file). Q5_0, Q8_0
     * and Q5_K: see hearth_kernels_avx2.c (the same bytes as the file, 180 against 176 for Q5_K).
     */
    public static void repackInto(WeightMatrix w, MemorySegment dst) {
        if (!packs(w.type())) {
            throw new IllegalStateException("no repacked layout for " + w.type() + " here (" + STATUS + ")");
        }
        if (dst.byteSize() < packedBytes(w.type(), w.rows(), w.cols())) {
            throw new IllegalArgumentException("repack of '" + w.name() + "': " + dst.byteSize() + " bytes is too small");
        }
        repackTiles(w, dst, 0, (w.rows() + PACK_ROWS - 1) / PACK_ROWS);
    }

    /** Tiles [tile0, tile1) of {@link #repackInto} (so that threads can share a matrix). */
    static void repackTiles(WeightMatrix w, MemorySegment dst, int tile0, int tile1) {
        int tiles = (w.rows() + PACK_ROWS - 1) / PACK_ROWS;
        if (!packs(w.type()) || tile0 < 0 || tile0 > tile1 || tile1 > tiles
                || dst.byteSize() < packedBytes(w.type(), w.rows(), w.cols())) {
            throw new IllegalArgumentException("repack of '" + w.name() + "': tiles " + tile0 + ".." + tile1 + " of "
                    + tiles + " into " + dst.byteSize() + " bytes");
        }
        int rc;
        try {
            rc = (int) REPACK.invokeExact(w.type().id(), w.data(), w.rowBytes(), w.rows(), w.cols(), tile0, tile1, dst);
        } catch (Throwable e) {
            throw new IllegalStateException("native repack failed", e);
        }
        if (rc != 0) {
            throw new IllegalStateException("native repack returned " + rc + " for '" + w.name() + "'");
        }
    }

    /** {@link #repackInto} a new native segment of the arena ({@link #allocate}). */
    public static MemorySegment repack(WeightMatrix w, Arena arena) {
        if (!packs(w.type())) {
            throw new IllegalStateException("no repacked layout for " + w.type() + " here (" + STATUS + ")");
        }
        MemorySegment dst = allocate(packedBytes(w.type(), w.rows(), w.cols()), arena);
        repackInto(w, dst);
        return dst;
    }

    /**
     * {@link #matmul} over the repacked layout of a matrix of a packed type of {@code rows} rows: r0 a multiple of
     * 16, r1 one too or the last row (see {@link #packedRange}). The K-quants take the activations of
     * {@link #quantizeK}.
     */
    static void matmulPacked(GgmlType type, MemorySegment packed, int rows, int r0, int r1, int cols, MemorySegment xq,
            MemorySegment dx, MemorySegment nsx, int tokens, MemorySegment out, int n) {
        int nb = cols / BLOCK;
        if (!packs(type) || cols % type.blockSize() != 0 || !packedRange(rows, r0, r1) || rows > n
                || packed.byteSize() < packedBytes(type, rows, cols)
                || xq.byteSize() < (long) tokens * cols || dx.byteSize() < 4L * tokens * nb
                || nsx.byteSize() < 4L * tokens * nb || out.byteSize() < 4L * ((long) (tokens - 1) * n + r1)) {
            throw new IllegalArgumentException("native packed matmul: sizes do not fit (rows " + r0 + ".." + r1 + " of "
                    + rows + ", " + cols + " columns, " + tokens + " tokens)");
        }
        int rc;
        try {
            rc = (int) MATMUL_PACKED.invokeExact(type.id(), packed, rows, r0, r1, cols, xq, dx, nsx, tokens, out, n);
        } catch (Throwable e) {
            throw new IllegalStateException("native matmul failed", e);
        }
        if (rc != 0) {
            throw new IllegalStateException("native packed matmul returned " + rc);
        }
    }

    /**
     * {@link #matmulPacked} on the AVX2 tier's kernels whatever the CPU (an AVX-512 machine still tests them); cx is
     * scratch of tokens * cols / 16 floats. Sizes as {@link #matmulPacked}, which the caller has checked.
     */
    static void matmulPackedAvx2(GgmlType type, MemorySegment packed, int rows, int r0, int r1, int cols,
            MemorySegment xq, MemorySegment dx, MemorySegment nsx, int tokens, MemorySegment out, int n,
            MemorySegment cx) {
        if (cx.byteSize() < 4L * tokens * (cols / 16)) {
            throw new IllegalArgumentException("cx holds " + cx.byteSize() + " bytes");
        }
        int rc;
        try {
            rc = (int) MATMUL_PACKED_AVX2.invokeExact(type.id(), packed, rows, r0, r1, cols, xq, dx, nsx, tokens, out,
                    n, cx);
        } catch (Throwable e) {
            throw new IllegalStateException("native matmul failed", e);
        }
        if (rc != 0) {
            throw new IllegalStateException("AVX2 packed matmul returned " + rc);
        }
    }

    /**
     * out[t * n + r] = row r of w (F32, F16 or BF16, rows of rowBytes bytes) times x[t * cols ..], rows [r0, r1),
     * tokens [0, tokens), in float. Sizes are checked here: the native code trusts them.
     */
    static void matmulFloat(GgmlType type, MemorySegment w, long rowBytes, int r0, int r1, int cols, MemorySegment x,
            int tokens, MemorySegment out, int n) {
        if (!matmulsFloat(type)) {
            throw new IllegalStateException("no native float matmul for " + type + " here (" + STATUS + ")");
        }
        if (r0 < 0 || r0 > r1 || r1 > n || rowBytes < type.byteSize(cols) || w.byteSize() < r1 * rowBytes
                || x.byteSize() < 4L * tokens * cols || out.byteSize() < 4L * ((long) (tokens - 1) * n + r1)) {
            throw new IllegalArgumentException("native float matmul: sizes do not fit (" + type + ", rows " + r0 + ".."
                    + r1 + " of " + n + ", " + cols + " columns, " + tokens + " tokens)");
        }
        int rc;
        try {
            rc = (int) MATMUL_FLOAT.invokeExact(type.id(), w, rowBytes, r0, r1, cols, x, tokens, out, n);
        } catch (Throwable e) {
            throw new IllegalStateException("native matmul failed", e);
        }
        if (rc != 0) {
            throw new IllegalStateException("native float matmul returned " + rc + " (" + type + ")");
        }
    }

    /** Whether rows [r0, r1) start and end on tiles of the repacked layout (or at its last row). */
    static boolean packedRange(int rows, int r0, int r1) {
        return r0 >= 0 && r0 <= r1 && r1 <= rows && r0 % PACK_ROWS == 0 && (r1 % PACK_ROWS == 0 || r1 == rows);
    }

    /**
     * out[t * n + r] = row r of w times token t, rows [r0, r1), tokens [0, tokens), with the activations quantized by
     * {@link #quantize}. w holds rows of rowBytes bytes; scales, where not null, every block's scale as a float (Q4_0).
     * Sizes are checked here: the native code trusts them.
     */
    static void matmul(GgmlType type, MemorySegment w, long rowBytes, MemorySegment scales, long scaleCount, int r0,
            int r1, int cols, MemorySegment xq, MemorySegment dx, MemorySegment nsx, int tokens, MemorySegment out,
            int n) {
        int nb = cols / BLOCK;
        if (!matmulsInPlace(type)) {
            throw new IllegalStateException("no native matmul for " + type + " in the file's layout here (" + STATUS + ")");
        }
        if (cols % type.blockSize() != 0 || r0 < 0 || r1 > n || r0 > r1 || w.byteSize() < r1 * rowBytes
                || rowBytes < type.byteSize(cols) || (scales != MemorySegment.NULL && scaleCount < (long) r1 * nb)
                || xq.byteSize() < (long) tokens * cols || dx.byteSize() < 4L * tokens * nb
                || nsx.byteSize() < 4L * tokens * nb || out.byteSize() < 4L * ((long) (tokens - 1) * n + r1)) {
            throw new IllegalArgumentException("native matmul: sizes do not fit (" + type + ", rows " + r0 + ".." + r1
                    + " of " + n + ", " + cols + " columns, " + tokens + " tokens)");
        }
        int rc;
        try {
            rc = (int) MATMUL.invokeExact(type.id(), w, rowBytes, scales, r0, r1, cols, xq, dx, nsx, tokens, out, n);
        } catch (Throwable e) {
            throw new IllegalStateException("native matmul failed", e);
        }
        if (rc != 0) {
            throw new IllegalStateException("native matmul returned " + rc + " (" + type + ", " + cols + " columns)");
        }
    }

    /**
     * Bytes [0, bytes) of {@code file} mapped read-only at a 2 MiB boundary, its page tables filled from the page cache
     * (hk_map_file), unmapped when the arena closes; null where the library is off or the file cannot be mapped.
     */
    public static MemorySegment mapFile(java.nio.file.Path file, long bytes, Arena arena) {
        if (MAP_FILE == null) {
            return null;
        }
        MemorySegment raw;
        try (Arena path = Arena.ofConfined()) {
            raw = (MemorySegment) MAP_FILE.invokeExact(path.allocateFrom(file.toString()), bytes);
        } catch (Throwable e) {
            throw new IllegalStateException("native map failed", e);
        }
        return raw.address() == 0 ? null : raw.reinterpret(bytes, arena, segment -> free(segment, bytes));
    }

    /**
     * Moves a range of a {@link #mapFile} mapping (its start 2 MiB-aligned in the mapping, its length a multiple of
     * 4 KiB) into anonymous huge-page memory at the same addresses (hk_promote): threads reading it meanwhile read the
     * same bytes. 0, or the errno of the step that failed (the range then stays mapped).
     */
    public static int promote(MemorySegment range) {
        try {
            return (int) PROMOTE.invokeExact(range, range.byteSize());
        } catch (Throwable e) {
            throw new IllegalStateException("native promote failed", e);
        }
    }

    /**
     * Drops the page cache's pages of {@code file} that no process maps (hk_drop_cached): 0, or an errno (-1 where the
     * library is off).
     */
    public static int dropCached(java.nio.file.Path file) {
        if (DROP_CACHED == null) {
            return -1;
        }
        try (Arena path = Arena.ofConfined()) {
            return (int) DROP_CACHED.invokeExact(path.allocateFrom(file.toString()));
        } catch (Throwable e) {
            throw new IllegalStateException("native drop failed", e);
        }
    }

    /**
     * Quantizes tokens rows of cols floats of x to 8 bits in blocks of 32, as ggml's quantize_row_q8_0: d = max|x| / 127
     * (kept at half precision, as ggml stores it), q = round-half-away(x / d). dx gets each block's d, nsx minus the
     * sum of its q. Native code (hk_quantize_q8), bit for bit {@link #quantizeScalar}, which runs where the library did
     * not load.
     */
    public static void quantize(float[] x, int tokens, int cols, byte[] xq, float[] dx, int[] nsx) {
        quantize(QUANTIZE_Q8, BLOCK, x, tokens, cols, xq, dx, nsx);
    }

    /** Values per activation block for the K-quants, as llama.cpp's Q8_K. */
    public static final int SUPER_BLOCK = 256;

    /**
     * Quantizes x for the K-quant kernels as ggml's quantize_row_q8_K: one scale per 256 values, from the value of
     * largest magnitude (the first, on a tie), which maps to -127: iscale = -127 / that value, q = round-half-even(x *
     * iscale) (at most 127), d = 1 / iscale, kept as a float. dx gets d for each of the super-block's 8 blocks of 32,
     * nsx minus each block's sum of q, as {@link #quantize}. Native code (hk_quantize_q8k), bit for bit
     * {@link #quantizeKScalar}.
     */
    public static void quantizeK(float[] x, int tokens, int cols, byte[] xq, float[] dx, int[] nsx) {
        quantize(QUANTIZE_Q8K, SUPER_BLOCK, x, tokens, cols, xq, dx, nsx);
    }

    private static void quantize(MethodHandle kernel, int unit, float[] x, int tokens, int cols, byte[] xq, float[] dx,
            int[] nsx) {
        long n = (long) tokens * cols;
        if (tokens < 0 || cols % unit != 0 || x.length < n || xq.length < n || dx.length < n / BLOCK
                || nsx.length < n / BLOCK) {
            throw new IllegalArgumentException("quantize: sizes do not fit (" + tokens + " tokens of " + cols
                    + " columns in units of " + unit + ")");
        }
        if (kernel == null) {
            if (unit == BLOCK) {
                quantizeScalar(x, tokens, cols, xq, dx, nsx);
            } else {
                quantizeKScalar(x, tokens, cols, xq, dx, nsx);
            }
            return;
        }
        try {
            kernel.invokeExact(MemorySegment.ofArray(x), n / unit, MemorySegment.ofArray(xq), MemorySegment.ofArray(dx),
                    MemorySegment.ofArray(nsx));
        } catch (Throwable e) {
            throw new IllegalStateException("native quantize failed", e);
        }
    }

    /** The scalar twin of {@link #quantizeK}. */
    public static void quantizeKScalar(float[] x, int tokens, int cols, byte[] xq, float[] dx, int[] nsx) {
        int supers = tokens * (cols / SUPER_BLOCK);
        for (int sb = 0; sb < supers; sb++) {
            int at = sb * SUPER_BLOCK;
            float amax = 0;
            float extreme = 0;
            for (int i = 0; i < SUPER_BLOCK; i++) {
                float a = Math.abs(x[at + i]);
                if (a > amax) {
                    amax = a;
                    extreme = x[at + i];
                }
            }
            float iscale = extreme == 0 ? 0 : -127f / extreme;
            for (int b = 0; b < SUPER_BLOCK / BLOCK; b++) {
                int sum = 0;
                for (int i = 0; i < BLOCK; i++) {
                    int o = at + b * BLOCK + i;
                    int q = extreme == 0 ? 0 : Math.min(127, (int) Math.rint(iscale * x[o]));
                    xq[o] = (byte) q;
                    sum += q;
                }
                dx[at / BLOCK + b] = extreme == 0 ? 0 : 1f / iscale;
                nsx[at / BLOCK + b] = -sum;
            }
        }
    }

    /** The scalar twin of {@link #quantize}. */
    public static void quantizeScalar(float[] x, int tokens, int cols, byte[] xq, float[] dx, int[] nsx) {
        int blocks = tokens * (cols / BLOCK);
        for (int b = 0; b < blocks; b++) {
            int at = b * BLOCK;
            float max = 0;
            for (int i = 0; i < BLOCK; i++) {
                max = Math.max(max, Math.abs(x[at + i]));
            }
            float d = max / 127f;
            float id = d != 0 ? 1f / d : 0f;
            dx[b] = Float.float16ToFloat(Float.floatToFloat16(d));
            int sum = 0;
            for (int i = 0; i < BLOCK; i++) {
                float v = x[at + i] * id;
                int q = (int) (v + (v < 0 ? -0.5f : 0.5f));
                xq[at + i] = (byte) q;
                sum += q;
            }
            nsx[b] = -sum;
        }
    }

    /**
     * The scalar twin of the native matmul: each block's integer dot product times the weight's and the activation's
     * block scales, summed in float.
     */
    public static void matmulScalar(GgmlType type, MemorySegment w, long rowBytes, float[] scales, int r0, int r1,
            int cols, byte[] xq, float[] dx, int tokens, float[] out, int n) {
        int nb = cols / BLOCK;
        if (type != GgmlType.Q4_0 && type != GgmlType.Q8_0) {  // K-quants: dequantized weights times the 8-bit x
            float[] row = new float[cols];
            WeightMatrix m = new WeightMatrix("twin", type, r1, cols, w.asSlice(0, r1 * rowBytes));
            for (int r = r0; r < r1; r++) {
                ScalarKernels.dequantizeRow(m, r, row, 0);
                for (int t = 0; t < tokens; t++) {
                    double acc = 0;
                    for (int b = 0; b < nb; b++) {
                        double block = 0;
                        for (int j = 0; j < BLOCK; j++) {
                            block += (double) row[b * BLOCK + j] * xq[t * cols + b * BLOCK + j];
                        }
                        acc += block * dx[t * nb + b];
                    }
                    out[t * n + r] = (float) acc;
                }
            }
            return;
        }
        long bb = type.byteSize(BLOCK);
        for (int t = 0; t < tokens; t++) {
            for (int r = r0; r < r1; r++) {
                float acc = 0;
                for (int b = 0; b < nb; b++) {
                    long at = r * rowBytes + b * bb;
                    float d = scales != null ? scales[r * nb + b]
                            : Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, at));
                    int dot = 0;
                    int xo = t * cols + b * BLOCK;
                    for (int j = 0; j < BLOCK; j++) {
                        int q;
                        if (type == GgmlType.Q4_0) {
                            int packed = w.get(ValueLayout.JAVA_BYTE, at + 2 + (j & 15)) & 0xFF;
                            q = (j < 16 ? packed & 15 : packed >>> 4) - 8;
                        } else {
                            q = w.get(ValueLayout.JAVA_BYTE, at + 2 + j);
                        }
                        dot += q * xq[xo + j];
                    }
                    acc += d * dx[t * nb + b] * dot;
                }
                out[t * n + r] = acc;
            }
        }
    }
}
