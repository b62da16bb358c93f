// Register decoding of one 32-value group of a weight row, four values at a time, for every weight type (GGML block
// layouts, as dequant.glsl; that file stays the reference the group-array kernels use). prepareGroup(rowOff, g) reads
// the group's scales into the invocation's registers, then quad(k) returns values 4k..4k+3 (k = 0..7). Quants are read
// as whole 32-bit words (wword: any byte offset, blocks of 18/22/34/210 bytes are only 2-aligned), never byte by byte.
// The includer declares `uint W[]` and defines WTYPE.
#include "weight_types.glsl"

// the 4 bytes at byte offset off, little endian
uint wword(uint off) {
    uint i = off >> 2;
    uint s = (off & 3u) << 3;
    if (s == 0u) { return W[i]; }
    return (W[i] >> s) | (W[i + 1u] << (32u - s));
}
float whalfAt(uint off) {
    uint w = W[off >> 2];
    return unpackHalf2x16((off & 2u) != 0u ? (w >> 16) : w).x;
}
vec4 nibbles(uint word, uint shift) {  // four 4-bit values: bits shift..shift+3 of each byte
    uvec4 b = (uvec4(word) >> (uvec4(0u, 8u, 16u, 24u) + shift)) & 0xFu;
    return vec4(b);
}
vec4 bits(uint word, uint shift) {  // bit `shift` of each byte, as 0 or 1
    return vec4((uvec4(word) >> (uvec4(0u, 8u, 16u, 24u) + shift)) & 1u);
}

float gScale;   // d (or d times the sub-block scale)
float gMin;     // the added minimum (Q4_1, Q5_1) or the subtracted one (K-quants)
uint gBase;     // byte (or word, for F32/F16/BF16) offset of the group's values
uint gHigh;     // Q5_0/Q5_1: the 32 high bits; Q5_K: byte offset of the high-bit bytes; Q6_K: of the 2-bit pairs
uint gShift;    // nibble shift (K-quants), or the sub-block index (Q5_K high bit, Q6_K pair shift)
float gScale1;  // Q6_K: scale of the second 16 values

