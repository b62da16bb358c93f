#version 450
// The host defines WTYPE, WG, NR, MAXOUT, SUBGROUPS and GLU (1: x is silu(gate) * up of the two inputs, the SwiGLU
// of a feed-forward fused into its down product).
// Decode matrix-vector product (numOut small): y[o, row] = sum_c W[row, c] * x[o, c], the weights read once for up
// to MAXOUT output rows. A workgroup of WG invocations takes NR weight rows; its invocations walk the row's 32-value
// groups side by side (lane l takes groups l, l + WG, ...), so a wave reads consecutive blocks of the row (coalesced),
// decodes them in registers four values at a time (weights.glsl: no per-group array, nothing spilled), and takes x
// as vec4s (shared by the NR rows through L1). Reduction: subgroupAdd, then one shared slot per subgroup (SUBGROUPS
// 1), or a shared-memory tree where the device lacks subgroup arithmetic (SUBGROUPS 0).
#extension GL_EXT_control_flow_attributes : require
#if SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
layout(local_size_x = WG) in;
layout(std430, binding = 0) readonly buffer Weights { uint W[]; };
layout(std430, binding = 1) readonly buffer X { vec4 x4[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
#if GLU
layout(std430, binding = 3) readonly buffer Up { vec4 up4[]; };
vec4 xAt(uint i) {
    vec4 g = x4[i];
    return g / (1.0 + exp(-g)) * up4[i];
}
#else
vec4 xAt(uint i) { return x4[i]; }
#endif
layout(push_constant) uniform P { uint rows; uint cols; uint numOut; uint rowBytes; } p;
#include "weights.glsl"
#include "matvec_reduce.glsl"

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint firstRow = (gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x) * NR;
    uint firstOut = gl_WorkGroupID.y * MAXOUT;
    uint outs = min(uint(MAXOUT), p.numOut - firstOut);
    uint groups = p.cols / 32u;
    uint xRow = p.cols / 4u;  // vec4s per x row
    float acc[NR * MAXOUT];
    [[unroll]] for (uint i = 0u; i < NR * MAXOUT; i++) { acc[i] = 0.0; }
    for (uint g = tid; g < groups; g += WG) {
        [[unroll]] for (uint r = 0u; r < NR; r++) {
            uint row = firstRow + r;
            if (row >= p.rows) { break; }
            prepareGroup(row * p.rowBytes, g);
            [[unroll]] for (uint k = 0u; k < 8u; k++) {
                vec4 w = quad(k);
                uint xi = firstOut * xRow + g * 8u + k;
                [[unroll]] for (uint o = 0u; o < MAXOUT; o++) {
                    if (o < outs) { acc[r * MAXOUT + o] += dot(w, xAt(xi + o * xRow)); }
                }
            }
        }
    }
    reduceAndStore(acc, tid, firstRow, firstOut, outs);
}
