package dev.hearth.kernel;

/**
 * Every switch that tunes the weight kernels or turns a path off, read once at class initialisation (static finals,
 * which the JIT folds): the system properties, the token count at which a matmul becomes a GEMM, and the tile sizes.
 * Which kernels each weight type then runs on is {@link TypeKernels}. The properties exist to measure one path against
 * another; the defaults are the fastest measured.
 */
final class KernelTuning {
    private KernelTuning() {}

    /** {@code -Dhearth.kernel.native=false}: no native kernels; the Vector API kernels run every type. */
    static final boolean NATIVE = !"false".equals(System.getProperty("hearth.kernel.native"));
    /**
     * {@code -Dhearth.kernel.nativeOps=false}: the forward pass's float operations (norms, adds, SwiGLU, RoPE,
     * attention) run as Vector API code even where the native library loaded ({@link NativeOps}).
     */
    static final boolean NATIVE_OPS = !"false".equals(System.getProperty("hearth.kernel.nativeOps"));
    /**
     * {@code -Dhearth.kernel.pack=false}: nothing is repacked at load; the native kernels then run only the types they
     * take in the file's layout.
     */
    static final boolean PACK = !"false".equals(System.getProperty("hearth.kernel.pack"));
    /** {@code -Dhearth.kernel.widening=true}: the widening Vector API kernels instead of the nibble tables (Q4_0, Q4_K). */
    static final boolean WIDENING = Boolean.getBoolean("hearth.kernel.widening");
    /** {@code -Dhearth.kernel.quads=false}: no 4-row x 4-token Vector API kernels. */
    static final boolean QUADS = !"false".equals(System.getProperty("hearth.kernel.quads"));
    /** {@code -Dhearth.scaleTables=false}: no Q4_0 block-scale tables for the Vector API kernels. */
    static final boolean SCALE_TABLES = !"false".equals(System.getProperty("hearth.scaleTables"));
    /**
     * Calls of at least this many tokens run as a float GEMM ({@link GemmKernels}); {@code -Dhearth.kernel.gemmTokens=N}
     * moves the threshold, 0 turns the GEMM off.
     */
    static final int GEMM_TOKENS = Integer.getInteger("hearth.kernel.gemmTokens", 16);
    /**
     * The GEMM's reduction-dimension block (a multiple of every block size): the tile's weights are decoded one K block
     * at a time (12 x 1024 floats, 48 KiB) and the activations of a 32-token block for one K block are 128 KiB, so both
     * stay in a core's L2 next to those of the other hardware thread. {@code -Dhearth.kernel.kBlock=N} changes it (a
     * multiple of 256).
     */
    static final int K_BLOCK = Math.max(256, Integer.getInteger("hearth.kernel.kBlock", 1024) / 256 * 256);
    /** Rows per cache tile of the Vector API kernels (a few KiB to a few tens of KiB of weights). */
    static final int TILE_ROWS = 8;
    /** Row chunks per pool thread and matmul: a core slowed by other work does not hold the others up. */
    static final int CHUNKS_PER_THREAD = 8;
}