#if WTYPE == T_F32
void prepareGroup(uint rowOff, uint g) { gBase = (rowOff >> 2) + g * 32u; }
vec4 quad(uint k) {
    uint b = gBase + 4u * k;
    return uintBitsToFloat(uvec4(W[b], W[b + 1u], W[b + 2u], W[b + 3u]));
}
#elif WTYPE == T_F16
void prepareGroup(uint rowOff, uint g) { gBase = (rowOff >> 2) + g * 16u; }
vec4 quad(uint k) {
    uint b = gBase + 2u * k;
    return vec4(unpackHalf2x16(W[b]), unpackHalf2x16(W[b + 1u]));
}
#elif WTYPE == T_BF16
void prepareGroup(uint rowOff, uint g) { gBase = (rowOff >> 2) + g * 16u; }
vec4 quad(uint k) {
    uint a = W[gBase + 2u * k];
    uint b = W[gBase + 2u * k + 1u];
    return uintBitsToFloat(uvec4(a << 16, a & 0xFFFF0000u, b << 16, b & 0xFFFF0000u));
}
#elif WTYPE == T_Q8_0
void prepareGroup(uint rowOff, uint g) {
    uint off = rowOff + g * 34u;
    gScale = whalfAt(off);
    gBase = off + 2u;
}
vec4 quad(uint k) {
    ivec4 q = (ivec4(wword(gBase + 4u * k)) << ivec4(24, 16, 8, 0)) >> 24;
    return gScale * vec4(q);
}
#elif WTYPE == T_Q4_0
void prepareGroup(uint rowOff, uint g) {
    uint off = rowOff + g * 18u;
    gScale = whalfAt(off);
    gBase = off + 2u;
}
// values 0..15 are the low nibbles of bytes 0..15, values 16..31 their high nibbles
vec4 quad(uint k) { return gScale * (nibbles(wword(gBase + 4u * (k & 3u)), (k >> 2) * 4u) - 8.0); }
#elif WTYPE == T_Q4_1
void prepareGroup(uint rowOff, uint g) {
    uint off = rowOff + g * 20u;
    gScale = whalfAt(off);
    gMin = whalfAt(off + 2u);
    gBase = off + 4u;
}
vec4 quad(uint k) { return gScale * nibbles(wword(gBase + 4u * (k & 3u)), (k >> 2) * 4u) + gMin; }
#elif WTYPE == T_Q5_0
void prepareGroup(uint rowOff, uint g) {
    uint off = rowOff + g * 22u;
    gScale = whalfAt(off);
    gHigh = wword(off + 2u);
    gBase = off + 6u;
}
// value e takes bit e of the 32 high bits as its fifth bit
vec4 quad(uint k) {
    vec4 hi = vec4((uvec4(gHigh) >> (uvec4(0u, 1u, 2u, 3u) + 4u * k)) & 1u);
    return gScale * (nibbles(wword(gBase + 4u * (k & 3u)), (k >> 2) * 4u) + 16.0 * hi - 16.0);
}
#elif WTYPE == T_Q5_1
void prepareGroup(uint rowOff, uint g) {
    uint off = rowOff + g * 24u;
    gScale = whalfAt(off);
    gMin = whalfAt(off + 2u);
    gHigh = wword(off + 4u);
    gBase = off + 8u;
}
vec4 quad(uint k) {
    vec4 hi = vec4((uvec4(gHigh) >> (uvec4(0u, 1u, 2u, 3u) + 4u * k)) & 1u);
    return gScale * (nibbles(wword(gBase + 4u * (k & 3u)), (k >> 2) * 4u) + 16.0 * hi) + gMin;
}
#elif WTYPE == T_Q4_K || WTYPE == T_Q5_K
uint wbyteAt(uint off) { return (W[off >> 2] >> ((off & 3u) << 3)) & 0xFFu; }
// K-quant 6-bit scale and min of sub-block j (0..7) from the 12 scale bytes at off (llama.cpp get_scale_min_k4)
void scaleMinK4(uint off, uint j, out float sc, out float mn) {
    if (j < 4u) {
        sc = float(wbyteAt(off + j) & 63u);
        mn = float(wbyteAt(off + j + 4u) & 63u);
    } else {
        sc = float((wbyteAt(off + j + 4u) & 0xFu) | ((wbyteAt(off + j - 4u) >> 6) << 4));
        mn = float((wbyteAt(off + j + 4u) >> 4) | ((wbyteAt(off + j) >> 6) << 4));
    }
}
void prepareGroup(uint rowOff, uint g) {
#if WTYPE == T_Q4_K
    uint off = rowOff + (g >> 3) * 144u;  // d, dmin, 12 scale bytes, 128 bytes of nibbles
    uint quants = off + 16u;
#else
    uint off = rowOff + (g >> 3) * 176u;  // d, dmin, 12 scale bytes, 32 bytes of high bits, 128 bytes of nibbles
    uint quants = off + 48u;
    gHigh = off + 16u;
#endif
    uint j = g & 7u;
    float sc, mn;
    scaleMinK4(off + 4u, j, sc, mn);
    gScale = whalfAt(off) * sc;
    gMin = whalfAt(off + 2u) * mn;
    gBase = quants + 32u * (j >> 1);
    gShift = j;
}
vec4 quad(uint k) {
    vec4 q = nibbles(wword(gBase + 4u * k), (gShift & 1u) * 4u);
#if WTYPE == T_Q5_K
    q += 16.0 * bits(wword(gHigh + 4u * k), gShift);
#endif
    return gScale * q - gMin;
}
#elif WTYPE == T_Q6_K
// super-block of 256: 128 bytes low nibbles, 64 bytes high 2-bit pairs, 16 int8 scales, d (f16) at 208
int wi8At(uint off) { return int(((W[off >> 2] >> ((off & 3u) << 3)) & 0xFFu) << 24) >> 24; }
void prepareGroup(uint rowOff, uint g) {
    uint off = rowOff + (g >> 3) * 210u;
    uint j = g & 7u;
    uint half_ = j >> 2;
    uint quarter = j & 3u;
    float d = whalfAt(off + 208u);
    gBase = off + 64u * half_ + ((quarter & 1u) != 0u ? 32u : 0u);
    gHigh = off + 128u + 32u * half_;
    uint sc = off + 192u + 8u * half_ + 2u * quarter;
    gScale = d * float(wi8At(sc));
    gScale1 = d * float(wi8At(sc + 1u));
    gShift = quarter;
}
vec4 quad(uint k) {
    vec4 lo = nibbles(wword(gBase + 4u * k), gShift >= 2u ? 4u : 0u);
    vec4 hi = vec4((uvec4(wword(gHigh + 4u * k)) >> (uvec4(0u, 8u, 16u, 24u) + 2u * gShift)) & 3u);
    return (k < 4u ? gScale : gScale1) * (lo + 16.0 * hi - 32.0);
}
#else
#error unknown WTYPE
#endif
