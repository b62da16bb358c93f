#version 450
// y[o, row] = sum_c W[row, c] * x[xrow(o), c] for numOut output rows o, the weights dequantized group by group.
// A workgroup of 64 takes 64 / TPR weight rows, TPR invocations per row (the host picks TPR for the row length, so
// short rows do not leave most invocations idle), and TILE output rows: each weight group is decoded once for the
// whole tile. MOE 1: output row o = token * slots + slot takes expert ids[o]'s matrix (expertBytes apart) and input
// row token (xPerSlot 0) or o (xPerSlot 1).
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Weights { uint W[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(std430, binding = 3) readonly buffer Ids { int ids[]; };
layout(push_constant) uniform P {
    uint rows; uint cols; uint numOut; uint rowBytes; uint expertBytes; uint slots; uint xPerSlot;
} p;
#include "dequant.glsl"
#define TILE 8
shared float partial[TILE][64];

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint lane = tid % TPR;
    uint rowsPerGroup = 64u / TPR;
    uint row = (gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x) * rowsPerGroup + tid / TPR;
    bool valid = row < p.rows;
    uint first = gl_WorkGroupID.y * TILE;
    uint count = min(uint(TILE), p.numOut - first);
    uint groups = valid ? p.cols / 32u : 0u;
    float acc[TILE];
    for (uint i = 0u; i < TILE; i++) { acc[i] = 0.0; }
    float v[32];
#if MOE
    for (uint i = 0u; i < count; i++) {
        uint o = first + i;
        uint rowOff = uint(ids[o]) * p.expertBytes + row * p.rowBytes;
        uint xBase = (p.xPerSlot != 0u ? o : o / p.slots) * p.cols;
        float a = 0.0;
        for (uint g = lane; g < groups; g += TPR) {
            dequantGroup(rowOff, g, v);
            uint xo = xBase + g * 32u;
            for (uint j = 0u; j < 32u; j++) { a += v[j] * x[xo + j]; }
        }
        acc[i] = a;
    }
#else
    uint rowOff = row * p.rowBytes;
    for (uint g = lane; g < groups; g += TPR) {
        dequantGroup(rowOff, g, v);
        for (uint i = 0u; i < count; i++) {
            uint xo = (first + i) * p.cols + g * 32u;
            float a = 0.0;
            for (uint j = 0u; j < 32u; j++) { a += v[j] * x[xo + j]; }
            acc[i] += a;
        }
    }
#endif
    for (uint i = 0u; i < TILE; i++) { partial[i][tid] = acc[i]; }
    barrier();
    for (uint s = TPR / 2u; s > 0u; s >>= 1) {
        if (lane < s) {
            for (uint i = 0u; i < TILE; i++) { partial[i][tid] += partial[i][tid + s]; }
        }
        barrier();
    }
    if (valid) {
        for (uint i = lane; i < count; i += TPR) { y[(first + i) * p.rows + row] = partial[i][tid - lane]; }
    }
}
