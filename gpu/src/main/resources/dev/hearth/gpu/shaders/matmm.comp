#version 450
// Prompt and batch matrix-matrix product (numOut above matvec's range): y[o, row] = sum_c W[row, c] * x[o, c].
// A workgroup of 256 computes a 64 weight rows x 64 output rows tile, 4 x 4 per invocation in registers, walking
// the columns 32 at a time: each step the workgroup decodes a 64 x 32 weight tile (weights.glsl, once for all 64
// outputs) and loads a 64 x 32 tile of x into shared memory (rows padded to 33 floats: no bank conflicts), then
// every invocation takes 32 x (4 + 4) shared reads for 32 x 16 multiply-adds; the next step's global loads are issued
// before this step's products. The host defines WTYPE.
// matmm_coop.comp takes the same dispatch shape (64 x 64 tiles, one workgroup each) on the matrix units.
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Weights { uint W[]; };
layout(std430, binding = 1) readonly buffer X { vec4 x4[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P { uint rows; uint cols; uint numOut; uint rowBytes; } p;
#include "weights.glsl"
#define BM 64u
#define BN 64u
shared float ws[BM][33];
shared float xs[BN][33];

#include "matmm_load.glsl"

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint firstRow = (gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x) * BM;
    uint firstOut = gl_WorkGroupID.y * BN;
    uint groups = p.cols / 32u;
    uint xRow = p.cols / 4u;
    uint loadRow = tid / 4u;        // the tile row (weights) and tile output (x) this invocation loads
    uint loadPart = (tid % 4u) * 2u; // its two quads of the 32 columns
    uint tr = tid % 16u;            // computes weight rows tr + 16 i and outputs tc + 16 j
    uint tc = tid / 16u;
    float acc[16];
    for (uint i = 0u; i < 16u; i++) { acc[i] = 0.0; }
    vec4 w0, w1, x0, x1;
    loadStep(0u, firstRow + loadRow, firstOut + loadRow, loadPart, xRow, w0, w1, x0, x1);
    uint c = loadPart * 4u;
    for (uint g = 0u; g < groups; g++) {
        barrier();  // the previous step's reads are done
        for (uint e = 0u; e < 4u; e++) {
            ws[loadRow][c + e] = w0[e];
            ws[loadRow][c + 4u + e] = w1[e];
            xs[loadRow][c + e] = x0[e];
            xs[loadRow][c + 4u + e] = x1[e];
        }
        barrier();
        if (g + 1u < groups) {  // the next step's loads in flight during this step's products
            loadStep(g + 1u, firstRow + loadRow, firstOut + loadRow, loadPart, xRow, w0, w1, x0, x1);
        }
        for (uint kk = 0u; kk < 32u; kk++) {
            float a[4];
            float b[4];
            for (uint i = 0u; i < 4u; i++) { a[i] = ws[tr + 16u * i][kk]; b[i] = xs[tc + 16u * i][kk]; }
            for (uint i = 0u; i < 4u; i++) {
                for (uint j = 0u; j < 4u; j++) { acc[i * 4u + j] += a[i] * b[j]; }
            }
        }
    }
    for (uint i = 0u; i < 4u; i++) {
        uint row = firstRow + tr + 16u * i;
        for (uint j = 0u; j < 4u; j++) {
            uint o = firstOut + tc + 16u * j;
            if (row < p.rows && o < p.numOut) { y[o * p.rows + row] = acc[i * 4u + j]; }
        }
    }
}
