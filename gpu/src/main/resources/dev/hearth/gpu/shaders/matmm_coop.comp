#version 450
// matmm.comp's product (y[o, row] = sum_c W[row, c] * x[o, c]) on the matrix units through VK_KHR_cooperative_matrix:
// BM weight rows x BN outputs per workgroup of NI invocations, the columns BK at a time (all, or one split of them).
// Each step an invocation decodes its WV weights of one row (one group's scales: NI / BM invocations share a row) and
// copies its XV inputs of one output row; then each subgroup multiplies 16 x 16 x 16 tiles (f16 inputs, f32 sums) for
// its WR x WC block of output tiles. The next step's loads are issued before this step's products; with STAGES 2 they
// go to the other half of shared memory, one barrier a step (STAGES 1: one buffer, two barriers). x comes as halves
// (XH 1: halves.comp converted it once for every product that reads it) or as floats (XH 0, converted here). Whole
// 16 x 16 output tiles go straight to y; tiles cut by the ends of y go through a per-subgroup scratch, bounds-checked.
// Inputs are rounded to halves, as llama.cpp's tensor-core path does: for prompts and batches, never decode (matvec
// keeps f32). RAW 1 (Q4_K where an invocation takes 16 or 32 weights a step, Q6_K 16): the next step's weights wait in
// registers as loaded and are decoded when stored (weights_raw.glsl), so the products never wait on their loads. The
// host defines WTYPE, BM (64 or 128), BN (16 to 128), BK (32 to 128; the columns a multiple of it), STAGES, XH, RAW, NI
// (128 or 256), NS (subgroups per workgroup), and WR and WC (tiles per subgroup: WR x WC x NS = BM / 16 x BN / 16).
// ABL (sweeps only, to see where a step's time goes): 1 leaves out the products, 2 the loads from memory (Q4_K, RAW).
#extension GL_KHR_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_control_flow_attributes : require
layout(local_size_x = NI) in;
#ifndef ABL
#define ABL 0
#endif
#define INV uint(NI)
layout(std430, binding = 0) readonly buffer Weights { uint W[]; };
#if XH
layout(std430, binding = 1) readonly buffer X { uvec4 x8[]; };  // 8 halves a load
#else
layout(std430, binding = 1) readonly buffer X { vec4 x4[]; };
#endif
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
// split-K: workgroup y = outTile + outTiles * split sums steps [split * stepsPerSplit, + stepsPerSplit) of the columns
// into part `split` of y, numOut x rows floats a part (split_sum.comp adds the parts); one split writes y itself
layout(push_constant) uniform P { uint rows; uint cols; uint numOut; uint rowBytes; uint outTiles;
    uint stepsPerSplit; } p;
#define LDS (BK / 4u + 2u)   // f16vec4 per shared row: BK halves and 8 of padding (16-byte aligned, banks spread)
#define TPR (INV / BM)       // invocations per weight row
#define WV (BK / TPR)        // weight values an invocation decodes a step: 4 to 32, within one group
#define TPO (INV / BN)       // invocations per row of x
#define XV (BK / TPO)        // x values an invocation copies a step: 4 to 128
#define RAWH (WV / 16u)      // RAW 1: the half groups of 16 an invocation holds undecoded
#include "weights.glsl"
#if RAW
#include "weights_raw.glsl"
#endif
#define SR (BM / 16u / WR)   // subgroups along the weight rows
#define STAGE_W (BM * LDS)
#define STAGE_X (BN * LDS)
shared f16vec4 ws[STAGES * STAGE_W];
shared f16vec4 xs[STAGES * STAGE_X];
shared float scratch[NS * 256u];  // a 16 x 16 tile per subgroup, for tiles cut by the ends of y

#if RAW
bool wInside;         // the next step's weights wait in weights_raw.glsl's registers, undecoded
#else
f16vec4 wq[WV / 4u];  // the next step's weights and inputs, between their loads and their stores
#endif
#if XH
uvec4 xq[XV / 8u];
#else
vec4 xq[XV / 4u];
#endif

