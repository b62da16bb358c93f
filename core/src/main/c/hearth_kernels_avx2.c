/*
 * Hearth's packed matmul kernels for CPUs with AVX2 (and FMA, F16C) but not AVX-512 VNNI (the tests also call them
 * directly on AVX-512 machines, against the scalar twin).
 *
 * They read the same repacked layouts as the AVX-512 kernels (hk_repack: tiles of 16 rows, row i of a tile in the
 * i-th 4-byte lane of each 64-byte vector), a tile as two halves of 8 rows, one 256-bit register per half. AVX2 has
 * no vpdpbusd: a dot product of 4 unsigned weight bytes with 4 signed activation bytes is vpmaddubsw (pairs, to 16
 * bits) and vpmaddwd against ones (to 32 bits). Sums of several vpmaddubsw stay in 16 bits while they cannot
 * overflow: 8 for 4-bit weights (8 * 2 * 15 * 127 = 30480), 4 for 5-bit, 2 for 6-bit, 1 for 8-bit.
 *
 * Activations as for the AVX-512 kernels: Q4_0, Q5_0 and Q8_0 take NativeKernels.quantize (blocks of 32), the
 * K-quants NativeKernels.quantizeK (one scale per 256 values); nsx is minus each block's sum of q.
 *
 * Layouts of the types packed only here (per unit of a 16-row tile; the others are described in hearth_kernels.c):
 *   Q5_0, 352 bytes per block: the nibbles as Q4_0 (4 vectors), one vector of high bits (row i's 4 bytes: byte k
 *         holds in bits 0-3 the fifth bits of values 4m + k, m = 0..3, and in bits 4-7 those of values 16 + 4m + k),
 *         the 16 rows' d (f16). 22 bytes per row, as the file.
 *   Q8_0, 544 bytes per block: 8 vectors (vector m: values 4m .. 4m + 3, signed), the 16 rows' d. 34 bytes per row.
 *   Q5_K, 2880 bytes per super-block: the nibbles as Q4_K (4 chunks of 8 vectors), 8 vectors of high bits (vector
 *         m: row i's qh bytes 4m .. 4m + 3, the file's own: bit s is the fifth bit of value 4m + k of sub-block s),
 *         scales and mins (8 x 16 bytes each), d and dmin (f16). 180 bytes per row against the file's 176.
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define HK_Q4_0 2
#define HK_Q5_0 6
#define HK_Q8_0 8
#define HK_Q4_K 12
#define HK_Q5_K 13
#define HK_Q6_K 14

#define A2 __attribute__((target("avx2,fma,f16c")))
#define A2_INLINE static inline __attribute__((always_inline, target("avx2,fma,f16c")))

/* Bytes of one unit (block or super-block) of a 16-row tile, per type; 0 where this file has no kernel. */
int hk_avx2_unit_bytes(int type) {
    switch (type) {
        case HK_Q4_0: return 288;
        case HK_Q5_0: return 352;
        case HK_Q8_0: return 544;
        case HK_Q4_K: return 2368;
        case HK_Q5_K: return 2880;
        case HK_Q6_K: return 3360;
        default: return 0;
    }
}

A2_INLINE __m256i bcast4(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

A2_INLINE __m256i ld(const uint8_t *p) {
    return _mm256_loadu_si256((const __m256i *) p);
}

/* 8 f16 values (the rows of a half tile) as floats. */
/*
 * The K-quant super-block two ahead of p, every line, on a tile's first pass (first half, first tokens; later passes
 * find it in cache): see prefetch_unit in hearth_kernels.c.
 */
A2_INLINE void a2_prefetch_unit(const uint8_t *p, int bytes, int h, int t0) {
    if (h == 0 && t0 == 0) {
        for (int o = 0; o < bytes; o += 64) {
            _mm_prefetch((const char *) p + 2 * (size_t) bytes + o, _MM_HINT_T0);
        }
    }
}

A2_INLINE __m256 h8(const uint8_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) p));
}

/* 8 bytes (unsigned or signed) as floats. */
A2_INLINE __m256 u8x8(const uint8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *) p)));
}

A2_INLINE __m256 i8x8(const uint8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *) p)));
}

A2_INLINE __m256i mb(__m256i w, const int8_t *x) {
    return _mm256_maddubs_epi16(w, bcast4(x));
}

