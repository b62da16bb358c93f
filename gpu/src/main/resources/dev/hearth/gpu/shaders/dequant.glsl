// Dequantization of one group of 32 consecutive weights of a row, for every weight type Hearth reads (GGML block
// layouts, little endian). The includer declares `uint W[]` (the weights' bytes as words) and defines WTYPE.
// Groups of 32 fit every type: legacy blocks are 32 weights, K-quant super-blocks 8 groups of 32.
#include "weight_types.glsl"

uint wbyte(uint off) { return (W[off >> 2] >> ((off & 3u) << 3)) & 0xFFu; }
uint wu16(uint off) { return wbyte(off) | (wbyte(off + 1u) << 8); }
float whalf(uint off) { return unpackHalf2x16(wu16(off)).x; }
int wi8(uint off) { return int(wbyte(off) << 24) >> 24; }
uint wu32(uint off) { return wu16(off) | (wu16(off + 2u) << 16); }

// K-quant 6-bit scale and min of sub-block j (0..7) from the 12 scale bytes at off (llama.cpp get_scale_min_k4)
void scaleMinK4(uint off, uint j, out float sc, out float mn) {
    if (j < 4u) {
        sc = float(wbyte(off + j) & 63u);
        mn = float(wbyte(off + j + 4u) & 63u);
    } else {
        sc = float((wbyte(off + j + 4u) & 0xFu) | ((wbyte(off + j - 4u) >> 6) << 4));
        mn = float((wbyte(off + j + 4u) >> 4) | ((wbyte(off + j) >> 6) << 4));
    }
}

// v = weights [32 g, 32 g + 32) of the row starting at byte rowOff
void dequantGroup(uint rowOff, uint g, inout float v[32]) {
#if WTYPE == T_F32
    uint base = (rowOff >> 2) + g * 32u;
    for (uint i = 0u; i < 32u; i++) { v[i] = uintBitsToFloat(W[base + i]); }
#elif WTYPE == T_F16
    uint base = (rowOff >> 2) + g * 16u;
    for (uint i = 0u; i < 16u; i++) { vec2 h = unpackHalf2x16(W[base + i]); v[2u * i] = h.x; v[2u * i + 1u] = h.y; }
#elif WTYPE == T_BF16
    uint base = (rowOff >> 2) + g * 16u;
    for (uint i = 0u; i < 16u; i++) {
        uint w = W[base + i];
        v[2u * i] = uintBitsToFloat(w << 16);
        v[2u * i + 1u] = uintBitsToFloat(w & 0xFFFF0000u);
    }
#elif WTYPE == T_Q8_0
    uint off = rowOff + g * 34u;
    float d = whalf(off);
    for (uint i = 0u; i < 32u; i++) { v[i] = d * float(wi8(off + 2u + i)); }
#elif WTYPE == T_Q4_0
    uint off = rowOff + g * 18u;
    float d = whalf(off);
    for (uint i = 0u; i < 16u; i++) {
        uint q = wbyte(off + 2u + i);
        v[i] = d * float(int(q & 0xFu) - 8);
        v[i + 16u] = d * float(int(q >> 4) - 8);
    }
#elif WTYPE == T_Q4_1
    uint off = rowOff + g * 20u;
    float d = whalf(off);
    float m = whalf(off + 2u);
    for (uint i = 0u; i < 16u; i++) {
        uint q = wbyte(off + 4u + i);
        v[i] = d * float(q & 0xFu) + m;
        v[i + 16u] = d * float(q >> 4) + m;
    }
#elif WTYPE == T_Q5_0
    uint off = rowOff + g * 22u;
    float d = whalf(off);
    uint qh = wu32(off + 2u);
    for (uint i = 0u; i < 16u; i++) {
        uint q = wbyte(off + 6u + i);
        uint h0 = ((qh >> i) << 4) & 0x10u;
        uint h1 = (qh >> (i + 12u)) & 0x10u;
        v[i] = d * float(int((q & 0xFu) | h0) - 16);
        v[i + 16u] = d * float(int((q >> 4) | h1) - 16);
    }
#elif WTYPE == T_Q5_1
    uint off = rowOff + g * 24u;
    float d = whalf(off);
    float m = whalf(off + 2u);
    uint qh = wu32(off + 4u);
    for (uint i = 0u; i < 16u; i++) {
        uint q = wbyte(off + 8u + i);
        uint h0 = ((qh >> i) << 4) & 0x10u;
        uint h1 = (qh >> (i + 12u)) & 0x10u;
        v[i] = d * float((q & 0xFu) | h0) + m;
        v[i + 16u] = d * float((q >> 4) | h1) + m;
    }
#elif WTYPE == T_Q4_K
    // super-block of 256: d, dmin (f16), 12 scale bytes, 128 bytes of nibbles (64 weights per 32 bytes)
    uint off = rowOff + (g >> 3) * 144u;
    uint j = g & 7u;
    float d = whalf(off);
    float dmin = whalf(off + 2u);
    float sc, mn;
    scaleMinK4(off + 4u, j, sc, mn);
    float d1 = d * sc;
    float m1 = dmin * mn;
    uint q = off + 16u + 32u * (j >> 1);
    uint shift = (j & 1u) * 4u;
    for (uint l = 0u; l < 32u; l++) { v[l] = d1 * float((wbyte(q + l) >> shift) & 0xFu) - m1; }
#elif WTYPE == T_Q5_K
    // super-block of 256: d, dmin, 12 scale bytes, 32 bytes of high bits, 128 bytes of nibbles
    uint off = rowOff + (g >> 3) * 176u;
    uint j = g & 7u;
    float d = whalf(off);
    float dmin = whalf(off + 2u);
    float sc, mn;
    scaleMinK4(off + 4u, j, sc, mn);
    float d1 = d * sc;
    float m1 = dmin * mn;
    uint q = off + 48u + 32u * (j >> 1);
    uint shift = (j & 1u) * 4u;
    for (uint l = 0u; l < 32u; l++) {
        uint hi = ((wbyte(off + 16u + l) >> j) & 1u) << 4;
        v[l] = d1 * float(((wbyte(q + l) >> shift) & 0xFu) | hi) - m1;
    }
#elif WTYPE == T_Q6_K
    // super-block of 256: 128 bytes low nibbles, 64 bytes high 2-bit pairs, 16 int8 scales, d (f16) at 208
    uint off = rowOff + (g >> 3) * 210u;
    uint j = g & 7u;
    uint half_ = j >> 2;
    uint quarter = j & 3u;
    float d = whalf(off + 208u);
    uint ql = off + 64u * half_ + ((quarter & 1u) != 0u ? 32u : 0u);
    uint qh = off + 128u + 32u * half_;
    uint sc = off + 192u + 8u * half_ + 2u * quarter;
    uint nshift = quarter >= 2u ? 4u : 0u;
    for (uint l = 0u; l < 32u; l++) {
        int q = int(((wbyte(ql + l) >> nshift) & 0xFu) | (((wbyte(qh + l) >> (2u * quarter)) & 3u) << 4)) - 32;
        v[l] = d * float(wi8(sc + (l >> 4))) * float(q);
    }
#else
#error unknown WTYPE
#endif
}
