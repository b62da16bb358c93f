#version 450
// The decode product of Q4_K weights (matvec.comp's contract: y[o, row] = sum_c W[row, c] * x[o, c] for up to MAXOUT
// outputs, NR rows per workgroup of WG invocations, GLU as there), laid out for the type: an invocation takes one
// sixteenth of a 256-value super-block, the 8 bytes of nibbles that hold 8 values of sub-block 2c (low nibbles) and 8
// of sub-block 2c + 1 (high nibbles), read as one 8-byte load beside one 16-byte load of the block's d, dmin and
// scales: two weight loads a task, all issued before any math (the group-per-invocation kernel made ~14 narrow
// loads per 32 values). Rows must start 16-byte aligned (rowBytes = 144 x blocks: always). The host defines WG, NR,
// MAXOUT, SUBGROUPS and GLU.
#if SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
layout(local_size_x = WG) in;
layout(std430, binding = 0) readonly buffer W2b { uvec2 W2[]; };
layout(std430, binding = 0) readonly buffer W4b { uvec4 W4[]; };
layout(std430, binding = 1) readonly buffer X { vec4 x4[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
#if GLU
layout(std430, binding = 3) readonly buffer Up { vec4 up4[]; };
vec4 xAt(uint i) {
    vec4 g = x4[i];
    return g / (1.0 + exp(-g)) * up4[i];
}
#else
vec4 xAt(uint i) { return x4[i]; }
#endif
layout(push_constant) uniform P { uint rows; uint cols; uint numOut; uint rowBytes; } p;

#include "matvec_reduce.glsl"

uint scaleByte(uvec3 s, uint i) { return (s[i >> 2] >> ((i & 3u) << 3)) & 0xFFu; }

// 6-bit scale (x) and min (y) of sub-block j from the 12 scale bytes (llama.cpp get_scale_min_k4), without a branch
vec2 scaleMin(uvec3 s, uint j) {
    uint lo = j & 3u;
    vec2 low = vec2(scaleByte(s, lo) & 63u, scaleByte(s, lo + 4u) & 63u);
    uint b8 = scaleByte(s, lo + 8u);
    vec2 high = vec2((b8 & 0xFu) | ((scaleByte(s, lo) >> 6) << 4), (b8 >> 4) | ((scaleByte(s, lo + 4u) >> 6) << 4));
    return j < 4u ? low : high;
}

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint firstRow = (gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x) * NR;
    uint firstOut = gl_WorkGroupID.y * MAXOUT;
    uint outs = min(uint(MAXOUT), p.numOut - firstOut);
    uint tasks = (p.cols / 256u) * 16u;
    uint xRow = p.cols / 4u;
    float acc[NR * MAXOUT];
    for (uint i = 0u; i < NR * MAXOUT; i++) { acc[i] = 0.0; }
    for (uint t = tid; t < tasks; t += WG) {
        uint sb = t >> 4;
        uint c = (t >> 2) & 3u;
        uint b0 = (t & 3u) * 8u;
        vec4 lo[NR * 2];
        vec4 hi[NR * 2];
        vec4 coef[NR];  // d * scale and dmin * min of sub-blocks 2c and 2c + 1
        for (uint r = 0u; r < NR; r++) {
            uint row = min(firstRow + r, p.rows - 1u);  // rows past the end compute a copy of the last, never stored
            uint base = row * p.rowBytes + sb * 144u;
            uvec4 h = W4[base >> 4];
            uvec2 q = W2[(base + 16u + 32u * c + b0) >> 3];
            vec2 dm = unpackHalf2x16(h.x);
            vec2 s0 = scaleMin(h.yzw, 2u * c);
            vec2 s1 = scaleMin(h.yzw, 2u * c + 1u);
            coef[r] = vec4(dm.x * s0.x, dm.y * s0.y, dm.x * s1.x, dm.y * s1.y);
            lo[2u * r] = vec4((uvec4(q.x) >> uvec4(0u, 8u, 16u, 24u)) & 0xFu);
            lo[2u * r + 1u] = vec4((uvec4(q.y) >> uvec4(0u, 8u, 16u, 24u)) & 0xFu);
            hi[2u * r] = vec4((uvec4(q.x) >> uvec4(4u, 12u, 20u, 28u)) & 0xFu);
            hi[2u * r + 1u] = vec4((uvec4(q.y) >> uvec4(4u, 12u, 20u, 28u)) & 0xFu);
        }
        uint xq = (sb * 256u + 64u * c + b0) >> 2;  // the low values' first vec4; the high ones 8 vec4s on
        for (uint o = 0u; o < MAXOUT; o++) {
            if (o < outs) {
                uint xo = (firstOut + o) * xRow + xq;
                vec4 xl0 = xAt(xo);
                vec4 xl1 = xAt(xo + 1u);
                vec4 xh0 = xAt(xo + 8u);
                vec4 xh1 = xAt(xo + 9u);
                float sl = dot(xl0 + xl1, vec4(1.0));
                float sh = dot(xh0 + xh1, vec4(1.0));
                for (uint r = 0u; r < NR; r++) {
                    vec4 k = coef[r];
                    acc[r * MAXOUT + o] += k.x * (dot(lo[2u * r], xl0) + dot(lo[2u * r + 1u], xl1)) - k.y * sl
                            + k.z * (dot(hi[2u * r], xh0) + dot(hi[2u * r + 1u], xh1)) - k.w * sh;
                }
            }
        }
    }
    reduceAndStore(acc, tid, firstRow, firstOut, outs);
}
