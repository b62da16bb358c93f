#version 450
// The host defines WTYPE, WG, NR, MAXOUT, SUBGROUPS and matvec_io.glsl's (GLU, NORM, BIAS, RESID). Decode matrix-vector
// product (numOut small): y[o, row] = sum_c W[row, c] * x[o, c], the weights read once for up to MAXOUT output rows. A
// workgroup of WG invocations takes NR weight rows; its invocations walk the row's 32-value groups side by side (lane l
// takes groups l, l + WG, ...), so a wave reads consecutive blocks of the row (coalesced), decodes them in registers
// four values at a time (weights.glsl: no per-group array, nothing spilled), and takes x as vec4s (shared by the NR
// rows through L1). Reduction: subgroupAdd, then one shared slot per subgroup (SUBGROUPS 1), or a shared-memory tree
// where the device lacks subgroup arithmetic (SUBGROUPS 0).
#extension GL_EXT_control_flow_attributes : require
#if SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
layout(local_size_x = WG) in;
layout(std430, binding = 0) readonly buffer Weights { uint W[]; };
#include "matvec_io.glsl"
#include "weights.glsl"
#include "matvec_reduce.glsl"

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint firstRow = (gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x) * NR;
    uint firstOut = gl_WorkGroupID.y * MAXOUT;
    uint outs = min(uint(MAXOUT), p.numOut - firstOut);
    inputBegin(firstOut);
    uint groups = p.cols / 32u;
    float acc[NR * MAXOUT];
    [[unroll]] for (uint i = 0u; i < NR * MAXOUT; i++) { acc[i] = 0.0; }
    for (uint g = tid; g < groups; g += WG) {
        [[unroll]] for (uint r = 0u; r < NR; r++) {
            uint row = firstRow + r;
            if (row >= p.rows) { break; }
            prepareGroup(row * p.rowBytes, g);
            [[unroll]] for (uint k = 0u; k < 8u; k++) {
                vec4 w = quad(k);
                [[unroll]] for (uint o = 0u; o < MAXOUT; o++) {
                    if (o < outs) { acc[r * MAXOUT + o] += dot(w, inputOf(o, g * 8u + k, r == 0u)); }
                }
            }
        }
    }
    reduceAndStore(acc, tid, firstRow, firstOut, outs);
}
