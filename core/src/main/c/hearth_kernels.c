/*
 * Hearth's native matmul kernels: 8-bit integer dot products (AVX-512 VNNI vpdpbusd) for Q4_0 and Q8_0 weights
 * against activations quantized to 8 bits in blocks of 32 (as ggml's Q8_0: d = max|x| / 127, q = round(x / d)).
 *
 * Called from dev.hearth.kernel.NativeKernels through the FFM API. Built by src/main/c/build.sh when a C compiler is
 * present; the engine falls back to its Vector API kernels when it is not, or when the CPU lacks the instructions
 * (hk_caps). Every function here has a scalar twin in Java (NativeKernels.matmulScalar) that the tests compare with.
 *
 * Layouts (all row-major, little-endian):
 *   weights  row r at w + r * rowBytes; Q4_0 blocks of 18 bytes (f16 d, 16 bytes of nibbles: value j < 16 is the low
 *            nibble of byte j, value j >= 16 the high nibble of byte j - 16, minus 8); Q8_0 blocks of 34 bytes (f16 d,
 *            32 signed bytes). scales, where not null, holds every block's d as a float, row after row.
 *   xq       token t's quantized values at xq + t * cols (signed bytes)
 *   dx       token t's block scales at dx + t * nb (nb = cols / 32)
 *   nsx      minus the sum of each block's quantized values, at nsx + t * nb
 *   out      out[t * n + r]
 *
 * vpdpbusd multiplies unsigned by signed bytes, so the weights go in unsigned with an offset (Q4_0: the nibble as
 * stored, 0..15, offset 8; Q8_0: the byte plus 128), and each block's 8 int32 lanes start at offset / 8 * nsx, which
 * subtracts offset * sum(x) from the block's sum exactly, in integers.
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HK_Q4_0 2
#define HK_Q8_0 8

#define VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,f16c,fma,avx2")))
#define INLINE static inline __attribute__((always_inline))

int hk_version(void) { return 1; }

/* Bit 0: the AVX-512 VNNI kernels can run on this CPU. */
int hk_caps(void) {
    __builtin_cpu_init();
    int ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")
            && __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("f16c")
            && __builtin_cpu_supports("fma");
    return ok ? 1 : 0;
}

/* Per-thread scratch for a decoded row tile: grown, never shrunk. */
static __thread uint8_t *scratch;
static __thread size_t scratch_size;

static void *scratch_get(size_t bytes) {
    if (bytes > scratch_size) {
        free(scratch);
        size_t size = (bytes + 4095) & ~(size_t) 4095;
        scratch = aligned_alloc(64, size);
        scratch_size = scratch ? size : 0;
    }
    return scratch;
}