A2_INLINE __m256i widen(__m256i s16) {
    return _mm256_madd_epi16(s16, _mm256_set1_epi16(1));
}

/* The 8 unsigned weight vectors (values 0..31 at most) of one 32-value block of a half tile, for one token. */
A2_INLINE __m256i dot8_small(const __m256i *w, const int8_t *x) {  /* values below 16: one 16-bit sum */
    __m256i s = _mm256_add_epi16(mb(w[0], x), mb(w[1], x + 4));
    s = _mm256_add_epi16(s, _mm256_add_epi16(mb(w[2], x + 8), mb(w[3], x + 12)));
    s = _mm256_add_epi16(s, _mm256_add_epi16(mb(w[4], x + 16), mb(w[5], x + 20)));
    s = _mm256_add_epi16(s, _mm256_add_epi16(mb(w[6], x + 24), mb(w[7], x + 28)));
    return widen(s);
}

A2_INLINE __m256i dot8_five(const __m256i *w, const int8_t *x) {   /* values below 32: two 16-bit sums */
    __m256i a = _mm256_add_epi16(_mm256_add_epi16(mb(w[0], x), mb(w[1], x + 4)),
            _mm256_add_epi16(mb(w[2], x + 8), mb(w[3], x + 12)));
    __m256i b = _mm256_add_epi16(_mm256_add_epi16(mb(w[4], x + 16), mb(w[5], x + 20)),
            _mm256_add_epi16(mb(w[6], x + 24), mb(w[7], x + 28)));
    return _mm256_add_epi32(widen(a), widen(b));
}

/* Lanes [0, valid) of a half tile stored at o. */
A2_INLINE void store8(float *o, int valid, __m256 v) {
    if (valid >= 8) {
        _mm256_storeu_ps(o, v);
    } else {
        __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        _mm256_maskstore_ps(o, _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), lanes), v);
    }
}

typedef struct {
    int cols, nb;
    const int8_t *xq;
    const float *dx;
    const int32_t *nsx;
    const float *cx;     /* Q6_K: dx times each 16-value group's sum of q */
    float *out;
    int64_t n;
} a2_call;

/* Weight vectors of half h of one 32-value block: Q4_0 (and the nibbles of Q5_0). */
A2_INLINE void q4_0_weights(const uint8_t *pb, int h, __m256i *w) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    for (int m = 0; m < 4; m++) {
        __m256i q = ld(pb + 64 * m + 32 * h);
        w[m] = _mm256_and_si256(q, m4);
        w[4 + m] = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
    }
}

A2_INLINE void q5_0_weights(const uint8_t *pb, int h, __m256i *w) {
    q4_0_weights(pb, h, w);
    const __m256i bit = _mm256_set1_epi8(0x10);
    __m256i hb = ld(pb + 256 + 32 * h);
    /* vector m: the fifth bit of value 4m + k is bit m of byte k, of 16 + 4m + k bit 4 + m */
    w[0] = _mm256_or_si256(w[0], _mm256_and_si256(_mm256_slli_epi16(hb, 4), bit));
    w[1] = _mm256_or_si256(w[1], _mm256_and_si256(_mm256_slli_epi16(hb, 3), bit));
    w[2] = _mm256_or_si256(w[2], _mm256_and_si256(_mm256_slli_epi16(hb, 2), bit));
    w[3] = _mm256_or_si256(w[3], _mm256_and_si256(_mm256_slli_epi16(hb, 1), bit));
    w[4] = _mm256_or_si256(w[4], _mm256_and_si256(hb, bit));
    w[5] = _mm256_or_si256(w[5], _mm256_and_si256(_mm256_srli_epi16(hb, 1), bit));
    w[6] = _mm256_or_si256(w[6], _mm256_and_si256(_mm256_srli_epi16(hb, 2), bit));
    w[7] = _mm256_or_si256(w[7], _mm256_and_si256(_mm256_srli_epi16(hb, 3), bit));
}

