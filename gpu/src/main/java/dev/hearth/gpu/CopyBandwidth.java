package dev.hearth.gpu;

/**
 * The device's memory bandwidth as our copy shader sees it: one buffer copied to another a few times in one
 * submission, (bytes read + bytes written) / time, best of three runs. The decode roofline is this over the weights'
 * bytes (one token reads every weight once).
 */
final class CopyBandwidth {
    private static final int COPIES = 8;

    private CopyBandwidth() {
    }

    /** Bytes per second; buffers of {@code bytes} each (capped by the device's buffer range and memory). */
    static double measure(VulkanContext ctx, long bytes) {
        long size = Math.min(bytes, ctx.maxStorageBufferRange) & ~15L;
        GpuBuffer src = ctx.deviceBuffer(size, "copy source");
        GpuBuffer dst = ctx.deviceBuffer(size, "copy destination");
        ComputePipeline copy = new ComputePipeline(ctx, "copy.comp", "", 2);
        int count = (int) (size / 16);
        int groups = (count + 255) / 256;
        int x = Math.min(groups, Math.min(65535, ctx.maxWorkGroupsX));
        int y = (groups + x - 1) / x;
        double best = 0;
        for (int run = 0; run < 4; run++) {  // the first run warms up (pages, pipeline)
            ctx.begin();
            for (int i = 0; i < COPIES; i++) {
                copy.dispatch(new GpuBuffer[] {i % 2 == 0 ? src : dst, i % 2 == 0 ? dst : src}, new int[] {count}, x, y,
                        1);
            }
            long start = System.nanoTime();
            ctx.submitAndWait();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (run > 0) {
                best = Math.max(best, 2.0 * size * COPIES / seconds);
            }
        }
        return best;
    }
}
