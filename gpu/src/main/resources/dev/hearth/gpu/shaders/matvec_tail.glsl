// The run tail of a decode product over 8-bit activations: the next product's 8-bit input written by this one, so
// that no quantize_q8.comp pass (and no barrier) stands between them. The workgroups whose rows make up a run of 32
// output values count themselves in (counters, binding 7, a word per run and output tile, zero between products);
// the last to arrive reads the run back from device memory (coherent: the others' sums are there), quantizes it as
// quantize_q8.comp does and writes its words (8) and scale (9), then sets its counter back to zero. By define:
// - QOUT 1 (a residual product, RESID 1): the run is y (the residual stream) times the next norm's weights (6), and
//   its sum of squares of y goes to partials (10): the next products apply the norm's RMS themselves (RMSP 1), so the
//   quantization needs only the run, not the whole row.
// - GLUOUT 1 (the feed-forward's gate and up products, two dispatches with no barrier between them, both counting
//   into the same counters): silu(gate) * up of the run, gate's output at 6, up's at 11.
// The includer declares WG, NR (a divisor of 32) and ARRIVALS (the workgroups a run's counter waits for: 32 / NR,
// twice that with GLUOUT), includes matvec_io.glsl, and calls runTail after reduceAndStore.
layout(std430, binding = 7) coherent buffer Counters { uint counters[]; };
layout(std430, binding = 8) writeonly buffer OutWords { uint outWords[]; };
layout(std430, binding = 9) writeonly buffer OutScales { float outScales[]; };
#if QOUT
layout(std430, binding = 6) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 10) writeonly buffer PartialsOut { float partialsOut[]; };
#else
layout(std430, binding = 6) coherent readonly buffer GateOut { float gateOut[]; };
layout(std430, binding = 11) coherent readonly buffer UpOut { float upOut[]; };
#endif
shared uint tailArrived;
shared float tailValues[32];
shared float tailSquares[32];

void runTail(uint firstRow, uint firstOut, uint outs) {
    uint tid = gl_LocalInvocationID.x;
    if (firstRow >= p.rows) {
        return;  // a workgroup past the last row (the grid's last z slice): no run of its own
    }
    uint runs = p.rows >> 5;
    uint run = firstRow >> 5;
    uint counter = gl_WorkGroupID.y * runs + run;
    memoryBarrierBuffer();  // this workgroup's sums are out before it counts itself in
    barrier();
    if (tid == 0u) {
        tailArrived = atomicAdd(counters[counter], 1u);
    }
    barrier();
    if (tailArrived != ARRIVALS - 1u) {
        return;
    }
    if (tid == 0u) {
        counters[counter] = 0u;  // every workgroup of this run has counted: ready for the next product
    }
    memoryBarrierBuffer();
    for (uint o = 0u; o < outs; o++) {
        uint row = firstOut + o;
        if (tid < 32u) {
            uint at = row * p.rows + run * 32u + tid;
#if QOUT
            float v = y[at];
            tailSquares[tid] = v * v;
            tailValues[tid] = v * gamma[run * 32u + tid];
#else
            float g = gateOut[at];
            tailValues[tid] = g / (1.0 + exp(-g)) * upOut[at];
#endif
        }
        barrier();
        if (tid < 8u) {
            float amax = 0.0;
            for (uint i = 0u; i < 32u; i++) { amax = max(amax, abs(tailValues[i])); }
            float inv = amax > 0.0 ? 127.0 / amax : 0.0;
            vec4 v = vec4(tailValues[4u * tid], tailValues[4u * tid + 1u], tailValues[4u * tid + 2u],
                    tailValues[4u * tid + 3u]);
            ivec4 q = clamp(ivec4(round(v * inv)), ivec4(-127), ivec4(127));
            uvec4 b = uvec4(q) & 0xFFu;
            outWords[(row * runs + run) * 8u + tid] = b.x | (b.y << 8) | (b.z << 16) | (b.w << 24);
            if (tid == 0u) {
                outScales[row * runs + run] = amax / 127.0;
#if QOUT
                float s = 0.0;
                for (uint i = 0u; i < 32u; i++) { s += tailSquares[i]; }
                partialsOut[row * runs + run] = s;
#endif
            }
        }
        barrier();
    }
}
