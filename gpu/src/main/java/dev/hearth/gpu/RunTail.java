package dev.hearth.gpu;

/**
 * What an 8-bit decode product writes beyond its output (matvec_tail.glsl): the next product's 8-bit input, a run of
 * 32 values at a time by the last of the run's workgroups to finish, counted in {@code counters} (zero between
 * products), so that no quantize pass stands between the two products.
 *
 * @param norm the next norm's weights: the run is the product's output (the residual stream) times them, its sum of
 *     squares goes to {@code partials} and the next products apply the norm's RMS themselves; null for a SwiGLU tail
 * @param gate with {@code up}: the feed-forward's gate and up outputs, the run silu(gate) * up (the two products count
 *     into the same counters, run with no barrier between them)
 */
record RunTail(GpuBuffer norm, GpuBuffer gate, GpuBuffer up, QuantizedInput out, GpuBuffer partials,
        GpuBuffer counters) {
    /** The tail of a residual product: rmsnorm's input for the next products, its RMS left to them. */
    static RunTail normed(GpuBuffer norm, QuantizedInput out, GpuBuffer partials, GpuBuffer counters) {
        return new RunTail(norm, null, null, out, partials, counters);
    }

    /** The tail of the gate and of the up product: the down product's input. */
    static RunTail swiglu(GpuBuffer gate, GpuBuffer up, QuantizedInput out, GpuBuffer counters) {
        return new RunTail(null, gate, up, out, null, counters);
    }

    boolean glu() {
        return norm == null;
    }
}
