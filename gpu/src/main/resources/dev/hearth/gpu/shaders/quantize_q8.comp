#version 450
// The input of the decode products over 8-bit activations (matvec_q4k_q8.comp, matvec_q6k_q8.comp): each run of 32
// values of an input row (x: numOut rows of cols) as signed bytes q = round(v / d), |q| <= 127, d = max |v| / 127,
// packed four to a word (values, binding 2: row o's words from o * cols / 4) beside d (scales, binding 3: row o's from
// o * cols / 32). One invocation a run, WG runs a workgroup (x), a workgroup row per input row (y). By define, the
// values quantized are:
// - NORM 1, the norm's weights (1): x's row RMS-normalized and scaled by them; one workgroup a row, each invocation
//   RUNS runs (tid, tid + WG, ..), so that the row's sum of squares is reduced once from values held in registers;
//   SUBGROUPS 1 reduces through subgroupAdd.
// - GLU 1, up (1): silu(x) * up, the SwiGLU of a feed-forward ahead of its down product.
// - neither: x as it is.
#extension GL_EXT_control_flow_attributes : require
#if NORM && SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
layout(local_size_x = WG) in;
layout(std430, binding = 0) readonly buffer X { vec4 x4[]; };
layout(std430, binding = 1) readonly buffer Aux { vec4 aux4[]; };  // NORM: the norm's weights; GLU: up
layout(std430, binding = 2) writeonly buffer Values { uvec4 values[]; };
layout(std430, binding = 3) writeonly buffer Scales { float scales[]; };
layout(push_constant) uniform P { uint cols; float eps; } p;

#if NORM
shared float squares[WG];
#endif

// run `run` of row o (its 8 vec4, as quantized) into values and scales
void store(uint o, uint run, vec4 v[8]) {
    float amax = 0.0;
    [[unroll]] for (uint i = 0u; i < 8u; i++) {
        vec4 m = abs(v[i]);
        amax = max(amax, max(max(m.x, m.y), max(m.z, m.w)));
    }
    float d = amax / 127.0;
    float inv = amax > 0.0 ? 127.0 / amax : 0.0;
    uint words[8];
    [[unroll]] for (uint i = 0u; i < 8u; i++) {
        ivec4 q = clamp(ivec4(round(v[i] * inv)), ivec4(-127), ivec4(127));
        uvec4 b = uvec4(q) & 0xFFu;
        words[i] = b.x | (b.y << 8) | (b.z << 16) | (b.w << 24);
    }
    uint at = (o * (p.cols >> 5) + run) * 2u;  // two vec4 of words a run
    values[at] = uvec4(words[0], words[1], words[2], words[3]);
    values[at + 1u] = uvec4(words[4], words[5], words[6], words[7]);
    scales[o * (p.cols >> 5) + run] = d;
}

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint o = gl_WorkGroupID.y;
    uint row4 = o * (p.cols >> 2);  // the row's first vec4
    uint runs = p.cols >> 5;
#if NORM
    // one workgroup a row: each invocation loads its RUNS runs (and their norm weights) once, the row's sum of squares
    // is reduced from them, and they are scaled and quantized from registers (3 workgroups of 64 that each re-read
    // the row and reduced it through a 6-barrier tree took 8 us a call on the H100)
    vec4 v[RUNS * 8u];
    vec4 w[RUNS * 8u];
    float s = 0.0;
    [[unroll]] for (uint r = 0u; r < RUNS; r++) {
        uint run = tid + r * WG;
        [[unroll]] for (uint i = 0u; i < 8u; i++) {
            uint c4 = min(run, runs - 1u) * 8u + i;  // past the row's end: a copy of its last run, not counted
            v[r * 8u + i] = x4[row4 + c4];
            w[r * 8u + i] = aux4[c4];
            if (run < runs) { s += dot(v[r * 8u + i], v[r * 8u + i]); }
        }
    }
#if SUBGROUPS
    s = subgroupAdd(s);
    if (subgroupElect()) { squares[gl_SubgroupID] = s; }
    barrier();
    float total = 0.0;
    for (uint i = 0u; i < gl_NumSubgroups; i++) { total += squares[i]; }
#else
    squares[tid] = s;
    barrier();
    for (uint span = WG / 2u; span > 0u; span >>= 1) {
        if (tid < span) { squares[tid] += squares[tid + span]; }
        barrier();
    }
    float total = squares[0];
#endif
    float scale = inversesqrt(total / float(p.cols) + p.eps);
    [[unroll]] for (uint r = 0u; r < RUNS; r++) {
        uint run = tid + r * WG;
        if (run < runs) {
            vec4 a[8];
            [[unroll]] for (uint i = 0u; i < 8u; i++) { a[i] = v[r * 8u + i] * scale * w[r * 8u + i]; }
            store(o, run, a);
        }
    }
#else
    uint run = gl_WorkGroupID.x * WG + tid;
    if (run >= runs) {
        return;
    }
    vec4 a[8];
    [[unroll]] for (uint i = 0u; i < 8u; i++) {
        uint c4 = run * 8u + i;
        a[i] = x4[row4 + c4];
#if GLU
        a[i] = a[i] / (1.0 + exp(-a[i])) * aux4[row4 + c4];
#endif
    }
    store(o, run, a);
#endif
}
