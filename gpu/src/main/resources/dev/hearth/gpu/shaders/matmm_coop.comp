#version 450
// matmm.comp's product (y[o, row] = sum_c W[row, c] * x[o, c]) on the matrix units through VK_KHR_cooperative_matrix,
// BM weight rows x BM outputs per 256-invocation workgroup (BM 64, or 128 for large products: four times the products
// per barrier and per decoded weight), the columns 32 at a time (all, or one split of them): each step the workgroup
// decodes its BM x 32 weight tile and its BM x 32 tile of x into shared memory as halves, then each subgroup
// multiplies 16 x 16 x 16 tiles (f16 inputs, f32 sums) for its WR x WC block of output tiles. The next step's global
// loads are issued before this step's products, so their latency hides behind them. The sums go out through a
// 16 x 16 scratch per subgroup (bounds-checked, coalesced along the weight rows). Inputs rounded to halves, as
// llama.cpp's tensor-core path does: for prompts and batches, never decode (matvec keeps f32). The host defines WTYPE,
// BM, NS (subgroups per workgroup), and WR and WC (tiles per subgroup: WR x WC x NS = (BM / 16)^2).
#extension GL_KHR_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_control_flow_attributes : require
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Weights { uint W[]; };
layout(std430, binding = 1) readonly buffer X { vec4 x4[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
// split-K: workgroup y = outTile + outTiles * split sums groups [split * groupsPerSplit, + groupsPerSplit) of the
// columns into part `split` of y, numOut x rows floats a part (split_sum.comp adds the parts); one split writes y
// itself
layout(push_constant) uniform P { uint rows; uint cols; uint numOut; uint rowBytes; uint outTiles;
    uint groupsPerSplit; } p;
#include "weights.glsl"
#define LDS 40u   // halves per tile row: 32 and 8 of padding (80 bytes: 16-byte aligned rows, banks spread)
#define UNITS (BM / 64u)  // (row, 8 columns) load units per invocation: BM rows x 4 parts over 256 invocations
#define SR (BM / 16u / WR)  // subgroups along the weight rows
#define LDC 20u   // floats per column of a subgroup's 16 x 16 scratch (80 bytes)
shared float16_t ws[BM * LDS];
shared float16_t xs[BM * LDS];
shared float scratch[NS * 16u * LDC];  // 16 x LDC floats for each of the NS subgroups

#include "matmm_load.glsl"

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint firstRow = (gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x) * BM;
    uint split = gl_WorkGroupID.y / p.outTiles;
    uint firstOut = (gl_WorkGroupID.y % p.outTiles) * BM;
    uint firstGroup = split * p.groupsPerSplit;
    uint groups = min(p.cols / 32u, firstGroup + p.groupsPerSplit);
    uint part = split * p.numOut * p.rows;
    uint xRow = p.cols / 4u;
    uint s = gl_SubgroupID;
    uint tileRow0 = (s % SR) * WR;     // this subgroup's first tile row (weights) and first tile column (outputs)
    uint tileOut0 = (s / SR) * WC;
    coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator> acc[WR * WC];
    [[unroll]] for (uint i = 0u; i < WR * WC; i++) {
        acc[i] = coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator>(0.0);
    }
    vec4 w[UNITS * 2u];
    vec4 xv[UNITS * 2u];
    [[unroll]] for (uint u = 0u; u < UNITS; u++) {
        uint unit = tid + 256u * u;  // tile row (weights) and output (x) unit / 4, its quads (unit % 4) * 2 and + 1
        loadStep(firstGroup, firstRow + unit / 4u, firstOut + unit / 4u, (unit % 4u) * 2u, xRow, w[2u * u],
                w[2u * u + 1u], xv[2u * u], xv[2u * u + 1u]);
    }
    for (uint g = firstGroup; g < groups; g++) {
        barrier();  // the previous step's tiles are read
        [[unroll]] for (uint u = 0u; u < UNITS; u++) {
            uint unit = tid + 256u * u;
            uint at = (unit / 4u) * LDS + (unit % 4u) * 8u;
            [[unroll]] for (uint e = 0u; e < 4u; e++) {
                ws[at + e] = float16_t(w[2u * u][e]);
                ws[at + 4u + e] = float16_t(w[2u * u + 1u][e]);
                xs[at + e] = float16_t(xv[2u * u][e]);
                xs[at + 4u + e] = float16_t(xv[2u * u + 1u][e]);
            }
        }
        barrier();
        if (g + 1u < groups) {  // the next step's loads in flight during this step's products
            [[unroll]] for (uint u = 0u; u < UNITS; u++) {
                uint unit = tid + 256u * u;
                loadStep(g + 1u, firstRow + unit / 4u, firstOut + unit / 4u, (unit % 4u) * 2u, xRow, w[2u * u],
                        w[2u * u + 1u], xv[2u * u], xv[2u * u + 1u]);
            }
        }
        [[unroll]] for (uint k = 0u; k < 32u; k += 16u) {
            coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseA> a[WR];
            [[unroll]] for (uint i = 0u; i < WR; i++) {
                coopMatLoad(a[i], ws, (tileRow0 + i) * 16u * LDS + k, LDS, gl_CooperativeMatrixLayoutRowMajor);
            }
            [[unroll]] for (uint j = 0u; j < WC; j++) {
                coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseB> b;  // B[k][o] = xs[o][k]
                coopMatLoad(b, xs, (tileOut0 + j) * 16u * LDS + k, LDS, gl_CooperativeMatrixLayoutColumnMajor);
                [[unroll]] for (uint i = 0u; i < WR; i++) {
                    acc[j * WR + i] = coopMatMulAdd(a[i], b, acc[j * WR + i]);
                }
            }
        }
    }
    // each tile through the subgroup's scratch (C[row][o] at o * LDC + row), then to y, 16 rows per output contiguous
    uint mine = s * 16u * LDC;
    [[unroll]] for (uint j = 0u; j < WC; j++) {
        [[unroll]] for (uint i = 0u; i < WR; i++) {
            coopMatStore(acc[j * WR + i], scratch, mine, LDC, gl_CooperativeMatrixLayoutColumnMajor);
            subgroupMemoryBarrierShared();
            subgroupBarrier();
            uint row0 = firstRow + (tileRow0 + i) * 16u;
            uint out0 = firstOut + (tileOut0 + j) * 16u;
            for (uint e = gl_SubgroupInvocationID; e < 256u; e += gl_SubgroupSize) {
                uint o = e / 16u;
                uint r = e % 16u;
                if (row0 + r < p.rows && out0 + o < p.numOut) {
                    y[part + (out0 + o) * p.rows + row0 + r] = scratch[mine + o * LDC + r];
                }
            }
            subgroupBarrier();  // the scratch is read before the next tile overwrites it
        }
    }
}
