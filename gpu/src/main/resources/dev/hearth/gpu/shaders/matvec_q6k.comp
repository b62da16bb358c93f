#version 450
// The decode product of Q6_K weights (matvec.comp's contract: y[o, row] = sum_c W[row, c] * x[o, c] for up to MAXOUT
// outputs, NR rows per workgroup of WG invocations, input and output as matvec_io.glsl says), laid out for the type: an
// invocation takes one eighth of a 256-value super-block, the 8 positions l0..l0+7 of one 128-value half, that is 8
// bytes of ql (values l, low nibbles; l + 64, high nibbles), the 8 bytes 32 on (l + 32, l + 96) and the 8 bytes of qh
// that hold all 32 values' high bit pairs: 32 values in 4 runs of 8, each inside one 16-value scale. Blocks are 210
// bytes, so only 2-byte aligned: each 8-byte span is read as two 8-byte loads from the 8-aligned address below it and
// shifted into place (the same shift for every span of a block), with two more for the scales and one word for d: nine
// weight loads per 32 values, all issued before any math (matvec.comp reads Q6_K a word or two per 4 values). The -32
// of each value is folded into the sum: scale * (dot(q, x) - 32 * sum(x)). A block's reads end at the next multiple of
// 8 past it (up to 6 bytes on: GpuTensor pads its buffers to 16). The host defines WG, NR, MAXOUT, SUBGROUPS and
// matvec_io.glsl's defines.
#extension GL_EXT_control_flow_attributes : require
#if SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
layout(local_size_x = WG) in;
layout(std430, binding = 0) readonly buffer W1b { uint W1[]; };
layout(std430, binding = 0) readonly buffer W2b { uvec2 W2[]; };
#include "matvec_io.glsl"

#include "matvec_reduce.glsl"

#include "q6k_span.glsl"

vec4 bytes(uint w) { return vec4((uvec4(w) >> uvec4(0u, 8u, 16u, 24u)) & 0xFFu); }

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
        vec4 q[NR * 8];  // per row, values l0 + 32g + (0..3, 4..7) for g = 0..3
        vec4 coef[NR];   // d * the scales of the four runs
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
                q[8u * r + k] = bytes((lw & 0x0F0F0F0Fu) | ((hw << 4) & 0x30303030u));
                q[8u * r + 2u + k] = bytes((mw & 0x0F0F0F0Fu) | ((hw << 2) & 0x30303030u));
                q[8u * r + 4u + k] = bytes(((lw >> 4) & 0x0F0F0F0Fu) | (hw & 0x30303030u));
                q[8u * r + 6u + k] = bytes(((mw >> 4) & 0x0F0F0F0Fu) | ((hw >> 2) & 0x30303030u));
            }
        }
        uint xq = (sb * 256u + 128u * h + l0) >> 2;  // run g's two vec4s at xq + 8g
        [[unroll]] for (uint o = 0u; o < MAXOUT; o++) {
            if (o < outs) {
                vec4 xv[8];
                [[unroll]] for (uint i = 0u; i < 8u; i++) { xv[i] = inputAt(o, xq + 8u * (i >> 1) + (i & 1u)); }
                vec4 sums = 32.0 * vec4(dot(xv[0] + xv[1], vec4(1.0)), dot(xv[2] + xv[3], vec4(1.0)),
                        dot(xv[4] + xv[5], vec4(1.0)), dot(xv[6] + xv[7], vec4(1.0)));
                [[unroll]] for (uint r = 0u; r < NR; r++) {
                    vec4 dots = vec4(dot(q[8u * r], xv[0]) + dot(q[8u * r + 1u], xv[1]),
                            dot(q[8u * r + 2u], xv[2]) + dot(q[8u * r + 3u], xv[3]),
                            dot(q[8u * r + 4u], xv[4]) + dot(q[8u * r + 5u], xv[5]),
                            dot(q[8u * r + 6u], xv[6]) + dot(q[8u * r + 7u], xv[7]));
                    acc[r * MAXOUT + o] += dot(coef[r], dots - sums);
                }
            }
        }
    }
    reduceAndStore(acc, tid, firstRow, firstOut, outs);
}
