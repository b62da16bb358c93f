#version 450
// The decode product of Q6_K weights over 8-bit activations (quantize_q8.comp's runs of 32 signed bytes and a scale
// d), with matvec_q6k.comp's layout of the work and of the loads: an invocation takes the 8 positions l0..l0+7 of
// one 128-value half of a super-block, 32 values in 4 runs of 8 (each inside one 16-value scale and one activation
// run). Each word of four 6-bit values (0..63) is one packed 4 x 8-bit dot with four activation bytes, and the -32 of
// each value one more with ones, shared by the rows: scale * d * (dot(q, x) - 32 * sum(x)). Bindings as
// matvec_q4k_q8.comp's. The host defines WG, NR, MAXOUT, SUBGROUPS, BIAS, RESID and the run tail's
// RMSP, QOUT, GLUOUT and ARRIVALS (GLU and NORM 0).
#extension GL_EXT_control_flow_attributes : require
#extension GL_EXT_spirv_intrinsics : require
#if SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
layout(local_size_x = WG) in;
layout(std430, binding = 0) readonly buffer W1b { uint W1[]; };
layout(std430, binding = 0) readonly buffer W2b { uvec2 W2[]; };
layout(std430, binding = 1) readonly buffer Xq { uvec2 xq[]; };
layout(std430, binding = 3) readonly buffer Xd { vec4 xd[]; };
#include "matvec_io.glsl"

#include "matvec_reduce.glsl"
#if QOUT || GLUOUT
#include "matvec_tail.glsl"
#endif

#include "dot4.glsl"

#include "q6k_span.glsl"


void main() {
    uint tid = gl_LocalInvocationID.x;
    uint firstRow = (gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x) * NR;
    uint firstOut = gl_WorkGroupID.y * MAXOUT;
    uint outs = min(uint(MAXOUT), p.numOut - firstOut);
    inputBegin(firstOut);
    uint tasks = (p.cols / 256u) * 8u;
    float acc[NR * MAXOUT];
    [[unroll]] for (uint i = 0u; i < NR * MAXOUT; i++) { acc[i] = 0.0; }
    for (uint t = tid; t < tasks; t += WG) {
        uint sb = t >> 3;
        uint h = (t >> 2) & 1u;
        uint l0 = (t & 3u) * 8u;
        // loads first: per row, 8-aligned pairs below ql[64h + l0], ql[64h + l0 + 32], qh[32h + l0] and the
        // scales[8h..8h + 7], then the word of d
        uvec2 raw[NR * 8];
        uint dw[NR];
        uint shift[NR];
        [[unroll]] for (uint r = 0u; r < NR; r++) {
            uint row = min(firstRow + r, p.rows - 1u);  // rows past the end compute a copy of the last, never stored
            uint base = row * p.rowBytes + sb * 210u;
            uint lo = (base + 64u * h + l0) >> 3;
            uint qh = (base + 128u + 32u * h + l0) >> 3;
            uint sc = (base + 192u + 8u * h) >> 3;
            raw[8u * r] = W2[lo];
            raw[8u * r + 1u] = W2[lo + 1u];
            raw[8u * r + 2u] = W2[lo + 4u];
            raw[8u * r + 3u] = W2[lo + 5u];
            raw[8u * r + 4u] = W2[qh];
            raw[8u * r + 5u] = W2[qh + 1u];
            raw[8u * r + 6u] = W2[sc];
            raw[8u * r + 7u] = W2[sc + 1u];
            dw[r] = W1[(base + 208u) >> 2];
            shift[r] = base & 7u;  // the same for every span: 64h + l0, 128, 192 + 8h and 208 are multiples of 8
        }
        uint q[NR * 8];   // per row, run g's two words of values l0 + 32g + (0..3, 4..7) at 2g, 2g + 1
        vec4 coef[NR];    // d * the scales of the four runs
        [[unroll]] for (uint r = 0u; r < NR; r++) {
            uint s = shift[r];
            uvec2 ql = span(raw[8u * r], raw[8u * r + 1u], s);
            uvec2 qm = span(raw[8u * r + 2u], raw[8u * r + 3u], s);
            uvec2 hb = span(raw[8u * r + 4u], raw[8u * r + 5u], s);
            uvec2 sw = span(raw[8u * r + 6u], raw[8u * r + 7u], s) >> ((l0 >> 4) << 3);  // scale 8h + l0 / 16 + 2g
            ivec4 sc = ivec4(uvec4(sw.x << 24, sw.x << 8, sw.y << 24, sw.y << 8)) >> 24;
            float d = unpackHalf2x16((s & 2u) != 0u ? dw[r] >> 16 : dw[r]).x;
            coef[r] = d * vec4(sc);
            [[unroll]] for (uint k = 0u; k < 2u; k++) {  // 6-bit values, four to a word: low nibbles | high pair << 4
                uint lw = ql[k];
                uint mw = qm[k];
                uint hw = hb[k];
                q[8u * r + k] = (lw & 0x0F0F0F0Fu) | ((hw << 4) & 0x30303030u);
                q[8u * r + 2u + k] = (mw & 0x0F0F0F0Fu) | ((hw << 2) & 0x30303030u);
                q[8u * r + 4u + k] = ((lw >> 4) & 0x0F0F0F0Fu) | (hw & 0x30303030u);
                q[8u * r + 6u + k] = ((mw >> 4) & 0x0F0F0F0Fu) | ((hw >> 2) & 0x30303030u);
            }
        }
        uint x8 = (sb * 256u + 128u * h + l0) >> 3;  // run g's 8 bytes at x8 + 4g
        [[unroll]] for (uint o = 0u; o < MAXOUT; o++) {
            if (o < outs) {
                uint row = inputFirstOut + o;
                uvec2 xv[4];
                [[unroll]] for (uint g = 0u; g < 4u; g++) { xv[g] = xq[row * (p.cols >> 3) + x8 + 4u * g]; }
                vec4 dx = xd[(row * (p.cols >> 5) + sb * 8u + 4u * h) >> 2];  // the scales of runs 0..3
                ivec4 sums = 32 * ivec4(dot4(0x01010101u, xv[0].x) + dot4(0x01010101u, xv[0].y),
                        dot4(0x01010101u, xv[1].x) + dot4(0x01010101u, xv[1].y),
                        dot4(0x01010101u, xv[2].x) + dot4(0x01010101u, xv[2].y),
                        dot4(0x01010101u, xv[3].x) + dot4(0x01010101u, xv[3].y));
                [[unroll]] for (uint r = 0u; r < NR; r++) {
                    ivec4 dots = ivec4(dot4(q[8u * r], xv[0].x) + dot4(q[8u * r + 1u], xv[0].y),
                            dot4(q[8u * r + 2u], xv[1].x) + dot4(q[8u * r + 3u], xv[1].y),
                            dot4(q[8u * r + 4u], xv[2].x) + dot4(q[8u * r + 5u], xv[2].y),
                            dot4(q[8u * r + 6u], xv[3].x) + dot4(q[8u * r + 7u], xv[3].y));
                    acc[r * MAXOUT + o] += dot(coef[r] * dx, vec4(dots - sums));
                }
            }
        }
    }
    reduceAndStore(acc, tid, firstRow, firstOut, outs);
#if QOUT || GLUOUT
    runTail(firstRow, firstOut, outs);
#endif
}
