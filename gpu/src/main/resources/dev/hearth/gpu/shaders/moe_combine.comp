#version 450
// out[t, i] = sum over the row's `used` experts of weight * that expert's output row.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer E { float expertOut[]; };
layout(std430, binding = 1) readonly buffer Wt { float weights[]; };
layout(std430, binding = 2) writeonly buffer O { float o[]; };
layout(push_constant) uniform P { uint n; uint dim; uint used; } p;

void main() {
    uint id = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u;
    if (id >= p.n * p.dim) {
        return;
    }
    uint t = id / p.dim;
    uint i = id % p.dim;
    float s = 0.0;
    for (uint k = 0u; k < p.used; k++) { s += weights[t * p.used + k] * expertOut[(t * p.used + k) * p.dim + i]; }
    o[id] = s;
}
