package dev.hearth.gpu;

import dev.hearth.device.DeviceFootprint;
import dev.hearth.gguf.GgmlType;
import dev.hearth.kv.KvPrecision;
import java.util.HashMap;
import java.util.Map;

/**
 * Every compute kernel of the forward pass, recorded into the context's command buffer between
 * {@link VulkanContext#begin()} and {@link VulkanContext#submitAndWait()}. Pipelines are made on first use per variant.
 * Shapes follow the CPU kernels: activations are row-major {@code [rows, width]} float arrays.
 */
final class GpuKernels {
    private static final int TILE = 8;  // output rows per matmul workgroup (matmul.comp)
    private final VulkanContext ctx;
    private final Map<String, ComputePipeline> pipelines = new HashMap<>();
    private final GpuBuffer unused;
    private final int maxGroups;
    /**
     * matvec.comp: output rows per workgroup at most (MAXOUT; a step with fewer takes the smallest of 1, 2, 4 or 8
     * that holds them: fewer accumulators, more workgroups resident), weight rows per workgroup (NR) and invocations
     * (WG); -Dhearth.gpu.matvec.rows and .wg set the last two for tuning runs. WG 128 for rows of 4096 values or more
     * (the 14B's decode GPU step 11.40 ms on the H100, against 12.05 at 64 x 2 and 11.87-12.86 at 4 rows:
     * gpu_tune.sh), 64 for shorter ones (fewer idle invocations: with 128 everywhere, VulkanFidelityTest took 520 s
     * on lavapipe, partly beside other work, against 228 s so).
     */
    static final int MATVEC_OUTS = 8;
    private static final int MATVEC_ROWS = Integer.getInteger("hearth.gpu.matvec.rows", 2);
    private static final int MATVEC_WG = Integer.getInteger("hearth.gpu.matvec.wg", 0);  // 0: by the row length
    private static final int MATVEC_WIDE_COLS = 4096;
    /** Q4_K decode products take matvec_q4k.comp (its own layout of the work); -Dhearth.gpu.matvec.q4k=off: matvec.comp. */
    private static final boolean Q4_K_MATVEC = !"off".equals(System.getProperty("hearth.gpu.matvec.q4k"));
    /**
     * Tasks whose loads matvec_q4k, _q5k, _q4_0 and _q8_0 issue together before their math
     * (-Dhearth.gpu.matvec.unroll).
     */
    private static final int MATVEC_UNROLL = Integer.getInteger("hearth.gpu.matvec.unroll", 4);
    /**
     * The 8-bit decode products' workgroup size (-Dhearth.gpu.matvec.q8wg): unset, one subgroup (at least 32
     * invocations): its reduction needs no shared memory round, and a 5120-value row's 160 runs of 32 keep each
     * invocation busy (at 128 invocations and UNROLL 4, three quarters of its loads were clamped copies); "float", as
     * the float products' (128 from 4096 columns, else 64); "tasks", by the row's length, about UNROLL runs an
     * invocation (32 to 128); or a number. Decode on the H100 (tg128, tokens/s): 14B Q4_K_M 135.2-135.8 at 32, 128.8 at
     * 64, 131.0 by tasks, 127.6 as the float products; 8B 236.0 at 32, 234.2 by tasks, 221.8 as the float products.
     */
    private static final String Q8_WG = System.getProperty("hearth.gpu.matvec.q8wg", "");
    private int q8WorkgroupOverride;
    /** Q5_K decode products take matvec_q5k.comp; -Dhearth.gpu.matvec.q5k=off: matvec.comp. */
    private static final boolean Q5_K_MATVEC = !"off".equals(System.getProperty("hearth.gpu.matvec.q5k"));
    /** Q6_K decode products take matvec_q6k.comp; -Dhearth.gpu.matvec.q6k=off: matvec.comp. */
    private static final boolean Q6_K_MATVEC = !"off".equals(System.getProperty("hearth.gpu.matvec.q6k"));
    /** Q4_0 decode products take matvec_q4_0.comp; -Dhearth.gpu.matvec.q4_0=off: matvec.comp. */
    private static final boolean Q4_0_MATVEC = !"off".equals(System.getProperty("hearth.gpu.matvec.q4_0"));
    /** Q8_0 decode products take matvec_q8_0.comp; -Dhearth.gpu.matvec.q8_0=off: matvec.comp. */
    private static final boolean Q8_0_MATVEC = !"off".equals(System.getProperty("hearth.gpu.matvec.q8_0"));
    /**
     * Up to this many output rows take the decode products (weights streamed once per 8 outputs); more take the blocked
     * ones. On the matrix units the blocked product wins from 9 rows (8B shape, 16 sequences on the H100: 181 against
     * 156 tokens/s), so there the cut is 8 (-Dhearth.gpu.matvec.maxout sets both).
     */
    static final int MATVEC_MAX_OUT = Integer.getInteger("hearth.gpu.matvec.maxout", 32);
    private static final int MATVEC_MAX_OUT_COOPERATIVE = Integer.getInteger("hearth.gpu.matvec.maxout", MATVEC_OUTS);
    private final int matvecMaxOut;
    /**
     * Steps of at least this many rows take attention_gqa.comp where it fits (one workgroup per row and KV head);
     * fewer (decode) keep a workgroup per query head, for parallelism (-Dhearth.gpu.attention.grouped).
     */
    private static final int GROUPED_ATTENTION_ROWS = Integer.getInteger("hearth.gpu.attention.grouped", 8);
    /**
     * Decode attention (fewer rows than {@link #GROUPED_ATTENTION_ROWS}) cuts each row's positions into ranges so
     * that about this many workgroups share the work; -Dhearth.gpu.attention.split=0 keeps one workgroup per query head.
     */
    private static final int SPLIT_WORKGROUPS = Integer.getInteger("hearth.gpu.attention.split", 256);
    /** -Dhearth.gpu.attention.split.grouped=true: decode's ranges per KV head (attention_gqa.comp), not per query head. */
    private static final boolean SPLIT_GROUPED = Boolean.getBoolean("hearth.gpu.attention.split.grouped");
    /**
     * The merge of decode's attention ranges also writes the 8-bit input of the output projection (no quantize pass
     * of its own); -Dhearth.gpu.attention.quantize=off keeps the pass.
     */
    private static final boolean COMBINE_QUANTIZES = !"off".equals(System.getProperty("hearth.gpu.attention.quantize"));
    /** Ranges times rows of a split step, at most: the parts buffer's size, which DeviceFootprint counts. */
    private static final int ATTENTION_RANGE_ROWS = DeviceFootprint.ATTENTION_RANGE_ROWS;
    /** Decode products' bindings (matvec_io.glsl): weights, x, y, up, the norm's weights, the bias. */
    private static final int MATVEC_BINDINGS = 6;
    /** The 8-bit decode products' bindings: matvec_io.glsl's, then matvec_tail.glsl's (6 to 11). */
    private static final int Q8_BINDINGS = 12;
    private static final boolean RUN_TAILS = !"off".equals(System.getProperty("hearth.gpu.q8.tails"));
    /** Decode steps fold norms, biases and residual adds into their products; -Dhearth.gpu.fused=off: passes apart. */
    private static final boolean FUSED = !"off".equals(System.getProperty("hearth.gpu.fused"));
    /** -Dhearth.gpu.matvec=off sends every product to matmul.comp: the A/B switch for speed runs. */
    private static final boolean MATVEC_ON = !"off".equals(System.getProperty("hearth.gpu.matvec"));
    private final boolean subgroups;
    /** Decode products of Q4_K, Q6_K and Q4_0 weights take 8-bit activations ({@link #takesQ8}). */
    private boolean q8;
    /** Prompt and batch products on the matrix units (matmm_coop.comp): f16 inputs, f32 sums. */
    private final boolean cooperativeMatrix;
    /** Q4_K, Q5_K, Q6_K, Q4_0 and Q8_0 decode products take their own kernels (where their switches allow). */
    private final boolean typeKernels;
    /**
     * Blocked products on the matrix units with fewer workgroups than this split their columns ({@link #splitK});
     * 0 never. The 14B's decode of 64 sequences on the H100: 646 tokens/s at 512 against 482 without.
     */
    private static final int SPLIT_K_WORKGROUPS = Integer.getInteger("hearth.gpu.matmm.split", 512);
    private GpuBuffer splitParts;
    /**
     * -Dhearth.gpu.matmm.tile: 64 or 128, square tiles instead of {@link #blockedShape}'s rule (0, the default);
     * -Dhearth.gpu.matmm.shape=BMxBNxBK fixes the whole shape instead.
     */
    private int blockedTileOverride = Integer.getInteger("hearth.gpu.matmm.tile", 0);
    private static final String SHAPE = System.getProperty("hearth.gpu.matmm.shape", "");
    /** -Dhearth.gpu.matmm.depth: the columns of a blocked product's step on the matrix units (32 or 64). */
    private static final int DEPTH = Integer.getInteger("hearth.gpu.matmm.depth", 32);
    /** -Dhearth.gpu.matmm.stages: 1 or 2 buffers of shared memory; unset, 2 where the device's shared memory holds them. */
    private static final int STAGES = Integer.getInteger("hearth.gpu.matmm.stages", 0);
    /** -Dhearth.gpu.matmm.halves=off: the products on the matrix units read their float input (no halves.comp pass). */
    private static final boolean HALVES = !"off".equals(System.getProperty("hearth.gpu.matmm.halves"));
    /**
     * -Dhearth.gpu.matmm.tall=on: prompt products with twice as many weight rows as columns or more (gate and up) take
     * 128 x 64 x 64, as decode batches do (on the H100's sweep, 13824 x 5120 at 512 outputs: 80.8 TFLOPS against
     * 40.2); off by default until a prompt's end-to-end time says so.
     */
    private static final boolean TALL = "on".equals(System.getProperty("hearth.gpu.matmm.tall"));
    /** -Dhearth.gpu.matmm.invocations: 128 or 256 (the default) invocations a workgroup. */
    private static final int INVOCATIONS = Integer.getInteger("hearth.gpu.matmm.invocations", 256);
    /** Sweeps: matmm_coop.comp's ABL define (1: no products, 2: no loads from memory; 0, the product itself). */
    private int ablation;
    /**
     * -Dhearth.gpu.matmm.raw=off: Q4_K and Q6_K blocked products decode the next step's weights where they load them,
     * not after this step's products (weights_raw.glsl).
     */
    private boolean lateDecode = !"off".equals(System.getProperty("hearth.gpu.matmm.raw"));
    private BlockedShape forcedShape;
    /** The buffer of halves.comp's output; none: blocked products read floats. */
    private GpuBuffer halfInputs;

