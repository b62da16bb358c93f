package dev.hearth.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.device.DeviceFootprint;
import dev.hearth.device.DeviceUnavailableException;
import dev.hearth.gguf.GgmlType;
import dev.hearth.kernel.Activations;
import dev.hearth.kernel.Attention;
import dev.hearth.kernel.Kernels;
import dev.hearth.kernel.Norms;
import dev.hearth.kernel.Rope;
import dev.hearth.kernel.Softmax;
import dev.hearth.kernel.VectorOps;
import dev.hearth.quant.BlockEncoder;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each Vulkan kernel against its scalar CPU twin on random inputs, with sizes that are not multiples of the
 * workgroup or tile sizes: matmuls and embedding rows for every weight type (the CPU's dequantization is the
 * oracle), RMSNorm, RoPE in both pairings, SwiGLU, residual and bias adds, the KV store and paged attention
 * (F32 and F16, over more than one 64-position chunk), and the MoE routing, expert matmuls and combination.
 */
class ShaderKernelsTest {
    private static final long SPLIT_PARTS = 8L << 20;
    private static final long HALF_INPUTS = 4L << 20;
    private static VulkanContext ctx;
    private static GpuKernels k;
    private final Random random = new Random(17);

    @BeforeAll
    static void open() throws DeviceUnavailableException {
        ctx = ((VulkanDevice) VulkanTestDevice.first()).context();
        k = new GpuKernels(ctx);
        k.useSplitParts(ctx.deviceBuffer(SPLIT_PARTS, "split-K parts"));  // as the forward pass gives its kernels
        k.useHalfInputs(ctx.deviceBuffer(HALF_INPUTS, "product input halves"));
    }

    @AfterAll
    static void close() {
        if (ctx != null) {
            ctx.close();
        }
    }

    private float[] gaussian(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static GpuBuffer floats(float[] v) {
        GpuBuffer b = ctx.hostBuffer(4L * v.length, "test floats");
        b.write(v, 0, 0, v.length);
        return b;
    }

    private static GpuBuffer ints(int[] v) {
        GpuBuffer b = ctx.hostBuffer(4L * v.length, "test ints");
        b.write(v, v.length);
        return b;
    }

    private static float[] read(GpuBuffer b, int n) {
        float[] out = new float[n];
        ctx.download(b, MemorySegment.ofArray(out), 0);  // staged where the buffer is device-only (discrete cards)
        return out;
    }

    private static void run(Runnable recording) {
        ctx.begin();
        recording.run();
        ctx.submitAndWait();
    }

    /** A random rows x cols matrix encoded in {@code type} (through the quantizer: realistic scales). */
    private WeightMatrix matrix(GgmlType type, int rows, int cols) {
        BlockEncoder encoder = BlockEncoder.forType(type);
        int rowBytes = encoder.rowBytes(cols);
        byte[] bytes = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) {
            encoder.encodeRow(gaussian(cols), 0, cols, bytes, r * rowBytes);
        }
        return new WeightMatrix("w", type, rows, cols, MemorySegment.ofArray(bytes));
    }

    private static float[] dequantized(WeightMatrix w) {
        float[] all = new float[w.rows() * w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            Kernels.dequantizeRow(w, r, all, r * w.cols());
        }
        return all;
    }

    /**
     * Each of y's numOut x rows values against the dot of its weight row (w: rows x cols) and its input row (x:
     * numOut x cols), as {@link #assertDot} with {@code relative}.
     */
    private static void assertProducts(GpuBuffer y, float[] w, float[] x, int numOut, int rows, int cols,
            String where, double relative) {
        float[] got = read(y, numOut * rows);
        for (int o = 0; o < numOut; o++) {
            for (int r = 0; r < rows; r++) {
                assertDot(got[o * rows + r], w, r * cols, x, o * cols, cols, where + " out " + o + " row " + r,
                        relative);
            }
        }
    }

    /** Float32 dot products drift by about n * eps of the sum of the terms' magnitudes; allow a tenth of that. */
    private static void assertDot(float actual, float[] w, int wOff, float[] x, int xOff, int n, String where) {
        assertDot(actual, w, wOff, x, xOff, n, where, 1e-5);
    }

    /** As above with the error allowed per unit of the terms' magnitudes (halves' products: about 1e-3). */
    private static void assertDot(float actual, float[] w, int wOff, float[] x, int xOff, int n, String where,
            double relative) {
        double exact = 0;
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            exact += (double) w[wOff + i] * x[xOff + i];
            magnitude += Math.abs((double) w[wOff + i] * x[xOff + i]);
        }
        assertThat((double) actual).as(where).isCloseTo(exact, org.assertj.core.data.Offset.offset(
                relative * magnitude + 1e-6));
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void matmulAndEmbeddingMatchTheCpuDequantization(GgmlType type) throws DeviceUnavailableException {
        int rows = 37;
        int cols = 2304;  // 72 groups of 32: more than a matvec workgroup's 64 lanes, 9 K-quant super-blocks
        WeightMatrix w = matrix(type, rows, cols);
        float[] wf = dequantized(w);
        int maxOut = GpuKernels.MATVEC_MAX_OUT + 43;  // the blocked kernel: one full 64-output tile and a part
        float[] x = gaussian(maxOut * cols);
        GpuTensor tensor = GpuTensor.upload(ctx, w);
        GpuBuffer xb = floats(x);
        int[] tokens = {36, 0, 5, 36};
        GpuBuffer tokenBuffer = ints(tokens);
        GpuBuffer embedded = ctx.hostBuffer(4L * tokens.length * cols, "embedded");
        // off the matrix units (where a device has them, 9 outputs or more would take the blocked product there)
        GpuKernels sharedOnly = new GpuKernels(ctx, false, false);
        GpuKernels plain = new GpuKernels(ctx, true, false);
        GpuKernels wideTiles = new GpuKernels(ctx);
        wideTiles.forceBlockedTile(128);
        wideTiles.useHalfInputs(ctx.deviceBuffer(HALF_INPUTS, "product input halves"));
        // the matrix units' kernel wherever the device has them (halves' precision), else the same as "blocked"
        assertThat(k.halfPrecisionProducts()).isEqualTo(ctx.cooperativeMatrix);
        double blockedError = k.halfPrecisionProducts() ? 1e-3 : 1e-5;
        // decode (1), a partial matvec tile (11), the subgroup-free reduction, and the blocked kernels (above the cut)
        record Case(String name, int numOut, GpuKernels kernels, double error) { }
        List<Case> cases = new ArrayList<>(List.of(new Case("matvec", 1, k, 1e-5), new Case("matvec", 8, k, 1e-5),
                new Case("matvec", 11, plain, 1e-5), new Case("matvec without subgroups", 11, sharedOnly, 1e-5),
                new Case("matvec, generic kernel", 11, new GpuKernels(ctx, true, false, false), 1e-5),
                new Case("blocked", maxOut, plain, 1e-5),
                new Case("blocked, device's choice", maxOut, k, blockedError)));
        if (ctx.cooperativeMatrix) {  // elsewhere the tile is always 64 (matmm.comp): the case above
            cases.add(new Case("blocked, 128-wide tiles on the matrix units", maxOut, wideTiles, blockedError));
        }
        for (Case c : cases) {
            GpuBuffer y = ctx.hostBuffer(4L * c.numOut() * rows, "y");
            run(() -> c.kernels().matmul(tensor, xb, y, c.numOut()));
            assertProducts(y, wf, x, c.numOut(), rows, cols, type + " " + c.name() + " numOut " + c.numOut(),
                    c.error());
        }
        run(() -> k.embed(tensor, tokenBuffer, embedded, tokens.length));
        float[] rowsGot = read(embedded, tokens.length * cols);
        for (int t = 0; t < tokens.length; t++) {
            for (int i = 0; i < cols; i++) {
                assertThat(rowsGot[t * cols + i]).as(type + " embedding " + t + "," + i)
                        .isCloseTo(wf[tokens[t] * cols + i], org.assertj.core.data.Offset.offset(
                                1e-6f * Math.abs(wf[tokens[t] * cols + i]) + 1e-7f));
            }
        }
    }

