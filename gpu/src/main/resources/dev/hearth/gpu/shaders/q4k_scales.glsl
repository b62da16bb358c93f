// The 6-bit scales and mins of a Q4_K or Q5_K super-block's 8 sub-blocks, from its 12 scale bytes (as three words):
// shared by the Q4_K and Q5_K decode kernels.
uint scaleByte(uvec3 s, uint i) { return (s[i >> 2] >> ((i & 3u) << 3)) & 0xFFu; }

// 6-bit scale (x) and min (y) of sub-block j from the 12 scale bytes (llama.cpp get_scale_min_k4), without a branch
vec2 scaleMin(uvec3 s, uint j) {
    uint lo = j & 3u;
    vec2 low = vec2(scaleByte(s, lo) & 63u, scaleByte(s, lo + 4u) & 63u);
    uint b8 = scaleByte(s, lo + 8u);
    vec2 high = vec2((b8 & 0xFu) | ((scaleByte(s, lo) >> 6) << 4), (b8 >> 4) | ((scaleByte(s, lo + 4u) >> 6) << 4));
    return j < 4u ? low : high;
}
