#version 450
// The decode product of Q4_K weights over 8-bit activations (quantize_q8.comp's runs of 32 signed bytes and a scale
// d): y[o, row] = sum_c W[row, c] * x[o, c] for up to MAXOUT outputs, NR rows per workgroup of WG invocations, as
// matvec_q4k.comp, whose layout of the work it keeps with tasks twice as wide: an invocation takes a 16-byte span of a
// super-block's nibbles, 16 values of sub-block 2c (low nibbles) and 16 of 2c + 1 (high), beside the block's 16 bytes
// of d, dmin and scales. Each word of four nibbles is one packed 4 x 8-bit dot with four activation bytes (the
// float kernel converts and multiplies each value), and the sub-block's min term takes the sum of those bytes, one
// more dot with ones: about 2 instructions a value against 8, and 16 bytes of input read for 16 values against 64.
// The weights' 32-value sub-blocks are the activations' runs. Bindings: W (0), the activation words (1), y (2), their
// scales (3), a bias (5) as matvec_io.glsl's BIAS; RESID and RMSP as there; QOUT or GLUOUT end in matvec_tail.glsl's
// run tail (bindings 6 to 11). The host defines WG, NR, MAXOUT, SUBGROUPS, UNROLL, BIAS, RESID, RMSP, QOUT, GLUOUT and
// ARRIVALS (GLU and NORM 0: quantize_q8.comp or a run tail applied them).
#extension GL_EXT_control_flow_attributes : require
#extension GL_EXT_spirv_intrinsics : require
#if SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
layout(local_size_x = WG) in;
layout(std430, binding = 0) readonly buffer W4b { uvec4 W4[]; };
layout(std430, binding = 1) readonly buffer Xq { uvec4 xq[]; };
layout(std430, binding = 3) readonly buffer Xd { float xd[]; };
#include "matvec_io.glsl"

#include "matvec_reduce.glsl"
#if QOUT || GLUOUT
#include "matvec_tail.glsl"
#endif

#include "dot4.glsl"

#include "q4k_scales.glsl"


void main() {
    uint tid = gl_LocalInvocationID.x;
    uint firstRow = (gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x) * NR;
    uint firstOut = gl_WorkGroupID.y * MAXOUT;
    uint outs = min(uint(MAXOUT), p.numOut - firstOut);
    inputBegin(firstOut);
    uint tasks = (p.cols / 256u) * 8u;
    float acc[NR * MAXOUT];
    [[unroll]] for (uint i = 0u; i < NR * MAXOUT; i++) { acc[i] = 0.0; }
    for (uint t0 = tid; t0 < tasks; t0 += WG * UNROLL) {
        // the loads of UNROLL tasks first (all in flight together), then the math
        uvec4 h[UNROLL * NR];
        uvec4 q[UNROLL * NR];
        [[unroll]] for (uint u = 0u; u < UNROLL; u++) {
            uint t = min(t0 + u * WG, tasks - 1u);  // past the end: a copy of the last task, its sums not added
            [[unroll]] for (uint r = 0u; r < NR; r++) {
                uint row = min(firstRow + r, p.rows - 1u);  // rows past the end compute a copy of the last, never stored
                uint base = (row * p.rowBytes + (t >> 3) * 144u) >> 4;
                h[u * NR + r] = W4[base];
                q[u * NR + r] = W4[base + 1u + (t & 7u)];
            }
        }
        [[unroll]] for (uint u = 0u; u < UNROLL; u++) {
            uint t = t0 + u * WG;
            if (t < tasks) {
                uint sb = t >> 3;
                uint c = (t >> 1) & 3u;
                uint run = sb * 8u + 2u * c;  // the low values' run; the high ones' is the next
                uint x16 = sb * 16u + 4u * c + (t & 1u);  // the low values' 16 bytes; the high ones' 2 on
                [[unroll]] for (uint o = 0u; o < MAXOUT; o++) {
                    if (o < outs) {
                        uint row = inputFirstOut + o;
                        uvec4 xl = xq[row * (p.cols >> 4) + x16];
                        uvec4 xh = xq[row * (p.cols >> 4) + x16 + 2u];
                        float dl = xd[row * (p.cols >> 5) + run];
                        float dh = xd[row * (p.cols >> 5) + run + 1u];
                        int sumL = dot4(0x01010101u, xl.x) + dot4(0x01010101u, xl.y) + dot4(0x01010101u, xl.z)
                                + dot4(0x01010101u, xl.w);
                        int sumH = dot4(0x01010101u, xh.x) + dot4(0x01010101u, xh.y) + dot4(0x01010101u, xh.z)
                                + dot4(0x01010101u, xh.w);
                        [[unroll]] for (uint r = 0u; r < NR; r++) {
                            uvec4 hh = h[u * NR + r];
                            uvec4 qq = q[u * NR + r];
                            int lo = 0;
                            int hi = 0;
                            [[unroll]] for (uint i = 0u; i < 4u; i++) {
                                lo += dot4(qq[i] & 0x0F0F0F0Fu, xl[i]);
                                hi += dot4((qq[i] >> 4) & 0x0F0F0F0Fu, xh[i]);
                            }
                            vec2 dm = unpackHalf2x16(hh.x);
                            vec2 s0 = scaleMin(hh.yzw, 2u * c);
                            vec2 s1 = scaleMin(hh.yzw, 2u * c + 1u);
                            acc[r * MAXOUT + o] += dl * (dm.x * s0.x * float(lo) - dm.y * s0.y * float(sumL))
                                    + dh * (dm.x * s1.x * float(hi) - dm.y * s1.y * float(sumH));
                        }
                    }
                }
            }
        }
    }
    reduceAndStore(acc, tid, firstRow, firstOut, outs);
#if QOUT || GLUOUT
    runTail(firstRow, firstOut, outs);
#endif
}