/* Blocks of 32 (Q4_0, Q5_0, Q8_0): tokens [t0, t0 + NT) against half h of the tile at row r. */
A2_INLINE void a2_block32(int type, int NT, const uint8_t *tile, int h, int t0, int r, int valid, const a2_call *c) {
    int ub = type == HK_Q4_0 ? 288 : type == HK_Q5_0 ? 352 : 544;
    int dAt = type == HK_Q4_0 ? 256 : type == HK_Q5_0 ? 320 : 512;
    int offset = type == HK_Q4_0 ? 8 : 16;
    __m256 f[4];
    for (int j = 0; j < NT; j++) {
        f[j] = _mm256_setzero_ps();
    }
    for (int b = 0; b < c->nb; b++) {
        const uint8_t *pb = tile + (size_t) b * ub;
        __m256i w[8];
        __m256 dw = h8(pb + dAt + 16 * h);
        if (type == HK_Q8_0) {
            for (int m = 0; m < 8; m++) {
                w[m] = ld(pb + 64 * m + 32 * h);
            }
        } else if (type == HK_Q5_0) {
            q5_0_weights(pb, h, w);
        } else {
            q4_0_weights(pb, h, w);
        }
        for (int j = 0; j < NT; j++) {
            int64_t t = t0 + j;
            const int8_t *x = c->xq + t * c->cols + 32 * b;
            __m256i dot;
            if (type == HK_Q8_0) {  /* signed weights: |w| times x with w's sign; each product pair fits 16 bits */
                dot = _mm256_setzero_si256();
                for (int m = 0; m < 8; m++) {
                    __m256i xv = bcast4(x + 4 * m);
                    dot = _mm256_add_epi32(dot, widen(_mm256_maddubs_epi16(_mm256_abs_epi8(w[m]),
                            _mm256_sign_epi8(xv, w[m]))));
                }
            } else {
                dot = type == HK_Q4_0 ? dot8_small(w, x) : dot8_five(w, x);
                /* the weights went in unsigned: offset * sum(x) back out, nsx = -sum(x) */
                dot = _mm256_add_epi32(dot, _mm256_set1_epi32(offset * c->nsx[t * c->nb + b]));
            }
            f[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_mul_ps(dw, _mm256_set1_ps(c->dx[t * c->nb + b])),
                    f[j]);
        }
    }
    for (int j = 0; j < NT; j++) {
        store8(c->out + (int64_t) (t0 + j) * c->n + r + 8 * h, valid - 8 * h, f[j]);
    }
}

/* Q4_K and Q5_K: tokens [t0, t0 + NT) against half h of the tile at row r. */
A2_INLINE void a2_k45(int type, int NT, const uint8_t *tile, int supers, int h, int t0, int r, int valid,
        const a2_call *c) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i bit = _mm256_set1_epi8(0x10);
    int five = type == HK_Q5_K;
    int ub = five ? 2880 : 2368;
    int scAt = five ? 2560 : 2048;
    __m256 f[4], fm[4];
    for (int j = 0; j < NT; j++) {
        f[j] = _mm256_setzero_ps();
        fm[j] = _mm256_setzero_ps();
    }
    for (int sb = 0; sb < supers; sb++) {
        const uint8_t *p = tile + (size_t) sb * ub;
        a2_prefetch_unit(p, ub, h, t0);
        __m256 dv = h8(p + scAt + 256 + 16 * h);
        __m256 mv = h8(p + scAt + 288 + 16 * h);
        for (int s = 0; s < 8; s++) {   /* sub-block s: chunk s / 2, low or high nibbles */
            const uint8_t *q = p + 512 * (s / 2);
            __m256i w[8];
            for (int m = 0; m < 8; m++) {
                __m256i v = ld(q + 64 * m + 32 * h);
                w[m] = (s & 1) ? _mm256_and_si256(_mm256_srli_epi16(v, 4), m4) : _mm256_and_si256(v, m4);
                if (five) {   /* bit s of each qh byte to bit 4 */
                    __m256i hb = ld(p + 2048 + 64 * m + 32 * h);
                    __m256i hs;
                    switch (s) {
                        case 0: hs = _mm256_slli_epi16(hb, 4); break;
                        case 1: hs = _mm256_slli_epi16(hb, 3); break;
                        case 2: hs = _mm256_slli_epi16(hb, 2); break;
                        case 3: hs = _mm256_slli_epi16(hb, 1); break;
                        case 4: hs = hb; break;
                        case 5: hs = _mm256_srli_epi16(hb, 1); break;
                        case 6: hs = _mm256_srli_epi16(hb, 2); break;
                        default: hs = _mm256_srli_epi16(hb, 3); break;
                    }
                    w[m] = _mm256_or_si256(w[m], _mm256_and_si256(hs, bit));
                }
            }
            __m256 scv = _mm256_mul_ps(dv, u8x8(p + scAt + 16 * s + 8 * h));
            __m256 mnv = _mm256_mul_ps(mv, u8x8(p + scAt + 128 + 16 * s + 8 * h));
            int b = 8 * sb + s;
            for (int j = 0; j < NT; j++) {
                int64_t t = t0 + j;
                const int8_t *x = c->xq + t * c->cols + 32 * b;
                __m256i dot = five ? dot8_five(w, x) : dot8_small(w, x);
                float d = c->dx[t * c->nb + b];
                f[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_mul_ps(scv, _mm256_set1_ps(d)), f[j]);
                /* minus dmin * min * sum(x): nsx is minus the block's sum of q */
                fm[j] = _mm256_fmadd_ps(mnv, _mm256_set1_ps(d * (float) c->nsx[t * c->nb + b]), fm[j]);
            }
        }
    }
    for (int j = 0; j < NT; j++) {
        store8(c->out + (int64_t) (t0 + j) * c->n + r + 8 * h, valid - 8 * h, _mm256_add_ps(f[j], fm[j]));
    }
}

