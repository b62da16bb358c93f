package dev.hearth.server.hub;

import dev.hearth.device.DeviceChoice;
import dev.hearth.kv.KvPrecision;

/**
 * What a deployment needs: a memory budget, context per sequence, concurrent sequences, KV cache precision, and where
 * the layers run.
 *
 * @param memoryBytes RAM the model may use (defaults to the machine's total)
 * @param device {@code --device}, {@code --gpu-layers} and {@code --gpu-memory} (the CPU by default)
 */
public record PlanRequest(long memoryBytes, int context, int parallel, KvPrecision kv, DeviceChoice device) {
    public static final int DEFAULT_CONTEXT = 8192;

    public PlanRequest(long memoryBytes, int context, int parallel, KvPrecision kv) {
        this(memoryBytes, context, parallel, kv, DeviceChoice.DEFAULT);
    }

    public PlanRequest {
        if (memoryBytes <= 0) {
            throw new HubException("memory budget must be positive, got " + memoryBytes);
        }
        if (context < 1) {
            throw new HubException("context must be at least 1 token, got " + context);
        }
        if (parallel < 1) {
            throw new HubException("parallel must be at least 1, got " + parallel);
        }
        if (device == null) {
            device = DeviceChoice.DEFAULT;
        }
    }
}
