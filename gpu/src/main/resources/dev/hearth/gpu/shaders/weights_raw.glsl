// Half groups of weights (16 values each; RAWH of them, consecutive in one group: 1 or 2 for Q4_K, 1 for Q6_K) in two
// phases, for matmm_coop.comp (RAW 1): fetchHalves issues the loads into registers and returns, decodeHalf turns
// those registers into values later (after the step's products, so the loads'
// latency hides behind them; weights.glsl's quad() decodes where it loads). Q4_K: the block's 16-byte head (d, dmin,
// 12 scale bytes) and each half's 16 bytes of nibbles, all 16-aligned as rows of 144-byte blocks are. Q6_K: the
// half's 16 bytes of low nibbles and of high pairs (blocks of 210 bytes are 2-aligned: 5 words each, shifted into
// place), its scale byte's word and d's. The includer defines WTYPE and RAWH, declares `uint W[]` at binding 0,
// requires GL_EXT_control_flow_attributes and includes weights.glsl first.
#if WTYPE == T_Q4_K
layout(std430, binding = 0) readonly buffer W4 { uvec4 w4[]; };
uvec4 rawHead;
uvec4 rawQuants[RAWH];
uint rawGroup;  // the sub-block, 0..7

// halves half_ .. half_ + RAWH - 1 of group g
void fetchHalves(uint rowOff, uint g, uint half_) {
    uint off = rowOff + (g >> 3) * 144u;
    rawGroup = g & 7u;
    rawHead = w4[off >> 4];
    [[unroll]] for (uint h = 0u; h < RAWH; h++) {
        rawQuants[h] = w4[(off + 16u + 32u * (rawGroup >> 1) + 16u * (half_ + h)) >> 4];
    }
}

// values 4i..4i+3 of the fetched half h in v[i] (scaleMinK4 on the head's scale bytes: 0..3 in .y, 4..7 in .z, 8..11
// in .w)
void decodeHalf(uint h, out vec4 v[4]) {
    vec2 dm = unpackHalf2x16(rawHead.x);
    uint j = rawGroup;
    uint sc;
    uint mn;
    if (j < 4u) {
        sc = (rawHead.y >> (8u * j)) & 63u;
        mn = (rawHead.z >> (8u * j)) & 63u;
    } else {
        uint s = 8u * (j - 4u);
        uint high = (rawHead.w >> s) & 0xFFu;
        sc = (high & 0xFu) | ((((rawHead.y >> s) & 0xFFu) >> 6) << 4);
        mn = (high >> 4) | ((((rawHead.z >> s) & 0xFFu) >> 6) << 4);
    }
    float scale = dm.x * float(sc);
    float minimum = dm.y * float(mn);
    uint shift = (j & 1u) * 4u;
    [[unroll]] for (uint i = 0u; i < 4u; i++) {
        v[i] = scale * nibbles(rawQuants[h][i], shift) - minimum;
    }
}
#elif WTYPE == T_Q6_K
uint rawLow[5];
uint rawHigh[5];
uint rawScale;
uint rawD;
uint rawAt;  // byte shifts: low words (bits 0..4), high words (8..12), scale byte (16..20); d high half (24)
uint rawQuarter;

void fetchHalves(uint rowOff, uint g, uint half_) {
    uint off = rowOff + (g >> 3) * 210u;
    uint j = g & 7u;
    uint h2 = j >> 2;
    rawQuarter = j & 3u;
    uint low = off + 64u * h2 + ((rawQuarter & 1u) != 0u ? 32u : 0u) + 16u * half_;
    uint high = off + 128u + 32u * h2 + 16u * half_;
    uint sc = off + 192u + 8u * h2 + 2u * rawQuarter + half_;
    [[unroll]] for (uint i = 0u; i < 5u; i++) {
        rawLow[i] = W[(low >> 2) + i];
        rawHigh[i] = W[(high >> 2) + i];
    }
    rawScale = W[sc >> 2];
    rawD = W[(off + 208u) >> 2];
    rawAt = ((low & 3u) << 3) | (((high & 3u) << 3) << 8) | (((sc & 3u) << 3) << 16) | (((off + 208u) & 2u) << 23);
}

uint funnel(uint lo, uint hi, uint s) {  // the 4 bytes s / 8 bytes into the 8 of lo, hi
    return s == 0u ? lo : (lo >> s) | (hi << (32u - s));
}

void decodeHalf(uint h, out vec4 v[4]) {
    uint sLow = rawAt & 31u;
    uint sHigh = (rawAt >> 8) & 31u;
    uint sScale = (rawAt >> 16) & 31u;
    float d = unpackHalf2x16((rawAt >> 24) != 0u ? rawD >> 16 : rawD).x;
    float scale = d * float(int((rawScale >> sScale) << 24) >> 24);
    uint lowShift = rawQuarter >= 2u ? 4u : 0u;
    uint pairShift = 2u * rawQuarter;
    [[unroll]] for (uint i = 0u; i < 4u; i++) {
        vec4 lo = nibbles(funnel(rawLow[i], rawLow[i + 1u], sLow), lowShift);
        vec4 hi = vec4((uvec4(funnel(rawHigh[i], rawHigh[i + 1u], sHigh)) >> (uvec4(0u, 8u, 16u, 24u) + pairShift))
                & 3u);
        v[i] = scale * (lo + 16.0 * hi - 32.0);
    }
}
#else
#error weights_raw.glsl decodes Q4_K and Q6_K
#endif
