#version 450
// Stores the n rows of keys and values of this step at their pool rows (rows[t]) of one layer's cache, as F32 or,
// with F16KV, as pairs of halves.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer K { float k[]; };
layout(std430, binding = 1) readonly buffer V { float v[]; };
#if F16KV
layout(std430, binding = 2) writeonly buffer KC { uint kc[]; };
layout(std430, binding = 3) writeonly buffer VC { uint vc[]; };
#else
layout(std430, binding = 2) writeonly buffer KC { float kc[]; };
layout(std430, binding = 3) writeonly buffer VC { float vc[]; };
#endif
layout(std430, binding = 4) readonly buffer Rows { int rows[]; };
layout(push_constant) uniform P { uint kvDim; uint n; } p;

void main() {
    uint id = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u;
#if F16KV
    uint width = p.kvDim / 2u;
#else
    uint width = p.kvDim;
#endif
    if (id >= p.n * width) {
        return;
    }
    uint t = id / width;
    uint i = id % width;
    uint dst = uint(rows[t]) * width + i;
#if F16KV
    uint src = t * p.kvDim + 2u * i;
    kc[dst] = packHalf2x16(vec2(k[src], k[src + 1u]));
    vc[dst] = packHalf2x16(vec2(v[src], v[src + 1u]));
#else
    kc[dst] = k[t * p.kvDim + i];
    vc[dst] = v[t * p.kvDim + i];
#endif
}
