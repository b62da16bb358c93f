#version 450
// The decode product of Q8_0 weights (matvec.comp's contract: y[o, row] = sum_c W[row, c] * x[o, c] for up to MAXOUT
// outputs, NR rows per workgroup of WG invocations, input and output as matvec_io.glsl says), laid out for the type: an
// invocation takes one whole 34-byte block (f16 d, then 32 signed bytes), so consecutive invocations read consecutive
// blocks. Blocks are only 2-byte aligned: a block is read as the three 16-byte loads from the 16-aligned address below
// it (bytes s .. s + 33 of the 48, s even) and shifted into place by two word selects and a 16-bit funnel, as in
// matvec_q4_0.comp (matvec.comp reads Q8_0 a half and eight unaligned words per block). Each invocation issues the
// loads of UNROLL blocks before their math. A block's reads end at the next multiple of 16 past it (up to 14 bytes on:
// GpuTensor pads its buffers to 16). The host defines WG, NR, MAXOUT, SUBGROUPS, UNROLL and matvec_io.glsl's defines.
#extension GL_EXT_control_flow_attributes : require
#if SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
layout(local_size_x = WG) in;
layout(std430, binding = 0) readonly buffer W4b { uvec4 W4[]; };
#include "matvec_io.glsl"

#include "matvec_reduce.glsl"

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
        uvec4 raw[UNROLL * NR * 3];
        [[unroll]] for (uint u = 0u; u < UNROLL; u++) {
            uint t = min(t0 + u * WG, tasks - 1u);  // past the end: a copy of the last task, its sums not added
            [[unroll]] for (uint r = 0u; r < NR; r++) {
                uint row = min(firstRow + r, p.rows - 1u);  // rows past the end compute a copy of the last, never stored
                uint at = (row * p.rowBytes + t * 34u) >> 4;
                [[unroll]] for (uint i = 0u; i < 3u; i++) { raw[3u * (u * NR + r) + i] = W4[at + i]; }
            }
        }
        [[unroll]] for (uint u = 0u; u < UNROLL; u++) {
            uint t = t0 + u * WG;
            if (t < tasks) {
                vec4 q[NR * 8];  // per row, values 0..3, 4..7, ..., 28..31
                float d[NR];
                [[unroll]] for (uint r = 0u; r < NR; r++) {
                    uint row = min(firstRow + r, p.rows - 1u);
                    uint s = (row * p.rowBytes + t * 34u) & 15u;  // the block's first byte in the 48 loaded
                    uint w[12];
                    [[unroll]] for (uint i = 0u; i < 3u; i++) {
                        uvec4 l = raw[3u * (u * NR + r) + i];
                        w[4u * i] = l.x;
                        w[4u * i + 1u] = l.y;
                        w[4u * i + 2u] = l.z;
                        w[4u * i + 3u] = l.w;
                    }
                    // the words from byte (s & 12) on: first 8 bytes on or not, then 4
                    bool by8 = (s & 8u) != 0u;
                    bool by4 = (s & 4u) != 0u;
                    uint c[10];
                    [[unroll]] for (uint i = 0u; i < 10u; i++) { c[i] = by8 ? w[i + 2u] : w[i]; }
                    uint v[9];
                    [[unroll]] for (uint i = 0u; i < 9u; i++) { v[i] = by4 ? c[i + 1u] : c[i]; }
                    // d in the low or high half of v[0]; the 32 quant bytes from 2 bytes on: a funnel or whole words
                    bool odd = (s & 2u) != 0u;
                    d[r] = unpackHalf2x16(odd ? v[0] >> 16 : v[0]).x;
                    [[unroll]] for (uint k = 0u; k < 8u; k++) {
                        uint qw = odd ? v[k + 1u] : (v[k] >> 16) | (v[k + 1u] << 16);
                        q[8u * r + k] = vec4(ivec4(uvec4(qw) << uvec4(24u, 16u, 8u, 0u)) >> 24);
                    }
                }
                [[unroll]] for (uint o = 0u; o < MAXOUT; o++) {
                    if (o < outs) {
                        vec4 xv[8];
                        [[unroll]] for (uint i = 0u; i < 8u; i++) { xv[i] = inputAt(o, t * 8u + i); }
                        [[unroll]] for (uint r = 0u; r < NR; r++) {
                            float dq = 0.0;
                            [[unroll]] for (uint i = 0u; i < 8u; i++) { dq += dot(q[8u * r + i], xv[i]); }
                            acc[r * MAXOUT + o] += d[r] * dq;
                        }
                    }
                }
            }
        }
    }
    reduceAndStore(acc, tid, firstRow, firstOut, outs);
}
