package dev.hearth.gpu;

import dev.hearth.device.DeviceUnavailableException;
import dev.hearth.gguf.GgmlType;
import dev.hearth.kernel.Kernels;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A speed sweep of the blocked product's shapes on the matrix units (not a test: run on a GPU machine with the test
 * class path). For the 14B's layer products (q and o 5120 x 5120, k and v 1024 x 5120, gate and up 13824 x 5120, down
 * 5120 x 13824) at 512 outputs (a prompt chunk) and 64 (a decode batch), in Q4_K and Q6_K: the time of each shape,
 * the best of three runs of ten products in one submission, as TFLOPS, and the largest error of 64 sampled outputs
 * against the dequantized dot (in units of the terms' magnitude). Arguments: shapes (BMxBNxBK, sN for N stages, h or f for halves
 * or floats in, and e to decode Q4_K and Q6_K where they load: 128x128x32s2h, 128x128x32s2he; then /n128 for 128
 * invocations a workgroup and /a1 or /a2 for the shader's ablations: 128x128x32s2h/n128/a1), or none for a default
 * set. Decode batches of 16 and 32 outputs are timed too; -Dsweep.types (default Q4_K,Q6_K; F16 too) picks the weight
 * types. bench/scripts/gpu_matmm.sh runs it and picks the best shapes.
 */
public final class BlockedProductSweep {
    private record Product(int rows, int cols, int numOut) {
    }

    private BlockedProductSweep() {
    }

    public static void main(String[] args) throws DeviceUnavailableException {
        VulkanContext ctx = ((VulkanDevice) VulkanTestDevice.first()).context();
        System.out.printf("device: subgroup %d, shared memory %d bytes, matrix units %b%n", ctx.subgroupSize,
                ctx.maxSharedMemory, ctx.cooperativeMatrix);
        List<String> specs = new ArrayList<>(List.of(args));
        if (specs.isEmpty()) {
            specs.addAll(List.of("128x128x32s2he", "128x128x32s2h", "128x64x32s2he", "128x64x32s2h", "128x128x32s1h",
                    "128x128x64s1h", "64x64x64s2h", "64x128x64s1h", "64x128x32s2h"));
        }
        List<Product> products = Boolean.getBoolean("sweep.small")  // a check of the sweep itself on lavapipe
                ? List.of(new Product(320, 512, 96), new Product(256, 768, 40))
                : List.of(new Product(5120, 5120, 512), new Product(1024, 5120, 512), new Product(13824, 5120, 512), new Product(5120, 13824, 512), new Product(13824, 5120, 64), new Product(5120, 13824, 64),
                        new Product(5120, 5120, 64), new Product(13824, 5120, 32), new Product(13824, 5120, 16),
                        new Product(5120, 13824, 16));
        GpuBuffer parts = ctx.deviceBuffer(64L << 20, "split-K parts");
        GpuBuffer halves = ctx.deviceBuffer(2L * 512 * 13824, "product input halves");
        Random random = new Random(7);
        for (String typeName : System.getProperty("sweep.types", "Q4_K,Q6_K").split(",")) {
            GgmlType type = GgmlType.valueOf(typeName);
            for (Product pr : products) {
                WeightMatrix w = randomMatrix(type, pr.rows(), pr.cols(), random);
                GpuTensor tensor = GpuTensor.upload(ctx, w);
                float[] x = new float[pr.numOut() * pr.cols()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextGaussian();
                }
                GpuBuffer xb = ctx.deviceBuffer(4L * x.length, "x");
                ctx.upload(xb, MemorySegment.ofArray(x), 0);
                GpuBuffer y = ctx.deviceBuffer(4L * pr.numOut() * pr.rows(), "y");
                double flops = 2.0 * pr.rows() * pr.cols() * pr.numOut();
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s %5d x %5d, %3d out:", type,
                        pr.rows(), pr.cols(), pr.numOut()));
                for (String spec : specs) {
                    GpuKernels k = new GpuKernels(ctx);
                    k.useSplitParts(parts);
                    k.useHalfInputs(halves);
                    String[] options = spec.split("/");
                    boolean early = options[0].endsWith("e");
                    String shapeSpec = early ? options[0].substring(0, options[0].length() - 1) : options[0];
                    BlockedShape shape = parse(shapeSpec);
                    for (int o = 1; o < options.length; o++) {
                        switch (options[o].charAt(0)) {
                            case 'n' -> shape = shape.withInvocations(Integer.parseInt(options[o].substring(1)));
                            case 'a' -> k.ablate(Integer.parseInt(options[o].substring(1)));
                            default -> throw new IllegalArgumentException("unknown option " + options[o] + " in " + spec);
                        }
                    }
                    k.forceBlockedShape(shape);
                    k.decodeLate(!early);
                    ProductInput in = new ProductInput(xb, shapeSpec.endsWith("h") ? halves : null);
                    if (in.halves() != null) {
                        ctx.begin();
                        k.productInput(xb, pr.numOut(), pr.cols());
                        ctx.submitAndWait();
                    }
                    Runnable product = () -> k.matmulBlocked(tensor, in, y, pr.numOut());
                    try {
                        ctx.begin();
                        product.run();
                        ctx.submitAndWait();
                    } catch (RuntimeException e) {  // a shape the device cannot take (shared memory, say)
                        line.append(" ").append(spec).append(" FAILED(").append(e.getMessage()).append(")");
                        continue;
                    }
                    double best = Double.MAX_VALUE;
                    for (int run = 0; run < 4; run++) {
                        ctx.begin();
                        for (int i = 0; i < 10; i++) {
                            product.run();
                        }
                        long start = System.nanoTime();
                        ctx.submitAndWait();
                        double t = (System.nanoTime() - start) / 10e9;
                        if (run > 0) {
                            best = Math.min(best, t);
                        }
                    }
                    double error = error(ctx, y, w, x, pr, random);
                    line.append(String.format(Locale.ROOT, " %s %.1f%s", spec, flops / best / 1e12,
                            !(error <= 2e-3) ? " WRONG(" + error + ")" : ""));
                }
                System.out.println(line);
                ctx.release(xb);
                ctx.release(y);
                ctx.release(tensor.buffer());
            }
        }
        ctx.close();
    }

    private static BlockedShape parse(String spec) {
        boolean halves = spec.endsWith("h");
        String s = spec.substring(0, spec.length() - 1);
        int stages = 2;
        if (s.contains("s")) {
            stages = Integer.parseInt(s.substring(s.indexOf('s') + 1));
            s = s.substring(0, s.indexOf('s'));
        }
        return BlockedShape.parse(s, stages, halves);
    }

    /** Random blocks with small valid scales (an encoder would take minutes at these sizes). */
    private static WeightMatrix randomMatrix(GgmlType type, int rows, int cols, Random random) {
        if (type == GgmlType.F16) {
            byte[] bytes = new byte[2 * rows * cols];
            for (int i = 0; i < rows * cols; i++) {
                putHalf(bytes, 2 * i, 0.05f * (float) random.nextGaussian());
            }
            return new WeightMatrix("w", type, rows, cols, MemorySegment.ofArray(bytes));
        }
        int blockBytes = type == GgmlType.Q4_K ? 144 : 210;
        int blocks = rows * (cols / 256);
        byte[] bytes = new byte[blocks * blockBytes];
        random.nextBytes(bytes);
        for (int b = 0; b < blocks; b++) {
            int at = b * blockBytes;
            if (type == GgmlType.Q4_K) {
                putHalf(bytes, at, 0.002f + 0.002f * random.nextFloat());
                putHalf(bytes, at + 2, 0.001f * random.nextFloat());
            } else {
                putHalf(bytes, at + 208, 0.0005f + 0.0005f * random.nextFloat());
            }
        }
        return new WeightMatrix("w", type, rows, cols, MemorySegment.ofArray(bytes));
    }

    private static void putHalf(byte[] b, int at, float v) {
        short h = Float.floatToFloat16(v);
        b[at] = (byte) h;
        b[at + 1] = (byte) (h >> 8);
    }

    /** The largest |got - exact| / sum |terms| over 64 sampled outputs. */
    private static double error(VulkanContext ctx, GpuBuffer y, WeightMatrix w, float[] x, Product pr, Random random) {
        float[] got = new float[pr.numOut() * pr.rows()];
        ctx.download(y, MemorySegment.ofArray(got), 0);
        float[] row = new float[pr.cols()];
        double worst = 0;
        for (int i = 0; i < 64; i++) {
            int r = random.nextInt(pr.rows());
            int o = random.nextInt(pr.numOut());
            Kernels.dequantizeRow(w, r, row, 0);
            double exact = 0;
            double magnitude = 0;
            for (int c = 0; c < pr.cols(); c++) {
                double term = (double) row[c] * x[o * pr.cols() + c];
                exact += term;
                magnitude += Math.abs(term);
            }
            worst = Math.max(worst, Math.abs(got[o * pr.rows() + r] - exact) / magnitude);
        }
        return worst;
    }
}
