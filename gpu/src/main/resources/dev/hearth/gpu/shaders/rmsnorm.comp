#version 450
// y[r, :] = x[src(r), :] / sqrt(mean(x^2) + eps) * w, one workgroup per row; src(r) = rowsIn[r] with GATHER, else r.
// In place (y = x) is safe: every value is read before the barrier that precedes the writes.
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) buffer Y { float y[]; };
layout(std430, binding = 2) readonly buffer Wt { float w[]; };
layout(std430, binding = 3) readonly buffer Rows { int rowsIn[]; };
layout(push_constant) uniform P { uint n; float eps; uint rows; } p;
shared float red[64];

void main() {
    uint r = gl_WorkGroupID.x + gl_WorkGroupID.z * gl_NumWorkGroups.x;
    if (r >= p.rows) {
        return;
    }
    uint tid = gl_LocalInvocationID.x;
#if GATHER
    uint src = uint(rowsIn[r]) * p.n;
#else
    uint src = r * p.n;
#endif
    float s = 0.0;
    for (uint i = tid; i < p.n; i += 64u) { float a = x[src + i]; s += a * a; }
    red[tid] = s;
    barrier();
    for (uint k = 32u; k > 0u; k >>= 1) {
        if (tid < k) { red[tid] += red[tid + k]; }
        barrier();
    }
    float scale = 1.0 / sqrt(red[0] / float(p.n) + p.eps);
    for (uint i = tid; i < p.n; i += 64u) { y[r * p.n + i] = x[src + i] * scale * w[i]; }
}
