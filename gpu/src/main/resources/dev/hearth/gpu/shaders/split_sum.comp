#version 450
// The end of a split-K product (matmm_coop.comp): y[i] = the sum of part s's value i over the splits, count values a
// part, the parts one after another, added in split order (the same sums every run).
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Parts { float parts[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P { uint count; uint splits; } p;

void main() {
    uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u;
    if (i >= p.count) {
        return;
    }
    float s = 0.0;
    for (uint k = 0u; k < p.splits; k++) {
        s += parts[k * p.count + i];
    }
    y[i] = s;
}
