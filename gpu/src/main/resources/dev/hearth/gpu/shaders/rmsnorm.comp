#version 450
// y[r, :] = x[src(r), :] / sqrt(mean(x^2) + eps) * w, one workgroup of WG invocations per row; src(r) = rowsIn[r]
// with GATHER 1, else r. ADD 1 first adds b to the row in place (x[r] += b[r]: the residual add before a norm, one
// pass instead of two). Each invocation loads four values a round, all four issued before any is used (a loop of
// single loads would wait a memory latency per value: one workgroup per row is latency-bound, not bandwidth-bound).
// In place (y = x) is safe: every value is read before the barrier that precedes the writes. The host defines WG,
// GATHER, ADD and SUBGROUPS.
#if SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
layout(local_size_x = WG) in;
layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) buffer Y { float y[]; };
layout(std430, binding = 2) readonly buffer Wt { float w[]; };
layout(std430, binding = 3) readonly buffer Rows { int rowsIn[]; };
#if ADD
layout(std430, binding = 4) readonly buffer B { float b[]; };
#endif
layout(push_constant) uniform P { uint n; float eps; uint rows; } p;
shared float red[WG];  // per subgroup (at most WG / 4 of them: drivers may pick a smaller size than they report)

float load(uint at, uint i) {
    if (i >= p.n) { return 0.0; }
#if ADD
    float v = x[at + i] + b[at + i];
    x[at + i] = v;
    return v;
#else
    return x[at + i];
#endif
}

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
    for (uint i = tid; i < p.n; i += 4u * WG) {
        float a0 = load(src, i);
        float a1 = load(src, i + WG);
        float a2 = load(src, i + 2u * WG);
        float a3 = load(src, i + 3u * WG);
        s += a0 * a0 + a1 * a1 + a2 * a2 + a3 * a3;
    }
#if SUBGROUPS
    s = subgroupAdd(s);
    if (subgroupElect()) { red[gl_SubgroupID] = s; }
    barrier();
    float total = 0.0;
    for (uint i = 0u; i < gl_NumSubgroups; i++) { total += red[i]; }
#else
    red[tid] = s;
    barrier();
    for (uint k = WG / 2u; k > 0u; k >>= 1) {
        if (tid < k) { red[tid] += red[tid + k]; }
        barrier();
    }
    float total = red[0];
#endif
    float scale = 1.0 / sqrt(total / float(p.n) + p.eps);
    for (uint i = tid; i < p.n; i += WG) { y[r * p.n + i] = x[src + i] * scale * w[i]; }
}
