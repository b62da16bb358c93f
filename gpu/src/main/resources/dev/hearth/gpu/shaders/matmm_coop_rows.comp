#version 450
// matmm_coop.comp's product (y[o, row] = sum_c W[row, c] * x[o, c]) on the matrix units, its tiles staged along the
// rows: each step of BK columns, the invocations that load one tile row take consecutive 8-value spans of it (lanes of
// a subgroup read one weight row's consecutive bytes and one x row's consecutive vec4s: a few cache lines a load,
// where matmm_coop.comp's lanes spread over 8 rows and read every group's scales 4 times), and the step is BK = 64 or
// 128 columns, not 32, between two barriers (4 or 8 times the products per barrier). The next step's values are held
// in registers as halves while this step's products run. The host defines WTYPE, BM (64 with BK 128, or 128 with
// BK 64: the two tiles and the scratch within 48 KiB), BK, NS, WR and WC (as matmm_coop.comp).
#extension GL_KHR_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_control_flow_attributes : require
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Weights { uint W[]; };
layout(std430, binding = 1) readonly buffer X { vec4 x4[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
// split-K as matmm_coop.comp; groupsPerSplit a multiple of BK / 32
layout(push_constant) uniform P { uint rows; uint cols; uint numOut; uint rowBytes; uint outTiles;
    uint groupsPerSplit; } p;
#include "weights.glsl"
#define LANES (BK / 8u)          // invocations per tile row in a load pass, 8 columns (two quads) each
#define PASS (256u / LANES)      // tile rows per load pass
#define PASSES (BM / PASS)       // load passes per step (4 for both tiles)
#define LD4 (BK / 4u + 2u)       // f16vec4 per tile row: BK halves and 8 of padding (rows 4 banks apart)
#define SR (BM / 16u / WR)       // subgroups along the weight rows
#define LDC 20u                  // floats per column of a subgroup's 16 x 16 scratch
shared f16vec4 ws[BM * LD4];
shared f16vec4 xs[BM * LD4];
shared float scratch[NS * 16u * LDC];

f16vec4 wa[2u * PASSES];  // the next step's values of this invocation, as halves
f16vec4 xa[2u * PASSES];

// step `step`'s two quads of each tile row this invocation loads (zeros past the rows, outputs and columns)
void loadStep(uint step, uint groups, uint firstRow, uint firstOut, uint slot, uint lane) {
    uint g = step * (BK / 32u) + lane / 4u;
    uint k = (lane % 4u) * 2u;
    [[unroll]] for (uint i = 0u; i < PASSES; i++) {
        uint r = slot + i * PASS;
        vec4 w0 = vec4(0.0);
        vec4 w1 = vec4(0.0);
        if (g < groups && firstRow + r < p.rows) {
            prepareGroup((firstRow + r) * p.rowBytes, g);
            w0 = quad(k);
            w1 = quad(k + 1u);
        }
        wa[2u * i] = f16vec4(w0);
        wa[2u * i + 1u] = f16vec4(w1);
        vec4 x0 = vec4(0.0);
        vec4 x1 = vec4(0.0);
        if (g < groups && firstOut + r < p.numOut) {
            uint xi = (firstOut + r) * (p.cols / 4u) + g * 8u + k;
            x0 = x4[xi];
            x1 = x4[xi + 1u];
        }
        xa[2u * i] = f16vec4(x0);
        xa[2u * i + 1u] = f16vec4(x1);
    }
}

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint firstRow = (gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x) * BM;
    uint split = gl_WorkGroupID.y / p.outTiles;
    uint firstOut = (gl_WorkGroupID.y % p.outTiles) * BM;
    uint firstGroup = split * p.groupsPerSplit;
    uint groups = min(p.cols / 32u, firstGroup + p.groupsPerSplit);
    uint firstStep = firstGroup / (BK / 32u);
    uint steps = (groups + BK / 32u - 1u) / (BK / 32u);
    uint part = split * p.numOut * p.rows;
    uint lane = tid % LANES;
    uint slot = tid / LANES;
    uint s = gl_SubgroupID;
    uint tileRow0 = (s % SR) * WR;
    uint tileOut0 = (s / SR) * WC;
    coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator> acc[WR * WC];
    [[unroll]] for (uint i = 0u; i < WR * WC; i++) {
        acc[i] = coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator>(0.0);
    }
    loadStep(firstStep, groups, firstRow, firstOut, slot, lane);
    for (uint st = firstStep; st < steps; st++) {
        barrier();  // the previous step's tiles are read
        [[unroll]] for (uint i = 0u; i < PASSES; i++) {
            uint at = (slot + i * PASS) * LD4 + lane * 2u;
            ws[at] = wa[2u * i];
            ws[at + 1u] = wa[2u * i + 1u];
            xs[at] = xa[2u * i];
            xs[at + 1u] = xa[2u * i + 1u];
        }
        barrier();
        if (st + 1u < steps) {  // the next step's loads in flight during this step's products
            loadStep(st + 1u, groups, firstRow, firstOut, slot, lane);
        }
        [[unroll]] for (uint k = 0u; k < BK; k += 16u) {
            coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseA> a[WR];
            [[unroll]] for (uint i = 0u; i < WR; i++) {
                coopMatLoad(a[i], ws, (tileRow0 + i) * 16u * LD4 + k / 4u, LD4, gl_CooperativeMatrixLayoutRowMajor);
            }
            [[unroll]] for (uint j = 0u; j < WC; j++) {
                coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseB> b;  // B[k][o] = xs[o][k]
                coopMatLoad(b, xs, (tileOut0 + j) * 16u * LD4 + k / 4u, LD4, gl_CooperativeMatrixLayoutColumnMajor);
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
