#version 450
// The decode product of Q4_K weights (matvec.comp's contract: y[o, row] = sum_c W[row, c] * x[o, c] for up to MAXOUT
// outputs, NR rows per workgroup of WG invocations, input and output as matvec_io.glsl says), with an eighth of a
// 256-value super-block per task: 16 bytes of nibbles (one load) holding 16 values of sub-block 2c (low nibbles) and
// the same 16 of sub-block 2c + 1 (high nibbles), beside one 16-byte load of the block's d, dmin and scales. Against
// matvec_q4k.comp (8 bytes a task) this halves the scale decoding and the loads per value, and a nibble becomes a
// float in one masked byte conversion, four at a time: the kernel spends about a third of the instructions a value.
// Rows start 16-byte aligned (rowBytes = 144 x blocks). The host defines WG, NR, MAXOUT, SUBGROUPS, UNROLL and
// matvec_io.glsl's defines.
#extension GL_EXT_control_flow_attributes : require
#if SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
layout(local_size_x = WG) in;
layout(std430, binding = 0) readonly buffer W4b { uvec4 W4[]; };
#include "matvec_io.glsl"

#include "matvec_reduce.glsl"

// The scales (bytes 0, 1) and mins (bytes 2, 3) of sub-blocks 2c and 2c + 1 from the 12 scale bytes s, as llama.cpp's
// get_scale_min_k4 unpacks them, two sub-blocks per word operation.
uint scalesAndMins(uvec3 s, uint c) {
    uint shift = 16u * (c & 1u);
    uint a = s.x >> shift;
    uint b = s.y >> shift;
    uint e = s.z >> shift;
    uint low = (a & 0x3F3Fu) | ((b & 0x3F3Fu) << 16);
    uint high = (e & 0x0F0Fu) | ((a >> 2) & 0x3030u) | ((((e >> 4) & 0x0F0Fu) | ((b >> 2) & 0x3030u)) << 16);
    return c < 2u ? low : high;
}

// the four bytes of w as floats
vec4 bytes(uint w) {
    return vec4(uvec4(w & 0xFFu, (w >> 8) & 0xFFu, (w >> 16) & 0xFFu, w >> 24));
}

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
        // the loads of UNROLL tasks first (all in flight together: one round trip to memory, not UNROLL), then the math
        uvec4 h[UNROLL * NR];
        uvec4 q[UNROLL * NR];
        [[unroll]] for (uint u = 0u; u < UNROLL; u++) {
            uint t = min(t0 + u * WG, tasks - 1u);  // past the end: a copy of the last task, its sums not added
            uint sb = t >> 3;
            [[unroll]] for (uint r = 0u; r < NR; r++) {
                uint row = min(firstRow + r, p.rows - 1u);  // rows past the end compute a copy of the last, never stored
                uint base = (row * p.rowBytes + sb * 144u) >> 4;
                h[u * NR + r] = W4[base];
                q[u * NR + r] = W4[base + 1u + (t & 7u)];
            }
        }
        [[unroll]] for (uint u = 0u; u < UNROLL; u++) {
            uint t = t0 + u * WG;
            if (t < tasks) {
                uint sb = t >> 3;
                uint c = (t >> 1) & 3u;
                uint xq = (sb * 256u + 64u * c + 16u * (t & 1u)) >> 2;  // the low values' first vec4; high: 8 on
                [[unroll]] for (uint o = 0u; o < MAXOUT; o++) {
                    if (o < outs) {
                        vec4 xl[4];
                        vec4 xh[4];
                        [[unroll]] for (uint i = 0u; i < 4u; i++) {
                            xl[i] = inputAt(o, xq + i);
                            xh[i] = inputAt(o, xq + 8u + i);
                        }
                        float sl = dot((xl[0] + xl[1]) + (xl[2] + xl[3]), vec4(1.0));
                        float sh = dot((xh[0] + xh[1]) + (xh[2] + xh[3]), vec4(1.0));
                        [[unroll]] for (uint r = 0u; r < NR; r++) {
                            uvec4 hh = h[u * NR + r];
                            uvec4 qq = q[u * NR + r];
                            vec2 dm = unpackHalf2x16(hh.x);
                            vec4 sm = bytes(scalesAndMins(hh.yzw, c));  // scale 2c, scale 2c + 1, min 2c, min 2c + 1
                            float dl = 0.0;
                            float dh = 0.0;
                            [[unroll]] for (uint i = 0u; i < 4u; i++) {
                                dl += dot(bytes(qq[i] & 0x0F0F0F0Fu), xl[i]);
                                dh += dot(bytes((qq[i] >> 4) & 0x0F0F0F0Fu), xh[i]);
                            }
                            acc[r * MAXOUT + o] += dm.x * (sm.x * dl + sm.y * dh) - dm.y * (sm.z * sl + sm.w * sh);
                        }
                    }
                }
            }
        }
    }
    reduceAndStore(acc, tid, firstRow, firstOut, outs);
}