    /**
     * weights_raw.glsl (matmm_coop.comp's weights held undecoded until after a step's products): every half group of
     * a Q4_K and a Q6_K matrix through its fetch and later decode equals the CPU's dequantization, on rows from the
     * encoder and on rows of random bytes (every scale bit pattern) with valid d; for Q4_K also a whole group (two
     * halves) an invocation, as 32 weights a step hold them.
     */
    @ParameterizedTest
    @CsvSource({"Q4_K, 1", "Q4_K, 2", "Q6_K, 1"})
    void lateDecodeOfHalfGroupsMatchesTheCpu(GgmlType type, int halvesHeld) throws DeviceUnavailableException {
        int rows = 6;
        int cols = 768;
        WeightMatrix encoded = matrix(type, rows, cols);
        byte[] bytes = new byte[(int) encoded.data().byteSize()];
        MemorySegment.copy(encoded.data(), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes, 0, bytes.length);
        int rowBytes = bytes.length / rows;
        int blockBytes = rowBytes / (cols / 256);
        for (int r = rows / 2; r < rows; r++) {  // the second half: random bytes, d (and dmin) set to small halves
            for (int b = 0; b < cols / 256; b++) {
                int at = r * rowBytes + b * blockBytes;
                for (int i = 0; i < blockBytes; i++) {
                    bytes[at + i] = (byte) random.nextInt(256);
                }
                int d = type == GgmlType.Q4_K ? at : at + 208;
                short half = Float.floatToFloat16(0.01f + 0.01f * random.nextFloat());
                bytes[d] = (byte) half;
                bytes[d + 1] = (byte) (half >> 8);
                if (type == GgmlType.Q4_K) {
                    short min = Float.floatToFloat16(0.005f * random.nextFloat());
                    bytes[at + 2] = (byte) min;
                    bytes[at + 3] = (byte) (min >> 8);
                }
            }
        }
        WeightMatrix w = new WeightMatrix("w", type, rows, cols, MemorySegment.ofArray(bytes));
        float[] expected = dequantized(w);
        GpuTensor tensor = GpuTensor.upload(ctx, w);
        GpuBuffer out = ctx.hostBuffer(4L * rows * cols, "decoded");
        ComputePipeline p = new ComputePipeline(ctx, "raw_decode.comp",
                "WTYPE " + (type == GgmlType.Q4_K ? 8 : 10) + ";RAWH " + halvesHeld + "u", 2);
        int invocations = rows * cols / 16 / halvesHeld;
        run(() -> p.dispatch(new GpuBuffer[] {tensor.buffer(), out}, new int[] {rows, cols, (int) w.rowBytes()},
                (invocations + 63) / 64, 1, 1));
        float[] got = read(out, rows * cols);
        for (int i = 0; i < got.length; i++) {
            assertThat(got[i]).as(type + " row " + i / cols + " value " + i % cols).isCloseTo(expected[i],
                    org.assertj.core.data.Offset.offset(1e-6f * Math.abs(expected[i]) + 1e-7f));
        }
    }

    /** Decode products of rows of 4096 values or more take workgroups of 128 invocations (64 below). */
    @ParameterizedTest
    @EnumSource(names = {"Q4_K", "Q6_K"})
    void decodeProductOfLongRows(GgmlType type) throws DeviceUnavailableException {
        int rows = 9;
        int cols = 4608;
        WeightMatrix w = matrix(type, rows, cols);
        float[] wf = dequantized(w);
        GpuTensor tensor = GpuTensor.upload(ctx, w);
        for (int numOut : new int[] {1, 3}) {
            float[] x = gaussian(numOut * cols);
            GpuBuffer xb = floats(x);
            GpuBuffer y = ctx.hostBuffer(4L * numOut * rows, "y");
            run(() -> k.matvec(tensor, xb, y, numOut));
            assertProducts(y, wf, x, numOut, rows, cols, type + " numOut " + numOut, 1e-5);
        }
    }

    /**
     * The shapes GpuKernels picks by itself: 128 x 128 for prompts, 128 x 64 for decode batches, 64 columns a step for
     * batches of 17 to 64 only where weights_raw.glsl holds the weights (Q4_K) and the device's shared memory takes
     * the step (one stage), else 32 (two stages where they fit).
     */
    @Test
    void blockedShapesByBatchAndType() {
        GpuKernels k = new GpuKernels(ctx);
        BlockedShape prompt = k.blockedShape(13824, 5120, 512, true, GgmlType.Q4_K);
        assertThat(List.of(prompt.bm(), prompt.bn(), prompt.bk())).containsExactly(128, 128, 32);
        BlockedShape deep = new BlockedShape(128, 64, 64, 1, true);
        BlockedShape batch = k.blockedShape(5120, 5120, 40, true, GgmlType.Q4_K);
        assertThat(List.of(batch.bm(), batch.bn(), batch.bk())).containsExactly(128, 64,
                deep.sharedBytes(ctx.subgroupSize) <= ctx.maxSharedMemory ? 64 : 32);
        for (BlockedShape s : List.of(k.blockedShape(5120, 5120, 40, true, GgmlType.Q6_K),
                k.blockedShape(5120, 5120, 16, true, GgmlType.Q4_K), k.blockedShape(0, 5120, 40, true, null))) {
            assertThat(List.of(s.bm(), s.bn(), s.bk())).as(s.toString()).containsExactly(128, 64, 32);
        }
        assertThat(k.blockedShape(300, 480, 40, true, GgmlType.Q4_K).bk()).isEqualTo(32);  // 15 groups: no step of 64
    }