/* Q6_K: tokens [t0, t0 + NT) against half h of the tile at row r (layout in hearth_kernels.c). */
A2_INLINE void a2_q6_k(int NT, const uint8_t *tile, int supers, int h, int t0, int r, int valid, const a2_call *c) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i top = _mm256_set1_epi8(0x30);
    __m256 f[4];
    for (int j = 0; j < NT; j++) {
        f[j] = _mm256_setzero_ps();
    }
    int groups = c->cols / 16;
    for (int sb = 0; sb < supers; sb++) {
        const uint8_t *p = tile + (size_t) sb * 3360;
        a2_prefetch_unit(p, 3360, h, t0);
        __m256 dv = h8(p + 3328 + 16 * h);
        for (int s = 0; s < 8; s++) {   /* sub-block s: groups 2s (vectors 0..3) and 2s + 1 (4..7) */
            const uint8_t *q = p + 512 * (s / 2);
            const uint8_t *hi = p + 2048 + 512 * (s / 4);
            __m256i w[8];
            for (int m = 0; m < 8; m++) {
                __m256i v = ld(q + 64 * m + 32 * h);
                __m256i lo = (s & 1) ? _mm256_and_si256(_mm256_srli_epi16(v, 4), m4) : _mm256_and_si256(v, m4);
                __m256i hv = ld(hi + 64 * m + 32 * h);
                __m256i hs;
                switch (s & 3) {   /* bits 2j, 2j + 1 to bits 4, 5 */
                    case 0: hs = _mm256_slli_epi16(hv, 4); break;
                    case 1: hs = _mm256_slli_epi16(hv, 2); break;
                    case 2: hs = hv; break;
                    default: hs = _mm256_srli_epi16(hv, 2); break;
                }
                w[m] = _mm256_or_si256(lo, _mm256_and_si256(hs, top));
            }
            __m256 sa = _mm256_mul_ps(dv, i8x8(p + 3072 + 32 * s + 8 * h));
            __m256 sbv = _mm256_mul_ps(dv, i8x8(p + 3072 + 32 * s + 16 + 8 * h));
            int v0 = 256 * sb + 32 * s;
            for (int j = 0; j < NT; j++) {
                int64_t t = t0 + j;
                const int8_t *x = c->xq + t * c->cols + v0;
                /* 6-bit weights: two vpmaddubsw per 16-bit sum (2 * 2 * 63 * 127 < 32768) */
                __m256i d0 = _mm256_add_epi32(widen(_mm256_add_epi16(mb(w[0], x), mb(w[1], x + 4))),
                        widen(_mm256_add_epi16(mb(w[2], x + 8), mb(w[3], x + 12))));
                __m256i d1 = _mm256_add_epi32(widen(_mm256_add_epi16(mb(w[4], x + 16), mb(w[5], x + 20))),
                        widen(_mm256_add_epi16(mb(w[6], x + 24), mb(w[7], x + 28))));
                __m256 d = _mm256_set1_ps(c->dx[t * c->nb + v0 / 32]);
                const float *cg = c->cx + t * groups + v0 / 16;
                f[j] = _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_cvtepi32_ps(d0), d, _mm256_set1_ps(-32.0f * cg[0])), sa, f[j]);
                f[j] = _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_cvtepi32_ps(d1), d, _mm256_set1_ps(-32.0f * cg[1])), sbv, f[j]);
            }
        }
    }
    for (int j = 0; j < NT; j++) {
        store8(c->out + (int64_t) (t0 + j) * c->n + r + 8 * h, valid - 8 * h, f[j]);
    }
}

