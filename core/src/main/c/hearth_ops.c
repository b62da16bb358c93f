/*
 * The forward pass's small float operations in native code, so that none of them runs as Vector API code in the
 * interpreter at a start (each vector operation boxed: some 76 MB of garbage in a 14B's start, the first passes at
 * 2-3 times their steady time) or takes C2's time to compile (about 0.5 s of a 2-core start): RMSNorm, the residual and
 * bias adds, SwiGLU, RoPE's NEOX pairing, and one head's attention over the paged KV cache (F32, F16 and Q8_0). AVX2
 * and FMA (the CPUs hk_caps accepts); exp is this file's own polynomial (exp8). Each has a scalar twin in Java that
 * NativeOpsTest holds it to (Norms, VectorOps, Activations, Rope, Attention).
 */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#define OPS __attribute__((target("avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))

OPS INLINE float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

OPS INLINE float hmax8(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/*
 * e^x for 8 floats: x = n ln2 + r with |r| <= ln2 / 2 (ln2 in two parts, so r is exact to float precision), e^r by
 * its degree-7 Taylor-like polynomial (the classic single-precision coefficients), times 2^n built in the exponent
 * bits. Within 2 ulp of expf over the clamped range; x is clamped to [-87.3, 88.7], so e^x never overflows and the
 * smallest result is about 1.2e-38 instead of 0.
 */
OPS INLINE __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.7f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
            _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

OPS INLINE float exp1(float x) {
    return _mm256_cvtss_f32(exp8(_mm256_set1_ps(x)));
}

/* out[r * n + i] = x[r * n + i] / sqrt(mean(x_r^2) + eps) * w[i] for rows r in [0, rows); out may be x. */
OPS void hk_rmsnorm_rows(float *out, const float *x, const float *w, int32_t rows, int32_t n, float eps) {
    for (int32_t row = 0; row < rows; row++) {
        const float *xr = x + (int64_t) row * n;
        float *o = out + (int64_t) row * n;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        int32_t i = 0;
        for (; i + 16 <= n; i += 16) {
            __m256 v0 = _mm256_loadu_ps(xr + i), v1 = _mm256_loadu_ps(xr + i + 8);
            a0 = _mm256_fmadd_ps(v0, v0, a0);
            a1 = _mm256_fmadd_ps(v1, v1, a1);
        }
        float sum = hsum8(_mm256_add_ps(a0, a1));
        for (; i < n; i++) {
            sum += xr[i] * xr[i];
        }
        double mean = (double) (sum / n + eps);  /* as Java: float mean, double root and quotient */
        float scale = (float) (1.0 / _mm_cvtsd_f64(_mm_sqrt_sd(_mm_set_sd(mean), _mm_set_sd(mean))));
        __m256 vs = _mm256_set1_ps(scale);
        i = 0;
        for (; i + 8 <= n; i += 8) {
            _mm256_storeu_ps(o + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(xr + i), vs), _mm256_loadu_ps(w + i)));
        }
        for (; i < n; i++) {
            o[i] = xr[i] * scale * w[i];
        }
    }
}

/* y[r * n + i] += x[i] for rows r in [0, rows) (rows 1: the residual add; more: a bias on every row). */
OPS void hk_add_rows(float *y, const float *x, int32_t rows, int32_t n) {
    for (int32_t row = 0; row < rows; row++) {
        float *yr = y + (int64_t) row * n;
        int32_t i = 0;
        for (; i + 8 <= n; i += 8) {
            _mm256_storeu_ps(yr + i, _mm256_add_ps(_mm256_loadu_ps(yr + i), _mm256_loadu_ps(x + i)));
        }
        for (; i < n; i++) {
            yr[i] += x[i];
        }
    }
}

/* gate[i] = gate[i] / (1 + e^-gate[i]) * up[i]. */
OPS void hk_swiglu(float *gate, const float *up, int64_t n) {
    __m256 one = _mm256_set1_ps(1.0f);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i);
        __m256 silu = _mm256_div_ps(g, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), g))));
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(silu, _mm256_loadu_ps(up + i)));
    }
    for (; i < n; i++) {
        gate[i] = gate[i] / (1.0f + exp1(-gate[i])) * up[i];
    }
}

