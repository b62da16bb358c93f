// A Q4_0 block (f16 d, then 16 bytes of nibbles) out of the two 16-byte loads a (the 16-aligned bytes below its
// first byte) and b (the next 16), its first byte at s (even) in the 32: two word selects and a 16-bit funnel.
// Shared by the Q4_0 decode kernels.
uvec4 q4_0Block(uvec4 a, uvec4 b, uint s, out float d) {
    bool by8 = (s & 8u) != 0u;
    bool by4 = (s & 4u) != 0u;
    // the words from byte (s & 12) on: first 8 bytes on or not, then 4
    uint c0 = by8 ? a.z : a.x;
    uint c1 = by8 ? a.w : a.y;
    uint c2 = by8 ? b.x : a.z;
    uint c3 = by8 ? b.y : a.w;
    uint c4 = by8 ? b.z : b.x;
    uint c5 = by8 ? b.w : b.y;
    uint v0 = by4 ? c1 : c0;
    uint v1 = by4 ? c2 : c1;
    uint v2 = by4 ? c3 : c2;
    uint v3 = by4 ? c4 : c3;
    uint v4 = by4 ? c5 : c4;
    // d in the low or high half of v0; the 16 quant bytes from 2 bytes on: a funnel or whole words
    bool odd = (s & 2u) != 0u;
    d = unpackHalf2x16(odd ? v0 >> 16 : v0).x;
    return odd ? uvec4(v1, v2, v3, v4) : (uvec4(v0, v1, v2, v3) >> 16) | (uvec4(v1, v2, v3, v4) << 16);
}
