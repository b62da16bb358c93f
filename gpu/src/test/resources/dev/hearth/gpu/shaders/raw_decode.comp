#version 450
// Test-only: every half group (16 values) of a matrix through weights_raw.glsl's fetch and later decode, RAWH halves
// an invocation (1, or 2: a whole group), written as the matrix's values row by row, for ShaderKernelsTest to hold
// against the CPU's dequantization.
#extension GL_EXT_control_flow_attributes : require
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Weights { uint W[]; };
layout(std430, binding = 1) writeonly buffer Out { vec4 o[]; };
layout(push_constant) uniform P { uint rows; uint cols; uint rowBytes; } p;
#include "weights.glsl"
#include "weights_raw.glsl"

void main() {
    uint i = gl_GlobalInvocationID.x;
    uint runs = p.cols / (16u * RAWH);
    if (i >= p.rows * runs) {
        return;
    }
    uint h = (i % runs) * RAWH;  // the first half group of this invocation's run
    fetchHalves((i / runs) * p.rowBytes, h / 2u, h % 2u);
    [[unroll]] for (uint r = 0u; r < RAWH; r++) {
        vec4 v[4];
        decodeHalf(r, v);
        [[unroll]] for (uint k = 0u; k < 4u; k++) {
            o[(i * RAWH + r) * 4u + k] = v[k];
        }
    }
}