/* RoPE's NEOX pairing (i, i + rotaryDims / 2) over heads of headSize; cos and sin hold rotaryDims / 2 values. */
OPS void hk_rope_halves(float *x, int32_t heads, int32_t headSize, int32_t rotaryDims, const float *cos,
        const float *sin) {
    int32_t half = rotaryDims / 2;
    for (int32_t h = 0; h < heads; h++) {
        float *a = x + (int64_t) h * headSize;
        float *b = a + half;
        int32_t i = 0;
        for (; i + 8 <= half; i += 8) {
            __m256 c = _mm256_loadu_ps(cos + i), s = _mm256_loadu_ps(sin + i);
            __m256 x0 = _mm256_loadu_ps(a + i), x1 = _mm256_loadu_ps(b + i);
            _mm256_storeu_ps(a + i, _mm256_sub_ps(_mm256_mul_ps(x0, c), _mm256_mul_ps(x1, s)));
            _mm256_storeu_ps(b + i, _mm256_add_ps(_mm256_mul_ps(x0, s), _mm256_mul_ps(x1, c)));
        }
        for (; i < half; i++) {
            float x0 = a[i], x1 = b[i];
            a[i] = x0 * cos[i] - x1 * sin[i];
            b[i] = x0 * sin[i] + x1 * cos[i];
        }
    }
}

#define KV_F32 0
#define KV_F16 1
#define KV_Q8_0 2

/* Values of one cached row as 8 floats from value i (F16: 8 halves; Q8_0: 8 bytes, times their block's scale). */
OPS INLINE __m256 row8(int32_t precision, const void *data, const uint16_t *scales, int64_t at) {
    if (precision == KV_F32) {
        return _mm256_loadu_ps((const float *) data + at);
    }
    if (precision == KV_F16) {
        return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) ((const uint16_t *) data + at)));
    }
    __m128i bytes = _mm_loadl_epi64((const __m128i *) ((const int8_t *) data + at));
    __m256 q = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
    return _mm256_mul_ps(q, _mm256_set1_ps(_cvtsh_ss(scales[at / 32])));
}

OPS INLINE float row1(int32_t precision, const void *data, const uint16_t *scales, int64_t at) {
    if (precision == KV_F32) {
        return ((const float *) data)[at];
    }
    if (precision == KV_F16) {
        return _cvtsh_ss(((const uint16_t *) data)[at]);
    }
    return ((const int8_t *) data)[at] * _cvtsh_ss(scales[at / 32]);
}

/*
 * One query head over the first length positions of a sequence's cached keys and values: out = sum_j softmax_j(scale
 * q . k_j) v_j. Position j is row blocks[j / blockSize] * blockSize + j % blockSize; its head starts at value row *
 * stride + headOffset of keys and values (Q8_0: bytes, with a half scale per 32 values in keyScales and valueScales;
 * 8 values are read at once only where the offsets keep them inside one block). scores holds length floats.
 */
OPS void hk_attend(int32_t precision, const float *q, const void *keys, const void *keyScales, const void *values,
        const void *valueScales, const int32_t *blocks, int32_t blockSize, int64_t headOffset, int32_t stride,
        int32_t length, int32_t headSize, float scale, float *scores, float *out) {
    int32_t wide = precision != KV_Q8_0 || (headOffset % 8 == 0 && stride % 8 == 0) ? headSize / 8 * 8 : 0;
    float max = -INFINITY;
    for (int32_t j = 0; j < length; j++) {
        int64_t at = ((int64_t) blocks[j / blockSize] * blockSize + j % blockSize) * stride + headOffset;
        __m256 acc = _mm256_setzero_ps();
        int32_t i = 0;
        for (; i < wide; i += 8) {
            acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), row8(precision, keys, keyScales, at + i), acc);
        }
        float dot = hsum8(acc);
        for (; i < headSize; i++) {
            dot += q[i] * row1(precision, keys, keyScales, at + i);
        }
        scores[j] = scale * dot;
        max = scores[j] > max ? scores[j] : max;
    }
    __m256 vmax = _mm256_set1_ps(max), vsum = _mm256_setzero_ps();
    int32_t j = 0;
    for (; j + 8 <= length; j += 8) {
        __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(scores + j), vmax));
        _mm256_storeu_ps(scores + j, e);
        vsum = _mm256_add_ps(vsum, e);
    }
    float sum = hsum8(vsum);
    for (; j < length; j++) {
        scores[j] = exp1(scores[j] - max);
        sum += scores[j];
    }
    float inv = 1.0f / sum;
    for (int32_t i = 0; i < headSize; i++) {
        out[i] = 0;
    }
    for (j = 0; j < length; j++) {
        int64_t at = ((int64_t) blocks[j / blockSize] * blockSize + j % blockSize) * stride + headOffset;
        __m256 p = _mm256_set1_ps(scores[j] * inv);
        int32_t i = 0;
        for (; i < wide; i += 8) {
            _mm256_storeu_ps(out + i, _mm256_fmadd_ps(p, row8(precision, values, valueScales, at + i),
                    _mm256_loadu_ps(out + i)));
        }
        for (; i < headSize; i++) {
            out[i] += scores[j] * inv * row1(precision, values, valueScales, at + i);
        }
    }
}