VNNI INLINE float half_to_float(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

/* The 32 values of a Q4_0 block as unsigned bytes 0..15, in order. */
VNNI INLINE __m256i q4_0_bytes(const uint8_t *qs) {
    __m128i t = _mm_loadu_si128((const __m128i *) qs);
    __m256i b = _mm256_inserti128_si256(_mm256_castsi128_si256(t), _mm_srli_epi16(t, 4), 1);
    return _mm256_and_si256(b, _mm256_set1_epi8(0x0F));
}

/* The 32 values of a Q8_0 block plus 128, as unsigned bytes. */
VNNI INLINE __m256i q8_0_bytes(const uint8_t *qs) {
    return _mm256_xor_si256(_mm256_loadu_si256((const __m256i *) qs), _mm256_set1_epi8((char) 0x80));
}

VNNI INLINE __m256i block_bytes(int type, const uint8_t *block) {
    return type == HK_Q4_0 ? q4_0_bytes(block + 2) : q8_0_bytes(block + 2);
}

/* Lanes 0-7 from element 0 of v, lanes 8-15 from element 1. */
VNNI INLINE __m512i pair_index(void) {
    return _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
}

/* Two consecutive ints (or floats) spread over the two halves of a vector; one only where single. */
VNNI INLINE __m512i spread_i(const int32_t *p, int single, __m512i idx) {
    __m128i v = single ? _mm_cvtsi32_si128(p[0]) : _mm_loadl_epi64((const __m128i *) p);
    return _mm512_permutexvar_epi32(idx, _mm512_castsi128_si512(v));
}

VNNI INLINE __m512 spread_f(const float *p, int single, __m512i idx) {
    __m128 v = single ? _mm_load_ss(p) : _mm_castpd_ps(_mm_load_sd((const double *) p));
    return _mm512_permutexvar_ps(idx, _mm512_castps128_ps512(v));
}

/* Scales of two blocks of a row, spread over the two halves of a vector (from the table, or the blocks' f16). */
VNNI INLINE __m512 pair_scales(const float *rs, const uint8_t *b0, int bb, __m512i idx) {
    __m128 d;
    if (rs) {
        d = _mm_castpd_ps(_mm_load_sd((const double *) rs));
    } else {
        uint16_t h0, h1;
        memcpy(&h0, b0, 2);
        memcpy(&h1, b0 + bb, 2);
        d = _mm_cvtph_ps(_mm_insert_epi16(_mm_cvtsi32_si128(h0), h1, 1));
    }
    return _mm512_permutexvar_ps(idx, _mm512_castps128_ps512(d));
}

/*
 * One token, rows [r0, r1): weights streamed from memory once. The activation side of each block pair (the offset
 * correction and the scale, spread over the pair's lanes) is laid out once per call in scratch, so the row loop
 * only loads it.
 */
VNNI INLINE void matvec_type(int type, const uint8_t *w, int64_t rowBytes, const float *scales, int r0, int r1,
        int cols, const int8_t *xq, const float *dx, const int32_t *nsx, float *out, __m512i *initv, __m512 *dxv) {
    int nb = cols / 32;
    int pairs = nb / 2;
    int bb = type == HK_Q4_0 ? 18 : 34;
    int shift = type == HK_Q4_0 ? 0 : 4;
    __m512i idx = pair_index();
    for (int p = 0; p < pairs; p++) {
        initv[p] = _mm512_slli_epi32(spread_i(nsx + 2 * p, 0, idx), shift);
        dxv[p] = spread_f(dx + 2 * p, 0, idx);
    }
    for (int r = r0; r < r1; r++) {
        const uint8_t *row = w + (int64_t) r * rowBytes;
        const float *rs = scales ? scales + (int64_t) r * nb : 0;
        __m512 acc = _mm512_setzero_ps();
        for (int p = 0; p < pairs; p++) {
            const uint8_t *b0 = row + (int64_t) (2 * p) * bb;
            __m512i wv = _mm512_inserti64x4(_mm512_castsi256_si512(block_bytes(type, b0)), block_bytes(type, b0 + bb), 1);
            __m512i dot = _mm512_dpbusd_epi32(initv[p], wv, _mm512_loadu_si512(xq + 64 * p));
            __m512 d = _mm512_mul_ps(pair_scales(rs ? rs + 2 * p : 0, b0, bb, idx), dxv[p]);
            acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), d, acc);
        }
        float sum = _mm512_reduce_add_ps(acc);
        if (nb & 1) {  /* the last, unpaired block */
            int b = nb - 1;
            const uint8_t *b0 = row + (int64_t) b * bb;
            __m256i dot = _mm256_dpbusd_epi32(_mm256_slli_epi32(_mm256_set1_epi32(nsx[b]), shift), block_bytes(type, b0),
                    _mm256_loadu_si256((const __m256i *) (xq + 32 * b)));
            __m256 v = _mm256_cvtepi32_ps(dot);
            __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
            h = _mm_add_ps(h, _mm_movehl_ps(h, h));
            h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
            sum += _mm_cvtss_f32(h) * (rs ? rs[b] : half_to_float(b0)) * dx[b];
        }
        out[r] = sum;
    }
}