    /**
     * The blocked product over several workgroups each way, in every kind of shape on the matrix units (64 and 128
     * wide each way, 32 and 64 columns a step, one and two stages, halves and floats in, the columns split and
     * whole; a device without them takes matmm.comp's 64-wide tiles, whole): partial tiles at both ends, every output
     * against the dequantized dot.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_K", "Q6_K", "Q8_0"})
    void blockedProductOverManyWorkgroups(GgmlType type) throws DeviceUnavailableException {
        int rows = 300;
        int cols = type == GgmlType.Q8_0 ? 480 : 512;  // Q8_0: 15 groups, odd: steps of 64 columns fall back to 32
        int numOut = 200;
        WeightMatrix w = matrix(type, rows, cols);
        float[] wf = dequantized(w);
        float[] x = gaussian(numOut * cols);
        GpuTensor tensor = GpuTensor.upload(ctx, w);
        GpuBuffer xb = floats(x);
        GpuBuffer y = ctx.hostBuffer(4L * numOut * rows, "y");
        GpuBuffer parts = ctx.deviceBuffer(SPLIT_PARTS, "split-K parts");
        GpuBuffer halves = ctx.deviceBuffer(HALF_INPUTS, "product input halves");
        // 5 x 4 to 3 x 2 workgroups (19 x 13 for 16 outputs), split in 2 (8 groups of 32 columns each: the default
        // split target, 512), or whole; 128 invocations holding Q4_K's whole group, narrow tiles for decode batches
        List<BlockedShape> shapes = List.of(new BlockedShape(64, 64, 32, 2, false), new BlockedShape(128, 128, 32, 2,
                true), new BlockedShape(64, 64, 64, 1, true), new BlockedShape(64, 128, 64, 2, false),
                new BlockedShape(128, 64, 32, 1, true), new BlockedShape(128, 128, 32, 2, true, 128),
                new BlockedShape(64, 16, 64, 2, true, 128), new BlockedShape(64, 32, 64, 2, true),
                new BlockedShape(128, 64, 64, 1, true));
        for (int i = 0; i < shapes.size(); i++) {
            BlockedShape shape = shapes.get(i);
            boolean split = i % 2 == 0;
            GpuKernels kernels = new GpuKernels(ctx);
            kernels.forceBlockedShape(shape);
            kernels.useHalfInputs(halves);
            if (split) {
                kernels.useSplitParts(parts);
            }
            run(() -> kernels.matmulBlocked(tensor, xb, y, numOut));
            assertProducts(y, wf, x, numOut, rows, cols, type + " " + shape + (split ? ", split" : "") + " as "
                    + kernels.blockedShape(rows, cols, numOut, true, type),
                    kernels.halfPrecisionProducts() ? 1e-3 : 1e-5);
        }
    }

    /**
     * On unified memory (lavapipe here) a matrix in a mapped file is read in place (VK_EXT_external_memory_host): its
     * buffer is the imported pages from the data's first byte, not a copy, and every product over it equals the one
     * over a copy of the same bytes. A discrete GPU copies it instead, with the same products.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q6_K", "Q4_0"})
    void weightsInAMappedFileAreReadInPlace(GgmlType type, @TempDir Path dir) throws Exception {
        // lavapipe (unified) imports the pages; a discrete GPU copies them, and the products are the same either way
        assertThat(ctx.hostImportAlignment > 0).as("imports host memory where the device shares it")
                .isEqualTo(ctx.unifiedMemory);
        int rows = 70;
        int cols = 512;
        WeightMatrix heap = matrix(type, rows, cols);
        long bytes = heap.data().byteSize();
        long at = 4096 + 32;  // 32-aligned as GGUF tensors are, not page-aligned
        Path file = dir.resolve("weights.bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(heap.data().asByteBuffer(), at);
        }
        try (Arena arena = Arena.ofShared(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapping = ch.map(FileChannel.MapMode.READ_ONLY, 0, at + bytes, arena);
            WeightMatrix mapped = new WeightMatrix("w", type, rows, cols, mapping.asSlice(at, bytes));
            long before = ctx.importedBytes();
            GpuTensor inPlace = GpuTensor.upload(ctx, mapped);
            GpuTensor copied = GpuTensor.upload(ctx, heap);
            assertThat(ctx.importedBytes() - before).isEqualTo(ctx.unifiedMemory ? bytes : 0);
            assertThat(inPlace.buffer().offset).isEqualTo(ctx.unifiedMemory ? at % ctx.hostImportAlignment : 0);
            assertThat(copied.buffer().offset).isZero();
            float[] wf = dequantized(heap);
            for (int numOut : new int[] {1, 3, 70}) {  // decode, a small batch, the blocked product
                float[] x = gaussian(numOut * cols);
                GpuBuffer xb = floats(x);
                GpuBuffer yIn = ctx.hostBuffer(4L * numOut * rows, "y in place");
                GpuBuffer yCopy = ctx.hostBuffer(4L * numOut * rows, "y copied");
                run(() -> k.matmul(inPlace, xb, yIn, numOut));
                run(() -> k.matmul(copied, xb, yCopy, numOut));
                assertThat(read(yIn, numOut * rows)).as(type + " numOut " + numOut)
                        .containsExactly(read(yCopy, numOut * rows));
                assertProducts(yIn, wf, x, numOut, rows, cols, type + " in place, numOut " + numOut,
                        k.halfPrecisionProducts() && numOut > GpuKernels.MATVEC_MAX_OUT ? 1e-3 : 1e-5);
            }
            ctx.release(inPlace.buffer());  // before the mapping goes
        }
    }

    /**
     * Prompt products sharing one input, as the forward pass runs q, k and v (and gate and up): the input converted
     * once (to halves where the products run on the matrix units, floats elsewhere), then three products with no
     * barrier between them, each against the dequantized dot.
     */
    @Test
    void promptProductsShareOneConvertedInput() throws DeviceUnavailableException {
        int cols = 512;
        int numOut = GpuKernels.MATVEC_MAX_OUT + 40;
        int[] rows = {96, 32, 32};
        float[] x = gaussian(numOut * cols);
        GpuBuffer xb = floats(x);
        List<WeightMatrix> ws = new ArrayList<>();
        List<GpuTensor> tensors = new ArrayList<>();
        List<GpuBuffer> ys = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            WeightMatrix w = matrix(i == 0 ? GgmlType.Q4_K : GgmlType.Q6_K, rows[i], cols);
            ws.add(w);
            tensors.add(GpuTensor.upload(ctx, w));
            ys.add(ctx.hostBuffer(4L * numOut * rows[i], "y" + i));
        }
        ProductInput[] shared = new ProductInput[1];
        run(() -> {
            shared[0] = k.productInput(xb, numOut, cols);
            for (int i = 0; i < rows.length; i++) {
                if (i > 0) {
                    k.independent();
                }
                k.matmul(tensors.get(i), shared[0], ys.get(i), numOut);
            }
        });
        assertThat(shared[0].halves() != null).isEqualTo(ctx.cooperativeMatrix);
        for (int i = 0; i < rows.length; i++) {
            assertProducts(ys.get(i), dequantized(ws.get(i)), x, numOut, rows[i], cols, "shared input, product " + i,
                    k.halfPrecisionProducts() ? 1e-3 : 1e-5);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_K", "Q5_K", "Q6_K", "Q4_0", "Q8_0"})
    void downProductTakesTheSwiGluOfGateAndUp(GgmlType type) throws DeviceUnavailableException {
        int rows = 19;
        int cols = 512;
        WeightMatrix w = matrix(type, rows, cols);
        float[] wf = dequantized(w);
        GpuTensor tensor = GpuTensor.upload(ctx, w);
        for (int numOut : new int[] {1, 3, GpuKernels.MATVEC_MAX_OUT + 5}) {  // decode, a small batch, a prompt
            float[] gate = gaussian(numOut * cols);
            float[] up = gaussian(numOut * cols);
            GpuBuffer gb = floats(gate);
            GpuBuffer ub = floats(up);
            GpuBuffer y = ctx.hostBuffer(4L * numOut * rows, "y");
            run(() -> k.matmulGlu(tensor, gb, ub, y, numOut, cols));
            float[] x = gate.clone();
            Activations.swigluScalar(x, up, x.length);
            assertProducts(y, wf, x, numOut, rows, cols, type + " glu numOut " + numOut,
                    numOut > GpuKernels.MATVEC_MAX_OUT && k.halfPrecisionProducts() ? 1e-3 : 1e-5);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void decodeProductsFoldTheNormTheBiasAndTheResidualAdd(GgmlType type) throws DeviceUnavailableException {
        int rows = 37;
        int cols = 2304;
        float eps = 1e-5f;
        WeightMatrix w = matrix(type, rows, cols);
        float[] wf = dequantized(w);
        GpuTensor tensor = GpuTensor.upload(ctx, w);
        float[] norm = gaussian(cols);
        float[] bias = gaussian(rows);
        GpuBuffer nb = floats(norm);
        GpuBuffer bb = floats(bias);
        // Each flavour is a pipeline of its own, slow to build on lavapipe: one per flavour, the output counts (one,
        // part of a group, a full group) spread over them; the generic kernel (which reads x once per weight row)
        // and the shared-memory reduction through Q4_K, the shared include being the same for every type.
        GpuKernels generic = new GpuKernels(ctx, true, false, false);
        GpuKernels noSubgroups = new GpuKernels(ctx, false, false);
        record Case(String name, GpuKernels kernels, Fold fold, int numOut) { }
        List<Case> cases = new ArrayList<>(List.of(new Case("own kernel", k, Fold.NORM_BIAS, 1),
                new Case("own kernel", k, Fold.RESIDUAL, 3),
                new Case("own kernel", k, Fold.GLU_RESIDUAL, GpuKernels.MATVEC_OUTS)));
        if (type == GgmlType.F16) {
            cases.add(new Case("own kernel", k, Fold.NORM, 3));
        }
        if (type == GgmlType.Q4_K) {
            cases.add(new Case("generic kernel", generic, Fold.NORM_BIAS, 3));
            cases.add(new Case("generic kernel", generic, Fold.GLU_RESIDUAL, 1));
            cases.add(new Case("without subgroups", noSubgroups, Fold.NORM, GpuKernels.MATVEC_OUTS));
            cases.add(new Case("without subgroups", noSubgroups, Fold.RESIDUAL, 3));
        }
        for (Case c : cases) {
            int numOut = c.numOut();
            String where = type + " " + c.name() + " " + c.fold() + " numOut " + numOut;
            float[] x = gaussian(numOut * cols);
            float[] up = gaussian(numOut * cols);
            float[] y0 = gaussian(numOut * rows);
            GpuBuffer xb = floats(x);
            GpuBuffer ub = floats(up);
            GpuBuffer y = c.fold().addsToY() ? floats(y0) : ctx.hostBuffer(4L * numOut * rows, "y");
            run(() -> {
                switch (c.fold()) {
                    case NORM -> c.kernels().normedProduct(tensor, xb, nb, eps, null, y, numOut);
                    case NORM_BIAS -> c.kernels().normedProduct(tensor, xb, nb, eps, bb, y, numOut);
                    case RESIDUAL -> c.kernels().residualProduct(tensor, xb, y, numOut);
                    case GLU_RESIDUAL -> c.kernels().residualGluProduct(tensor, xb, ub, y, numOut);
                }
            });
            float[] input = switch (c.fold()) {
                case NORM, NORM_BIAS -> {
                    float[] xn = new float[numOut * cols];
                    for (int o = 0; o < numOut; o++) {
                        Norms.rmsNormScalar(xn, o * cols, x, o * cols, norm, cols, eps);
                    }
                    yield xn;
                }
                case RESIDUAL -> x;
                case GLU_RESIDUAL -> {
                    float[] glu = x.clone();
                    Activations.swigluScalar(glu, up, glu.length);
                    yield glu;
                }
            };
            float[] got = read(y, numOut * rows);
            for (int o = 0; o < numOut; o++) {
                for (int r = 0; r < rows; r++) {
                    int at = o * rows + r;
                    float added = switch (c.fold()) {
                        case NORM -> 0;
                        case NORM_BIAS -> bias[r];
                        case RESIDUAL, GLU_RESIDUAL -> y0[at];
                    };
                    assertDot(got[at] - added, wf, r * cols, input, o * cols, cols, where + " out " + o + " row " + r);
                }
            }
        }
    }

    /**
     * Decode products over 8-bit activations: quantize_q8.comp (plain, normed, SwiGLU), each value within half its
     * run's step of the float input and each step the run's largest magnitude over 127; then the Q4_K, Q6_K and Q4_0 products
     * over those bytes against the dequantized weights times the same bytes (the twin: float rounding apart, equal),
     * with a bias or a residual add, in workgroups of one subgroup (at least 32) and of 128, over one output, part of a group and a full one.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_K", "Q6_K", "Q4_0"})
    void decodeProductsOverEightBitActivations(GgmlType type) throws DeviceUnavailableException {
        assertThat(ctx.integerDot).as("lavapipe has integer dot products").isTrue();
        GpuKernels q8 = new GpuKernels(ctx);
        q8.useQ8(true);
        int rows = 37;
        float eps = 1e-5f;
        GpuKernels q8Tree = new GpuKernels(ctx, false);  // the norm's sum through shared memory, not subgroups
        q8Tree.useQ8(true);
        GpuKernels q8Wide = new GpuKernels(ctx);  // products in workgroups of 128 (-Dhearth.gpu.matvec.q8wg)
        q8Wide.useQ8(true);
        q8Wide.forceQ8Workgroup(128);
        record Case(int cols, GpuKernels.Input input, int numOut, boolean bias, boolean residual, GpuKernels q8) { }
        // a norm row of 9216 values: 288 runs, two per invocation of the norm's workgroup (256), the second partial
        List<Case> cases = List.of(new Case(2304, GpuKernels.Input.NORM, 1, true, false, q8),
                new Case(9216, GpuKernels.Input.NORM, 3, false, true, q8),
                new Case(9216, GpuKernels.Input.NORM, 2, false, false, q8Tree),
                new Case(4608, GpuKernels.Input.GLU, 3, false, true, q8),
                new Case(4608, GpuKernels.Input.GLU, 5, true, false, q8Wide),
                new Case(2304, GpuKernels.Input.PLAIN, GpuKernels.MATVEC_OUTS, false, false, q8));
        for (Case c : cases) {
            GpuKernels kernels = c.q8();
            int cols = c.cols();
            int numOut = c.numOut();
            String where = type + " " + cols + " " + c.input() + " numOut " + numOut + (c.bias() ? " bias" : "")
                    + (c.residual() ? " residual" : "") + (kernels == q8Tree ? " without subgroups" : "")
                    + (kernels == q8Wide ? " in workgroups of 128" : "");
            WeightMatrix w = matrix(type, rows, cols);
            float[] wf = dequantized(w);
            GpuTensor tensor = GpuTensor.upload(ctx, w);
            assertThat(kernels.takesQ8(tensor, numOut)).as(where).isTrue();
            assertThat(kernels.q8Workgroup(tensor)).isEqualTo(kernels == q8Wide ? 128 : Math.max(32, ctx.subgroupSize));
            float[] x = gaussian(numOut * cols);
            float[] aux = gaussian(c.input() == GpuKernels.Input.GLU ? numOut * cols : cols);
            float[] bias = gaussian(rows);
            float[] y0 = gaussian(numOut * rows);
            float[] input = switch (c.input()) {
                case NORM -> {
                    float[] xn = new float[numOut * cols];
                    for (int o = 0; o < numOut; o++) {
                        Norms.rmsNormScalar(xn, o * cols, x, o * cols, aux, cols, eps);
                    }
                    yield xn;
                }
                case GLU -> {
                    float[] glu = x.clone();
                    Activations.swigluScalar(glu, aux, glu.length);
                    yield glu;
                }
                case PLAIN -> x;
            };
            QuantizedInput qi = QuantizedInput.allocate(ctx, numOut, cols);
            GpuBuffer xb = floats(x);
            GpuBuffer ab = floats(aux);
            GpuBuffer bb = floats(bias);
            GpuBuffer y = c.residual() ? floats(y0) : ctx.hostBuffer(4L * numOut * rows, "y");
            run(() -> {
                kernels.quantize(xb, ab, c.input(), eps, qi, numOut, cols);
                kernels.q8Product(tensor, qi, c.bias() ? bb : null, c.residual(), y, numOut);
            });
            float[] dequant = assertQuantized(qi, input, numOut, cols, where);
            float[] got = read(y, numOut * rows);
            for (int o = 0; o < numOut; o++) {
                for (int r = 0; r < rows; r++) {
                    int at = o * rows + r;
                    float added = (c.bias() ? bias[r] : 0) + (c.residual() ? y0[at] : 0);
                    assertDot(got[at] - added, wf, r * cols, dequant, o * cols, cols, where + " out " + o + " row " + r);
                }
            }
        }
    }

    /**
     * Run tails (matvec_tail.glsl, RunTail): a residual product writes the next product's 8-bit input itself (its
     * output times the next norm's weights, a run of 32 at a time, each run's sum of squares beside it), the product
     * after it applies the norm's RMS from those sums (RMSP), and the gate and up products, two dispatches with no
     * barrier between, write the SwiGLU's 8-bit input for down. Each product against the dequantized weights times
     * the bytes it read, each tail's values within half a step of what it quantizes, the sums of squares against y,
     * over one output, a part tile and two output tiles; run twice, every counter back at zero after.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_K", "Q6_K", "Q4_0"})
    void runTailsChainEightBitProductsWithoutQuantizePasses(GgmlType type) throws DeviceUnavailableException {
        GpuKernels q8 = new GpuKernels(ctx);
        q8.useQ8(true);
        assertThat(q8.runTails()).isTrue();
        int dim = 256;
        int ffn = 512;
        int outRows = 37;
        float eps = 1e-5f;
        // two output tiles where decode products take that many rows (lavapipe; the matrix units take over at 9)
        int most = q8.fusesDecode(GpuKernels.MATVEC_OUTS + 1) ? GpuKernels.MATVEC_OUTS + 1 : GpuKernels.MATVEC_OUTS;
        for (int numOut : new int[] {1, 3, most}) {
            String where = type + " numOut " + numOut;
            WeightMatrix producer = matrix(type, dim, dim);  // a residual product: x += P q
            WeightMatrix gate = matrix(type, ffn, dim);
            WeightMatrix up = matrix(type, ffn, dim);
            WeightMatrix consumer = matrix(type, outRows, dim);  // reads the producer's tail, RMSP
            GpuTensor pt = GpuTensor.upload(ctx, producer);
            GpuTensor gt = GpuTensor.upload(ctx, gate);
            GpuTensor ut = GpuTensor.upload(ctx, up);
            GpuTensor ct = GpuTensor.upload(ctx, consumer);
            float[] x = gaussian(numOut * dim);
            float[] y0 = gaussian(numOut * dim);
            float[] gamma = gaussian(dim);
            float[] firstX = gaussian(numOut * dim);  // round 0's input: round 1 must not see its results
            QuantizedInput in = QuantizedInput.allocate(ctx, numOut, ffn);
            QuantizedInput next = QuantizedInput.allocate(ctx, numOut, dim);
            QuantizedInput glu = QuantizedInput.allocate(ctx, numOut, ffn);
            GpuBuffer partials = ctx.hostBuffer(4L * numOut * dim / 32, "sums of squares");
            GpuBuffer counters = floats(new float[GpuKernels.MATVEC_OUTS * ffn / 32]);  // zero bits
            GpuBuffer xb = floats(firstX);
            GpuBuffer gammaB = floats(gamma);
            GpuBuffer y = floats(y0);
            GpuBuffer consumed = ctx.hostBuffer(4L * numOut * outRows, "consumer out");
            GpuBuffer hidden = ctx.hostBuffer(4L * numOut * ffn, "gate out");
            GpuBuffer hiddenUp = ctx.hostBuffer(4L * numOut * ffn, "up out");
            for (int round = 0; round < 2; round++) {
                if (round == 1) {
                    y.write(y0, 0, 0, y0.length);
                    xb.write(x, 0, 0, x.length);
                }
                RunTail swiglu = RunTail.swiglu(hidden, hiddenUp, glu, counters);
                run(() -> {
                    q8.quantize(xb, null, GpuKernels.Input.PLAIN, 0, in, numOut, dim);
                    q8.q8Product(pt, in, null, 0, null, true, y, numOut,
                            RunTail.normed(gammaB, next, partials, counters));
                    q8.q8Product(ct, next, partials, eps, null, false, consumed, numOut, null);
                    q8.independent();
                    q8.q8Product(gt, next, partials, eps, null, false, hidden, numOut, swiglu);
                    q8.independent();
                    q8.q8Product(ut, next, partials, eps, null, false, hiddenUp, numOut, swiglu);
                });
            }
            assertThat(read(counters, GpuKernels.MATVEC_OUTS * ffn / 32)).as(where + " counters").containsOnly(0f);
            float[] inQ = dequantizedInput(in, numOut, dim);
            float[] yGot = read(y, numOut * dim);
            float[] wf = dequantized(producer);
            for (int o = 0; o < numOut; o++) {
                for (int r = 0; r < dim; r++) {
                    assertDot(yGot[o * dim + r] - y0[o * dim + r], wf, r * dim, inQ, o * dim, dim,
                            where + " producer out " + o + " row " + r);
                }
            }
            // the producer's tail: y times gamma, quantized by runs, and each run's sum of squares of y
            float[] expectNext = new float[numOut * dim];
            for (int i = 0; i < expectNext.length; i++) {
                expectNext[i] = yGot[i] * gamma[i % dim];
            }
            float[] nextQ = assertQuantized(next, expectNext, numOut, dim, where + " residual tail");
            float[] sums = read(partials, numOut * dim / 32);
            float[] rms = new float[numOut];
            for (int o = 0; o < numOut; o++) {
                double all = 0;
                for (int run = 0; run < dim / 32; run++) {
                    double sq = 0;
                    for (int i = 0; i < 32; i++) {
                        double v = yGot[o * dim + run * 32 + i];
                        sq += v * v;
                    }
                    all += sq;
                    assertThat((double) sums[o * dim / 32 + run]).as(where + " run sum " + o + "," + run)
                            .isCloseTo(sq, org.assertj.core.data.Offset.offset(sq * 1e-5 + 1e-6));
                }
                rms[o] = (float) (1 / Math.sqrt(all / dim + eps));
            }
            // RMSP: the consumer's sums times the norm's RMS, from the tail's sums
            float[] got = read(consumed, numOut * outRows);
            float[] cf = dequantized(consumer);
            for (int o = 0; o < numOut; o++) {
                for (int r = 0; r < outRows; r++) {
                    assertDot(got[o * outRows + r] / rms[o], cf, r * dim, nextQ, o * dim, dim,
                            where + " RMSP out " + o + " row " + r);
                }
            }
            float[] h = read(hidden, numOut * ffn);
            float[] u = read(hiddenUp, numOut * ffn);
            float[] gf = dequantized(gate);
            float[] uf = dequantized(up);
            float[] expectGlu = new float[numOut * ffn];
            for (int o = 0; o < numOut; o++) {
                for (int r = 0; r < ffn; r++) {
                    int at = o * ffn + r;
                    assertDot(h[at] / rms[o], gf, r * dim, nextQ, o * dim, dim, where + " gate out " + o + " row " + r);
                    assertDot(u[at] / rms[o], uf, r * dim, nextQ, o * dim, dim, where + " up out " + o + " row " + r);
                    expectGlu[at] = h[at] / (1 + (float) Math.exp(-h[at])) * u[at];
                }
            }
            assertQuantized(glu, expectGlu, numOut, ffn, where + " SwiGLU tail");
        }
    }

    /** The values of an 8-bit input, dequantized (numOut rows of cols), each byte within [-127, 127]. */
    private static float[] dequantizedInput(QuantizedInput qi, int numOut, int cols) {
        float[] words = read(qi.values(), numOut * cols / 4);
        float[] scales = read(qi.scales(), numOut * cols / 32);
        float[] out = new float[numOut * cols];
        for (int at = 0; at < out.length; at++) {
            int q = (byte) (Float.floatToRawIntBits(words[at / 4]) >>> (8 * (at % 4)));
            assertThat(Math.abs(q)).as("byte " + at).isLessThanOrEqualTo(127);
            out[at] = q * scales[at / 32];
        }
        return out;
    }

    /** Each run's scale its largest magnitude over 127 and each value within half a step of expected; the values. */
    private static float[] assertQuantized(QuantizedInput qi, float[] expected, int numOut, int cols, String where) {
        float[] got = dequantizedInput(qi, numOut, cols);
        float[] scales = read(qi.scales(), numOut * cols / 32);
        for (int run = 0; run < numOut * cols / 32; run++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(expected[run * 32 + i]));
            }
            float d = scales[run];
            assertThat(d).as(where + " scale of run " + run)
                    .isCloseTo(amax / 127, org.assertj.core.data.Offset.offset(amax * 1e-4f + 1e-7f));
            for (int i = 0; i < 32; i++) {
                int at = run * 32 + i;
                assertThat(got[at]).as(where + " value " + at).isCloseTo(expected[at],
                        org.assertj.core.data.Offset.offset(d * 0.5001f + Math.abs(expected[at]) * 1e-4f + 1e-6f));
            }
        }
        return got;
    }

    /** What a fused decode product folds in. */
    private enum Fold {
        NORM, NORM_BIAS, RESIDUAL, GLU_RESIDUAL;

        boolean addsToY() {
            return this == RESIDUAL || this == GLU_RESIDUAL;
        }
    }

    @Test
    void rmsNormInPlaceAndGathered() {
        int rows = 5;
        int n = 200;
        float[] x = gaussian(rows * n);
        float[] weight = gaussian(n);
        GpuBuffer xb = floats(x);
        GpuBuffer wb = floats(weight);
        GpuBuffer out = ctx.hostBuffer(4L * rows * n, "out");
        GpuBuffer gathered = ctx.hostBuffer(4L * 2 * n, "gathered");
        GpuBuffer which = ints(new int[] {4, 1});
        run(() -> {
            k.rmsNormGather(xb, which, gathered, wb, 2, n, 1e-5f);
            k.rmsNorm(xb, out, wb, rows, n, 1e-5f);
            k.rmsNorm(xb, xb, wb, rows, n, 1e-5f);
        });
        float[] expected = new float[rows * n];
        for (int r = 0; r < rows; r++) {
            Norms.rmsNormScalar(expected, r * n, x, r * n, weight, n, 1e-5f);
        }
        assertClose(read(out, rows * n), expected, 1e-5f, "rmsnorm");
        assertClose(read(xb, rows * n), expected, 1e-5f, "rmsnorm in place");
        float[] g = read(gathered, 2 * n);
        for (int i = 0; i < n; i++) {
            assertThat(g[i]).isCloseTo(expected[4 * n + i], org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(g[n + i]).isCloseTo(expected[n + i], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void residualAddFusedWithTheNextNorm() {
        int rows = 3;
        int n = 5124;  // a 512-invocation workgroup, four loads a round, the last round partly out of the row
        float[] x = gaussian(rows * n);
        float[] b = gaussian(rows * n);
        float[] weight = gaussian(n);
        GpuBuffer xb = floats(x);
        GpuBuffer bb = floats(b);
        GpuBuffer wb = floats(weight);
        GpuBuffer out = ctx.hostBuffer(4L * rows * n, "out");
        run(() -> k.addRmsNorm(xb, bb, out, wb, rows, n, 1e-5f));
        float[] sum = new float[rows * n];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = x[i] + b[i];
        }
        float[] expected = new float[rows * n];
        for (int r = 0; r < rows; r++) {
            Norms.rmsNormScalar(expected, r * n, sum, r * n, weight, n, 1e-5f);
        }
        assertClose(read(xb, rows * n), sum, 0f, "x += b");
        assertClose(read(out, rows * n), expected, 1e-5f, "rmsnorm of the sum");
    }

    @Test
    void ropeInBothPairings() {
        int n = 3;
        int heads = 3;
        int headSize = 16;
        int rotary = 12;  // partial rotation: the last 4 dims of each head stay
        int half = rotary / 2;
        double[] freq = Rope.frequencies(500000, rotary, new float[] {1, 1, 2, 4, 8, 32}, 1.0);
        float[] cos = new float[n * half];
        float[] sin = new float[n * half];
        int[] positions = {0, 7, 1000};
        for (int t = 0; t < n; t++) {
            Rope.fillCosSin(positions[t], freq, cos, sin, t * half);
        }
        float[] cs = new float[2 * n * half];
        System.arraycopy(cos, 0, cs, 0, n * half);
        System.arraycopy(sin, 0, cs, n * half, n * half);
        int kvHeads = 1;  // k rows are narrower than q's (grouped-query attention): both rotated in one dispatch
        for (boolean neox : new boolean[] {false, true}) {
            float[] x = gaussian(n * heads * headSize);
            float[] kx = gaussian(n * kvHeads * headSize);
            GpuBuffer xb = floats(x);
            GpuBuffer kb = floats(kx);
            GpuBuffer csb = floats(cs);
            run(() -> k.rope(xb, kb, csb, n, heads, kvHeads, headSize, rotary, heads * headSize, kvHeads * headSize,
                    neox, n * half));
            for (int t = 0; t < n; t++) {
                if (neox) {
                    Rope.rotateHalvesScalar(x, t * heads * headSize, heads, headSize, rotary, cos, sin, t * half);
                    Rope.rotateHalvesScalar(kx, t * kvHeads * headSize, kvHeads, headSize, rotary, cos, sin, t * half);
                } else {
                    Rope.rotateAdjacentPairs(x, t * heads * headSize, heads, headSize, rotary, cos, sin, t * half);
                    Rope.rotateAdjacentPairs(kx, t * kvHeads * headSize, kvHeads, headSize, rotary, cos, sin, t * half);
                }
            }
            assertClose(read(xb, x.length), x, 1e-6f, neox ? "rope neox q" : "rope norm q");
            assertClose(read(kb, kx.length), kx, 1e-6f, neox ? "rope neox k" : "rope norm k");
        }
    }

    /**
     * RoPE folded into the KV store (ropeAndStore) leaves q and the cache as rope then kvStore do, for every cache
     * precision and both pairings, with rows of grouped-query width and a partial rotation.
     */
    @ParameterizedTest
    @EnumSource(dev.hearth.kv.KvPrecision.class)
    void ropeFoldedIntoTheStoreMatchesRopeThenStore(dev.hearth.kv.KvPrecision precision) {
        int n = 3;
        int heads = 4;
        int kvHeads = 2;
        int headSize = 48;
        int rotary = 32;  // the last 16 dims of each head stay
        int kvDim = kvHeads * headSize;  // 96: three Q8_0 blocks
        int half = rotary / 2;
        double[] freq = Rope.frequencies(10000, rotary, null, 1.0);
        float[] cs = new float[2 * n * half];
        int[] positions = {0, 9, 777};
        float[] cos = new float[n * half];
        float[] sin = new float[n * half];
        for (int t = 0; t < n; t++) {
            Rope.fillCosSin(positions[t], freq, cos, sin, t * half);
        }
        System.arraycopy(cos, 0, cs, 0, n * half);
        System.arraycopy(sin, 0, cs, n * half, n * half);
        GpuBuffer csb = floats(cs);
        GpuBuffer rowsBuffer = ints(new int[] {5, 0, 2});
        for (boolean neox : new boolean[] {false, true}) {
            float[] q = gaussian(n * heads * headSize);
            float[] keys = gaussian(n * kvDim);
            float[] values = gaussian(n * kvDim);
            GpuBuffer q1 = floats(q);
            GpuBuffer k1 = floats(keys);
            GpuBuffer q2 = floats(q);
            GpuBuffer k2 = floats(keys);
            GpuBuffer vb = floats(values);
            KvLayer twoPasses = KvLayer.allocate(ctx, precision, 8, kvDim, 0);
            KvLayer onePass = KvLayer.allocate(ctx, precision, 8, kvDim, 0);
            run(() -> {
                k.rope(q1, k1, csb, n, heads, kvHeads, headSize, rotary, heads * headSize, kvDim, neox, n * half);
                k.kvStore(k1, vb, twoPasses, rowsBuffer, kvDim, n);
            });
            run(() -> k.ropeAndStore(q2, k2, vb, onePass, rowsBuffer, csb, n, heads, headSize, rotary,
                    heads * headSize, kvDim, neox, n * half));
            String what = precision + (neox ? " neox" : " norm");
            assertClose(read(q2, q.length), read(q1, q.length), 1e-6f, what + " q");
            assertClose(read(k2, keys.length), keys, 0f, what + ": k is left as it was");
            int words = precision == dev.hearth.kv.KvPrecision.F32 ? 8 * kvDim
                    : precision == dev.hearth.kv.KvPrecision.F16 ? 8 * kvDim / 2 : 8 * kvDim / 4;
            int[] got = new int[words];
            int[] want = new int[words];
            ctx.download(onePass.keys(), MemorySegment.ofArray(got), 0);
            ctx.download(twoPasses.keys(), MemorySegment.ofArray(want), 0);
            int perRow = words / 8;
            for (int i = 0; i < words; i++) {  // a last-bit difference of the rotation may move a half or a quant
                int row = i / perRow;
                if (row != 5 && row != 0 && row != 2) {
                    continue;  // rows the step did not write
                }
                for (int part = 0; part < (precision == dev.hearth.kv.KvPrecision.F32 ? 1
                        : precision == dev.hearth.kv.KvPrecision.F16 ? 2 : 4); part++) {
                    assertThat(storedValue(precision, got[i], part)).as(what + " key word " + i + " part " + part)
                            .isCloseTo(storedValue(precision, want[i], part),
                                    org.assertj.core.data.Offset.offset(precision == dev.hearth.kv.KvPrecision.Q8_0
                                            ? 1.0 : 1e-3 * Math.abs(storedValue(precision, want[i], part)) + 1e-6));
                }
            }
            if (precision == dev.hearth.kv.KvPrecision.Q8_0) {
                float[] scalesGot = read(onePass.keyScales(), 8 * kvDim / 32);
                float[] scalesWant = read(twoPasses.keyScales(), 8 * kvDim / 32);
                for (int row : new int[] {5, 0, 2}) {
                    for (int b = 0; b < kvDim / 32; b++) {
                        assertThat(scalesGot[row * kvDim / 32 + b]).as(what + " key scale " + row + "," + b)
                                .isCloseTo(scalesWant[row * kvDim / 32 + b], org.assertj.core.data.Offset.offset(
                                        1e-3f * scalesWant[row * kvDim / 32 + b]));
                    }
                }
            }
        }
    }

    /** Value {@code part} of a stored cache word: the float, one of two halves, or one of four signed quants. */
    private static double storedValue(dev.hearth.kv.KvPrecision precision, int word, int part) {
        return switch (precision) {
            case F32 -> Float.intBitsToFloat(word);
            case F16 -> Float.float16ToFloat((short) (word >>> (16 * part)));
            case Q8_0 -> (byte) (word >>> (8 * part));
        };
    }

    @Test
    void swigluAddAndBias() {
        int rows = 3;
        int width = 70;
        float[] a = gaussian(rows * width);
        float[] b = gaussian(rows * width);
        float[] bias = gaussian(width);
        GpuBuffer gate = floats(a);
        GpuBuffer up = floats(b);
        GpuBuffer sum = floats(a);
        GpuBuffer biased = floats(a);
        GpuBuffer bb = floats(bias);
        run(() -> {
            k.swiglu(gate, up, rows * width);
            k.add(sum, up, rows * width);
            k.addBias(biased, bb, rows, width);
        });
        float[] g = a.clone();
        Activations.swigluScalar(g, b, g.length);
        assertClose(read(gate, g.length), g, 1e-6f, "swiglu");
        float[] s = new float[a.length];
        float[] bi = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            s[i] = a[i] + b[i];
            bi[i] = a[i] + bias[i % width];
        }
        assertClose(read(sum, s.length), s, 0f, "add");
        assertClose(read(biased, bi.length), bi, 0f, "bias");
    }

    @ParameterizedTest
    @EnumSource(dev.hearth.kv.KvPrecision.class)
    void pagedAttentionOverShuffledBlocks(dev.hearth.kv.KvPrecision precision) {
        int heads = 4;
        int kvHeads = 2;
        int headSize = 48;
        int kvDim = kvHeads * headSize;  // 96: three Q8_0 blocks, one across the heads' boundary
        int blockSize = 16;
        int numBlocks = 12;
        int length = 150;  // three 64-position chunks, the last partial
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < numBlocks; i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        int[] table = order.stream().mapToInt(Integer::intValue).toArray();
        // every position's key and value, stored through the kernel at its paged row
        float[] keysIn = gaussian(length * kvDim);
        float[] valuesIn = gaussian(length * kvDim);
        int[] rows = new int[length];
        for (int j = 0; j < length; j++) {
            rows[j] = table[j / blockSize] * blockSize + j % blockSize;
        }
        KvLayer layer = KvLayer.allocate(ctx, precision, (long) numBlocks * blockSize, kvDim, 0);
        GpuBuffer kb = floats(keysIn);
        GpuBuffer vb = floats(valuesIn);
        GpuBuffer rowsBuffer = ints(rows);
        // three query rows attending to 150, 64 and 1 positions
        int n = 3;
        int[] lengths = {length, 64, 1};
        float[] q = gaussian(n * heads * headSize);
        int[] meta = {0, lengths[0], 0, lengths[1], 0, lengths[2]};
        GpuBuffer qb = floats(q);
        GpuBuffer out = ctx.hostBuffer(4L * n * heads * headSize, "attention");
        GpuBuffer metaBuffer = ints(meta);
        GpuBuffer tables = ints(table);
        run(() -> {
            k.kvStore(kb, vb, layer, rowsBuffer, kvDim, length);
            k.attention(qb, layer, out, metaBuffer, tables, null, n, heads, kvHeads, headSize, blockSize);
        });
        int poolValues = numBlocks * blockSize * kvDim;
        float[] keyCache = new float[poolValues];
        float[] valueCache = new float[poolValues];
        for (int j = 0; j < length; j++) {
            System.arraycopy(keysIn, j * kvDim, keyCache, rows[j] * kvDim, kvDim);
            System.arraycopy(valuesIn, j * kvDim, valueCache, rows[j] * kvDim, kvDim);
        }
        short[] keyHalves = new short[poolValues];
        short[] valueHalves = new short[poolValues];
        VectorOps.toFloat16(keyCache, 0, keyHalves, 0, poolValues);
        VectorOps.toFloat16(valueCache, 0, valueHalves, 0, poolValues);
        byte[] keyQuants = new byte[poolValues];
        byte[] valueQuants = new byte[poolValues];
        short[] keyScales = new short[poolValues / 32];
        short[] valueScales = new short[poolValues / 32];
        dev.hearth.kernel.Q8Rows.quantizeScalar(keyCache, 0, MemorySegment.ofArray(keyQuants), MemorySegment.ofArray(keyScales), 0, poolValues);
        dev.hearth.kernel.Q8Rows.quantizeScalar(valueCache, 0, MemorySegment.ofArray(valueQuants), MemorySegment.ofArray(valueScales), 0, poolValues);
        if (precision == dev.hearth.kv.KvPrecision.Q8_0) {  // the stored bytes and scales are the CPU cache's
            byte[] stored = new byte[poolValues];
            ctx.download(layer.keys(), MemorySegment.ofArray(stored), 0);
            float[] scales = read(layer.keyScales(), poolValues / 32);
            for (int j = 0; j < length; j++) {
                for (int i = 0; i < kvDim; i++) {
                    assertThat(stored[rows[j] * kvDim + i]).as("quant " + j + "," + i)
                            .isEqualTo(keyQuants[rows[j] * kvDim + i]);
                }
                for (int b = 0; b < kvDim / 32; b++) {
                    assertThat(scales[rows[j] * kvDim / 32 + b])
                            .isEqualTo(Float.float16ToFloat(keyScales[rows[j] * kvDim / 32 + b]));
                }
            }
        }
        float[] expected = new float[n * heads * headSize];
        float[] scores = new float[length];
        float scale = (float) (1.0 / Math.sqrt(headSize));
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < heads; h++) {
                int off = t * heads * headSize + h * headSize;
                int kvOff = h / (heads / kvHeads) * headSize;
                switch (precision) {
                    case F32 -> Attention.attendF32Scalar(q, off, MemorySegment.ofArray(keyCache), MemorySegment.ofArray(valueCache), table, blockSize, kvOff, kvDim,
                            lengths[t], headSize, scale, scores, expected, off);
                    case F16 -> Attention.attendF16Scalar(q, off, MemorySegment.ofArray(keyHalves), MemorySegment.ofArray(valueHalves), table, blockSize, kvOff,
                            kvDim, lengths[t], headSize, scale, scores, new float[headSize], expected, off);
                    case Q8_0 -> Attention.attendQ8Scalar(q, off, MemorySegment.ofArray(keyQuants), MemorySegment.ofArray(keyScales), MemorySegment.ofArray(valueQuants),
                            MemorySegment.ofArray(valueScales),
                            table, blockSize, kvOff, kvDim, lengths[t], headSize, scale, scores, expected, off);
                }
            }
        }
        assertClose(read(out, expected.length), expected, 2e-5f, "attention " + precision);
        // the portable path: shared-memory reductions, one key value a load
        GpuBuffer treeOut = ctx.hostBuffer(4L * n * heads * headSize, "attention, shared-memory reductions");
        GpuKernels sharedOnly = new GpuKernels(ctx, false);
        run(() -> sharedOnly.attention(qb, layer, treeOut, metaBuffer, tables, null, n, heads, kvHeads, headSize,
                blockSize));
        assertClose(read(treeOut, expected.length), expected, 2e-5f, "attention without subgroups " + precision);
        // decode: positions cut into ranges merged by attention_combine.comp, per query head (every cache; also the
        // portable path) or per KV head; with 5 ranges of 64 positions the last two are empty (and the rows of 64 and
        // 1 positions use one range)
        GpuBuffer parts = ctx.deviceBuffer(DeviceFootprint.attentionPartsBytes(heads, headSize), "attention ranges");
        record Split(GpuKernels kernels, boolean byKvHead, int ranges) { }
        List<Split> splits = new ArrayList<>(List.of(new Split(k, false, 3), new Split(k, false, 5),
                new Split(sharedOnly, false, 5)));
        if (precision != dev.hearth.kv.KvPrecision.Q8_0) {
            splits.add(new Split(k, true, 3));
            splits.add(new Split(k, true, 5));
        }
        for (Split split : splits) {
            GpuBuffer splitOut = ctx.hostBuffer(4L * n * heads * headSize, "attention, split");
            run(() -> split.kernels().attentionSplit(qb, layer, splitOut, null, metaBuffer, tables, parts,
                    split.byKvHead(), split.ranges(), n, heads, kvHeads, headSize, blockSize));
            assertClose(read(splitOut, expected.length), expected, 2e-5f, split + " " + precision);
        }
        assertThat(GpuKernels.attentionRanges(n, heads)).isGreaterThan(1);  // as the pass calls it: split
        GpuBuffer decodeOut = ctx.hostBuffer(4L * n * heads * headSize, "attention, decode");
        run(() -> k.attention(qb, layer, decodeOut, metaBuffer, tables, parts, n, heads, kvHeads, headSize, blockSize));
        assertClose(read(decodeOut, expected.length), expected, 2e-5f, "decode attention " + precision);
        // prompts and batches: one workgroup per row and KV head (F32 and F16 caches)
        assertThat(k.groupedAttentionFits(layer, heads, kvHeads, headSize))
                .isEqualTo(precision != dev.hearth.kv.KvPrecision.Q8_0);
        if (precision != dev.hearth.kv.KvPrecision.Q8_0) {
            GpuBuffer groupedOut = ctx.hostBuffer(4L * n * heads * headSize, "attention, grouped");
            run(() -> k.attentionGrouped(qb, layer, groupedOut, metaBuffer, tables, n, heads, kvHeads, headSize,
                    blockSize));
            assertClose(read(groupedOut, expected.length), expected, 2e-5f, "grouped attention " + precision);
        }
    }

    /**
     * Decode's merge of the attention ranges writes the output projection's 8-bit input itself: the same words and
     * scales, bit for bit, as the quantize pass over its float output (F16 cache, head size 64: two runs a head).
     */
    @Test
    void decodeAttentionMergeQuantizesItsOutput() {
        int heads = 4;
        int kvHeads = 2;
        int headSize = 64;
        int kvDim = kvHeads * headSize;
        int blockSize = 16;
        int length = 100;
        int n = 2;  // two decode rows of 100 and 37 positions in one block table
        KvLayer layer = KvLayer.allocate(ctx, dev.hearth.kv.KvPrecision.F16, 7L * blockSize, kvDim, 0);
        int[] rows = new int[length];
        for (int j = 0; j < length; j++) {
            rows[j] = j;
        }
        GpuBuffer kb = floats(gaussian(length * kvDim));
        GpuBuffer vb = floats(gaussian(length * kvDim));
        GpuBuffer qb = floats(gaussian(n * heads * headSize));
        GpuBuffer meta = ints(new int[] {0, length, 0, 37});
        GpuBuffer tables = ints(new int[] {0, 1, 2, 3, 4, 5, 6});
        GpuBuffer parts = ctx.deviceBuffer(DeviceFootprint.attentionPartsBytes(heads, headSize), "attention ranges");
        GpuBuffer out = ctx.hostBuffer(4L * n * heads * headSize, "attention");
        int cols = heads * headSize;
        QuantizedInput merged = QuantizedInput.allocate(ctx, n, cols);
        QuantizedInput passed = QuantizedInput.allocate(ctx, n, cols);
        boolean[] wrote = new boolean[1];
        assertThat(GpuKernels.attentionRanges(n, heads)).isGreaterThan(1);  // decode splits: the merge runs
        run(() -> {
            k.kvStore(kb, vb, layer, ints(rows), kvDim, length);
            wrote[0] = k.attention(qb, layer, out, merged, meta, tables, parts, n, heads, kvHeads, headSize,
                    blockSize);
            k.quantize(out, null, GpuKernels.Input.PLAIN, 0, passed, n, cols);
        });
        assertThat(wrote[0]).isTrue();
        assertThat(bits(read(merged.values(), n * cols / 4))).containsExactly(bits(read(passed.values(), n * cols / 4)));
        assertThat(read(merged.scales(), n * cols / 32)).containsExactly(read(passed.scales(), n * cols / 32));
    }

    private static int[] bits(float[] words) {
        int[] out = new int[words.length];
        for (int i = 0; i < words.length; i++) {
            out[i] = Float.floatToRawIntBits(words[i]);
        }
        return out;
    }

    @Test
    void expertsRoutedMultipliedAndCombined() throws DeviceUnavailableException {
        int n = 5;
        int experts = 4;
        int used = 2;
        int dim = 64;
        int ffn = 96;
        float[] routerLogits = gaussian(n * experts);
        routerLogits[3 * experts + 1] = routerLogits[3 * experts + 2];  // a tie: the lower expert wins, as on the CPU
        WeightMatrix[] gate = new WeightMatrix[experts];
        for (int e = 0; e < experts; e++) {
            gate[e] = matrix(GgmlType.Q4_0, ffn, dim);
        }
        GpuTensor gates = GpuTensor.upload(ctx, gate);
        WeightMatrix[] down = new WeightMatrix[experts];
        for (int e = 0; e < experts; e++) {
            down[e] = matrix(GgmlType.F32, dim, ffn);
        }
        GpuTensor downs = GpuTensor.upload(ctx, down);
        float[] slotRows = gaussian(n * used * ffn);
        GpuBuffer slotRowsBuffer = floats(slotRows);
        GpuBuffer downOut = ctx.hostBuffer(4L * n * used * dim, "down");
        float[] x = gaussian(n * dim);
        GpuBuffer logits = floats(routerLogits);
        GpuBuffer ids = ctx.hostBuffer(4L * n * used, "ids");
        GpuBuffer weights = ctx.hostBuffer(4L * n * used, "weights");
        GpuBuffer xb = floats(x);
        GpuBuffer hidden = ctx.hostBuffer(4L * n * used * ffn, "hidden");
        float[] expertRows = gaussian(n * used * dim);
        GpuBuffer expertOut = floats(expertRows);
        GpuBuffer combined = ctx.hostBuffer(4L * n * dim, "combined");
        run(() -> {
            k.moeRoute(logits, ids, weights, n, experts, used);
            k.matmulExperts(gates, xb, hidden, ids, n * used, used, false);
            k.matmulExperts(downs, slotRowsBuffer, downOut, ids, n * used, used, true);
            k.moeCombine(expertOut, weights, combined, n, dim, used);
        });
        int[] gotIds = new int[n * used];
        ctx.download(ids, MemorySegment.ofArray(gotIds), 0);
        float[] gotWeights = read(weights, n * used);
        float[] probabilities = routerLogits.clone();
        int[] expectedIds = new int[n * used];
        float[] expectedWeights = new float[n * used];
        for (int t = 0; t < n; t++) {
            Softmax.softmaxScalar(probabilities, t * experts, experts);
            VectorOps.topK(probabilities, t * experts, experts, used, expectedIds, t * used, expectedWeights, t * used);
            VectorOps.normalizeSum(expectedWeights, t * used, used);
        }
        assertThat(gotIds).isEqualTo(expectedIds);
        assertClose(gotWeights, expectedWeights, 1e-6f, "expert weights");
        float[] h = read(hidden, n * used * ffn);
        for (int o = 0; o < n * used; o++) {
            float[] wf = dequantized(gate[expectedIds[o]]);
            for (int r = 0; r < ffn; r++) {
                assertDot(h[o * ffn + r], wf, r * dim, x, (o / used) * dim, dim, "expert row " + o + "," + r);
            }
        }
        float[] d = read(downOut, n * used * dim);
        for (int o = 0; o < n * used; o++) {
            float[] wf = dequantized(down[expectedIds[o]]);
            for (int r = 0; r < dim; r++) {
                assertDot(d[o * dim + r], wf, r * ffn, slotRows, o * ffn, ffn, "down row " + o + "," + r);
            }
        }
        float[] expectedCombined = new float[n * dim];
        for (int t = 0; t < n; t++) {
            for (int s = 0; s < used; s++) {
                VectorOps.axpyScalar(expectedWeights[t * used + s], expertRows, (t * used + s) * dim, expectedCombined,
                        t * dim, dim);
            }
        }
        assertClose(read(combined, n * dim), expectedCombined, 1e-5f, "combined");
    }

    @Test
    void stagedUploadsLandWhereAsked() {
        float[] values = gaussian(300);
        GpuBuffer b = ctx.deviceBuffer(4L * 400, "staged");
        ctx.uploadStaged(b, MemorySegment.ofArray(values), 4L * 100);  // as device-only memory on a discrete card
        float[] back = new float[300];
        ctx.downloadStaged(b, MemorySegment.ofArray(back), 4L * 100);  // read back as from device-only memory
        assertClose(back, values, 0f, "staged upload and staged read-back");
        float[] all = new float[400];
        ctx.download(b, MemorySegment.ofArray(all), 0);
        assertClose(java.util.Arrays.copyOfRange(all, 100, 400), values, 0f, "read-back of the whole buffer");
    }

    @Test
    void copyShaderCopiesAndMeasuresBandwidth() {
        float[] values = gaussian(1000);  // 250 vectors of 16 bytes
        GpuBuffer src = floats(values);
        GpuBuffer dst = ctx.hostBuffer(4L * values.length, "dst");
        ComputePipeline copy = new ComputePipeline(ctx, "copy.comp", "", 2);
        run(() -> copy.dispatch(new GpuBuffer[] {src, dst}, new int[] {values.length / 4}, 1, 1, 1));
        assertClose(read(dst, values.length), values, 0f, "copy");
        assertThat(CopyBandwidth.measure(ctx, 1 << 20)).isGreaterThan(1e6);  // bytes per second
    }

    private static void assertClose(float[] actual, float[] expected, float tolerance, String what) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as(what + " [" + i + "]")
                    .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(tolerance * (1 + Math.abs(expected[i]))));
        }
    }
}
