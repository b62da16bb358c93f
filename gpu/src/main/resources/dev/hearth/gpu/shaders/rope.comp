#version 450
// Rotary embedding in place over n rows of numHeads heads: pair i of a head is (2i, 2i+1) (NORM) or
// (i, i + rotaryDims/2) (NEOX); cos and sin of row t's position per pair come from the host (cs: cos rows, then
// sin rows at sinOffset).
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer CS { float cs[]; };
layout(push_constant) uniform P { uint n; uint numHeads; uint headSize; uint rotaryDims; uint stride; uint neox; uint sinOffset; } p;

void main() {
    uint half_ = p.rotaryDims / 2u;
    uint id = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u;
    if (id >= p.n * p.numHeads * half_) {
        return;
    }
    uint i = id % half_;
    uint h = (id / half_) % p.numHeads;
    uint t = id / (half_ * p.numHeads);
    float c = cs[t * half_ + i];
    float s = cs[p.sinOffset + t * half_ + i];
    uint base = t * p.stride + h * p.headSize;
    uint a = p.neox != 0u ? base + i : base + 2u * i;
    uint b = p.neox != 0u ? base + half_ + i : base + 2u * i + 1u;
    float x0 = x[a];
    float x1 = x[b];
    x[a] = x0 * c - x1 * s;
    x[b] = x0 * s + x1 * c;
}
