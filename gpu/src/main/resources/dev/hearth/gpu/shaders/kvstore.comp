#version 450
// Stores the n rows of keys and values of this step at their pool rows (rows[t]) of one layer's cache: KV 0 as F32,
// KV 1 as pairs of halves, KV 2 as Q8_0 (per block of 32: scale max|x| / 127 rounded to f16, values rounded half
// away from zero, as the CPU's Q8Rows.quantize), quants four to a word and scales as floats beside them.
// ROPE 1: rope.comp folded in (one pass and one barrier fewer a layer): the keys are rotated as they are read (each
// value from its pair in k, which stays as it was), and the invocations after the store's rotate q's pairs in place.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer K { float k[]; };
layout(std430, binding = 1) readonly buffer V { float v[]; };
#if KV == 1 || KV == 2
layout(std430, binding = 2) writeonly buffer KC { uint kc[]; };
layout(std430, binding = 3) writeonly buffer VC { uint vc[]; };
#else
layout(std430, binding = 2) writeonly buffer KC { float kc[]; };
layout(std430, binding = 3) writeonly buffer VC { float vc[]; };
#endif
layout(std430, binding = 4) readonly buffer Rows { int rows[]; };
#if KV == 2
layout(std430, binding = 5) writeonly buffer KS { float ks[]; };
layout(std430, binding = 6) writeonly buffer VS { float vs[]; };
#endif
#if ROPE
#if KV == 2
#define ROPE_BINDING 7
#else
#define ROPE_BINDING 5
#endif
layout(std430, binding = ROPE_BINDING) buffer Q { float q[]; };
layout(std430, binding = ROPE_BINDING + 1) readonly buffer CS { float cs[]; };  // as rope.comp's
#endif
layout(push_constant) uniform P {
    uint kvDim; uint n; uint numHeads; uint headSize; uint rotaryDims; uint qStride; uint neox; uint sinOffset;
} p;
#if ROPE
#include "rope.glsl"
#endif

// key value idx (row idx / kvDim) as the cache stores it: rotated where ROPE says (rope.glsl's pairs and angles)
float keyAt(uint idx) {
#if ROPE
    uint d = (idx % p.kvDim) % p.headSize;
    if (d >= p.rotaryDims) {
        return k[idx];
    }
    uint a, b;
    float c, s;
    ropePair(idx / p.kvDim, idx - d, p.neox != 0u ? d % (p.rotaryDims / 2u) : d / 2u, a, b, c, s);
    float x0 = k[a];
    float x1 = k[b];
    return idx == a ? x0 * c - x1 * s : x0 * s + x1 * c;
#else
    return k[idx];
#endif
}

#if ROPE
// q's pair `pair` (of n * numHeads * rotaryDims / 2) rotated in place, as rope.comp does
void rotateQuery(uint pair) {
    uint half_ = p.rotaryDims / 2u;
    uint h = (pair / half_) % p.numHeads;
    uint t = pair / (half_ * p.numHeads);
    uint a, b;
    float c, s;
    ropePair(t, t * p.qStride + h * p.headSize, pair % half_, a, b, c, s);
    float x0 = q[a];
    float x1 = q[b];
    q[a] = x0 * c - x1 * s;
    q[b] = x0 * s + x1 * c;
}
#endif

#if KV == 2
// d rounded to the nearest half (ties to even), as the CPU's Float.floatToFloat16, by bit arithmetic: NVIDIA's compiler
// folds unpackHalf2x16(packHalf2x16(d)) into d. d >= 0 and below the half range's top (max|x| / 127).
float roundToHalf(float d) {
    uint b = floatBitsToUint(d);
    int e = int(b >> 23) - 127;
    if (e < -25) { return 0.0; }  // below half the smallest subnormal half
    uint drop = uint(e >= -14 ? 13 : -1 - e);  // mantissa bits below the half's last (2^-24 apart when subnormal)
    if (drop > 23u) {  // [2^-25, 2^-24): 0 or the smallest subnormal; a tie goes to 0 (even)
        return d > uintBitsToFloat(0x33000000u) ? uintBitsToFloat(0x33800000u) : 0.0;
    }
    uint lowMask = (1u << drop) - 1u;
    uint rest = b & lowMask;
    uint kept = b & ~lowMask;
    uint halfway = 1u << (drop - 1u);
    if (rest > halfway || (rest == halfway && ((kept >> drop) & 1u) == 1u)) { kept += 1u << drop; }
    return uintBitsToFloat(kept);
}

// quantizes block `blk` (32 values from src[at]) into 8 words at q[dst / 4] and its scale
float quantizeBlock(bool key, uint at, uint dst) {
    float amax = 0.0;
    for (uint i = 0u; i < 32u; i++) { amax = max(amax, abs(key ? keyAt(at + i) : v[at + i])); }
    float d = amax / 127.0;
    float id = d != 0.0 ? 1.0 / d : 0.0;
    for (uint w = 0u; w < 8u; w++) {
        uint word = 0u;
        for (uint j = 0u; j < 4u; j++) {
            float x = (key ? keyAt(at + 4u * w + j) : v[at + 4u * w + j]) * id;
            int q = int(x + (x < 0.0 ? -0.5 : 0.5));
            word |= (uint(q) & 0xFFu) << (8u * j);
        }
        if (key) { kc[dst / 4u + w] = word; } else { vc[dst / 4u + w] = word; }
    }
    return roundToHalf(d);
}
#endif

void main() {
    uint id = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u;
#if KV == 1
    uint width = p.kvDim / 2u;
#elif KV == 2
    uint width = p.kvDim / 32u;
#else
    uint width = p.kvDim;
#endif
    if (id >= p.n * width) {
#if ROPE
        if (id - p.n * width < p.n * p.numHeads * (p.rotaryDims / 2u)) {
            rotateQuery(id - p.n * width);
        }
#endif
        return;
    }
    uint t = id / width;
    uint i = id % width;
    uint dst = uint(rows[t]) * width + i;
#if KV == 1
    uint src = t * p.kvDim + 2u * i;
    kc[dst] = packHalf2x16(vec2(keyAt(src), keyAt(src + 1u)));
    vc[dst] = packHalf2x16(vec2(v[src], v[src + 1u]));
#elif KV == 2
    uint src = t * p.kvDim + 32u * i;
    ks[dst] = quantizeBlock(true, src, 32u * dst);
    vs[dst] = quantizeBlock(false, src, 32u * dst);
#else
    kc[dst] = keyAt(t * p.kvDim + i);
    vc[dst] = v[t * p.kvDim + i];
#endif
}
