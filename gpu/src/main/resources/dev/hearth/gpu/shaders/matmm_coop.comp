#version 450
// matmm.comp's product (y[o, row] = sum_c W[row, c] * x[o, c], 64 weight rows x 64 outputs per 256-invocation
// workgroup, the columns 32 at a time) on the matrix units through VK_KHR_cooperative_matrix: each step the workgroup
// decodes its 64 x 32 weight tile and its 64 x 32 tile of x into shared memory as halves, then each subgroup multiplies
// 16 x 16 x 16 tiles (f16 inputs, f32 sums): tile row `s % 4` of the weights against CT output tiles. The sums go out
// through shared memory (bounds-checked, coalesced along the weight rows). The next step's global loads are issued
// before this step's products, so their latency hides behind them. Inputs rounded to halves, as llama.cpp's
// tensor-core path does: for prompts and batches, never decode (matvec keeps f32). The host defines WTYPE and CT
// (16 / subgroups per workgroup: 2 on 32-wide subgroups, 4 on 64-wide).
#extension GL_KHR_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_KHR_shader_subgroup_basic : require
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Weights { uint W[]; };
layout(std430, binding = 1) readonly buffer X { vec4 x4[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P { uint rows; uint cols; uint numOut; uint rowBytes; } p;
#include "weights.glsl"
#define BM 64u
#define BN 64u
#define LDS 40u   // halves per tile row: 32 and 8 of padding (80 bytes: 16-byte aligned rows, banks spread)
#define LDC 68u   // floats per row of the sums' tile (272 bytes)
shared float16_t ws[BM * LDS];
shared float16_t xs[BN * LDS];
shared float cs[BN * LDC];

#include "matmm_load.glsl"

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint firstRow = (gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x) * BM;
    uint firstOut = gl_WorkGroupID.y * BN;
    uint groups = p.cols / 32u;
    uint xRow = p.cols / 4u;
    uint loadRow = tid / 4u;         // the tile row (weights) and tile output (x) this invocation loads
    uint loadPart = (tid % 4u) * 2u; // its two quads of the 32 columns
    uint s = gl_SubgroupID;
    uint tileRow = s % 4u;
    uint firstTileOut = (s / 4u) * CT;
    coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator> acc[CT];
    for (uint i = 0u; i < CT; i++) {
        acc[i] = coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator>(0.0);
    }
    vec4 w0, w1, x0, x1;
    loadStep(0u, firstRow + loadRow, firstOut + loadRow, loadPart, xRow, w0, w1, x0, x1);
    uint at = loadRow * LDS + loadPart * 4u;
    for (uint g = 0u; g < groups; g++) {
        barrier();  // the previous step's tiles are read
        for (uint e = 0u; e < 4u; e++) {
            ws[at + e] = float16_t(w0[e]);
            ws[at + 4u + e] = float16_t(w1[e]);
            xs[at + e] = float16_t(x0[e]);
            xs[at + 4u + e] = float16_t(x1[e]);
        }
        barrier();
        if (g + 1u < groups) {  // the next step's loads in flight during this step's products
            loadStep(g + 1u, firstRow + loadRow, firstOut + loadRow, loadPart, xRow, w0, w1, x0, x1);
        }
        for (uint k = 0u; k < 32u; k += 16u) {
            coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseA> a;
            coopMatLoad(a, ws, tileRow * 16u * LDS + k, LDS, gl_CooperativeMatrixLayoutRowMajor);
            for (uint i = 0u; i < CT; i++) {
                coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseB> b;  // B[k][o] = xs[o][k]
                coopMatLoad(b, xs, (firstTileOut + i) * 16u * LDS + k, LDS, gl_CooperativeMatrixLayoutColumnMajor);
                acc[i] = coopMatMulAdd(a, b, acc[i]);
            }
        }
    }
    for (uint i = 0u; i < CT; i++) {  // C[row][o] at cs[o * LDC + row]
        coopMatStore(acc[i], cs, (firstTileOut + i) * 16u * LDC + tileRow * 16u, LDC,
                gl_CooperativeMatrixLayoutColumnMajor);
    }
    barrier();
    for (uint e = tid; e < BM * BN; e += 256u) {
        uint o = e / BM;
        uint r = e % BM;
        if (firstRow + r < p.rows && firstOut + o < p.numOut) { y[(firstOut + o) * p.rows + firstRow + r] = cs[o * LDC + r]; }
    }
}
