#version 450
// The input of the decode products over 8-bit activations (matvec_q4k_q8.comp, matvec_q6k_q8.comp): each run of 32
// values of an input row (x: numOut rows of cols) as signed bytes q = round(v / d), |q| <= 127, d = max |v| / 127,
// packed four to a word (values, binding 2: row o's words from o * cols / 4) beside d (scales, binding 3: row o's from
// o * cols / 32). One invocation a run, WG runs a workgroup (x), a workgroup row per input row (y). By define, the
// values quantized are:
// - NORM 1, the norm's weights (1): x's row RMS-normalized and scaled by them; each workgroup sums its row's squares
//   itself (a decode row is a few thousand values: re-read from cache, not worth a pass of its own).
// - GLU 1, up (1): silu(x) * up, the SwiGLU of a feed-forward ahead of its down product.
// - neither: x as it is.
#extension GL_EXT_control_flow_attributes : require
layout(local_size_x = WG) in;
layout(std430, binding = 0) readonly buffer X { vec4 x4[]; };
layout(std430, binding = 1) readonly buffer Aux { vec4 aux4[]; };  // NORM: the norm's weights; GLU: up
layout(std430, binding = 2) writeonly buffer Values { uvec4 values[]; };
layout(std430, binding = 3) writeonly buffer Scales { float scales[]; };
layout(push_constant) uniform P { uint cols; float eps; } p;

shared float squares[WG];

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint o = gl_WorkGroupID.y;
    uint row4 = o * (p.cols >> 2);  // the row's first vec4
#if NORM
    float s = 0.0;
    for (uint i = tid; i < (p.cols >> 2); i += WG) {
        vec4 v = x4[row4 + i];
        s += dot(v, v);
    }
    squares[tid] = s;
    barrier();
    for (uint span = WG / 2u; span > 0u; span >>= 1) {
        if (tid < span) { squares[tid] += squares[tid + span]; }
        barrier();
    }
    float scale = inversesqrt(squares[0] / float(p.cols) + p.eps);
#endif
    uint run = gl_WorkGroupID.x * WG + tid;
    if (run >= (p.cols >> 5)) {
        return;
    }
    vec4 v[8];
    float amax = 0.0;
    [[unroll]] for (uint i = 0u; i < 8u; i++) {
        uint c4 = run * 8u + i;
        vec4 a = x4[row4 + c4];
#if NORM
        a = a * scale * aux4[c4];
#elif GLU
        a = a / (1.0 + exp(-a)) * aux4[row4 + c4];
#endif
        v[i] = a;
        vec4 m = abs(a);
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