VNNI static int matvec(int type, const uint8_t *w, int64_t rowBytes, const float *scales, int r0, int r1, int cols,
        const int8_t *xq, const float *dx, const int32_t *nsx, float *out) {
    size_t pairs = (size_t) cols / 64;
    __m512i *initv = scratch_get((pairs + 1) * 128);
    if (!initv) {
        return -1;
    }
    __m512 *dxv = (__m512 *) (initv + pairs + 1);
    if (type == HK_Q4_0) {
        if (scales) {
            matvec_type(HK_Q4_0, w, rowBytes, scales, r0, r1, cols, xq, dx, nsx, out, initv, dxv);
        } else {
            matvec_type(HK_Q4_0, w, rowBytes, 0, r0, r1, cols, xq, dx, nsx, out, initv, dxv);
        }
    } else {
        matvec_type(HK_Q8_0, w, rowBytes, 0, r0, r1, cols, xq, dx, nsx, out, initv, dxv);
    }
    return 0;
}

/*
 * Many tokens: rows in tiles of up to 4, each decoded once into scratch (unsigned bytes, and the block scales as
 * floats), then multiplied with every token, 4 tokens at a time: 16 accumulators, each (row, token) pair one
 * vpdpbusd, one conversion, one scale product and one FMA per 64 values.
 */
#define TILE_R 4
#define TILE_T 4

VNNI INLINE void tile_kernel(int nr, int nt, const uint8_t *su, const float *sd, int cols, int nb, int shift,
        const int8_t *xq, const float *dx, const int32_t *nsx, int t0, float *out, int n, int r) {
    __m512 acc[TILE_R][TILE_T];
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < nt; j++) acc[i][j] = _mm512_setzero_ps();
    __m512i idx = pair_index();
    for (int b = 0; b < nb; b += 2) {
        int single = b + 1 == nb;
        __mmask64 m = single ? 0xFFFFFFFFull : ~0ull;
        __m512i wv[TILE_R];
        __m512 dw[TILE_R];
        for (int i = 0; i < nr; i++) {
            wv[i] = _mm512_loadu_si512(su + (int64_t) i * (cols + 64) + 32 * b);
            dw[i] = _mm512_loadu_ps(sd + (int64_t) i * (nb + 1) * 8 + 8 * b);
        }
        for (int j = 0; j < nt; j++) {
            int t = t0 + j;
            __m512i xv = _mm512_maskz_loadu_epi8(m, xq + (int64_t) t * cols + 32 * b);
            __m512i init = _mm512_slli_epi32(spread_i(nsx + (int64_t) t * nb + b, single, idx), shift);
            __m512 dxv = spread_f(dx + (int64_t) t * nb + b, single, idx);
            for (int i = 0; i < nr; i++) {
                __m512i dot = _mm512_dpbusd_epi32(init, wv[i], xv);
                acc[i][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(dw[i], dxv), acc[i][j]);
            }
        }
    }
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < nt; j++) out[(int64_t) (t0 + j) * n + r + i] = _mm512_reduce_add_ps(acc[i][j]);
}

VNNI static void tile_4x4(const uint8_t *su, const float *sd, int cols, int nb, int shift, const int8_t *xq,
        const float *dx, const int32_t *nsx, int t0, float *out, int n, int r) {
    tile_kernel(4, 4, su, sd, cols, nb, shift, xq, dx, nsx, t0, out, n, r);
}

VNNI static void tile_4x1(const uint8_t *su, const float *sd, int cols, int nb, int shift, const int8_t *xq,
        const float *dx, const int32_t *nsx, int t0, float *out, int n, int r) {
    tile_kernel(4, 1, su, sd, cols, nb, shift, xq, dx, nsx, t0, out, n, r);
}

VNNI static void tile_1x4(const uint8_t *su, const float *sd, int cols, int nb, int shift, const int8_t *xq,
        const float *dx, const int32_t *nsx, int t0, float *out, int n, int r) {
    tile_kernel(1, 4, su, sd, cols, nb, shift, xq, dx, nsx, t0, out, n, r);
}

