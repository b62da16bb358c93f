package dev.hearth.gpu;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lwjgl.vulkan.VkCommandBuffer;

/**
 * The recorded command buffers of a forward pass, one per step shape (tokens, logits rows), reused from step to step:
 * every per-step value travels in buffers, so a step of a shape seen before costs one submission and no recording.
 * The least recently used shape goes when more than {@link #MAX} are held (decode runs a handful; prompt chunks of
 * every length would otherwise pile up).
 */
final class StepRecordings {
    static final int MAX = 16;
    private final VulkanContext ctx;
    private final LinkedHashMap<Long, VkCommandBuffer> byShape = new LinkedHashMap<>(32, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, VkCommandBuffer> eldest) {
            if (size() > MAX) {
                ctx.freeCommandBuffer(eldest.getValue());
                return true;
            }
            return false;
        }
    };

    StepRecordings(VulkanContext ctx) {
        this.ctx = ctx;
    }

    /** Runs the step of n tokens and m logits rows: the recording made earlier, else a new one by {@code record}. */
    void run(int n, int m, Runnable record) {
        if (ctx.profiling()) {  // profiled steps carry their own timestamps: recorded each time
            ctx.begin();
            record.run();
            ctx.submitAndWait();
            return;
        }
        long key = ((long) n << 32) | m;
        VkCommandBuffer cb = byShape.get(key);
        if (cb != null) {
            ctx.submitRecorded(cb);
            return;
        }
        cb = ctx.allocateCommandBuffer();
        try {
            ctx.beginReusable(cb);
            record.run();
            ctx.submitAndWait();
        } catch (RuntimeException | Error e) {
            ctx.freeCommandBuffer(cb);
            throw e;
        }
        byShape.put(key, cb);
    }

    /** Forgets every recording (a buffer they use was replaced). */
    void clear() {
        byShape.values().forEach(ctx::freeCommandBuffer);
        byShape.clear();
    }

    int size() {
        return byShape.size();
    }
}