    GpuKernels(VulkanContext ctx) {
        this(ctx, ctx.subgroupArithmetic, ctx.cooperativeMatrix);
    }

    /** With {@code subgroups} false the reductions use shared memory only (the path of devices without them). */
    GpuKernels(VulkanContext ctx, boolean subgroups) {
        this(ctx, subgroups, ctx.cooperativeMatrix);
    }

    /** With {@code cooperativeMatrix} false prompt products take matmm.comp (f32) even where the device has them. */
    GpuKernels(VulkanContext ctx, boolean subgroups, boolean cooperativeMatrix) {
        this(ctx, subgroups, cooperativeMatrix, true);
    }

    /**
     * With {@code typeKernels} false Q4_K, Q5_K, Q6_K, Q4_0 and Q8_0 decode products take matvec.comp (as with the
     * switches off).
     */
    GpuKernels(VulkanContext ctx, boolean subgroups, boolean cooperativeMatrix, boolean typeKernels) {
        if (MATVEC_WG != 0 && (MATVEC_WG < MATVEC_ROWS * MATVEC_OUTS || Integer.bitCount(MATVEC_WG) != 1)) {
            throw new IllegalArgumentException("hearth.gpu.matvec.wg must be a power of two of at least 8 x rows ("
                    + MATVEC_ROWS * MATVEC_OUTS + "), not " + MATVEC_WG);
        }
        this.ctx = ctx;
        this.subgroups = subgroups && ctx.subgroupArithmetic;
        this.cooperativeMatrix = cooperativeMatrix && ctx.cooperativeMatrix;
        this.typeKernels = typeKernels;
        this.q8 = ctx.q8Products;
        this.matvecMaxOut = this.cooperativeMatrix ? MATVEC_MAX_OUT_COOPERATIVE : MATVEC_MAX_OUT;
        this.unused = ctx.deviceBuffer(16, "unused binding");
        this.maxGroups = Math.min(65535, ctx.maxWorkGroupsX);
    }

    /**
     * The next kernel neither reads nor writes what the kernels since the last barrier write (the q, k and v
     * products of one input; gate and up): it may run alongside them, with no barrier between.
     */
    void independent() {
        ctx.skipBarrier();
    }

    private ComputePipeline pipeline(String shader, String defines, int bindings) {
        return pipelines.computeIfAbsent(shader + "|" + defines,
                k -> new ComputePipeline(ctx, shader, defines, bindings));
    }

    private static String typeDefine(GpuTensor w) {
        return "WTYPE " + w.code();
    }

