#version 450
// x[t, :] = dequantized row tokens[t] of the embedding table; one invocation per group of 32 values.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Weights { uint W[]; };
layout(std430, binding = 1) readonly buffer Tokens { int tokens[]; };
layout(std430, binding = 2) writeonly buffer Out { float x[]; };
layout(push_constant) uniform P { uint cols; uint rowBytes; uint n; } p;
#include "dequant.glsl"

void main() {
    uint g = gl_GlobalInvocationID.x;
    uint t = gl_GlobalInvocationID.y;
    if (g >= p.cols / 32u || t >= p.n) {
        return;
    }
    float v[32];
    dequantGroup(uint(tokens[t]) * p.rowBytes, g, v);
    for (uint j = 0u; j < 32u; j++) { x[t * p.cols + g * 32u + j] = v[j]; }
}
