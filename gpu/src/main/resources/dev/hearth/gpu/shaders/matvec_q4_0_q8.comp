#version 450
// The decode product of Q4_0 weights over 8-bit activations (quantize_q8.comp's runs of 32 signed bytes and a scale d,
// one run a block), with matvec_q4_0.comp's layout of the work and of the loads (an invocation a whole 18-byte block,
// read as two 16-byte loads shifted into place): each word of four nibbles one packed 4 x 8-bit dot with four
// activation bytes, and the -8 of each value one more with ones, shared by the rows: d * dx * (dot(q, x) - 8 * sum(x)).
// Bindings as matvec_q4k_q8.comp's. The host defines WG, NR, MAXOUT, SUBGROUPS, UNROLL, BIAS, RESID and
// the run tail's RMSP, QOUT, GLUOUT and ARRIVALS (GLU and NORM 0).
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

#include "q4_0_block.glsl"

#include "dot4.glsl"

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint firstRow = (gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x) * NR;
    uint firstOut = gl_WorkGroupID.y * MAXOUT;
    uint outs = min(uint(MAXOUT), p.numOut - firstOut);
    inputBegin(firstOut);
    uint tasks = p.cols / 32u;  // blocks per row
    float acc[NR * MAXOUT];
    [[unroll]] for (uint i = 0u; i < NR * MAXOUT; i++) { acc[i] = 0.0; }
    for (uint t0 = tid; t0 < tasks; t0 += WG * UNROLL) {
        // the loads of UNROLL tasks first (all in flight together), then the math
        uvec4 lo[UNROLL * NR];
        uvec4 hi[UNROLL * NR];
        [[unroll]] for (uint u = 0u; u < UNROLL; u++) {
            uint t = min(t0 + u * WG, tasks - 1u);  // past the end: a copy of the last task, its sums not added
            [[unroll]] for (uint r = 0u; r < NR; r++) {
                uint row = min(firstRow + r, p.rows - 1u);  // rows past the end compute a copy of the last, never stored
                uint at = (row * p.rowBytes + t * 18u) >> 4;
                lo[u * NR + r] = W4[at];
                hi[u * NR + r] = W4[at + 1u];
            }
        }
        [[unroll]] for (uint u = 0u; u < UNROLL; u++) {
            uint t = t0 + u * WG;
            if (t < tasks) {
                uvec4 qw[NR * 2];  // per row, the low and the high nibbles
                float d[NR];
                [[unroll]] for (uint r = 0u; r < NR; r++) {
                    uint row = min(firstRow + r, p.rows - 1u);
                    uint s = (row * p.rowBytes + t * 18u) & 15u;  // the block's first byte in the 32 loaded
                    uvec4 qs = q4_0Block(lo[u * NR + r], hi[u * NR + r], s, d[r]);
                    qw[2u * r] = qs & 0x0F0F0F0Fu;          // values 0..15, four to a word
                    qw[2u * r + 1u] = (qs >> 4) & 0x0F0F0F0Fu;  // values 16..31
                }
                [[unroll]] for (uint o = 0u; o < MAXOUT; o++) {
                    if (o < outs) {
                        uint row = inputFirstOut + o;
                        uvec4 x0 = xq[row * (p.cols >> 4) + 2u * t];
                        uvec4 x1 = xq[row * (p.cols >> 4) + 2u * t + 1u];
                        float dx = xd[row * (p.cols >> 5) + t];
                        int sum = 0;
                        [[unroll]] for (uint k = 0u; k < 4u; k++) {
                            sum += dot4(0x01010101u, x0[k]) + dot4(0x01010101u, x1[k]);
                        }
                        [[unroll]] for (uint r = 0u; r < NR; r++) {
                            int dq = 0;
                            [[unroll]] for (uint k = 0u; k < 4u; k++) {
                                dq += dot4(qw[2u * r][k], x0[k]) + dot4(qw[2u * r + 1u][k], x1[k]);
                            }
                            acc[r * MAXOUT + o] += d[r] * dx * float(dq - 8 * sum);
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