VNNI static void tile_1x1(const uint8_t *su, const float *sd, int cols, int nb, int shift, const int8_t *xq,
        const float *dx, const int32_t *nsx, int t0, float *out, int n, int r) {
    tile_kernel(1, 1, su, sd, cols, nb, shift, xq, dx, nsx, t0, out, n, r);
}

VNNI static int gemm(int type, const uint8_t *w, int64_t rowBytes, const float *scales, int r0, int r1, int cols,
        const int8_t *xq, const float *dx, const int32_t *nsx, int tokens, float *out, int n) {
    int nb = cols / 32;
    int bb = type == HK_Q4_0 ? 18 : 34;
    int shift = type == HK_Q4_0 ? 0 : 4;
    size_t rowStride = (size_t) cols + 64;            /* a zero pad past the last block for an odd block count */
    size_t scaleStride = (size_t) (nb + 1) * 8;       /* each block's scale 8 times */
    uint8_t *su = scratch_get(TILE_R * rowStride + TILE_R * scaleStride * sizeof(float));
    if (!su) {
        return -1;
    }
    float *sd = (float *) (su + TILE_R * rowStride);
    for (int r = r0; r < r1; r += TILE_R) {
        int nr = r1 - r < TILE_R ? r1 - r : TILE_R;
        for (int i = 0; i < nr; i++) {
            const uint8_t *row = w + (int64_t) (r + i) * rowBytes;
            const float *rs = scales ? scales + (int64_t) (r + i) * nb : 0;
            uint8_t *u = su + i * rowStride;
            float *s = sd + i * scaleStride;
            for (int b = 0; b < nb; b++) {
                const uint8_t *blk = row + (int64_t) b * bb;
                _mm256_storeu_si256((__m256i *) (u + 32 * b), block_bytes(type, blk));
                _mm256_storeu_ps(s + 8 * b, _mm256_set1_ps(rs ? rs[b] : half_to_float(blk)));
            }
            memset(u + 32 * nb, 0, 64);
            _mm256_storeu_ps(s + 8 * nb, _mm256_setzero_ps());
        }
        int t0 = 0;
        if (nr == TILE_R) {
            for (; t0 + TILE_T <= tokens; t0 += TILE_T) tile_4x4(su, sd, cols, nb, shift, xq, dx, nsx, t0, out, n, r);
            for (; t0 < tokens; t0++) tile_4x1(su, sd, cols, nb, shift, xq, dx, nsx, t0, out, n, r);
        } else {
            for (int i = 0; i < nr; i++) {
                const uint8_t *u = su + i * rowStride;
                const float *s = sd + i * scaleStride;
                int t = 0;
                for (; t + TILE_T <= tokens; t += TILE_T) tile_1x4(u, s, cols, nb, shift, xq, dx, nsx, t, out, n, r + i);
                for (; t < tokens; t++) tile_1x1(u, s, cols, nb, shift, xq, dx, nsx, t, out, n, r + i);
            }
        }
    }
    return 0;
}

/*
 * out[t * n + r] = row r of the weights times token t, for rows [r0, r1) and tokens [0, tokens). Returns 0, or -1 for
 * an unknown type or a failed scratch allocation (nothing written then).
 */
VNNI int hk_matmul(int type, const uint8_t *w, int64_t rowBytes, const float *scales, int r0, int r1, int cols,
        const int8_t *xq, const float *dx, const int32_t *nsx, int tokens, float *out, int n) {
    if ((type != HK_Q4_0 && type != HK_Q8_0) || cols % 32 != 0) {
        return -1;
    }
    if (tokens == 1) {
        return matvec(type, w, rowBytes, scales, r0, r1, cols, xq, dx, nsx, out);
    }
    return gemm(type, w, rowBytes, scales, r0, r1, cols, xq, dx, nsx, tokens, out, n);
}