// step `step`'s weights of this invocation's row and its inputs of its output row into registers (zeros past the ends)
void loadStep(uint step, uint firstRow, uint firstOut) {
    uint tid = gl_LocalInvocationID.x;
    uint row = firstRow + tid / TPR;
    uint c0 = (tid % TPR) * WV;
#if RAW
    wInside = row < p.rows;
#if ABL == 2 && WTYPE == T_Q4_K
    rawGroup = step & 7u;  // registers the compiler cannot fold, in place of the loads
    rawHead = uvec4(0x1c001c00u + (step & 0xFFu), 0x3F3F3F3Fu ^ tid, 0x01010101u * (row & 63u), step * 0x1010101u);
    [[unroll]] for (uint h = 0u; h < RAWH; h++) {
        rawQuants[h] = uvec4(tid * 0x9E3779B9u + step, row * 0x85EBCA6Bu + h, step * 0xC2B2AE35u, tid ^ row);
    }
#else
    if (wInside) {
        fetchHalves(row * p.rowBytes, step * (BK / 32u) + c0 / 32u, (c0 % 32u) / 16u);
    }
#endif
#else
    if (row < p.rows) {
        prepareGroup(row * p.rowBytes, step * (BK / 32u) + c0 / 32u);
        [[unroll]] for (uint i = 0u; i < WV / 4u; i++) {
            wq[i] = f16vec4(quad((c0 % 32u) / 4u + i));
        }
    } else {
        [[unroll]] for (uint i = 0u; i < WV / 4u; i++) {
            wq[i] = f16vec4(0.0);
        }
    }
#endif
    uint out_ = firstOut + tid / TPO;
    uint xc = out_ * p.cols + step * BK + (tid % TPO) * XV;
#if XH && ABL == 2
    [[unroll]] for (uint i = 0u; i < XV / 8u; i++) {
        xq[i] = uvec4(0x3c003c00u ^ (xc + i), 0x3c003c00u ^ step, 0x38003800u ^ tid, 0x3c003c00u ^ out_);
    }
#elif XH
    [[unroll]] for (uint i = 0u; i < XV / 8u; i++) {
        xq[i] = out_ < p.numOut ? x8[xc / 8u + i] : uvec4(0u);
    }
#else
    [[unroll]] for (uint i = 0u; i < XV / 4u; i++) {
        xq[i] = out_ < p.numOut ? x4[xc / 4u + i] : vec4(0.0);
    }
#endif
}

// the registers into stage `stage` of shared memory
void storeStep(uint stage) {
    uint tid = gl_LocalInvocationID.x;
    uint wAt = stage * STAGE_W + (tid / TPR) * LDS + (tid % TPR) * (WV / 4u);
#if RAW
    [[unroll]] for (uint h = 0u; h < RAWH; h++) {
        vec4 v[4];
        if (wInside) {
            decodeHalf(h, v);
        } else {
            [[unroll]] for (uint i = 0u; i < 4u; i++) {
                v[i] = vec4(0.0);
            }
        }
        [[unroll]] for (uint i = 0u; i < 4u; i++) {
            ws[wAt + 4u * h + i] = f16vec4(v[i]);
        }
    }
#else
    [[unroll]] for (uint i = 0u; i < WV / 4u; i++) {
        ws[wAt + i] = wq[i];
    }
#endif
    uint xAt = stage * STAGE_X + (tid / TPO) * LDS + (tid % TPO) * (XV / 4u);
#if XH
    [[unroll]] for (uint i = 0u; i < XV / 8u; i++) {
        xs[xAt + 2u * i] = f16vec4(unpackFloat2x16(xq[i].x), unpackFloat2x16(xq[i].y));
        xs[xAt + 2u * i + 1u] = f16vec4(unpackFloat2x16(xq[i].z), unpackFloat2x16(xq[i].w));
    }
#else
    [[unroll]] for (uint i = 0u; i < XV / 4u; i++) {
        xs[xAt + i] = f16vec4(xq[i]);
    }
#endif
}

