#version 450
// The decode product of Q4_0 weights (matvec.comp's contract: y[o, row] = sum_c W[row, c] * x[o, c] for up to MAXOUT
// outputs, NR rows per workgroup of WG invocations, input and output as matvec_io.glsl says), laid out for the type: an
// invocation takes one whole 18-byte block (f16 d, then 16 bytes whose low nibbles hold values 0..15 and high nibbles
// 16..31), so consecutive invocations read consecutive blocks. Blocks are only 2-byte aligned: a block is read as the
// two 16-byte loads from the 16-aligned address below it (bytes s .. s + 17 of the 32, s even) and shifted into place
// by two word selects and a 16-bit funnel (matvec.comp reads Q4_0 a half and four unaligned words per block). Each
// invocation issues the loads of UNROLL blocks before their math. The -8 of each value is folded into the sum: d *
// (dot(q, x) - 8 * sum(x)). A block's reads end at the next multiple of 16 past it (up to 14 bytes on: GpuTensor pads
// its buffers to 16). The host defines WG, NR, MAXOUT, SUBGROUPS, UNROLL and matvec_io.glsl's defines.
#extension GL_EXT_control_flow_attributes : require
#if SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
layout(local_size_x = WG) in;
layout(std430, binding = 0) readonly buffer W4b { uvec4 W4[]; };
#include "matvec_io.glsl"

#include "matvec_reduce.glsl"

#include "q4_0_block.glsl"

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
                vec4 q[NR * 8];  // per row, values 0..3, 4..7, ..., 28..31
                float d[NR];
                [[unroll]] for (uint r = 0u; r < NR; r++) {
                    uint row = min(firstRow + r, p.rows - 1u);
                    uint s = (row * p.rowBytes + t * 18u) & 15u;  // the block's first byte in the 32 loaded
                    uvec4 qs = q4_0Block(lo[u * NR + r], hi[u * NR + r], s, d[r]);
                    [[unroll]] for (uint k = 0u; k < 4u; k++) {
                        q[8u * r + k] = vec4((uvec4(qs[k]) >> uvec4(0u, 8u, 16u, 24u)) & 0xFu);
                        q[8u * r + 4u + k] = vec4((uvec4(qs[k]) >> uvec4(4u, 12u, 20u, 28u)) & 0xFu);
                    }
                }
                [[unroll]] for (uint o = 0u; o < MAXOUT; o++) {
                    if (o < outs) {
                        vec4 xv[8];
                        [[unroll]] for (uint i = 0u; i < 8u; i++) { xv[i] = inputAt(o, t * 8u + i); }
                        float sum = 8.0 * dot((xv[0] + xv[1]) + (xv[2] + xv[3]) + (xv[4] + xv[5]) + (xv[6] + xv[7]),
                                vec4(1.0));
                        [[unroll]] for (uint r = 0u; r < NR; r++) {
                            float dq = 0.0;
                            [[unroll]] for (uint i = 0u; i < 8u; i++) { dq += dot(q[8u * r + i], xv[i]); }
                            acc[r * MAXOUT + o] += d[r] * (dq - sum);
                        }
                    }
                }
            }
        }
    }
    reduceAndStore(acc, tid, firstRow, firstOut, outs);
}