A2 static void a2_tile(int type, int NT, const uint8_t *tile, int units, int h, int t0, int r, int valid,
        const a2_call *c) {
    switch (type) {
        case HK_Q4_0:
            if (NT == 4) a2_block32(HK_Q4_0, 4, tile, h, t0, r, valid, c); else a2_block32(HK_Q4_0, 1, tile, h, t0, r, valid, c);
            break;
        case HK_Q5_0:
            if (NT == 4) a2_block32(HK_Q5_0, 4, tile, h, t0, r, valid, c); else a2_block32(HK_Q5_0, 1, tile, h, t0, r, valid, c);
            break;
        case HK_Q8_0:
            if (NT == 4) a2_block32(HK_Q8_0, 4, tile, h, t0, r, valid, c); else a2_block32(HK_Q8_0, 1, tile, h, t0, r, valid, c);
            break;
        case HK_Q4_K:
            if (NT == 4) a2_k45(HK_Q4_K, 4, tile, units, h, t0, r, valid, c); else a2_k45(HK_Q4_K, 1, tile, units, h, t0, r, valid, c);
            break;
        case HK_Q5_K:
            if (NT == 4) a2_k45(HK_Q5_K, 4, tile, units, h, t0, r, valid, c); else a2_k45(HK_Q5_K, 1, tile, units, h, t0, r, valid, c);
            break;
        default:
            if (NT == 4) a2_q6_k(4, tile, units, h, t0, r, valid, c); else a2_q6_k(1, tile, units, h, t0, r, valid, c);
            break;
    }
}

/* Per token: the sum of each 16-value group of q times its block's scale, for the Q6_K offset. */
A2 static void a2_group_sums(const int8_t *xq, const float *dx, int cols, int tokens, float *cx) {
    int groups = cols / 16;
    for (int t = 0; t < tokens; t++) {
        const int8_t *x = xq + (int64_t) t * cols;
        for (int g = 0; g < groups; g++) {
            int sum = 0;
            for (int i = 0; i < 16; i++) {
                sum += x[16 * g + i];
            }
            cx[(int64_t) t * groups + g] = dx[(int64_t) t * (cols / 32) + g / 2] * (float) sum;
        }
    }
}

/*
 * As hk_matmul_packed, on AVX2: rows [r0, r1) of a repacked matrix (r0 a multiple of 16, r1 one too or the last
 * row), tokens [0, tokens). cx is scratch of tokens * cols / 16 floats (Q6_K only; may be null otherwise). Returns 0,
 * or -1 for a type without a kernel here or a range off the tiles.
 */
A2 int hk_matmul_packed_avx2(int type, const uint8_t *packed, int rows, int r0, int r1, int cols, const int8_t *xq,
        const float *dx, const int32_t *nsx, int tokens, float *out, int n, float *cx) {
    int ub = hk_avx2_unit_bytes(type);
    int values = type >= HK_Q4_K ? 256 : 32;
    if (ub == 0 || cols % values != 0 || r0 % 16 != 0 || (r1 % 16 != 0 && r1 != rows) || r1 > rows
            || (type == HK_Q6_K && !cx)) {
        return -1;
    }
    if (type == HK_Q6_K) {
        a2_group_sums(xq, dx, cols, tokens, cx);
    }
    a2_call c = {cols, cols / 32, xq, dx, nsx, cx, out, n};
    int units = cols / values;
    for (int r = r0; r < r1; r += 16) {
        int valid = r1 - r < 16 ? r1 - r : 16;
        const uint8_t *tile = packed + (size_t) (r / 16) * units * ub;
        for (int h = 0; h < 2 && 8 * h < valid; h++) {   /* the second half is read from cache: its lines came with the first */
            int t0 = 0;
            for (; t0 + 4 <= tokens; t0 += 4) a2_tile(type, 4, tile, units, h, t0, r, valid, &c);
            for (; t0 < tokens; t0++) a2_tile(type, 1, tile, units, h, t0, r, valid, &c);
        }
    }
    return 0;
}