void main() {
    uint firstRow = (gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x) * BM;
    uint split = gl_WorkGroupID.y / p.outTiles;
    uint firstOut = (gl_WorkGroupID.y % p.outTiles) * BN;
    uint firstStep = split * p.stepsPerSplit;
    uint end = min(p.cols / BK, firstStep + p.stepsPerSplit);
    uint part = split * p.numOut * p.rows;
    uint s = gl_SubgroupID;
    uint tileRow0 = (s % SR) * WR;     // this subgroup's first tile row (weights) and first tile column (outputs)
    uint tileOut0 = (s / SR) * WC;
    coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator> acc[WR * WC];
    [[unroll]] for (uint i = 0u; i < WR * WC; i++) {
        acc[i] = coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator>(0.0);
    }
    loadStep(firstStep, firstRow, firstOut);
#if STAGES == 2
    storeStep(0u);
    barrier();
#endif
    for (uint g = firstStep; g < end; g++) {
#if STAGES == 2
        uint stage = (g - firstStep) & 1u;
        if (g + 1u < end) {  // the next step's loads in flight during this step's products
            loadStep(g + 1u, firstRow, firstOut);
        }
#else
        uint stage = 0u;
        barrier();  // the previous step's tiles are read
        storeStep(0u);
        barrier();
        if (g + 1u < end) {
            loadStep(g + 1u, firstRow, firstOut);
        }
#endif
        uint wBase = stage * STAGE_W + tileRow0 * 16u * LDS;
        uint xBase = stage * STAGE_X + tileOut0 * 16u * LDS;
        [[unroll]] for (uint k = 0u; k < BK / 4u; k += 4u) {  // 16 columns (4 f16vec4) at a time
            coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseA> a[WR];
            [[unroll]] for (uint i = 0u; i < WR; i++) {
                coopMatLoad(a[i], ws, wBase + i * 16u * LDS + k, LDS, gl_CooperativeMatrixLayoutRowMajor);
            }
            [[unroll]] for (uint j = 0u; j < WC; j++) {
                coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseB> b;  // B[k][o] = xs[o][k]
                coopMatLoad(b, xs, xBase + j * 16u * LDS + k, LDS, gl_CooperativeMatrixLayoutColumnMajor);
#if ABL != 1
                [[unroll]] for (uint i = 0u; i < WR; i++) {
                    acc[j * WR + i] = coopMatMulAdd(a[i], b, acc[j * WR + i]);
                }
#endif
            }
        }
#if STAGES == 2
        if (g + 1u < end) {
            storeStep(stage ^ 1u);
        }
        barrier();  // the next stage is written and this one read
#endif
    }
    // C[row][o] is y[(out0 + o) * rows + row0 + row]: column-major with a stride of rows
    uint mine = s * 256u;
    [[unroll]] for (uint j = 0u; j < WC; j++) {
        [[unroll]] for (uint i = 0u; i < WR; i++) {
            uint row0 = firstRow + (tileRow0 + i) * 16u;
            uint out0 = firstOut + (tileOut0 + j) * 16u;
            if (row0 + 16u <= p.rows && out0 + 16u <= p.numOut) {
                coopMatStore(acc[j * WR + i], y, part + out0 * p.rows + row0, p.rows,
                        gl_CooperativeMatrixLayoutColumnMajor);
            } else if (row0 < p.rows && out0 < p.numOut) {
                coopMatStore(acc[j * WR + i], scratch, mine, 16u, gl_CooperativeMatrixLayoutColumnMajor);
                subgroupMemoryBarrierShared();
                subgroupBarrier();
                for (uint e = gl_SubgroupInvocationID; e < 256u; e += gl_SubgroupSize) {
                    uint o = e / 16u;
                    uint r = e % 16u;
                    if (row0 + r < p.rows && out0 + o < p.numOut) {
                        y[part + (out0 + o) * p.rows + row0 + r] = scratch[mine + e];
                    }
                }
                subgroupBarrier();  // the scratch is read before the next tile overwrites it
            }
        }
    }
}
