#version 450
// The decode product of Q5_K weights (matvec.comp's contract: y[o, row] = sum_c W[row, c] * x[o, c] for up to MAXOUT
// outputs, NR rows per workgroup of WG invocations, input and output as matvec_io.glsl says), laid out as
// matvec_q4k.comp: an invocation takes one sixteenth of a 256-value super-block (176 bytes: d, dmin, 12 scale bytes, 32
// bytes qh of fifth bits, 128 of nibbles), the 8 bytes of nibbles that hold 8 values of sub-block 2c (low nibbles) and
// 8 of sub-block 2c + 1 (high nibbles), read as one 8-byte load, beside the 8 qh bytes of the same values (bits 2c and
// 2c + 1: the fifth bits) as another and one 16-byte load of the block's d, dmin and scales: three weight loads a task,
// all issued before any math. Rows must start 16-byte aligned (rowBytes = 176 x blocks: always). Each invocation issues
// the loads of UNROLL tasks before their math, so that many loads are in flight. The host defines WG, NR, MAXOUT,
// SUBGROUPS, UNROLL and matvec_io.glsl's defines.
#extension GL_EXT_control_flow_attributes : require
#if SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
layout(local_size_x = WG) in;
layout(std430, binding = 0) readonly buffer W2b { uvec2 W2[]; };
layout(std430, binding = 0) readonly buffer W4b { uvec4 W4[]; };
#include "matvec_io.glsl"

#include "matvec_reduce.glsl"

#include "q4k_scales.glsl"

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint firstRow = (gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x) * NR;
    uint firstOut = gl_WorkGroupID.y * MAXOUT;
    uint outs = min(uint(MAXOUT), p.numOut - firstOut);
    inputBegin(firstOut);
    uint tasks = (p.cols / 256u) * 16u;
    float acc[NR * MAXOUT];
    [[unroll]] for (uint i = 0u; i < NR * MAXOUT; i++) { acc[i] = 0.0; }
    for (uint t0 = tid; t0 < tasks; t0 += WG * UNROLL) {
        // the loads of UNROLL tasks first (all in flight together: one round trip to memory, not UNROLL), then the math
        uvec4 h[UNROLL * NR];
        uvec2 q[UNROLL * NR];
        uvec2 qh[UNROLL * NR];
        [[unroll]] for (uint u = 0u; u < UNROLL; u++) {
            uint t = min(t0 + u * WG, tasks - 1u);  // past the end: a copy of the last task, its sums not added
            uint sb = t >> 4;
            uint b0 = (t & 3u) * 8u;
            uint off = 48u + 32u * ((t >> 2) & 3u) + b0;
            [[unroll]] for (uint r = 0u; r < NR; r++) {
                uint row = min(firstRow + r, p.rows - 1u);  // rows past the end compute a copy of the last, never stored
                uint base = row * p.rowBytes + sb * 176u;
                h[u * NR + r] = W4[base >> 4];
                q[u * NR + r] = W2[(base + off) >> 3];
                qh[u * NR + r] = W2[(base + 16u + b0) >> 3];
            }
        }
        [[unroll]] for (uint u = 0u; u < UNROLL; u++) {
            uint t = t0 + u * WG;
            if (t < tasks) {
                uint sb = t >> 4;
                uint c = (t >> 2) & 3u;
                uint b0 = (t & 3u) * 8u;
                uint xq = (sb * 256u + 64u * c + b0) >> 2;  // the low values' first vec4; the high ones 8 vec4s on
                [[unroll]] for (uint o = 0u; o < MAXOUT; o++) {
                    if (o < outs) {
                        vec4 xl0 = inputAt(o, xq);
                        vec4 xl1 = inputAt(o, xq + 1u);
                        vec4 xh0 = inputAt(o, xq + 8u);
                        vec4 xh1 = inputAt(o, xq + 9u);
                        float sl = dot(xl0 + xl1, vec4(1.0));
                        float sh = dot(xh0 + xh1, vec4(1.0));
                        [[unroll]] for (uint r = 0u; r < NR; r++) {
                            uvec4 hh = h[u * NR + r];
                            uvec2 qq = q[u * NR + r];
                            uvec2 hq = qh[u * NR + r] >> (2u * c);  // bit 0 of each byte: the low values' fifth bit
                            vec2 dm = unpackHalf2x16(hh.x);
                            vec2 s0 = scaleMin(hh.yzw, 2u * c);
                            vec2 s1 = scaleMin(hh.yzw, 2u * c + 1u);
                            uvec4 bytes = uvec4(0u, 8u, 16u, 24u);
                            vec4 lo0 = vec4(((uvec4(qq.x) >> bytes) & 0xFu) | (((uvec4(hq.x) >> bytes) & 1u) << 4));
                            vec4 lo1 = vec4(((uvec4(qq.y) >> bytes) & 0xFu) | (((uvec4(hq.y) >> bytes) & 1u) << 4));
                            vec4 hi0 = vec4(((uvec4(qq.x) >> (bytes + 4u)) & 0xFu)
                                    | (((uvec4(hq.x) >> (bytes + 1u)) & 1u) << 4));
                            vec4 hi1 = vec4(((uvec4(qq.y) >> (bytes + 4u)) & 0xFu)
                                    | (((uvec4(hq.y) >> (bytes + 1u)) & 1u) << 4));
                            acc[r * MAXOUT + o] += dm.x * s0.x * (dot(lo0, xl0) + dot(lo1, xl1)) - dm.y * s0.y * sl
                                    + dm.x * s1.x * (dot(hi0, xh0) + dot(hi1, xh1)) - dm.y * s1.y * sh;
                        }
                    }
                }
            }
        }
    }
    reduceAndStore(acc, tid, firstRow, firstOut, outs);
}
