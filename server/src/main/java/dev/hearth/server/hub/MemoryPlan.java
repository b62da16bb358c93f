package dev.hearth.server.hub;

import dev.hearth.kv.KvPrecision;

/**
 * The planner's answer for one model file under one {@link PlanRequest}: bytes by use, whether it fits, and
 * expected speeds.
 *
 * @param weightBytes        model file(s), memory-mapped (from a file at hand: the tensors that become resident, an
 *                           untied token embedding, only looked up, left out)
 * @param repackGrowthBytes  what the repacked copies for the native kernels add over the same tensors in the file
 * @param kvCacheBytes       layers x 2 x kv heads x head dim x context x parallel x bytes per element
 * @param computeBytes       activation and logits buffers for one micro-batch
 * @param overheadBytes      runtime: JVM, code, thread stacks, page tables
 * @param budgetBytes        memory available to the model after the operating system's reserve
 * @param decodeTokensPerSec per sequence, bandwidth-bound (weights + KV read once per step)
 * @param aggregateDecodeTokensPerSec all {@code parallel} sequences together
 * @param promptTokensPerSec prompt processing, compute-bound estimate
 * @param device the device part for a request that asks for a GPU (then {@code kvCacheBytes} is the CPU layers'
 *     only); null when the model runs on the CPU alone
 */
public record MemoryPlan(String model, String quantization, ModelShape shape, PlanRequest request, long weightBytes,
                         long repackGrowthBytes, long kvCacheBytes, long computeBytes, long overheadBytes, long budgetBytes,
                         double decodeTokensPerSec, double aggregateDecodeTokensPerSec, double promptTokensPerSec,
                         DevicePlan device) {

    public enum Verdict { FITS, TIGHT, DOES_NOT_FIT }

    /** A plan on the CPU alone. */
    public MemoryPlan(String model, String quantization, ModelShape shape, PlanRequest request, long weightBytes,
            long repackGrowthBytes, long kvCacheBytes, long computeBytes, long overheadBytes, long budgetBytes,
            double decodeTokensPerSec, double aggregateDecodeTokensPerSec, double promptTokensPerSec) {
        this(model, quantization, shape, request, weightBytes, repackGrowthBytes, kvCacheBytes, computeBytes,
                overheadBytes, budgetBytes, decodeTokensPerSec, aggregateDecodeTokensPerSec, promptTokensPerSec, null);
    }

    /** Host memory: this plan's parts, and the device's where it is the host's (unified memory). */
    public long totalBytes() {
        return weightBytes + repackGrowthBytes + kvCacheBytes + computeBytes + overheadBytes + deviceHostBytes();
    }

    /** What the device's part takes of host memory ({@link DevicePlan#hostBytes()}; 0 without a device). */
    public long deviceHostBytes() {
        return device == null ? 0 : device.hostBytes();
    }

    /** Host memory within the budget, and the device's part (if any) within the device's. */
    public boolean fits() {
        return totalBytes() <= budgetBytes && (device == null || device.fits());
    }

    /** TIGHT: fits, but with less than 10% of the budget to spare. */
    public Verdict verdict() {
        if (!fits()) {
            return Verdict.DOES_NOT_FIT;
        }
        return totalBytes() > budgetBytes * 0.9 ? Verdict.TIGHT : Verdict.FITS;
    }

    /** Largest context per sequence that would still fit in host memory, at the same parallelism. */
    public long maxContextThatFits() {
        long perToken = kvCacheBytes / ((long) request.context() * request.parallel());
        long room = budgetBytes - weightBytes - repackGrowthBytes - computeBytes - overheadBytes - deviceHostBytes();
        return room <= 0 || perToken <= 0 ? 0 : room / perToken / request.parallel();
    }

    /** One sentence for a log or an HTTP error. */
    public String describe() {
        return String.format("%s %s needs %s (weights %s, repacked +%s, KV cache %s for %d x %d tokens, compute %s,"
                        + " runtime %s%s) of %s: %s", model, quantization, Bytes.format(totalBytes()),
                Bytes.format(weightBytes), Bytes.format(repackGrowthBytes), Bytes.format(kvCacheBytes),
                request.parallel(), request.context(), Bytes.format(computeBytes), Bytes.format(overheadBytes),
                deviceHostBytes() > 0 ? ", the device's part in unified memory " + Bytes.format(deviceHostBytes())
                        : "", Bytes.format(budgetBytes), switch (verdict()) {
                    case FITS -> "fits";
                    case TIGHT -> "fits, but tight";
                    case DOES_NOT_FIT -> device != null && !device.fits() ? "does not fit on the device"
                            : "does not fit (at most " + maxContextThatFits() + " tokens of context per sequence would"
                            + alternatives() + ")";
                }) + (device == null ? "" : "; " + device.describe());
    }

    /**
     * What else would fit, beside a shorter context: one sequence, a Q8_0 KV cache, or a smaller quantization (the
     * weights' share of the shortfall); empty where none of these changes the answer.
     */
    String alternatives() {
        StringBuilder out = new StringBuilder();
        long others = weightBytes + repackGrowthBytes + computeBytes + overheadBytes;
        long kvPerSequence = kvCacheBytes / Math.max(1, request.parallel());
        if (request.parallel() > 1 && others + kvPerSequence <= budgetBytes) {
            out.append("; or --parallel ").append(Math.max(1, (budgetBytes - others) / Math.max(1, kvPerSequence)));
        }
        if (request.kv() != KvPrecision.Q8_0) {
            long q8 = (long) (kvCacheBytes * KvPrecision.Q8_0.bytesPerElement()
                    / request.kv().bytesPerElement());
            if (others + q8 <= budgetBytes) {
                out.append("; or --kv q8_0 (KV cache ").append(Bytes.format(q8)).append(')');
            }
        }
        long over = totalBytes() - budgetBytes;
        if (over > 0 && over < weightBytes + repackGrowthBytes) {
            out.append("; or a quantization with weights under ")
                    .append(Bytes.format(weightBytes + repackGrowthBytes - over));
        }
        return out.toString();
    }
}
