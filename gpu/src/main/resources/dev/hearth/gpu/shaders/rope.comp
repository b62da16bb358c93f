#version 450
// Rotary embedding in place over n rows of q (numHeads heads, row stride qStride) and of k (kvHeads heads, row stride
// kStride) in one dispatch: the first n * numHeads * rotaryDims/2 invocations take q's pairs, the rest k's (pairs and
// angles: rope.glsl).
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer Q { float q[]; };
layout(std430, binding = 1) buffer K { float k[]; };
layout(std430, binding = 2) readonly buffer CS { float cs[]; };
layout(push_constant) uniform P {
    uint n; uint numHeads; uint headSize; uint rotaryDims; uint qStride; uint neox; uint sinOffset; uint kvHeads;
    uint kStride;
} p;
#include "rope.glsl"

void main() {
    uint half_ = p.rotaryDims / 2u;
    uint id = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u;
    uint qPairs = p.n * p.numHeads * half_;
    bool isQ = id < qPairs;
    uint heads = isQ ? p.numHeads : p.kvHeads;
    uint local_ = isQ ? id : id - qPairs;
    if (!isQ && local_ >= p.n * p.kvHeads * half_) {
        return;
    }
    uint i = local_ % half_;
    uint h = (local_ / half_) % heads;
    uint t = local_ / (half_ * heads);
    uint a, b;
    float c, s;
    ropePair(t, t * (isQ ? p.qStride : p.kStride) + h * p.headSize, i, a, b, c, s);
    if (isQ) {
        float x0 = q[a];
        float x1 = q[b];
        q[a] = x0 * c - x1 * s;
        q[b] = x0 * s + x1 * c;
    } else {
        float x0 = k[a];
        float x1 = k[b];
        k[a] = x0 * c - x1 * s;
        k[b] = x0 * s + x1 * c;
    }
}