    /** Invocations per weight row in matmul.comp: one per 32-value group, a power of two from 1 to 64. */
    static int threadsPerRow(int cols) {
        int groups = cols / 32;
        int t = 1;
        while (t < groups && t < 64) {
            t <<= 1;
        }
        return t;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Dispatches {@code rows} workgroups as x (and z where x is full): shaders compute x + z * numGroups.x. */
    private void perRow(ComputePipeline p, GpuBuffer[] b, int[] push, int rows, int y) {
        int x = Math.min(rows, maxGroups);
        p.dispatch(b, push, x, y, (rows + x - 1) / x);
    }

    /** Dispatches one invocation per element (64 per group) as x and y: shaders compute x + y * numGroups.x * 64. */
    private void perElement(ComputePipeline p, GpuBuffer[] b, int[] push, long count) {
        int groups = (int) Math.max(1, (count + 63) / 64);
        int x = Math.min(groups, maxGroups);
        p.dispatch(b, push, x, (groups + x - 1) / x, 1);
    }

    /**
     * y[numOut, w.rows] = x[numOut, w.cols] times w transposed: decode and small batches (numOut up to
     * {@link #MATVEC_MAX_OUT}, 8 on the matrix units) stream the weights through matvec.comp, larger ones (prompts)
     * take matmm.comp.
     */
    void matmul(GpuTensor w, GpuBuffer x, GpuBuffer y, int numOut) {
        matmul(w, productInput(x, numOut, w.cols()), y, numOut);
    }

    /** As above over an input that other products share ({@link #productInput}). */
    void matmul(GpuTensor w, ProductInput x, GpuBuffer y, int numOut) {
        if (!MATVEC_ON) {
            matmulTiled(w, x.floats(), y, numOut);
        } else if (numOut <= matvecMaxOut) {
            matvec(w, x.floats(), y, numOut);
        } else {
            matmulBlocked(w, x, y, numOut);
        }
    }

    /**
     * numOut rows of cols values as the input of products: where they run on the matrix units and take halves, the
     * rows converted to halves here, once for every product that reads them (q, k and v; gate and up).
     */
    ProductInput productInput(GpuBuffer x, int numOut, int cols) {
        if (!takesHalves(numOut, cols)) {
            return new ProductInput(x, null);
        }
        halves(x, null, numOut, cols);
        return new ProductInput(x, halfInputs);
    }

    /** Whether products of numOut rows of cols values run on the matrix units in a shape that reads halves. */
    private boolean takesHalves(int numOut, int cols) {
        return MATVEC_ON && numOut > matvecMaxOut && cooperativeMatrix && halfInputs != null
                && 2L * numOut * cols <= halfInputs.bytes && blockedShape(0, cols, numOut, true, null).halves();
    }

    /** halves.comp: numOut x cols values of a (or, with up, silu(a) * up) into the halves' buffer. */
    private void halves(GpuBuffer a, GpuBuffer up, int numOut, int cols) {
        long count = (long) numOut * cols / 8;
        perElement(pipeline("halves.comp", "GLU " + (up == null ? 0 : 1), 3),
                new GpuBuffer[] {a, up == null ? unused : up, halfInputs}, new int[] {(int) count}, count);
    }

    /** The buffer halves.comp writes (DeviceFootprint.halfInputBytes); none: blocked products read floats. */
    void useHalfInputs(GpuBuffer halves) {
        halfInputs = halves;
    }

    /**
     * The prompt product: 64 x 64 output tiles per 256-invocation workgroup, weights decoded once per tile into
     * shared memory; on the matrix units (matmm_coop.comp, in the {@link #blockedShape}) where the device has them.
     */
    void matmulBlocked(GpuTensor w, ProductInput x, GpuBuffer y, int numOut) {
        if (!cooperativeMatrix) {
            perRow(pipeline("matmm.comp", typeDefine(w), 3), new GpuBuffer[] {w.buffer(), x.floats(), y},
                    new int[] {w.rows(), w.cols(), numOut, (int) w.rowBytes()}, ceilDiv(w.rows(), 64),
                    ceilDiv(numOut, 64));
            return;
        }
        BlockedShape shape = blockedShape(w.rows(), w.cols(), numOut, x.halves() != null, w.type());
        int rowTiles = ceilDiv(w.rows(), shape.bm());
        int outTiles = ceilDiv(numOut, shape.bn());
        int steps = w.cols() / shape.bk();
        int splits = splitK(rowTiles * outTiles, w.cols() / 32, 4L * numOut * w.rows(),
                splitParts == null ? 0 : splitParts.bytes);
        int perSplit = ceilDiv(steps, splits);
        splits = ceilDiv(steps, perSplit);  // none empty
        ComputePipeline p = pipeline("matmm_coop.comp", typeDefine(w) + ";" + shape.defines(ctx.subgroupSize)
                + ";RAW " + (decodesLate(w.type(), shape, lateDecode) ? 1 : 0)
                + (ablation == 0 ? "" : ";ABL " + ablation), 3);
        GpuBuffer out = y;
        if (splits > 1) {
            ctx.keepBarrier();  // the parts buffer is shared: never alongside another split product's sum
            out = splitParts;
        }
        perRow(p, new GpuBuffer[] {w.buffer(), shape.halves() ? x.halves() : x.floats(), out},
                new int[] {w.rows(), w.cols(), numOut, (int) w.rowBytes(), outTiles, perSplit}, rowTiles,
                outTiles * splits);
        if (splits > 1) {
            long count = (long) numOut * w.rows();
            perElement(pipeline("split_sum.comp", "", 2), new GpuBuffer[] {splitParts, y},
                    new int[] {(int) count, splits}, count);
        }
    }

    /** The blocked products on the matrix units over a float input (the halves converted here where they take them). */
    void matmulBlocked(GpuTensor w, GpuBuffer x, GpuBuffer y, int numOut) {
        matmulBlocked(w, productInput(x, numOut, w.cols()), y, numOut);
    }

    /**
     * The shape of a blocked product on the matrix units (see {@link BlockedShape}) of {@code rows} x {@code cols}
     * weights of {@code type} (0 rows, null type: any): -Dhearth.gpu.matmm.shape, or 128 weight rows by 128 outputs
     * for prompts (more than 64 outputs; tall products as batches with {@link #TALL}), 128 by 64 for decode batches,
     * {@link #DEPTH} columns a step, 64 for batches of 17 to 64 where the weights are held undecoded (Q4_K); two
     * stages where the device's shared memory holds them; 32 columns where the row's length is not a multiple of the
     * depth; halves where the input has them and an invocation loads 8 or more. On the H100
     * (BlockedProductSweep, TFLOPS, Q4_K, 14B products): at 512 outputs 128 x 128 x 32 in 2 stages with halves in gave
     * 98, 32, 40 and 109 on q, k, gate and down; at 64 outputs 128 x 64 x 64 in 1 stage 64, 61 and 54 on gate, down
     * and q against 48, 40 and 43 for 128 x 64 x 32 in 2 (at 32 outputs 35 against 27); the 14B's decode of 64
     * sequences 1106 against 982 tokens/s (mean of 2 runs of 64 steps), 16 sequences slower (178 against 200), hence
     * not below 17.
     */
    BlockedShape blockedShape(int rows, int cols, int numOut, boolean halves, GgmlType type) {
        BlockedShape s = forcedShape;
        boolean chosen = s == null && SHAPE.isEmpty();
        if (s == null) {
            if (blockedTileOverride != 0) {
                s = new BlockedShape(blockedTileOverride, blockedTileOverride, DEPTH, 2, HALVES);
            } else if (!SHAPE.isEmpty()) {
                s = BlockedShape.parse(SHAPE, 2, HALVES);
            } else if (numOut > 64) {
                s = TALL && rows >= 2 * cols ? new BlockedShape(128, 64, 64, 2, HALVES)
                        : new BlockedShape(128, 128, DEPTH, 2, HALVES);
            } else {
                s = new BlockedShape(128, 64, numOut > 16 ? 64 : DEPTH, 2, HALVES);
            }
            s = s.withInvocations(INVOCATIONS);
            if (STAGES != 0) {
                s = s.withStages(STAGES);
            }
        }
        // 32 weights an invocation a step (64 columns over 128 rows) only where weights_raw.glsl holds them: decoded
        // where loaded, Q4_K summed wrong on the H100 at 5120 columns (BlockedProductSweep: errors of 2-5% of the
        // terms' magnitude; right for Q6_K and at 512 columns), cause unknown; forced shapes (sweeps, tests) keep
        // theirs
        if (cols % s.bk() != 0 || (chosen && s.weightsPerInvocation() > 16 && !decodesLate(type, s, lateDecode))) {
            s = s.withDepth(32);
        }
        s = s.withHalves(halves && s.halves());
        if (s.stages() == 2 && s.sharedBytes(ctx.subgroupSize) > ctx.maxSharedMemory) {
            s = s.withStages(1);
        }
        if (s.sharedBytes(ctx.subgroupSize) > ctx.maxSharedMemory) {
            s = s.withDepth(32);
        }
        if (s.halves() && s.inputsPerInvocation() % 8 != 0) {  // a narrow tile cut to 32 columns: floats in
            s = s.withHalves(false);
        }
        return s;
    }

    /**
     * Whether matmm_coop.comp holds this type's next weights undecoded (weights_raw.glsl: Q4_K at 16 or 32 a step,
     * Q6_K at 16).
     */
    static boolean decodesLate(GgmlType type, BlockedShape shape, boolean allowed) {
        int perInvocation = shape.weightsPerInvocation();
        return allowed && (type == GgmlType.Q4_K && (perInvocation == 16 || perInvocation == 32)
                || type == GgmlType.Q6_K && perInvocation == 16);
    }

    /** Sweeps: matmm_coop.comp's ABL define (see the shader). */
    void ablate(int abl) {
        ablation = abl;
    }

    /** Sweeps: false decodes every type's weights where they are loaded (as -Dhearth.gpu.matmm.raw=off). */
    void decodeLate(boolean late) {
        lateDecode = late;
    }

    /** Tests and sweeps: every blocked product on the matrix units takes this shape (shared memory permitting). */
    void forceBlockedShape(BlockedShape shape) {
        forcedShape = shape;
    }

    /**
     * Column splits of a blocked product on the matrix units whose tiles make only {@code workgroups} workgroups: a
     * power of two up to 8 that brings them to {@link #SPLIT_K_WORKGROUPS} (a decode batch of 64 on a 14B made 16 to
     * 216 workgroups for 132 multiprocessors), each split at least 8 groups of 32 columns, the parts ({@code
     * bytes} each) within the parts buffer. Off with -Dhearth.gpu.matmm.split=0.
     */
    static int splitK(int workgroups, int groups, long bytes, long partsBytes) {
        int splits = 1;
        while ((long) workgroups * splits < SPLIT_K_WORKGROUPS && splits < 8 && groups / (splits * 2) >= 8
                && bytes * splits * 2 <= partsBytes) {
            splits *= 2;
        }
        return splits;
    }

    /** The buffer split products write their parts to (DeviceFootprint.splitPartsBytes); none: no product splits. */
    void useSplitParts(GpuBuffer parts) {
        splitParts = parts;
    }

    /** Tests: every blocked product on the matrix units takes this tile (64 or 128); 0 goes back to the rule. */
    void forceBlockedTile(int tile) {
        blockedTileOverride = tile;
    }

    /** Whether prompt products round their inputs to halves (the matrix units' path). */
    boolean halfPrecisionProducts() {
        return cooperativeMatrix;
    }

    /** The decode product: one pass over the weights per 8 output rows, coalesced, reduced by subgroups. */
    void matvec(GpuTensor w, GpuBuffer x, GpuBuffer y, int numOut) {
        matvec(w, x, null, null, 0, null, false, y, numOut);
    }

    /**
     * Whether a step of {@code numOut} rows takes the fused decode products ({@link #normedProduct},
     * {@link #residualProduct}, {@link #residualGluProduct}); -Dhearth.gpu.fused=off keeps the norms, biases and
     * residual adds as passes of their own.
     */
    boolean fusesDecode(int numOut) {
        return FUSED && MATVEC_ON && numOut <= matvecMaxOut;
    }

    /**
     * y = (rmsnorm(x) * norm) times w transposed, plus bias[row] where bias is non-null: a layer's norm and a product
     * that reads it (and the product's bias) in one decode pass ({@link #fusesDecode} steps only).
     */
    void normedProduct(GpuTensor w, GpuBuffer x, GpuBuffer norm, float eps, GpuBuffer bias, GpuBuffer y, int numOut) {
        matvec(w, x, null, norm, eps, bias, false, y, numOut);
    }

    /** residual += x times w transposed: an attention output and its residual add in one decode pass. */
    void residualProduct(GpuTensor w, GpuBuffer x, GpuBuffer residual, int numOut) {
        matvec(w, x, null, null, 0, null, true, residual, numOut);
    }

    /** residual += (silu(gate) * up) times w transposed: the feed-forward's down product and its residual add. */
    void residualGluProduct(GpuTensor w, GpuBuffer gate, GpuBuffer up, GpuBuffer residual, int numOut) {
        matvec(w, gate, up, null, 0, null, true, residual, numOut);
    }

    /**
     * With {@code up} non-null the input is silu(x) * up (GLU 1); with {@code norm} non-null it is rmsnorm(x) * norm
     * (NORM 1); bias non-null adds it per row (BIAS 1); residual adds the sums to y (RESID 1): matvec_io.glsl.
     */
    private void matvec(GpuTensor w, GpuBuffer x, GpuBuffer up, GpuBuffer norm, float eps, GpuBuffer bias,
            boolean residual, GpuBuffer y, int numOut) {
        int outs = matvecOuts(numOut);
        String own = switch (w.type()) {  // the types with a kernel of their own
            case Q4_K -> typeKernels && Q4_K_MATVEC ? "matvec_q4k.comp" : null;
            case Q5_K -> typeKernels && Q5_K_MATVEC ? "matvec_q5k.comp" : null;
            case Q6_K -> typeKernels && Q6_K_MATVEC ? "matvec_q6k.comp" : null;
            case Q4_0 -> typeKernels && Q4_0_MATVEC ? "matvec_q4_0.comp" : null;
            case Q8_0 -> typeKernels && Q8_0_MATVEC ? "matvec_q8_0.comp" : null;
            default -> null;
        };
        String shape = matvecShape(w, outs, up != null, norm != null, bias != null, residual);
        ComputePipeline p = own != null ? pipeline(own, shape + ";UNROLL " + MATVEC_UNROLL + "u", MATVEC_BINDINGS)
                : pipeline("matvec.comp", typeDefine(w) + ";" + shape, MATVEC_BINDINGS);
        GpuBuffer[] b = {w.buffer(), x, y, orUnused(up), orUnused(norm), orUnused(bias)};
        perRow(p, b, new int[] {w.rows(), w.cols(), numOut, (int) w.rowBytes(), Float.floatToRawIntBits(eps)},
                ceilDiv(w.rows(), MATVEC_ROWS), ceilDiv(numOut, outs));
    }

    /**
     * Whether a decode product of w over {@code numOut} rows takes 8-bit activations ({@link #quantize}, then
     * {@link #q8Product}): on a device that prefers them ({@link IntegerDotProduct}), for Q4_K, Q6_K and Q4_0
     * weights.
     */
    boolean takesQ8(GpuTensor w, int numOut) {
        return q8 && typeKernels && numOut <= DeviceFootprint.QUANTIZED_INPUT_ROWS && fusesDecode(numOut)
                && switch (w.type()) {
                    case Q4_K, Q6_K -> w.cols() % 256 == 0;
                    case Q4_0 -> w.cols() % 32 == 0;
                    default -> false;
                };
    }

    /** Turns 8-bit activations on or off (on: where the device has the feature, accelerated or not; for tests). */
    void useQ8(boolean on) {
        if (on && !ctx.integerDot) {
            throw new IllegalStateException("this device has no integer dot products");
        }
        q8 = on;
    }

    /** Whether decode products may take 8-bit activations here at all (see {@link #takesQ8}). */
    boolean q8Products() {
        return q8;
    }

    /**
     * out = x's numOut rows of cols values as 8-bit activations (quantize_q8.comp): rmsnorm(x) * aux with
     * {@link Input#NORM}, silu(x) * aux with {@link Input#GLU}, x itself with {@link Input#PLAIN} (aux unused).
     */
    void quantize(GpuBuffer x, GpuBuffer aux, Input input, float eps, QuantizedInput out, int numOut, int cols) {
        if (cols % 32 != 0) {
            throw new IllegalArgumentException("8-bit activations need rows of a multiple of 32 values, not " + cols);
        }
        // a norm's row in one workgroup of 256 (its runs held in registers, RUNS each); else 64 runs a workgroup
        boolean norm = input == Input.NORM;
        int wg = norm ? 256 : 64;
        int runsEach = ceilDiv(cols / 32, wg);
        ComputePipeline p = pipeline("quantize_q8.comp", "WG " + wg + "u;NORM " + (norm ? 1 : 0) + ";GLU "
                + (input == Input.GLU ? 1 : 0) + ";RUNS " + (norm ? runsEach : 1) + "u;SUBGROUPS "
                + (subgroups ? 1 : 0), 4);
        p.dispatch(new GpuBuffer[] {x, orUnused(aux), out.values(), out.scales()},
                new int[] {cols, Float.floatToRawIntBits(eps)}, norm ? 1 : runsEach, numOut, 1);
    }

    /** What {@link #quantize} quantizes. */
    enum Input {
        PLAIN, NORM, GLU
    }

    /**
     * y = x times w transposed over 8-bit activations (matvec_q4k_q8, matvec_q6k_q8, matvec_q4_0_q8), plus bias[row] where
     * bias is non-null, added to y where residual: {@link #takesQ8} products only.
     */
    void q8Product(GpuTensor w, QuantizedInput x, GpuBuffer bias, boolean residual, GpuBuffer y, int numOut) {
        q8Product(w, x, null, 0, bias, residual, y, numOut, null);
    }

    /**
     * The same, where {@code rmsPartials} is non-null over an input that a run tail quantized without the norm's RMS
     * (RMSP: the RMS of each row from the tail's sums of squares, {@code eps} as the norm's), and where {@code tail}
     * is non-null ending in that tail ({@link #runTails}).
     */
    void q8Product(GpuTensor w, QuantizedInput x, GpuBuffer rmsPartials, float eps, GpuBuffer bias, boolean residual,
            GpuBuffer y, int numOut, RunTail tail) {
        if (!takesQ8(w, numOut)) {
            throw new IllegalArgumentException("no 8-bit decode product for " + w.type() + " x " + numOut + " here");
        }
        if (tail != null && (!runTails() || w.rows() % 32 != 0 || (!tail.glu() && !residual)
                || (!tail.glu() && rmsPartials != null))) {
            throw new IllegalArgumentException("no run tail for " + w.rows() + " rows here");
        }
        int outs = matvecOuts(numOut);
        String shader = switch (w.type()) {
            case Q4_K -> "matvec_q4k_q8.comp";
            case Q6_K -> "matvec_q6k_q8.comp";
            default -> "matvec_q4_0_q8.comp";
        };
        boolean glu = tail != null && tail.glu();
        String shape = matvecShape(w, q8Workgroup(w), outs, false, false, bias != null, residual) + ";UNROLL "
                + MATVEC_UNROLL + "u;RMSP " + (rmsPartials != null ? 1 : 0) + ";QOUT " + (tail != null && !glu ? 1 : 0)
                + ";GLUOUT " + (glu ? 1 : 0) + ";ARRIVALS " + 32 / MATVEC_ROWS * (glu ? 2 : 1) + "u";
        GpuBuffer[] b = {w.buffer(), x.values(), y, x.scales(), unused, orUnused(bias),
                tail == null ? unused : glu ? tail.gate() : tail.norm(),
                tail == null ? unused : tail.counters(),
                tail == null ? unused : tail.out().values(),
                tail == null ? unused : tail.out().scales(),
                rmsPartials != null ? rmsPartials : tail != null && !glu ? tail.partials() : unused,
                glu ? tail.up() : unused};
        perRow(pipeline(shader, shape, Q8_BINDINGS), b,
                new int[] {w.rows(), w.cols(), numOut, (int) w.rowBytes(), Float.floatToRawIntBits(eps)},
                ceilDiv(w.rows(), MATVEC_ROWS), ceilDiv(numOut, outs));
    }

    /**
     * Whether 8-bit decode products may end in run tails (matvec_tail.glsl: the next product's input quantized by the
     * product itself, no quantize pass; three passes fewer a dense layer); -Dhearth.gpu.q8.tails=off keeps the passes.
     */
    boolean runTails() {
        return q8 && RUN_TAILS && 32 % MATVEC_ROWS == 0;
    }

    /** Output rows a decode workgroup sums: the smallest of 1, 2, 4 or 8 that holds numOut (fewer accumulators). */
    private static int matvecOuts(int numOut) {
        int outs = 1;
        while (outs < Math.min(numOut, MATVEC_OUTS)) {
            outs <<= 1;
        }
        return outs;
    }

    /** The defines every decode kernel takes (matvec_io.glsl, matvec_reduce.glsl) for w and these folds. */
    private String matvecShape(GpuTensor w, int outs, boolean glu, boolean norm, boolean bias, boolean residual) {
        return matvecShape(w, matvecWorkgroup(w), outs, glu, norm, bias, residual);
    }

    private static int matvecWorkgroup(GpuTensor w) {
        return MATVEC_WG != 0 ? MATVEC_WG : w.cols() >= MATVEC_WIDE_COLS ? 128 : 64;
    }

    /** The workgroup size of an 8-bit decode product over w (see {@link #Q8_WG}). */
    int q8Workgroup(GpuTensor w) {
        String rule = q8WorkgroupOverride != 0 ? String.valueOf(q8WorkgroupOverride) : Q8_WG;
        int least = Math.max(32, Math.max(ctx.subgroupSize, MATVEC_ROWS * MATVEC_OUTS));
        if (rule.isEmpty()) {
            return least;
        }
        if (rule.equals("float")) {
            return matvecWorkgroup(w);
        }
        if (rule.equals("tasks")) {
            int perInvocation = Math.max(1, w.cols() / 32 / MATVEC_UNROLL);
            return Math.clamp(Integer.highestOneBit(perInvocation), least, 128);
        }
        int wg = Integer.parseInt(rule);
        if (wg < MATVEC_ROWS * MATVEC_OUTS || Integer.bitCount(wg) != 1) {
            throw new IllegalArgumentException("hearth.gpu.matvec.q8wg must be float, tasks or a power of two of at least "
                    + MATVEC_ROWS * MATVEC_OUTS + ", not " + rule);
        }
        return wg;
    }

    /** Tests: the 8-bit decode products take workgroups of this size (0: the switch's rule again). */
    void forceQ8Workgroup(int wg) {
        q8WorkgroupOverride = wg;
    }

    private String matvecShape(GpuTensor w, int wg, int outs, boolean glu, boolean norm, boolean bias,
            boolean residual) {
        return "WG " + wg + "u;NR " + MATVEC_ROWS + "u;MAXOUT " + outs + "u;SUBGROUPS " + (subgroups ? 1 : 0)
                + ";GLU " + (glu ? 1 : 0) + ";NORM " + (norm ? 1 : 0) + ";BIAS " + (bias ? 1 : 0) + ";RESID "
                + (residual ? 1 : 0);
    }

    private GpuBuffer orUnused(GpuBuffer b) {
        return b != null ? b : unused;
    }

    /**
     * y = (silu(gate) * up) times w transposed, numOut rows: the feed-forward's down product. Decode folds the SwiGLU
     * into the product's input reads (no pass of its own); prompts run it over gate in place first.
     */
    void matmulGlu(GpuTensor w, GpuBuffer gate, GpuBuffer up, GpuBuffer y, int numOut, int ffnLength) {
        if (MATVEC_ON && numOut <= matvecMaxOut) {
            matvec(w, gate, up, null, 0, null, false, y, numOut);
        } else if (takesHalves(numOut, ffnLength)) {
            halves(gate, up, numOut, ffnLength);  // the SwiGLU written as halves: the product's only input
            matmulBlocked(w, new ProductInput(null, halfInputs), y, numOut);
        } else {
            swiglu(gate, up, numOut * ffnLength);
            matmul(w, gate, y, numOut);
        }
    }

    /** The group-array product of matmul.comp (any numOut: 8 output rows per workgroup). */
    void matmulTiled(GpuTensor w, GpuBuffer x, GpuBuffer y, int numOut) {
        int tpr = threadsPerRow(w.cols());
        ComputePipeline p = pipeline("matmul.comp", typeDefine(w) + ";MOE 0;TPR " + tpr + "u", 4);
        perRow(p, new GpuBuffer[] {w.buffer(), x, y, unused},
                new int[] {w.rows(), w.cols(), numOut, (int) w.rowBytes(), 0, 1, 0}, ceilDiv(w.rows(), 64 / tpr),
                ceilDiv(numOut, TILE));
    }

    /**
     * Expert matmul: output row o = token * slots + slot uses expert ids[o]; the input row is the token's
     * ({@code xPerSlot} false: gate and up) or o's own (true: down). y: [numOut, w.rows].
     */
    void matmulExperts(GpuTensor w, GpuBuffer x, GpuBuffer y, GpuBuffer ids, int numOut, int slots,
            boolean xPerSlot) {
        int tpr = threadsPerRow(w.cols());
        ComputePipeline p = pipeline("matmul.comp", typeDefine(w) + ";MOE 1;TPR " + tpr + "u", 4);
        perRow(p, new GpuBuffer[] {w.buffer(), x, y, ids},
                new int[] {w.rows(), w.cols(), numOut, (int) w.rowBytes(), (int) w.expertBytes(), slots,
                        xPerSlot ? 1 : 0},
                ceilDiv(w.rows(), 64 / tpr), ceilDiv(numOut, TILE));
    }

    /** x[t, :] = row tokens[t] of the table, for n tokens. */
    void embed(GpuTensor table, GpuBuffer tokens, GpuBuffer x, int n) {
        ComputePipeline p = pipeline("embed.comp", typeDefine(table), 3);
        int groups = table.cols() / 32;
        p.dispatch(new GpuBuffer[] {table.buffer(), tokens, x}, new int[] {table.cols(), (int) table.rowBytes(), n},
                (groups + 63) / 64, n, 1);
    }

    /** y[r] = rmsnorm(x[r]) * w for rows of width values (in place when y is x). */
    void rmsNorm(GpuBuffer x, GpuBuffer y, GpuBuffer w, int rows, int width, float eps) {
        perRow(rmsNormPipeline(width, false, false), new GpuBuffer[] {x, y, w, unused},
                new int[] {width, Float.floatToRawIntBits(eps), rows}, rows, 1);
    }

    /** x[r] += b[r], then y[r] = rmsnorm(x[r]) * w: the residual add and the next norm in one pass. */
    void addRmsNorm(GpuBuffer x, GpuBuffer b, GpuBuffer y, GpuBuffer w, int rows, int width, float eps) {
        perRow(rmsNormPipeline(width, false, true), new GpuBuffer[] {x, y, w, unused, b},
                new int[] {width, Float.floatToRawIntBits(eps), rows}, rows, 1);
    }

    /** y[r] = rmsnorm(x[rowsIn[r]]) * w: the final norm of only the rows whose logits are wanted. */
    void rmsNormGather(GpuBuffer x, GpuBuffer rowsIn, GpuBuffer y, GpuBuffer w, int rows, int width, float eps) {
        perRow(rmsNormPipeline(width, true, false), new GpuBuffer[] {x, y, w, rowsIn},
                new int[] {width, Float.floatToRawIntBits(eps), rows}, rows, 1);
    }

    /** A workgroup per row, of about a quarter of its width (64 to 512): each invocation loads four values a round. */
    private ComputePipeline rmsNormPipeline(int width, boolean gather, boolean add) {
        int wg = 64;
        while (wg < 512 && wg * 4 < width) {
            wg <<= 1;
        }
        return pipeline("rmsnorm.comp", "GATHER " + (gather ? 1 : 0) + ";ADD " + (add ? 1 : 0) + ";WG " + wg
                + "u;SUBGROUPS " + (subgroups ? 1 : 0),
                add ? 5 : 4);
    }

    /**
     * Rotates, in place and in one dispatch, n rows of q (numHeads heads, rows qStride apart) and of k (kvHeads heads,
     * rows kStride apart); cs holds cos rows then, at sinOffset, sin rows (rotaryDims/2 each).
     */
    void rope(GpuBuffer q, GpuBuffer k, GpuBuffer cs, int n, int numHeads, int kvHeads, int headSize, int rotaryDims,
            int qStride, int kStride, boolean neox, int sinOffset) {
        ComputePipeline p = pipeline("rope.comp", "", 3);
        perElement(p, new GpuBuffer[] {q, k, cs},
                new int[] {n, numHeads, headSize, rotaryDims, qStride, neox ? 1 : 0, sinOffset, kvHeads, kStride},
                (long) n * (numHeads + kvHeads) * (rotaryDims / 2));
    }

    /** a += b over count values (the residual stream). */
    void add(GpuBuffer a, GpuBuffer b, int count) {
        perElement(pipeline("elementwise.comp", "OP 0", 2), new GpuBuffer[] {a, b}, new int[] {count, 1}, count);
    }

    /** gate = silu(gate) * up over count values. */
    void swiglu(GpuBuffer gate, GpuBuffer up, int count) {
        perElement(pipeline("elementwise.comp", "OP 1", 2), new GpuBuffer[] {gate, up}, new int[] {count, 1}, count);
    }

    /** a[r, i] += bias[i] over rows of width values. */
    void addBias(GpuBuffer a, GpuBuffer bias, int rows, int width) {
        perElement(pipeline("elementwise.comp", "OP 2", 2), new GpuBuffer[] {a, bias},
                new int[] {rows * width, width}, (long) rows * width);
    }

    /** The shaders' KV define: 0 F32, 1 F16, 2 Q8_0. */
    private static int kvCode(KvPrecision precision) {
        return switch (precision) {
            case F32 -> 0;
            case F16 -> 1;
            case Q8_0 -> 2;
        };
    }

    /**
     * Writes n rows of keys and values at pool rows rows[t] of one layer's cache; Q8_0 also writes one float scale
     * per 32 values into keyScales and valueScales (null for the other precisions).
     */
    void kvStore(GpuBuffer k, GpuBuffer v, KvLayer layer, GpuBuffer rows, int kvDim, int n) {
        int code = kvCode(layer.precision());
        ComputePipeline p = pipeline("kvstore.comp", "KV " + code + ";ROPE 0", code == 2 ? 7 : 5);
        perElement(p, storeBuffers(k, v, layer, rows), new int[] {kvDim, n}, n * storeWidth(code, kvDim));
    }

    /**
     * {@link #rope} and {@link #kvStore} in one pass (kvstore.comp with ROPE 1): q rotated in place, the keys rotated
     * as they are stored (k itself left as it was); k's rows are kvDim apart, q's qStride.
     */
    void ropeAndStore(GpuBuffer q, GpuBuffer k, GpuBuffer v, KvLayer layer, GpuBuffer rows, GpuBuffer cs, int n,
            int numHeads, int headSize, int rotaryDims, int qStride, int kvDim, boolean neox, int sinOffset) {
        int code = kvCode(layer.precision());
        GpuBuffer[] store = storeBuffers(k, v, layer, rows);
        GpuBuffer[] b = java.util.Arrays.copyOf(store, store.length + 2);
        b[store.length] = q;
        b[store.length + 1] = cs;
        ComputePipeline p = pipeline("kvstore.comp", "KV " + code + ";ROPE 1", b.length);
        perElement(p, b, new int[] {kvDim, n, numHeads, headSize, rotaryDims, qStride, neox ? 1 : 0, sinOffset},
                n * storeWidth(code, kvDim) + (long) n * numHeads * (rotaryDims / 2));
    }

    private static GpuBuffer[] storeBuffers(GpuBuffer k, GpuBuffer v, KvLayer layer, GpuBuffer rows) {
        return layer.precision() == KvPrecision.Q8_0 ? new GpuBuffer[] {k, v, layer.keys(), layer.values(), rows,
                layer.keyScales(), layer.valueScales()} : new GpuBuffer[] {k, v, layer.keys(), layer.values(), rows};
    }

    /** kvstore.comp's invocations per row: one per value (F32), pair (F16) or block of 32 (Q8_0). */
    private static long storeWidth(int code, int kvDim) {
        return switch (code) {
            case 1 -> kvDim / 2;
            case 2 -> kvDim / 32;
            default -> kvDim;
        };
    }

    /**
     * out[t, head] = causal attention of q[t, head] over its sequence (meta: table offset and length per row);
     * {@code parts} holds decode's split ranges (DeviceFootprint.attentionPartsBytes; null: never split).
     */
    void attention(GpuBuffer q, KvLayer layer, GpuBuffer out, GpuBuffer meta, GpuBuffer tables, GpuBuffer parts, int n,
            int numHeads, int numKvHeads, int headSize, int blockSize) {
        attention(q, layer, out, null, meta, tables, parts, n, numHeads, numKvHeads, headSize, blockSize);
    }

    /**
     * The same, and where {@code quantized} is non-null and the step splits its positions (decode), out also as the
     * 8-bit activations of the product that takes it, written by the merge of the ranges ({@link #quantize}'s result
     * without its pass). Returns whether it wrote them.
     */
    boolean attention(GpuBuffer q, KvLayer layer, GpuBuffer out, QuantizedInput quantized, GpuBuffer meta,
            GpuBuffer tables, GpuBuffer parts, int n, int numHeads, int numKvHeads, int headSize, int blockSize) {
        boolean grouped = groupedAttentionFits(layer, numHeads, numKvHeads, headSize);
        if (n >= GROUPED_ATTENTION_ROWS && grouped) {
            attentionGrouped(q, layer, out, meta, tables, n, numHeads, numKvHeads, headSize, blockSize);
            return false;
        }
        boolean groupedSplit = SPLIT_GROUPED && grouped;
        int ranges = attentionRanges(n, groupedSplit ? numKvHeads : numHeads);
        if (parts != null && ranges > 1) {
            QuantizedInput merged = COMBINE_QUANTIZES && headSize % 32 == 0 && headSize <= 256 ? quantized : null;
            attentionSplit(q, layer, out, merged, meta, tables, parts, groupedSplit, ranges, n, numHeads, numKvHeads,
                    headSize, blockSize);
            return merged != null;
        }
        attentionPerHead(q, layer, out, meta, tables, 1, n, numHeads, numKvHeads, headSize, blockSize);
        return false;
    }

    /** attention.comp: a workgroup per query head and row (and range, ranges > 1: SPLIT 1 into parts). */
    private void attentionPerHead(GpuBuffer q, KvLayer layer, GpuBuffer outOrParts, GpuBuffer meta, GpuBuffer tables,
            int ranges, int n, int numHeads, int numKvHeads, int headSize, int blockSize) {
        int code = kvCode(layer.precision());
        // 16-byte key loads where the rows allow; the portable path (no subgroups) keeps one value a load
        boolean vec = subgroups && code != 2 && headSize % 8 == 0 && numKvHeads * headSize % 8 == 0;
        ComputePipeline p = pipeline("attention.comp", "KV " + code + ";SUBGROUPS " + (subgroups ? 1 : 0) + ";VEC "
                + (vec ? 1 : 0) + ";HS " + headSize + "u;SPLIT " + (ranges > 1 ? 1 : 0), code == 2 ? 8 : 6);
        GpuBuffer[] b = code == 2
                ? new GpuBuffer[] {q, layer.keys(), layer.values(), outOrParts, meta, tables, layer.keyScales(),
                    layer.valueScales()}
                : new GpuBuffer[] {q, layer.keys(), layer.values(), outOrParts, meta, tables};
        p.dispatch(b, attentionPush(numHeads, numKvHeads, headSize, blockSize), numHeads, n, ranges);
    }

    /**
     * The ranges each of n rows' positions are cut into (1: not split) when {@code workgroupsPerRange} workgroups
     * take each: about SPLIT_WORKGROUPS in all, at most {@link #ATTENTION_RANGE_ROWS} ranges over the step's rows
     * (what the parts buffer holds).
     */
    static int attentionRanges(int n, int workgroupsPerRange) {
        if (n >= GROUPED_ATTENTION_ROWS || SPLIT_WORKGROUPS <= 0) {
            return 1;
        }
        return (int) Math.clamp(SPLIT_WORKGROUPS / ((long) n * workgroupsPerRange), 1, ATTENTION_RANGE_ROWS / n);
    }

    /**
     * Decode attention cut over positions, so that a single row keeps the device busy on long contexts: each range's
     * partial softmax goes to parts (attention.comp per query head, or with {@code grouped} attention_gqa.comp per KV
     * head, SPLIT 1) and attention_combine.comp merges them.
     */
    void attentionSplit(GpuBuffer q, KvLayer layer, GpuBuffer out, QuantizedInput quantized, GpuBuffer meta,
            GpuBuffer tables, GpuBuffer parts, boolean grouped, int ranges, int n, int numHeads, int numKvHeads,
            int headSize, int blockSize) {
        if (grouped) {
            ComputePipeline split = pipeline("attention_gqa.comp", "KV " + kvCode(layer.precision()) + ";GS "
                    + numHeads / numKvHeads + "u;HS " + headSize + "u;SPLIT 1", 6);
            split.dispatch(new GpuBuffer[] {q, layer.keys(), layer.values(), parts, meta, tables},
                    attentionPush(numHeads, numKvHeads, headSize, blockSize), numKvHeads, n, ranges);
        } else {
            attentionPerHead(q, layer, parts, meta, tables, ranges, n, numHeads, numKvHeads, headSize, blockSize);
        }
        String combine = "RANGES " + ATTENTION_RANGE_ROWS + "u;QUANT " + (quantized != null ? 1 : 0);
        GpuBuffer[] buffers = quantized != null
                ? new GpuBuffer[] {parts, out, meta, quantized.values(), quantized.scales()}
                : new GpuBuffer[] {parts, out, meta};
        pipeline("attention_combine.comp", combine, buffers.length).dispatch(buffers,
                new int[] {headSize, ranges, numHeads}, numHeads, n, 1);
    }

    /** Whether attention_gqa.comp takes this cache: F32/F16 rows of multiples of 8, up to 8 heads a KV head. */
    boolean groupedAttentionFits(KvLayer layer, int numHeads, int numKvHeads, int headSize) {
        int group = numHeads / numKvHeads;
        return subgroups && layer.precision() != KvPrecision.Q8_0 && headSize % 8 == 0
                && headSize <= 256 && group <= 8 && numKvHeads * headSize % 8 == 0;
    }

    /** Attention of prompts and batches: one workgroup per row and KV head, its query heads sharing each K/V read. */
    void attentionGrouped(GpuBuffer q, KvLayer layer, GpuBuffer out, GpuBuffer meta, GpuBuffer tables, int n,
            int numHeads, int numKvHeads, int headSize, int blockSize) {
        int group = numHeads / numKvHeads;
        ComputePipeline p = pipeline("attention_gqa.comp", "KV " + kvCode(layer.precision()) + ";GS " + group
                + "u;HS " + headSize + "u;SPLIT 0", 6);
        p.dispatch(new GpuBuffer[] {q, layer.keys(), layer.values(), out, meta, tables},
                attentionPush(numHeads, numKvHeads, headSize, blockSize), numKvHeads, n, 1);
    }

    private static int[] attentionPush(int numHeads, int numKvHeads, int headSize, int blockSize) {
        float scale = (float) (1.0 / Math.sqrt(headSize));
        return new int[] {headSize, numHeads / numKvHeads, numKvHeads * headSize, blockSize,
            Float.floatToRawIntBits(scale), numHeads * headSize};
    }

    /** Per row: the used experts' ids and renormalized weights from the router logits [n, experts]. */
    void moeRoute(GpuBuffer routerLogits, GpuBuffer ids, GpuBuffer weights, int n, int experts, int used) {
        pipeline("moe_route.comp", "", 3).dispatch(new GpuBuffer[] {routerLogits, ids, weights},
                new int[] {n, experts, used}, (n + 63) / 64, 1, 1);
    }

    /** out[t] = sum over slots of weight * expertOut[t * used + slot]. */
    void moeCombine(GpuBuffer expertOut, GpuBuffer weights, GpuBuffer out, int n, int dim, int used) {
        perElement(pipeline("moe_combine.comp", "", 3), new GpuBuffer[] {expertOut, weights, out},
                new int[] {n, dim, used}, (long) n * dim);
    }
}
