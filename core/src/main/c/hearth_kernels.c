/*
 * Hearth's native matmul kernels: 8-bit integer dot products (AVX-512 VNNI vpdpbusd) for Q4_0, Q5_0, Q8_0, Q4_K, Q5_K
 * and Q6_K weights (repacked at load; Q4_0, Q8_0, Q4_K and Q6_K also in the file's layout) against activations
 * quantized to 8 bits (NativeKernels.quantize: blocks of 32, as ggml's Q8_0, for Q4_0, Q5_0 and Q8_0;
 * NativeKernels.quantizeK: one scale per 256 values, as ggml's Q8_K, for the K-quants, spread over dx).
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
#define _GNU_SOURCE  /* mremap's MREMAP_FIXED */
#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#define HK_Q4_0 2
#define HK_Q4_1 3
#define HK_Q5_0 6
#define HK_Q5_1 7
#define HK_Q5_K 13
#define HK_Q8_0 8
#define HK_Q4_K 12
#define HK_Q6_K 14
#define IL_ROWS 16   /* rows per tile where one vector lane is one row */

#define VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,f16c,fma,avx2")))
#define INLINE static inline __attribute__((always_inline))

int hk_version(void) { return 1; }

/* Bit 0: the AVX-512 VNNI kernels can run on this CPU; bit 1: the AVX2 packed kernels (hearth_kernels_avx2.c). */
int hk_caps(void) {
    __builtin_cpu_init();
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    int vnni = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")
            && __builtin_cpu_supports("avx512vnni");
    return (vnni ? 1 : 0) | (avx2 ? 2 : 0);
}

/*
 * Memory for repacked weights outside the JVM's accounting (an ByteBuffer or Arena allocation counts against
 * -XX:MaxDirectMemorySize): anonymous pages, with transparent huge pages asked for (fewer TLB misses when a
 * token streams gigabytes). Null when the system refuses. Freed by hk_free with the same size.
 */
void *hk_alloc(int64_t bytes) {
    void *p = mmap(0, (size_t) bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        return 0;
    }
#ifdef MADV_HUGEPAGE
    madvise(p, (size_t) bytes, MADV_HUGEPAGE);
#endif
    return p;
}

int hk_free(void *p, int64_t bytes) {
    return munmap(p, (size_t) bytes);
}

#define HK_HUGE ((uintptr_t) 2 << 20)
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

/* bytes (rounded up to pages) of fresh address space at a 2 MiB boundary, from a larger anonymous reservation whose
 * slack is given back; MAP_FAILED when the system refuses. */
static uint8_t *hk_reserve_aligned(int64_t bytes, int prot) {
    size_t size = ((size_t) bytes + 4095) & ~(size_t) 4095;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | (prot == PROT_NONE ? MAP_NORESERVE : 0);
    uint8_t *r = mmap(0, size + HK_HUGE, prot, flags, -1, 0);
    if (r == MAP_FAILED) {
        return MAP_FAILED;
    }
    uint8_t *a = (uint8_t *) (((uintptr_t) r + HK_HUGE - 1) & ~(HK_HUGE - 1));
    if (a > r) {
        munmap(r, (size_t) (a - r));
    }
    if (r + size + HK_HUGE > a + size) {
        munmap(a + size, (size_t) (r + size + HK_HUGE - (a + size)));
    }
    return a;
}

/*
 * Maps bytes [0, bytes) of the file at path read-only, shared, at a 2 MiB boundary, with huge pages asked for, its
 * page tables filled in one call where the kernel has MADV_POPULATE_READ (5.14+). Where the page cache holds the file
 * in 2 MiB folios (a file system with large folios, ext4 from 6.16, xfs; what it reads on a fault through this
 * mapping is read so), they are mapped whole: a 14B entry's 8 GiB in a few milliseconds, read at full speed from the
 * first pass, shared by every process. Else 4 KiB pages, which hk_promote can move into huge pages at the same
 * addresses. Null when the file cannot be opened or mapped. Freed by hk_free with the same size.
 */
void *hk_map_file(const char *path, int64_t bytes) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    uint8_t *a = hk_reserve_aligned(bytes, PROT_NONE);
    void *p = a == MAP_FAILED ? MAP_FAILED : mmap(a, (size_t) bytes, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        if (a != MAP_FAILED) {
            munmap(a, (size_t) bytes);
        }
        return 0;
    }
#ifdef MADV_HUGEPAGE
    madvise(p, (size_t) bytes, MADV_HUGEPAGE);
#endif
    madvise(p, (size_t) bytes, MADV_POPULATE_READ);  /* a kernel without it faults the pages in as they are read */
    return p;
}

/*
 * Drops the page cache's clean pages of the file at path that no process maps (posix_fadvise DONTNEED): after
 * hk_promote moved an entry out of its 4 KiB pages, so that the next load reads it from disk through hk_map_file's
 * huge-page mapping, in 2 MiB folios, and the memory of the redundant copy is free meanwhile. 0 or an errno.
 */
int hk_drop_cached(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    int rc = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
    return rc;
}

/*
 * Replaces [at, at + bytes) of a read-only mapping (at on a 2 MiB boundary, bytes a multiple of 4 KiB) by a copy in
 * anonymous memory with transparent huge pages asked for, moved to the same addresses (mremap): threads reading the
 * range meanwhile see the same bytes before and after, and the page cache keeps the file in 4 KiB pages, which a
 * 14B's decode read about 25% slower. 0, or the errno of the step that failed (the range is then left as it was).
 */
int hk_promote(uint8_t *at, int64_t bytes) {
    uint8_t *a = hk_reserve_aligned(bytes, PROT_READ | PROT_WRITE);
    if (a == MAP_FAILED) {
        return errno;
    }
#ifdef MADV_HUGEPAGE
    madvise(a, (size_t) bytes, MADV_HUGEPAGE);
#endif
    memcpy(a, at, (size_t) bytes);
    if (mprotect(a, (size_t) bytes, PROT_READ) != 0
            || mremap(a, (size_t) bytes, (size_t) bytes, MREMAP_MAYMOVE | MREMAP_FIXED, at) == MAP_FAILED) {
        int e = errno;
        munmap(a, (size_t) bytes);
        return e;
    }
    return 0;
}

/*
 * The activations' quantizers, bit for bit NativeKernels.quantizeScalar and quantizeKScalar (the tests hold them to
 * it). Plain C in native code, so that no Vector API code is left to compile or to run boxed in the interpreter at a
 * start: C1 and C2 spent about a third of a 14B start's CPU, and the quantizer running before its C2 code was ready
 * allocated a boxed vector per operation (some 125 MB of garbage in a 1B's start and first chat). No FMA in the target:
 * every product and sum is rounded on its own, as in Java.
 */
__attribute__((target("f16c"))) void hk_quantize_q8(const float *x, int64_t blocks, int8_t *xq, float *dx,
        int32_t *nsx) {
    for (int64_t b = 0; b < blocks; b++) {
        const float *v = x + b * 32;
        float max = 0;
        for (int i = 0; i < 32; i++) {
            float a = v[i] < 0 ? -v[i] : v[i];
            max = a > max ? a : max;
        }
        float d = max / 127.0f;
        float id = d != 0 ? 1.0f / d : 0.0f;
        dx[b] = _cvtsh_ss(_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT));  /* kept at half precision, as ggml stores it */
        int32_t sum = 0;
        for (int i = 0; i < 32; i++) {
            float s = v[i] * id;
            int32_t q = (int32_t) (s + (s < 0 ? -0.5f : 0.5f));  /* round half away from zero */
            xq[b * 32 + i] = (int8_t) q;
            sum += q;
        }
        nsx[b] = -sum;
    }
}

__attribute__((target("avx2"))) void hk_quantize_q8k(const float *x, int64_t supers, int8_t *xq, float *dx,
        int32_t *nsx) {
    const __m256 round = _mm256_set1_ps(12582912.0f);  /* 1.5 * 2^23: adding and subtracting it rounds half to even */
    const __m256 cap = _mm256_set1_ps(127.0f);
    for (int64_t sb = 0; sb < supers; sb++) {
        const float *v = x + sb * 256;
        __m256 hi = _mm256_loadu_ps(v);
        __m256 lo = hi;
        for (int i = 8; i < 256; i += 8) {
            __m256 a = _mm256_loadu_ps(v + i);
            hi = _mm256_max_ps(hi, a);
            lo = _mm256_min_ps(lo, a);
        }
        float his[8], los[8];
        _mm256_storeu_ps(his, hi);
        _mm256_storeu_ps(los, lo);
        float max = his[0], min = los[0];
        for (int i = 1; i < 8; i++) {
            max = his[i] > max ? his[i] : max;
            min = los[i] < min ? los[i] : min;
        }
        /* the first value of largest magnitude maps to -127 */
        float extreme = max > -min ? max : -min > max ? min : 0;
        if (extreme == 0 && max != 0) {  /* a tie of magnitudes: the first one */
            for (int i = 0; i < 256; i++) {
                if (v[i] == max || v[i] == min) {
                    extreme = v[i];
                    break;
                }
            }
        }
        if (extreme == 0) {
            memset(xq + sb * 256, 0, 256);
            for (int b = 0; b < 8; b++) {
                dx[sb * 8 + b] = 0;
                nsx[sb * 8 + b] = 0;
            }
            continue;
        }
        float iscale = -127.0f / extreme;
        float d = 1.0f / iscale;
        const __m256 scale = _mm256_set1_ps(iscale);
        for (int b = 0; b < 8; b++) {
            int32_t q[32];
            for (int i = 0; i < 32; i += 8) {
                __m256 s = _mm256_mul_ps(_mm256_loadu_ps(v + b * 32 + i), scale);
                s = _mm256_min_ps(_mm256_sub_ps(_mm256_add_ps(s, round), round), cap);
                _mm256_storeu_si256((__m256i *) (q + i), _mm256_cvttps_epi32(s));
            }
            int32_t sum = 0;
            for (int i = 0; i < 32; i++) {
                xq[sb * 256 + b * 32 + i] = (int8_t) q[i];
                sum += q[i];
            }
            dx[sb * 8 + b] = d;
            nsx[sb * 8 + b] = -sum;
        }
    }
}

/*
 * The bandwidth probe's read: sums bytes [0, bytes) of p as 64-bit words, 256 bytes a round (the tail as bytes), with
 * software prefetch 1 KiB ahead as the matmul kernels do, or (prefetch 0) with the hardware's alone. Neither is best
 * everywhere: some cores, AMD's among them, stream far below their memory's bandwidth from one thread without it,
 * while two threads of an AMD EPYC streamed 63-69 GB/s without it and 53-56 with it in one minute, 38-39 without and
 * 41-42 with it in another (2026-12-07). The probe takes the better of the two, so that its ceiling bounds what the
 * kernels reach.
 */
__attribute__((target("avx2"))) int64_t hk_stream_sum(const uint8_t *p, int64_t bytes, int32_t prefetch) {
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 256 <= bytes; i += 256) {
        if (prefetch) {
            _mm_prefetch((const char *) p + i + 1024, _MM_HINT_T0);
            _mm_prefetch((const char *) p + i + 1088, _MM_HINT_T0);
            _mm_prefetch((const char *) p + i + 1152, _MM_HINT_T0);
            _mm_prefetch((const char *) p + i + 1216, _MM_HINT_T0);
        }
        a0 = _mm256_add_epi64(a0, _mm256_loadu_si256((const __m256i *) (p + i)));
        a1 = _mm256_add_epi64(a1, _mm256_loadu_si256((const __m256i *) (p + i + 32)));
        a2 = _mm256_add_epi64(a2, _mm256_loadu_si256((const __m256i *) (p + i + 64)));
        a3 = _mm256_add_epi64(a3, _mm256_loadu_si256((const __m256i *) (p + i + 96)));
        a0 = _mm256_add_epi64(a0, _mm256_loadu_si256((const __m256i *) (p + i + 128)));
        a1 = _mm256_add_epi64(a1, _mm256_loadu_si256((const __m256i *) (p + i + 160)));
        a2 = _mm256_add_epi64(a2, _mm256_loadu_si256((const __m256i *) (p + i + 192)));
        a3 = _mm256_add_epi64(a3, _mm256_loadu_si256((const __m256i *) (p + i + 224)));
    }
    __m256i a = _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
    int64_t lanes[4];
    _mm256_storeu_si256((__m256i *) lanes, a);
    int64_t total = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    for (; i < bytes; i++) {
        total += (int8_t) p[i];  /* the tail as signed bytes, as the Java twin (MachineProbes.streamSum) */
    }
    return total;
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
 * Many tokens: rows in tiles of 16, interleaved so that one vector lane is one row. Each block of the tile is
 * decoded once per call into scratch as 8 vectors (vector k: values 4k .. 4k + 3 of each of the 16 rows, as unsigned
 * bytes) and a vector of the 16 rows' scales. A token then takes a block in 8 vpdpbusd against its values 4k .. 4k + 3
 * broadcast to every lane (a load, no shuffle), which leave each row's whole block sum in its lane: one conversion,
 * one scale product and one FMA per block, token and 16 rows, and the lanes are the outputs (no reduction).
 */
#define IL_BLOCK_BYTES (8 * 64 + 64)   /* 8 value vectors and the scales */

/* Rows [r, r + valid) of the matrix (valid <= 16; missing rows zero) decoded into the interleaved layout. */
VNNI static void il_decode(int type, const uint8_t *w, int64_t rowBytes, const float *scales, int nb, int r, int valid,
        uint8_t *dst) {
    int bb = type == HK_Q4_0 ? 18 : 34;
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    const __m512i flip = _mm512_set1_epi8((char) 0x80);
    const __m512i lanes = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i rowAt = _mm512_mullo_epi32(lanes, _mm512_set1_epi32((int) rowBytes));
    const __m512i tableAt = _mm512_mullo_epi32(lanes, _mm512_set1_epi32(nb));
    for (int b = 0; b < nb; b++) {
        __m512i *out = (__m512i *) (dst + (size_t) b * IL_BLOCK_BYTES);
        float *sd = (float *) (out + 8);
        const uint8_t *blk = w + (int64_t) r * rowBytes + (int64_t) b * bb;
        __mmask16 live = (__mmask16) ((1u << valid) - 1);
        if (scales) {
            _mm512_store_ps(sd, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), live, tableAt,
                    scales + (int64_t) r * nb + b, 4));
        } else {
            __m512i raw = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), live, rowAt, blk, 1);
            _mm512_store_ps(sd, _mm512_cvtph_ps(_mm512_cvtepi32_epi16(raw)));
        }
        /* 16 rows read side by side are 16 streams, more than the hardware prefetcher follows: fetch each row's
           bytes a few blocks ahead (measured at 16 tokens: 92 -> 135-141 GMAC/s on one thread; 512 ahead: 117) */
        for (int i = 0; i < valid; i++) {
            _mm_prefetch((const char *) blk + (int64_t) i * rowBytes + 128, _MM_HINT_T0);
        }
        int halves = type == HK_Q4_0 ? 1 : 2;   /* 16-byte quarters of the block's values to transpose */
        for (int h = 0; h < halves; h++) {
            __m512i q[4];   /* q[c]: rows c, c + 4, c + 8, c + 12, 16 bytes each */
            for (int c = 0; c < 4; c++) {
                __m128i part[4];
                for (int l = 0; l < 4; l++) {
                    int i = c + 4 * l;
                    part[l] = i < valid ? _mm_loadu_si128((const __m128i *) (w + (int64_t) (r + i) * rowBytes
                            + (int64_t) b * bb + 2 + 16 * h)) : _mm_setzero_si128();
                }
                __m512i v = _mm512_castsi128_si512(part[0]);
                v = _mm512_inserti32x4(v, part[1], 1);
                v = _mm512_inserti32x4(v, part[2], 2);
                q[c] = _mm512_inserti32x4(v, part[3], 3);
            }
            /* a 4 x 4 dword transpose within each 128-bit lane: dword m of rows 4l .. 4l + 3 */
            __m512i t0 = _mm512_unpacklo_epi32(q[0], q[1]);
            __m512i t1 = _mm512_unpackhi_epi32(q[0], q[1]);
            __m512i t2 = _mm512_unpacklo_epi32(q[2], q[3]);
            __m512i t3 = _mm512_unpackhi_epi32(q[2], q[3]);
            __m512i d[4];
            d[0] = _mm512_unpacklo_epi64(t0, t2);
            d[1] = _mm512_unpackhi_epi64(t0, t2);
            d[2] = _mm512_unpacklo_epi64(t1, t3);
            d[3] = _mm512_unpackhi_epi64(t1, t3);
            for (int m = 0; m < 4; m++) {
                if (type == HK_Q4_0) {  /* dword m: values 4m .. 4m + 3 (low nibbles), 16 + 4m .. (high) */
                    _mm512_store_si512(out + m, _mm512_and_si512(d[m], m4));
                    _mm512_store_si512(out + 4 + m, _mm512_and_si512(_mm512_srli_epi16(d[m], 4), m4));
                } else {                /* Q8_0: values 16h + 4m .. , plus 128 */
                    _mm512_store_si512(out + 4 * h + m, _mm512_xor_si512(d[m], flip));
                }
            }
        }
    }
}

#define IL_STEP(j) { \
    const int8_t *xb = xq + (int64_t) (t0 + j) * cols + 32 * b; \
    __m512i acc = _mm512_set1_epi32(offset * nsx[(int64_t) (t0 + j) * nb + b]); \
    acc = _mm512_dpbusd_epi32(acc, w0, _mm512_set1_epi32(*(const int32_t *) (xb + 0))); \
    acc = _mm512_dpbusd_epi32(acc, w1, _mm512_set1_epi32(*(const int32_t *) (xb + 4))); \
    acc = _mm512_dpbusd_epi32(acc, w2, _mm512_set1_epi32(*(const int32_t *) (xb + 8))); \
    acc = _mm512_dpbusd_epi32(acc, w3, _mm512_set1_epi32(*(const int32_t *) (xb + 12))); \
    acc = _mm512_dpbusd_epi32(acc, w4, _mm512_set1_epi32(*(const int32_t *) (xb + 16))); \
    acc = _mm512_dpbusd_epi32(acc, w5, _mm512_set1_epi32(*(const int32_t *) (xb + 20))); \
    acc = _mm512_dpbusd_epi32(acc, w6, _mm512_set1_epi32(*(const int32_t *) (xb + 24))); \
    acc = _mm512_dpbusd_epi32(acc, w7, _mm512_set1_epi32(*(const int32_t *) (xb + 28))); \
    f##j = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc), _mm512_mul_ps(dw, _mm512_set1_ps(dx[(int64_t) (t0 + j) * nb + b])), f##j); }

#define IL_BLOCK_LOADS \
    const __m512i *wb = (const __m512i *) (il + (size_t) b * IL_BLOCK_BYTES); \
    __m512i w0 = wb[0], w1 = wb[1], w2 = wb[2], w3 = wb[3], w4 = wb[4], w5 = wb[5], w6 = wb[6], w7 = wb[7]; \
    __m512 dw = _mm512_load_ps((const float *) (wb + 8));

/* Tokens [t0, t0 + 4) against a decoded 16-row tile; rows past valid are not written. */
VNNI static void il_tile4(const uint8_t *il, int nb, int cols, int offset, const int8_t *xq, const float *dx,
        const int32_t *nsx, int t0, float *out, int64_t n, int r, int valid) {
    __m512 f0 = _mm512_setzero_ps(), f1 = f0, f2 = f0, f3 = f0;
    for (int b = 0; b < nb; b++) {
        IL_BLOCK_LOADS
        IL_STEP(0) IL_STEP(1) IL_STEP(2) IL_STEP(3)
    }
    __mmask16 m = (__mmask16) ((1u << valid) - 1);
    _mm512_mask_storeu_ps(out + (t0 + 0) * n + r, m, f0);
    _mm512_mask_storeu_ps(out + (t0 + 1) * n + r, m, f1);
    _mm512_mask_storeu_ps(out + (t0 + 2) * n + r, m, f2);
    _mm512_mask_storeu_ps(out + (t0 + 3) * n + r, m, f3);
}

/* Tokens [t0, t0 + 8): the block's weight vectors loaded once for twice as many tokens. */
VNNI static void il_tile8(const uint8_t *il, int nb, int cols, int offset, const int8_t *xq, const float *dx,
        const int32_t *nsx, int t0, float *out, int64_t n, int r, int valid) {
    __m512 f0 = _mm512_setzero_ps(), f1 = f0, f2 = f0, f3 = f0, f4 = f0, f5 = f0, f6 = f0, f7 = f0;
    for (int b = 0; b < nb; b++) {
        IL_BLOCK_LOADS
        IL_STEP(0) IL_STEP(1) IL_STEP(2) IL_STEP(3) IL_STEP(4) IL_STEP(5) IL_STEP(6) IL_STEP(7)
    }
    __mmask16 m = (__mmask16) ((1u << valid) - 1);
    _mm512_mask_storeu_ps(out + (t0 + 0) * n + r, m, f0);
    _mm512_mask_storeu_ps(out + (t0 + 1) * n + r, m, f1);
    _mm512_mask_storeu_ps(out + (t0 + 2) * n + r, m, f2);
    _mm512_mask_storeu_ps(out + (t0 + 3) * n + r, m, f3);
    _mm512_mask_storeu_ps(out + (t0 + 4) * n + r, m, f4);
    _mm512_mask_storeu_ps(out + (t0 + 5) * n + r, m, f5);
    _mm512_mask_storeu_ps(out + (t0 + 6) * n + r, m, f6);
    _mm512_mask_storeu_ps(out + (t0 + 7) * n + r, m, f7);
}

VNNI static void il_tile1(const uint8_t *il, int nb, int cols, int offset, const int8_t *xq, const float *dx,
        const int32_t *nsx, int t0, float *out, int64_t n, int r, int valid) {
    __m512 f0 = _mm512_setzero_ps();
    for (int b = 0; b < nb; b++) {
        IL_BLOCK_LOADS
        IL_STEP(0)
    }
    _mm512_mask_storeu_ps(out + t0 * n + r, (__mmask16) ((1u << valid) - 1), f0);
}

VNNI static int gemm(int type, const uint8_t *w, int64_t rowBytes, const float *scales, int r0, int r1, int cols,
        const int8_t *xq, const float *dx, const int32_t *nsx, int tokens, float *out, int n) {
    int nb = cols / 32;
    int offset = type == HK_Q4_0 ? 8 : 128;
    uint8_t *il = scratch_get((size_t) nb * IL_BLOCK_BYTES);
    if (!il) {
        return -1;
    }
    for (int r = r0; r < r1; r += IL_ROWS) {
        int valid = r1 - r < IL_ROWS ? r1 - r : IL_ROWS;
        il_decode(type, w, rowBytes, scales, nb, r, valid, il);
        int t0 = 0;
        for (; t0 + 8 <= tokens; t0 += 8) il_tile8(il, nb, cols, offset, xq, dx, nsx, t0, out, n, r, valid);
        for (; t0 + 4 <= tokens; t0 += 4) il_tile4(il, nb, cols, offset, xq, dx, nsx, t0, out, n, r, valid);
        for (; t0 < tokens; t0++) il_tile1(il, nb, cols, offset, xq, dx, nsx, t0, out, n, r, valid);
    }
    return 0;
}

/*
 * Q4_0 repacked at load (hk_repack), so no call decodes it again: tiles of 16 rows, each block of a tile 288
 * bytes: 4 vectors of 64 bytes (vector m: bytes 4m .. 4m + 3 of the 16 rows' nibbles, row i in lane i; its low
 * nibbles are values 4m .. 4m + 3, its high nibbles values 16 + 4m .. 16 + 4m + 3) and the 16 rows' f16 scales.
 * The same 18 bytes per block as the file; rows past the matrix are zero. One token reads it as one stream.
 */
#define PK_BLOCK 288

/* Row i of one block of a Q4_0 tile (the tile's bytes zeroed before). */
static void pk_row_q4_0(const uint8_t *blk, int i, uint8_t *o) {
    for (int m = 0; m < 4; m++) {
        memcpy(o + 64 * m + 4 * i, blk + 2 + 4 * m, 4);
    }
    memcpy(o + 256 + 2 * i, blk, 2);
}

#define PK_SPLIT \
    const uint8_t *pb = tile + (size_t) b * PK_BLOCK; \
    __m512i q0 = _mm512_loadu_si512(pb), q1 = _mm512_loadu_si512(pb + 64); \
    __m512i q2 = _mm512_loadu_si512(pb + 128), q3 = _mm512_loadu_si512(pb + 192); \
    __m512i w0 = _mm512_and_si512(q0, m4), w1 = _mm512_and_si512(q1, m4); \
    __m512i w2 = _mm512_and_si512(q2, m4), w3 = _mm512_and_si512(q3, m4); \
    __m512i w4 = _mm512_and_si512(_mm512_srli_epi16(q0, 4), m4), w5 = _mm512_and_si512(_mm512_srli_epi16(q1, 4), m4); \
    __m512i w6 = _mm512_and_si512(_mm512_srli_epi16(q2, 4), m4), w7 = _mm512_and_si512(_mm512_srli_epi16(q3, 4), m4); \
    __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (pb + 256)));

VNNI static void pk_tile8(const uint8_t *tile, int nb, int cols, const int8_t *xq, const float *dx, const int32_t *nsx,
        const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live) {
    (void) cx;
    const int offset = 8;
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    __m512 f0 = _mm512_setzero_ps(), f1 = f0, f2 = f0, f3 = f0, f4 = f0, f5 = f0, f6 = f0, f7 = f0;
    for (int b = 0; b < nb; b++) {
        PK_SPLIT
        IL_STEP(0) IL_STEP(1) IL_STEP(2) IL_STEP(3) IL_STEP(4) IL_STEP(5) IL_STEP(6) IL_STEP(7)
    }
    _mm512_mask_storeu_ps(out + (t0 + 0) * n + r, live, f0);
    _mm512_mask_storeu_ps(out + (t0 + 1) * n + r, live, f1);
    _mm512_mask_storeu_ps(out + (t0 + 2) * n + r, live, f2);
    _mm512_mask_storeu_ps(out + (t0 + 3) * n + r, live, f3);
    _mm512_mask_storeu_ps(out + (t0 + 4) * n + r, live, f4);
    _mm512_mask_storeu_ps(out + (t0 + 5) * n + r, live, f5);
    _mm512_mask_storeu_ps(out + (t0 + 6) * n + r, live, f6);
    _mm512_mask_storeu_ps(out + (t0 + 7) * n + r, live, f7);
}

VNNI static void pk_tile4(const uint8_t *tile, int nb, int cols, const int8_t *xq, const float *dx, const int32_t *nsx,
        const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live) {
    (void) cx;
    const int offset = 8;
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    __m512 f0 = _mm512_setzero_ps(), f1 = f0, f2 = f0, f3 = f0;
    for (int b = 0; b < nb; b++) {
        PK_SPLIT
        IL_STEP(0) IL_STEP(1) IL_STEP(2) IL_STEP(3)
    }
    _mm512_mask_storeu_ps(out + (t0 + 0) * n + r, live, f0);
    _mm512_mask_storeu_ps(out + (t0 + 1) * n + r, live, f1);
    _mm512_mask_storeu_ps(out + (t0 + 2) * n + r, live, f2);
    _mm512_mask_storeu_ps(out + (t0 + 3) * n + r, live, f3);
}

VNNI static void pk_tile1(const uint8_t *tile, int nb, int cols, const int8_t *xq, const float *dx, const int32_t *nsx,
        const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live) {
    (void) cx;
    const int offset = 8;
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    __m512 f0 = _mm512_setzero_ps();
    for (int b = 0; b < nb; b++) {
        PK_SPLIT
        IL_STEP(0)
    }
    _mm512_mask_storeu_ps(out + t0 * n + r, live, f0);
}

/*
 * K-quants (super-blocks of 256 values). The integer dot products take the weights as unsigned bytes with no
 * offset (Q4_K: the nibble; Q6_K: the 6-bit value 0..63), and each lane's float scale is its own (a Q4_K sub-block
 * of 32 shares one, a Q6_K group of 16 another). What the unsigned form leaves out (Q4_K: minus dmin * min times the
 * sub-block's sum of x; Q6_K: minus 32 times the group's scale times the group's sum of x) is one float dot product
 * per row and token, over the 16-value groups: coefficient per group (weights) times dx * sum of the group's 16 x
 * (activations, laid out once per call).
 */
typedef struct {
    int type, cols, pairs, groups;   /* pairs of 32-value blocks; groups of 16 values */
} kshape;

/* The 8 scales and 8 mins (6 bits each) of a Q4_K super-block, as bytes. */
static inline void q4_k_scales(const uint8_t *q, uint8_t *sc, uint8_t *mn) {
    for (int j = 0; j < 4; j++) {
        sc[j] = q[j] & 63;
        mn[j] = q[j + 4] & 63;
    }
    for (int j = 4; j < 8; j++) {
        sc[j] = (uint8_t) ((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        mn[j] = (uint8_t) ((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

/*
 * One super-block of a row decoded for the integer dot products: the 256 values as unsigned bytes (4 pairs of 64),
 * the lane scales of each pair (16 floats: lane l covers values 4l .. 4l + 3 of the pair), and the correction
 * coefficient of each of the 16 groups.
 */
VNNI INLINE void k_decode(int type, const uint8_t *blk, __m512i *u, __m512 *lanes, __m512 *coef) {
    if (type == HK_Q4_K) {
        float d = half_to_float(blk);
        float dmin = half_to_float(blk + 2);
        uint8_t sc[8], mn[8];
        q4_k_scales(blk + 4, sc, mn);
        __m256 scf = _mm256_mul_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *) sc))));
        __m256 mnf = _mm256_mul_ps(_mm256_set1_ps(-dmin), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *) mn))));
        __m512 s16 = _mm512_castps256_ps512(scf);
        __m512 m16 = _mm512_castps256_ps512(mnf);
        /* group g (16 values) belongs to sub-block g / 2 */
        *coef = _mm512_permutexvar_ps(_mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0), m16);
        const uint8_t *qs = blk + 16;
        for (int c = 0; c < 4; c++) {
            __m256i v = _mm256_loadu_si256((const __m256i *) (qs + 32 * c));
            __m256i lo = _mm256_and_si256(v, _mm256_set1_epi8(0x0F));
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0F));
            u[c] = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
            __m512i idx = _mm512_set_epi32(2 * c + 1, 2 * c + 1, 2 * c + 1, 2 * c + 1, 2 * c + 1, 2 * c + 1, 2 * c + 1,
                    2 * c + 1, 2 * c, 2 * c, 2 * c, 2 * c, 2 * c, 2 * c, 2 * c, 2 * c);
            lanes[c] = _mm512_permutexvar_ps(idx, s16);
        }
    } else { /* Q6_K: ql[128], qh[64], sc[16] (int8), d */
        const uint8_t *ql = blk;
        const uint8_t *qh = blk + 128;
        float d = half_to_float(blk + 208);
        __m512 s16 = _mm512_mul_ps(_mm512_set1_ps(d),
                _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *) (blk + 192)))));
        *coef = _mm512_mul_ps(_mm512_set1_ps(-32.0f), s16);
        const __m512i m4 = _mm512_set1_epi8(0x0F);
        const __m512i m2 = _mm512_set1_epi8(0x03);
        for (int h = 0; h < 2; h++) {
            __m512i l = _mm512_loadu_si512(ql + 64 * h);                    /* [ql 0..31 | ql 32..63] */
            __m512i hb = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *) (qh + 32 * h)));
            __m512i hs = _mm512_mask_mov_epi64(hb, 0xF0, _mm512_srli_epi16(hb, 2));   /* upper half: qh >> 2 */
            __m512i lo = _mm512_or_si512(_mm512_and_si512(l, m4),
                    _mm512_slli_epi16(_mm512_and_si512(hs, m2), 4));
            __m512i hi = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(l, 4), m4),
                    _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(hs, 4), m2), 4));
            u[2 * h] = lo;        /* values 128h + 0 .. 63 */
            u[2 * h + 1] = hi;    /* values 128h + 64 .. 127 */
        }
        for (int c = 0; c < 4; c++) {  /* pair c covers groups 4c .. 4c + 3, 4 lanes each */
            int g = 4 * c;
            __m512i idx = _mm512_set_epi32(g + 3, g + 3, g + 3, g + 3, g + 2, g + 2, g + 2, g + 2, g + 1, g + 1, g + 1,
                    g + 1, g, g, g, g);
            lanes[c] = _mm512_permutexvar_ps(idx, s16);
        }
    }
}

/* Per token: the sum of each 16-value group of x times its block's scale (groups floats), for the corrections. */
VNNI static void k_group_sums(const int8_t *xq, const float *dx, int cols, int tokens, float *cx) {
    int groups = cols / 16;
    for (int t = 0; t < tokens; t++) {
        const int8_t *x = xq + (int64_t) t * cols;
        for (int g = 0; g < groups; g++) {
            __m128i v = _mm_loadu_si128((const __m128i *) (x + 16 * g));
            __m128i s = _mm_sad_epu8(_mm_xor_si128(v, _mm_set1_epi8((char) 0x80)), _mm_setzero_si128());
            int sum = _mm_cvtsi128_si32(s) + _mm_extract_epi16(s, 4) - 16 * 128;
            cx[(int64_t) t * groups + g] = dx[(int64_t) t * (cols / 32) + g / 2] * (float) sum;
        }
    }
}

/* One token over rows [r0, r1) of a K-quant matrix, weights streamed once. */
VNNI INLINE void k_matvec_type(int type, const uint8_t *w, int64_t rowBytes, int r0, int r1, int cols, const int8_t *xq,
        const float *cx, __m512 *dxv, float *out) {
    int supers = cols / 256;
    int bb = type == HK_Q4_K ? 144 : 210;
    for (int r = r0; r < r1; r++) {
        const uint8_t *row = w + (int64_t) r * rowBytes;
        __m512 acc = _mm512_setzero_ps();
        __m512 corr = _mm512_setzero_ps();
        for (int sb = 0; sb < supers; sb++) {
            __m512i u[4];
            __m512 lanes[4];
            __m512 coef;
            k_decode(type, row + (int64_t) sb * bb, u, lanes, &coef);
            corr = _mm512_fmadd_ps(coef, _mm512_loadu_ps(cx + 16 * sb), corr);
            for (int c = 0; c < 4; c++) {
                int p = 4 * sb + c;
                __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u[c], _mm512_loadu_si512(xq + 64 * p));
                acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(lanes[c], dxv[p]), acc);
            }
        }
        out[r] = _mm512_reduce_add_ps(_mm512_add_ps(acc, corr));
    }
}

/* Many tokens: rows in tiles of 4 decoded once into scratch, then 4 tokens at a time, as for Q4_0. */
#define KSTEP(i, j) { \
    __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w##i, x##j); \
    a##i##j = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(l##i, d##j), a##i##j); }
#define KLOAD(j) \
    __m512i x##j = _mm512_loadu_si512(xq + (int64_t) (t0 + j) * cols + 64 * p); \
    __m512 d##j = spread_f(dx + (int64_t) (t0 + j) * nb + 2 * p, 0, idx);
#define KCORR(i, j) a##i##j = _mm512_fmadd_ps(c##i, e##j, a##i##j);

VNNI static void k_tile_4x4(const uint8_t *su, const __m512 *sl, const float *sc, int cols, const int8_t *xq,
        const float *dx, const float *cx, int t0, float *out, int64_t n, int r) {
    int pairs = cols / 64;
    int nb = cols / 32;
    int groups = cols / 16;
    __m512i idx = pair_index();
    __m512 a00 = _mm512_setzero_ps(), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    __m512 a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
    for (int p = 0; p < pairs; p++) {
        __m512i w0 = _mm512_loadu_si512(su + 64 * (int64_t) p);
        __m512i w1 = _mm512_loadu_si512(su + 64 * (int64_t) (pairs + p));
        __m512i w2 = _mm512_loadu_si512(su + 64 * (int64_t) (2 * pairs + p));
        __m512i w3 = _mm512_loadu_si512(su + 64 * (int64_t) (3 * pairs + p));
        __m512 l0 = sl[p], l1 = sl[pairs + p], l2 = sl[2 * pairs + p], l3 = sl[3 * pairs + p];
        { KLOAD(0) KSTEP(0, 0) KSTEP(1, 0) KSTEP(2, 0) KSTEP(3, 0) }
        { KLOAD(1) KSTEP(0, 1) KSTEP(1, 1) KSTEP(2, 1) KSTEP(3, 1) }
        { KLOAD(2) KSTEP(0, 2) KSTEP(1, 2) KSTEP(2, 2) KSTEP(3, 2) }
        { KLOAD(3) KSTEP(0, 3) KSTEP(1, 3) KSTEP(2, 3) KSTEP(3, 3) }
    }
    for (int g = 0; g < groups; g += 16) {
        __m512 c0 = _mm512_loadu_ps(sc + g), c1 = _mm512_loadu_ps(sc + groups + g);
        __m512 c2 = _mm512_loadu_ps(sc + 2 * groups + g), c3 = _mm512_loadu_ps(sc + 3 * groups + g);
        __m512 e0 = _mm512_loadu_ps(cx + (int64_t) (t0 + 0) * groups + g);
        __m512 e1 = _mm512_loadu_ps(cx + (int64_t) (t0 + 1) * groups + g);
        __m512 e2 = _mm512_loadu_ps(cx + (int64_t) (t0 + 2) * groups + g);
        __m512 e3 = _mm512_loadu_ps(cx + (int64_t) (t0 + 3) * groups + g);
        KCORR(0, 0) KCORR(0, 1) KCORR(0, 2) KCORR(0, 3) KCORR(1, 0) KCORR(1, 1) KCORR(1, 2) KCORR(1, 3)
        KCORR(2, 0) KCORR(2, 1) KCORR(2, 2) KCORR(2, 3) KCORR(3, 0) KCORR(3, 1) KCORR(3, 2) KCORR(3, 3)
    }
    float *o = out + r;
    o[(t0 + 0) * n + 0] = _mm512_reduce_add_ps(a00); o[(t0 + 1) * n + 0] = _mm512_reduce_add_ps(a01);
    o[(t0 + 2) * n + 0] = _mm512_reduce_add_ps(a02); o[(t0 + 3) * n + 0] = _mm512_reduce_add_ps(a03);
    o[(t0 + 0) * n + 1] = _mm512_reduce_add_ps(a10); o[(t0 + 1) * n + 1] = _mm512_reduce_add_ps(a11);
    o[(t0 + 2) * n + 1] = _mm512_reduce_add_ps(a12); o[(t0 + 3) * n + 1] = _mm512_reduce_add_ps(a13);
    o[(t0 + 0) * n + 2] = _mm512_reduce_add_ps(a20); o[(t0 + 1) * n + 2] = _mm512_reduce_add_ps(a21);
    o[(t0 + 2) * n + 2] = _mm512_reduce_add_ps(a22); o[(t0 + 3) * n + 2] = _mm512_reduce_add_ps(a23);
    o[(t0 + 0) * n + 3] = _mm512_reduce_add_ps(a30); o[(t0 + 1) * n + 3] = _mm512_reduce_add_ps(a31);
    o[(t0 + 2) * n + 3] = _mm512_reduce_add_ps(a32); o[(t0 + 3) * n + 3] = _mm512_reduce_add_ps(a33);
}

/* One decoded row (i of the tile) with one token: the edges of the tiles. */
VNNI static void k_tile_1x1(const uint8_t *su, const __m512 *sl, const float *sc, int cols, const int8_t *xq,
        const float *dx, const float *cx, int t, float *out, int64_t n, int r) {
    int pairs = cols / 64;
    int nb = cols / 32;
    int groups = cols / 16;
    __m512i idx = pair_index();
    __m512 acc = _mm512_setzero_ps();
    for (int p = 0; p < pairs; p++) {
        __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_loadu_si512(su + 64 * (int64_t) p),
                _mm512_loadu_si512(xq + (int64_t) t * cols + 64 * p));
        __m512 d = spread_f(dx + (int64_t) t * nb + 2 * p, 0, idx);
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(sl[p], d), acc);
    }
    for (int g = 0; g < groups; g += 16) {
        acc = _mm512_fmadd_ps(_mm512_loadu_ps(sc + g), _mm512_loadu_ps(cx + (int64_t) t * groups + g), acc);
    }
    out[(int64_t) t * n + r] = _mm512_reduce_add_ps(acc);
}

VNNI static int k_matmul(int type, const uint8_t *w, int64_t rowBytes, int r0, int r1, int cols, const int8_t *xq,
        const float *dx, int tokens, float *out, int n) {
    int pairs = cols / 64;
    int groups = cols / 16;
    int supers = cols / 256;
    int bb = type == HK_Q4_K ? 144 : 210;
    size_t cx_bytes = ((size_t) tokens * groups * sizeof(float) + 63) & ~(size_t) 63;
    size_t su_bytes = 4 * (size_t) pairs * 64;
    size_t sl_bytes = 4 * (size_t) pairs * 64;
    size_t sc_bytes = 4 * (size_t) groups * sizeof(float);
    size_t dxv_bytes = (size_t) pairs * 64;
    uint8_t *base = scratch_get(cx_bytes + su_bytes + sl_bytes + sc_bytes + dxv_bytes);
    if (!base) {
        return -1;
    }
    float *cx = (float *) base;
    k_group_sums(xq, dx, cols, tokens, cx);
    if (tokens == 1) {
        __m512 *dxv = (__m512 *) (base + cx_bytes);
        __m512i idx = pair_index();
        for (int p = 0; p < pairs; p++) {
            dxv[p] = spread_f(dx + 2 * p, 0, idx);
        }
        if (type == HK_Q4_K) {
            k_matvec_type(HK_Q4_K, w, rowBytes, r0, r1, cols, xq, cx, dxv, out);
        } else {
            k_matvec_type(HK_Q6_K, w, rowBytes, r0, r1, cols, xq, cx, dxv, out);
        }
        return 0;
    }
    uint8_t *su = base + cx_bytes;
    __m512 *sl = (__m512 *) (su + su_bytes);
    float *sc = (float *) ((uint8_t *) sl + sl_bytes);
    for (int r = r0; r < r1; r += 4) {
        int nr = r1 - r < 4 ? r1 - r : 4;
        for (int i = 0; i < nr; i++) {
            const uint8_t *row = w + (int64_t) (r + i) * rowBytes;
            for (int sb = 0; sb < supers; sb++) {
                __m512i u[4];
                __m512 lanes[4];
                __m512 coef;
                k_decode(type, row + (int64_t) sb * bb, u, lanes, &coef);
                for (int c = 0; c < 4; c++) {
                    _mm512_storeu_si512(su + 64 * ((int64_t) i * pairs + 4 * sb + c), u[c]);
                    sl[(int64_t) i * pairs + 4 * sb + c] = lanes[c];
                }
                _mm512_storeu_ps(sc + (int64_t) i * groups + 16 * sb, coef);
            }
        }
        int t0 = 0;
        if (nr == 4) {
            for (; t0 + 4 <= tokens; t0 += 4) k_tile_4x4(su, sl, sc, cols, xq, dx, cx, t0, out, n, r);
        }
        for (int i = 0; i < nr; i++) {
            for (int t = t0; t < tokens; t++) {
                k_tile_1x1(su + 64 * (int64_t) i * pairs, sl + (int64_t) i * pairs, sc + (int64_t) i * groups, cols,
                        xq, dx, cx, t, out, n, r + i);
            }
        }
    }
    return 0;
}

/*
 * Q4_K repacked at load (hk_repack), for the same reason as Q4_0: tiles of 16 rows, one lane per row. Per
 * super-block of a tile, 2368 bytes: for each 64-value chunk c, 8 vectors of 64 bytes (vector m: bytes 4m .. 4m + 3
 * of the chunk's 32 bytes for the 16 rows; low nibbles are values 4m .. of sub-block 2c, high nibbles of sub-block
 * 2c + 1); then the 8 sub-blocks' 6-bit scales (8 x 16 bytes, row i at byte i), their mins (likewise), the 16 rows' d
 * and dmin (f16). 148 bytes per row and super-block against the file's 144.
 */
#define PK4K_SUPER 2368

/* Row i of one super-block of a Q4_K tile. */
static void pk_row_q4_k(const uint8_t *blk, int i, uint8_t *o) {
    for (int c = 0; c < 4; c++) {
        for (int m = 0; m < 8; m++) {
            memcpy(o + 512 * c + 64 * m + 4 * i, blk + 16 + 32 * c + 4 * m, 4);
        }
    }
    uint8_t sc[8], mn[8];
    q4_k_scales(blk + 4, sc, mn);
    for (int j = 0; j < 8; j++) {
        o[2048 + 16 * j + i] = sc[j];
        o[2176 + 16 * j + i] = mn[j];
    }
    memcpy(o + 2304 + 2 * i, blk, 2);
    memcpy(o + 2336 + 2 * i, blk + 2, 2);
}

/*
 * Fetches the bytes of the unit `ahead` units past p (a unit of `bytes`, tiles and their units laid end to end).
 * The K-quant kernels read each super-block out of order (scales first, values chunk by chunk, Q5_K's and Q6_K's high
 * bits again for every sub-block), which the hardware prefetchers do not follow: without this one thread streamed
 * repacked Q4_K at 18 GB/s against Q4_0's 46 GB/s (AMD EPYC, out of cache).
 */
#define HK_AHEAD 2   /* 1 ahead: 40 GB/s, 2: 50, 4: 49; every line (every other line: 30) */
VNNI INLINE void prefetch_unit(const uint8_t *p, int bytes) {
    const char *a = (const char *) p + (size_t) HK_AHEAD * bytes;
    for (int o = 0; o < bytes; o += 64) {
        _mm_prefetch(a + o, _MM_HINT_T0);
    }
}

VNNI INLINE __m512 u8x16_to_ps(const uint8_t *p) {
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *) p)));
}

/* Tokens [t0, t0 + NT) against one 16-row tile of repacked Q4_K. */
VNNI INLINE void pk4k_tile(int NT, const uint8_t *tile, int supers, int cols, const int8_t *xq, const float *dx,
        const int32_t *nsx, int t0, float *out, int64_t n, int r, __mmask16 live) {
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    __m512 f[8], fm[8];
    for (int j = 0; j < NT; j++) {
        f[j] = _mm512_setzero_ps();
        fm[j] = _mm512_setzero_ps();
    }
    int nb = cols / 32;
    for (int sb = 0; sb < supers; sb++) {
        const uint8_t *p = tile + (size_t) sb * PK4K_SUPER;
        if (t0 == 0) {   /* later token groups find the tile in cache */
            prefetch_unit(p, PK4K_SUPER);
        }
        __m512 dv = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (p + 2304)));
        __m512 mv = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (p + 2336)));
        for (int s = 0; s < 8; s++) {    /* sub-block s: chunk s / 2, low or high nibbles */
            const uint8_t *q = p + 512 * (s / 2);
            __m512i w[8];
            for (int m = 0; m < 8; m++) {
                __m512i v = _mm512_loadu_si512(q + 64 * m);
                w[m] = (s & 1) ? _mm512_and_si512(_mm512_srli_epi16(v, 4), m4) : _mm512_and_si512(v, m4);
            }
            __m512 scv = _mm512_mul_ps(dv, u8x16_to_ps(p + 2048 + 16 * s));
            __m512 mnv = _mm512_mul_ps(mv, u8x16_to_ps(p + 2176 + 16 * s));
            int b = 8 * sb + s;   /* the 32-value block of the activations */
            for (int j = 0; j < NT; j++) {
                const int8_t *xb = xq + (int64_t) (t0 + j) * cols + 32 * b;
                __m512i acc = _mm512_setzero_si512();
                for (int m = 0; m < 8; m++) {
                    acc = _mm512_dpbusd_epi32(acc, w[m], _mm512_set1_epi32(*(const int32_t *) (xb + 4 * m)));
                }
                float d = dx[(int64_t) (t0 + j) * nb + b];
                f[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc), _mm512_mul_ps(scv, _mm512_set1_ps(d)), f[j]);
                /* minus dmin * min * sum(x): nsx is minus the block's sum of q */
                fm[j] = _mm512_fmadd_ps(mnv, _mm512_set1_ps(d * (float) nsx[(int64_t) (t0 + j) * nb + b]), fm[j]);
            }
        }
    }
    for (int j = 0; j < NT; j++) {
        _mm512_mask_storeu_ps(out + (int64_t) (t0 + j) * n + r, live, _mm512_add_ps(f[j], fm[j]));
    }
}

VNNI static void pk4k_tile4(const uint8_t *tile, int supers, int cols, const int8_t *xq, const float *dx,
        const int32_t *nsx, const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live) {
    (void) cx;
    pk4k_tile(4, tile, supers, cols, xq, dx, nsx, t0, out, n, r, live);
}

VNNI static void pk4k_tile1(const uint8_t *tile, int supers, int cols, const int8_t *xq, const float *dx,
        const int32_t *nsx, const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live) {
    (void) cx;
    pk4k_tile(1, tile, supers, cols, xq, dx, nsx, t0, out, n, r, live);
}

/*
 * Q6_K repacked at load (hk_repack): tiles of 16 rows, one lane per row, in the file's 210 bytes per row and
 * super-block (decode reads every weight once per token: a layout of whole bytes, 274, read 30% more). Per
 * super-block of a tile, 3360 bytes:
 *   [0, 2048)     the low 4 bits as Q4_K's nibbles: for each 64-value chunk c, 8 vectors (vector m: row i's bytes
 *                 4m .. 4m + 3 at 4i; byte k's low nibble is value 64c + 4m + k, its high nibble value
 *                 64c + 32 + 4m + k; values in the order ggml dequantizes them)
 *   [2048, 3072)  the high 2 bits: 16 vectors, vector 8g + m: byte k's bits 2j, 2j + 1 are value 32(4g + j) + 4m + k's
 *   [3072, 3328)  the 16 groups' int8 scales (16 x 16 bytes, row i at byte i)
 *   [3328, 3360)  the 16 rows' d (f16)
 */
#define PK6K_SUPER 3360

/* Row i of one super-block of a Q6_K tile. */
static void pk_row_q6_k(const uint8_t *blk, int i, uint8_t *o) {
    const uint8_t *ql = blk;
    const uint8_t *qh = blk + 128;
    uint8_t v[256];
    for (int h = 0; h < 2; h++) {
        for (int l = 0; l < 32; l++) {
            int a = ql[64 * h + l], b = ql[64 * h + l + 32], c = qh[32 * h + l];
            v[128 * h + l] = (uint8_t) ((a & 0xF) | ((c & 3) << 4));
            v[128 * h + l + 32] = (uint8_t) ((b & 0xF) | (((c >> 2) & 3) << 4));
            v[128 * h + l + 64] = (uint8_t) ((a >> 4) | (((c >> 4) & 3) << 4));
            v[128 * h + l + 96] = (uint8_t) ((b >> 4) | (((c >> 6) & 3) << 4));
        }
    }
    for (int c = 0; c < 4; c++) {
        for (int m = 0; m < 8; m++) {
            for (int k = 0; k < 4; k++) {
                o[512 * c + 64 * m + 4 * i + k] = (uint8_t) ((v[64 * c + 4 * m + k] & 0xF)
                        | ((v[64 * c + 32 + 4 * m + k] & 0xF) << 4));
            }
        }
    }
    for (int g = 0; g < 2; g++) {
        for (int m = 0; m < 8; m++) {
            for (int k = 0; k < 4; k++) {
                uint8_t h = 0;
                for (int j = 0; j < 4; j++) {
                    h |= (uint8_t) ((v[32 * (4 * g + j) + 4 * m + k] >> 4) << (2 * j));
                }
                o[2048 + 64 * (8 * g + m) + 4 * i + k] = h;
            }
        }
    }
    for (int g = 0; g < 16; g++) {
        o[3072 + 16 * g + i] = blk[192 + g];
    }
    memcpy(o + 3328 + 2 * i, blk + 208, 2);
}

/* The high bits of sub-block s (bits 2j, 2j + 1 of each byte, j = s % 4) moved to bits 4 and 5; others garbage. */
VNNI INLINE __m512i q6_high(__m512i hv, int s) {
    switch (s & 3) {
        case 0: return _mm512_slli_epi16(hv, 4);
        case 1: return _mm512_slli_epi16(hv, 2);
        case 2: return hv;
        default: return _mm512_srli_epi16(hv, 2);
    }
}

/* Sub-block s (32 values, groups 2s and 2s + 1) of one super-block of a Q6_K tile, tokens [t0, t0 + NT). */
VNNI INLINE void pk6k_sub(int NT, int s, const uint8_t *p, int sb, int cols, const int8_t *xq, const float *dx,
        const float *cx, int t0, __m512 dv, __m512 *f) {
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    const __m512i top = _mm512_set1_epi8(0x30);
    const uint8_t *q = p + 512 * (s / 2);
    const uint8_t *h = p + 2048 + 512 * (s / 4);
    __m512i w[8];
    for (int m = 0; m < 8; m++) {
        __m512i v = _mm512_loadu_si512(q + 64 * m);
        __m512i lo = (s & 1) ? _mm512_and_si512(_mm512_srli_epi16(v, 4), m4) : _mm512_and_si512(v, m4);
        w[m] = _mm512_ternarylogic_epi32(lo, q6_high(_mm512_loadu_si512(h + 64 * m), s), top, 0xF8);
    }
    __m512 sa = _mm512_mul_ps(dv, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(
            _mm_loadu_si128((const __m128i *) (p + 3072 + 32 * s)))));
    __m512 sbv = _mm512_mul_ps(dv, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(
            _mm_loadu_si128((const __m128i *) (p + 3072 + 32 * s + 16)))));
    int nb = cols / 32;
    int groups = cols / 16;
    int v0 = 256 * sb + 32 * s;
    for (int j = 0; j < NT; j++) {
        const int8_t *xb = xq + (int64_t) (t0 + j) * cols + v0;
        __m512i a0 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w[0], _mm512_set1_epi32(*(const int32_t *) xb));
        __m512i a1 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w[4], _mm512_set1_epi32(*(const int32_t *) (xb + 16)));
        a0 = _mm512_dpbusd_epi32(a0, w[1], _mm512_set1_epi32(*(const int32_t *) (xb + 4)));
        a1 = _mm512_dpbusd_epi32(a1, w[5], _mm512_set1_epi32(*(const int32_t *) (xb + 20)));
        a0 = _mm512_dpbusd_epi32(a0, w[2], _mm512_set1_epi32(*(const int32_t *) (xb + 8)));
        a1 = _mm512_dpbusd_epi32(a1, w[6], _mm512_set1_epi32(*(const int32_t *) (xb + 24)));
        a0 = _mm512_dpbusd_epi32(a0, w[3], _mm512_set1_epi32(*(const int32_t *) (xb + 12)));
        a1 = _mm512_dpbusd_epi32(a1, w[7], _mm512_set1_epi32(*(const int32_t *) (xb + 28)));
        __m512 d = _mm512_set1_ps(dx[(int64_t) (t0 + j) * nb + v0 / 32]);
        const float *c = cx + (int64_t) (t0 + j) * groups + v0 / 16;
        /* scale * (dx * dot - 32 * dx * sum), per group of 16 */
        f[j] = _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_cvtepi32_ps(a0), d, _mm512_set1_ps(-32.0f * c[0])), sa, f[j]);
        f[j] = _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_cvtepi32_ps(a1), d, _mm512_set1_ps(-32.0f * c[1])), sbv, f[j]);
    }
}

/* Tokens [t0, t0 + NT) against one 16-row tile of repacked Q6_K; cx: dx times each 16-value group's sum of x. */
VNNI INLINE void pk6k_tile(int NT, const uint8_t *tile, int supers, int cols, const int8_t *xq, const float *dx,
        const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live) {
    __m512 f[4];
    for (int j = 0; j < NT; j++) {
        f[j] = _mm512_setzero_ps();
    }
    for (int sb = 0; sb < supers; sb++) {
        const uint8_t *p = tile + (size_t) sb * PK6K_SUPER;
        if (t0 == 0) {   /* later token groups find the tile in cache */
            prefetch_unit(p, PK6K_SUPER);
        }
        __m512 dv = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (p + 3328)));
        /* written out so that every shift has a constant count */
        pk6k_sub(NT, 0, p, sb, cols, xq, dx, cx, t0, dv, f);
        pk6k_sub(NT, 1, p, sb, cols, xq, dx, cx, t0, dv, f);
        pk6k_sub(NT, 2, p, sb, cols, xq, dx, cx, t0, dv, f);
        pk6k_sub(NT, 3, p, sb, cols, xq, dx, cx, t0, dv, f);
        pk6k_sub(NT, 4, p, sb, cols, xq, dx, cx, t0, dv, f);
        pk6k_sub(NT, 5, p, sb, cols, xq, dx, cx, t0, dv, f);
        pk6k_sub(NT, 6, p, sb, cols, xq, dx, cx, t0, dv, f);
        pk6k_sub(NT, 7, p, sb, cols, xq, dx, cx, t0, dv, f);
    }
    for (int j = 0; j < NT; j++) {
        _mm512_mask_storeu_ps(out + (int64_t) (t0 + j) * n + r, live, f[j]);
    }
}

VNNI static void pk6k_tile4(const uint8_t *tile, int supers, int cols, const int8_t *xq, const float *dx,
        const int32_t *nsx, const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live) {
    (void) nsx;
    pk6k_tile(4, tile, supers, cols, xq, dx, cx, t0, out, n, r, live);
}

VNNI static void pk6k_tile1(const uint8_t *tile, int supers, int cols, const int8_t *xq, const float *dx,
        const int32_t *nsx, const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live) {
    (void) nsx;
    pk6k_tile(1, tile, supers, cols, xq, dx, cx, t0, out, n, r, live);
}

/* Row i of the values of one Q5_0 or Q5_1 block (qh, then qs) of a tile: nibbles as Q4_0, fifth bits regrouped. */
static void pk_five_bits(const uint8_t *q, int i, uint8_t *o) {
    uint32_t qh;
    memcpy(&qh, q, 4);
    for (int m = 0; m < 4; m++) {
        memcpy(o + 64 * m + 4 * i, q + 4 + 4 * m, 4);
    }
    for (int k = 0; k < 4; k++) {
        uint8_t v = 0;
        for (int m = 0; m < 4; m++) {
            v |= (uint8_t) (((qh >> (4 * m + k)) & 1) << m);
            v |= (uint8_t) (((qh >> (16 + 4 * m + k)) & 1) << (4 + m));
        }
        o[256 + 4 * i + k] = v;
    }
}

/* Row i of one Q5_0 block of a tile (layout in hearth_kernels_avx2.c). */
static void pk_row_q5_0(const uint8_t *blk, int i, uint8_t *o) {
    pk_five_bits(blk + 2, i, o);
    memcpy(o + 320 + 2 * i, blk, 2);
}

/*
 * Q4_1 and Q5_1 (AVX-512 tier only): value = d * q + m, q unsigned. Per block of a tile, Q4_1 320 bytes: the nibbles
 * as Q4_0 (4 vectors), the 16 rows' d, their m (f16); Q5_1 384 bytes: the values as Q5_0 (5 vectors), d, m. The
 * file's bytes per row (20, 24). The m term is m times the block's sum of x, taken as dx times the sum of its q.
 */
#define PK4_1_BLOCK 320
#define PK5_1_BLOCK 384

static void pk_row_q4_1(const uint8_t *blk, int i, uint8_t *o) {
    for (int m = 0; m < 4; m++) {
        memcpy(o + 64 * m + 4 * i, blk + 4 + 4 * m, 4);
    }
    memcpy(o + 256 + 2 * i, blk, 2);
    memcpy(o + 288 + 2 * i, blk + 2, 2);
}

static void pk_row_q5_1(const uint8_t *blk, int i, uint8_t *o) {
    pk_five_bits(blk + 4, i, o);
    memcpy(o + 320 + 2 * i, blk, 2);
    memcpy(o + 352 + 2 * i, blk + 2, 2);
}

/* Row i of one Q8_0 block of a tile: 8 vectors of 4 signed values per row, then d. */
static void pk_row_q8_0(const uint8_t *blk, int i, uint8_t *o) {
    for (int m = 0; m < 8; m++) {
        memcpy(o + 64 * m + 4 * i, blk + 2 + 4 * m, 4);
    }
    memcpy(o + 512 + 2 * i, blk, 2);
}

/* Row i of one Q5_K super-block of a tile: nibbles as Q4_K, the file's qh bytes, scales, mins, d, dmin. */
static void pk_row_q5_k(const uint8_t *blk, int i, uint8_t *o) {
    for (int c = 0; c < 4; c++) {
        for (int m = 0; m < 8; m++) {
            memcpy(o + 512 * c + 64 * m + 4 * i, blk + 48 + 32 * c + 4 * m, 4);
        }
    }
    for (int m = 0; m < 8; m++) {
        memcpy(o + 2048 + 64 * m + 4 * i, blk + 16 + 4 * m, 4);
    }
    uint8_t sc[8], mn[8];
    q4_k_scales(blk + 4, sc, mn);
    for (int j = 0; j < 8; j++) {
        o[2560 + 16 * j + i] = sc[j];
        o[2688 + 16 * j + i] = mn[j];
    }
    memcpy(o + 2816 + 2 * i, blk, 2);
    memcpy(o + 2848 + 2 * i, blk + 2, 2);
}

/*
 * Q5_0 and Q8_0 on AVX-512, over the layouts packed for the AVX2 kernels (hearth_kernels_avx2.c): the same lane per
 * row as Q4_0. Q5_0's fifth bits are put on the nibbles per block (shift, and, or: the shift moves the bit of value
 * 4m + k, bit m of byte k, to bit 4), offset 16; Q8_0's signed bytes go unsigned by flipping the sign bit, offset 128.
 */
#define PK5_0_BLOCK 352
#define PK8_0_BLOCK 544

VNNI INLINE void pk32_weights(int type, const uint8_t *pb, __m512i *w) {
    if (type == HK_Q8_0) {
        const __m512i flip = _mm512_set1_epi8((char) 0x80);
        for (int m = 0; m < 8; m++) {
            w[m] = _mm512_xor_si512(_mm512_loadu_si512(pb + 64 * m), flip);
        }
        return;
    }
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    const __m512i bit = _mm512_set1_epi8(0x10);
    __m512i q0 = _mm512_loadu_si512(pb), q1 = _mm512_loadu_si512(pb + 64);
    __m512i q2 = _mm512_loadu_si512(pb + 128), q3 = _mm512_loadu_si512(pb + 192);
    if (type == HK_Q4_1) {
        w[0] = _mm512_and_si512(q0, m4);
        w[1] = _mm512_and_si512(q1, m4);
        w[2] = _mm512_and_si512(q2, m4);
        w[3] = _mm512_and_si512(q3, m4);
        w[4] = _mm512_and_si512(_mm512_srli_epi16(q0, 4), m4);
        w[5] = _mm512_and_si512(_mm512_srli_epi16(q1, 4), m4);
        w[6] = _mm512_and_si512(_mm512_srli_epi16(q2, 4), m4);
        w[7] = _mm512_and_si512(_mm512_srli_epi16(q3, 4), m4);
        return;
    }
    __m512i hb = _mm512_loadu_si512(pb + 256);
    /* 0xF8: a | (b & c) */
    w[0] = _mm512_ternarylogic_epi32(_mm512_and_si512(q0, m4), _mm512_slli_epi16(hb, 4), bit, 0xF8);
    w[1] = _mm512_ternarylogic_epi32(_mm512_and_si512(q1, m4), _mm512_slli_epi16(hb, 3), bit, 0xF8);
    w[2] = _mm512_ternarylogic_epi32(_mm512_and_si512(q2, m4), _mm512_slli_epi16(hb, 2), bit, 0xF8);
    w[3] = _mm512_ternarylogic_epi32(_mm512_and_si512(q3, m4), _mm512_slli_epi16(hb, 1), bit, 0xF8);
    w[4] = _mm512_ternarylogic_epi32(_mm512_and_si512(_mm512_srli_epi16(q0, 4), m4), hb, bit, 0xF8);
    w[5] = _mm512_ternarylogic_epi32(_mm512_and_si512(_mm512_srli_epi16(q1, 4), m4), _mm512_srli_epi16(hb, 1), bit, 0xF8);
    w[6] = _mm512_ternarylogic_epi32(_mm512_and_si512(_mm512_srli_epi16(q2, 4), m4), _mm512_srli_epi16(hb, 2), bit, 0xF8);
    w[7] = _mm512_ternarylogic_epi32(_mm512_and_si512(_mm512_srli_epi16(q3, 4), m4), _mm512_srli_epi16(hb, 3), bit, 0xF8);
}

/* Tokens [t0, t0 + NT) against one 16-row tile of repacked Q5_0, Q8_0, Q4_1 or Q5_1. */
VNNI INLINE void pk32_tile(int type, int NT, const uint8_t *tile, int nb, int cols, const int8_t *xq, const float *dx,
        const int32_t *nsx, int t0, float *out, int64_t n, int r, __mmask16 live) {
    int ub = type == HK_Q5_0 ? PK5_0_BLOCK : type == HK_Q8_0 ? PK8_0_BLOCK : type == HK_Q4_1 ? PK4_1_BLOCK : PK5_1_BLOCK;
    int offset = type == HK_Q5_0 ? 16 : type == HK_Q8_0 ? 128 : 0;
    int mins = type == HK_Q4_1 || type == HK_Q5_1;
    __m512 f[8];
    for (int j = 0; j < NT; j++) {
        f[j] = _mm512_setzero_ps();
    }
    for (int b = 0; b < nb; b++) {
        const uint8_t *pb = tile + (size_t) b * ub;
        __m512i w[8];
        pk32_weights(type, pb, w);
        __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (pb + ub - (mins ? 64 : 32))));
        __m512 mw = mins ? _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (pb + ub - 32))) : dw;
        for (int j = 0; j < NT; j++) {
            const int8_t *xb = xq + (int64_t) (t0 + j) * cols + 32 * b;
            __m512i acc = _mm512_set1_epi32(offset * nsx[(int64_t) (t0 + j) * nb + b]);
            for (int m = 0; m < 8; m++) {
                acc = _mm512_dpbusd_epi32(acc, w[m], _mm512_set1_epi32(*(const int32_t *) (xb + 4 * m)));
            }
            float d = dx[(int64_t) (t0 + j) * nb + b];
            f[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc), _mm512_mul_ps(dw, _mm512_set1_ps(d)), f[j]);
            if (mins) {   /* m * sum(x); nsx is minus the block's sum of q */
                f[j] = _mm512_fmadd_ps(mw, _mm512_set1_ps(-d * (float) nsx[(int64_t) (t0 + j) * nb + b]), f[j]);
            }
        }
    }
    for (int j = 0; j < NT; j++) {
        _mm512_mask_storeu_ps(out + (int64_t) (t0 + j) * n + r, live, f[j]);
    }
}

#define PK32_TILES(name, type) \
    VNNI static void name##_tile8(const uint8_t *tile, int nb, int cols, const int8_t *xq, const float *dx, \
            const int32_t *nsx, const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live) { \
        (void) cx; pk32_tile(type, 8, tile, nb, cols, xq, dx, nsx, t0, out, n, r, live); } \
    VNNI static void name##_tile4(const uint8_t *tile, int nb, int cols, const int8_t *xq, const float *dx, \
            const int32_t *nsx, const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live) { \
        (void) cx; pk32_tile(type, 4, tile, nb, cols, xq, dx, nsx, t0, out, n, r, live); } \
    VNNI static void name##_tile1(const uint8_t *tile, int nb, int cols, const int8_t *xq, const float *dx, \
            const int32_t *nsx, const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live) { \
        (void) cx; pk32_tile(type, 1, tile, nb, cols, xq, dx, nsx, t0, out, n, r, live); }

PK32_TILES(pk5_0, HK_Q5_0)
PK32_TILES(pk8_0, HK_Q8_0)
PK32_TILES(pk4_1, HK_Q4_1)
PK32_TILES(pk5_1, HK_Q5_1)

/*
 * Q5_K on AVX-512 over its packed layout (hearth_kernels_avx2.c): as Q4_K, with the fifth bit of each value (bit s
 * of the qh byte, for sub-block s) shifted to bit 4 and put on the nibble.
 */
#define PK5K_SUPER 2880

/* The qh bytes' bit s moved to bit 4 (other bits garbage: the caller keeps bit 4 only); s a constant once unrolled. */
VNNI INLINE __m512i fifth_bit(__m512i hb, int s) {
    switch (s) {
        case 0: return _mm512_slli_epi16(hb, 4);
        case 1: return _mm512_slli_epi16(hb, 3);
        case 2: return _mm512_slli_epi16(hb, 2);
        case 3: return _mm512_slli_epi16(hb, 1);
        case 4: return hb;
        case 5: return _mm512_srli_epi16(hb, 1);
        case 6: return _mm512_srli_epi16(hb, 2);
        default: return _mm512_srli_epi16(hb, 3);
    }
}

/* Tokens [t0, t0 + NT) against one 16-row tile of repacked Q5_K, sub-block s of every super-block. */
VNNI INLINE void pk5k_sub(int NT, int s, const uint8_t *p, int sb, int cols, const int8_t *xq, const float *dx,
        const int32_t *nsx, int t0, __m512 dv, __m512 mv, __m512 *f, __m512 *fm) {
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    const __m512i bit = _mm512_set1_epi8(0x10);
    int nb = cols / 32;
    const uint8_t *q = p + 512 * (s / 2);
    __m512i w[8];
    for (int m = 0; m < 8; m++) {
        __m512i v = _mm512_loadu_si512(q + 64 * m);
        __m512i lo = (s & 1) ? _mm512_and_si512(_mm512_srli_epi16(v, 4), m4) : _mm512_and_si512(v, m4);
        w[m] = _mm512_ternarylogic_epi32(lo, fifth_bit(_mm512_loadu_si512(p + 2048 + 64 * m), s), bit, 0xF8);
    }
    __m512 scv = _mm512_mul_ps(dv, u8x16_to_ps(p + 2560 + 16 * s));
    __m512 mnv = _mm512_mul_ps(mv, u8x16_to_ps(p + 2688 + 16 * s));
    int b = 8 * sb + s;
    for (int j = 0; j < NT; j++) {
        const int8_t *xb = xq + (int64_t) (t0 + j) * cols + 32 * b;
        __m512i acc = _mm512_setzero_si512();
        for (int m = 0; m < 8; m++) {
            acc = _mm512_dpbusd_epi32(acc, w[m], _mm512_set1_epi32(*(const int32_t *) (xb + 4 * m)));
        }
        float d = dx[(int64_t) (t0 + j) * nb + b];
        f[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc), _mm512_mul_ps(scv, _mm512_set1_ps(d)), f[j]);
        fm[j] = _mm512_fmadd_ps(mnv, _mm512_set1_ps(d * (float) nsx[(int64_t) (t0 + j) * nb + b]), fm[j]);
    }
}

VNNI INLINE void pk5k_tile(int NT, const uint8_t *tile, int supers, int cols, const int8_t *xq, const float *dx,
        const int32_t *nsx, int t0, float *out, int64_t n, int r, __mmask16 live) {
    __m512 f[4], fm[4];
    for (int j = 0; j < NT; j++) {
        f[j] = _mm512_setzero_ps();
        fm[j] = _mm512_setzero_ps();
    }
    for (int sb = 0; sb < supers; sb++) {
        const uint8_t *p = tile + (size_t) sb * PK5K_SUPER;
        if (t0 == 0) {   /* later token groups find the tile in cache */
            prefetch_unit(p, PK5K_SUPER);
        }
        __m512 dv = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (p + 2816)));
        __m512 mv = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (p + 2848)));
        /* written out so that every shift has a constant count */
        pk5k_sub(NT, 0, p, sb, cols, xq, dx, nsx, t0, dv, mv, f, fm);
        pk5k_sub(NT, 1, p, sb, cols, xq, dx, nsx, t0, dv, mv, f, fm);
        pk5k_sub(NT, 2, p, sb, cols, xq, dx, nsx, t0, dv, mv, f, fm);
        pk5k_sub(NT, 3, p, sb, cols, xq, dx, nsx, t0, dv, mv, f, fm);
        pk5k_sub(NT, 4, p, sb, cols, xq, dx, nsx, t0, dv, mv, f, fm);
        pk5k_sub(NT, 5, p, sb, cols, xq, dx, nsx, t0, dv, mv, f, fm);
        pk5k_sub(NT, 6, p, sb, cols, xq, dx, nsx, t0, dv, mv, f, fm);
        pk5k_sub(NT, 7, p, sb, cols, xq, dx, nsx, t0, dv, mv, f, fm);
    }
    for (int j = 0; j < NT; j++) {
        _mm512_mask_storeu_ps(out + (int64_t) (t0 + j) * n + r, live, _mm512_add_ps(f[j], fm[j]));
    }
}

VNNI static void pk5k_tile4(const uint8_t *tile, int supers, int cols, const int8_t *xq, const float *dx,
        const int32_t *nsx, const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live) {
    (void) cx;
    pk5k_tile(4, tile, supers, cols, xq, dx, nsx, t0, out, n, r, live);
}

VNNI static void pk5k_tile1(const uint8_t *tile, int supers, int cols, const int8_t *xq, const float *dx,
        const int32_t *nsx, const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live) {
    (void) cx;
    pk5k_tile(1, tile, supers, cols, xq, dx, nsx, t0, out, n, r, live);
}

/* The repacked layouts: per type, values and bytes of one unit (a block or super-block) of a 16-row tile, the file's
   bytes of a unit of one row, and the writer of a row of a unit. */
typedef void (*pk_row_fn)(const uint8_t *blk, int i, uint8_t *o);
typedef void (*pk_tile_fn)(const uint8_t *tile, int units, int cols, const int8_t *xq, const float *dx,
        const int32_t *nsx, const float *cx, int t0, float *out, int64_t n, int r, __mmask16 live);

typedef struct {
    int values, bytes, fileBytes;
    pk_row_fn row;
    pk_tile_fn tile8, tile4, tile1;   /* tile8 may be null */
} pk_format;

static int pk_format_of(int type, pk_format *f) {
    switch (type) {
        case HK_Q4_0: *f = (pk_format) {32, PK_BLOCK, 18, pk_row_q4_0, pk_tile8, pk_tile4, pk_tile1}; return 1;
        case HK_Q4_K: *f = (pk_format) {256, PK4K_SUPER, 144, pk_row_q4_k, 0, pk4k_tile4, pk4k_tile1}; return 1;
        case HK_Q6_K: *f = (pk_format) {256, PK6K_SUPER, 210, pk_row_q6_k, 0, pk6k_tile4, pk6k_tile1}; return 1;
        case HK_Q5_0: *f = (pk_format) {32, PK5_0_BLOCK, 22, pk_row_q5_0, pk5_0_tile8, pk5_0_tile4, pk5_0_tile1}; return 1;
        case HK_Q8_0: *f = (pk_format) {32, PK8_0_BLOCK, 34, pk_row_q8_0, pk8_0_tile8, pk8_0_tile4, pk8_0_tile1}; return 1;
        case HK_Q5_K: *f = (pk_format) {256, PK5K_SUPER, 176, pk_row_q5_k, 0, pk5k_tile4, pk5k_tile1}; return 1;
        case HK_Q4_1: *f = (pk_format) {32, PK4_1_BLOCK, 20, pk_row_q4_1, pk4_1_tile8, pk4_1_tile4, pk4_1_tile1}; return 1;
        case HK_Q5_1: *f = (pk_format) {32, PK5_1_BLOCK, 24, pk_row_q5_1, pk5_1_tile8, pk5_1_tile4, pk5_1_tile1}; return 1;
        default: return 0;
    }
}

/* Tiles [tile0, tile1) of a Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K or Q6_K matrix of `rows` rows into dst (which
   holds every tile, from tile 0); rows past the matrix are zero. Returns 0, or -1 for another type or a row length off its units. */
int hk_repack(int type, const uint8_t *w, int64_t rowBytes, int rows, int cols, int tile0, int tile1, uint8_t *dst) {
    pk_format f;
    if (!pk_format_of(type, &f) || cols % f.values != 0) {
        return -1;
    }
    int units = cols / f.values;
    for (int t = tile0; t < tile1; t++) {
        for (int u = 0; u < units; u++) {
            uint8_t *o = dst + ((size_t) t * units + u) * f.bytes;
            memset(o, 0, f.bytes);
            for (int i = 0; i < IL_ROWS && IL_ROWS * t + i < rows; i++) {
                f.row(w + (int64_t) (IL_ROWS * t + i) * rowBytes + (int64_t) u * f.fileBytes, i, o);
            }
        }
    }
    return 0;
}

/*
 * out[t * n + r] for rows [r0, r1) of a repacked matrix of `rows` rows (r0 a multiple of 16, r1 one too or the last
 * row) and tokens [0, tokens); the K-quants take activations quantized per 256 values. Returns 0, or -1 for another
 * type, a range off the tiles or a failed scratch allocation.
 */
VNNI static int matmul_packed_512(int type, const uint8_t *packed, int rows, int r0, int r1, int cols, const int8_t *xq,
        const float *dx, const int32_t *nsx, int tokens, float *out, int n) {
    pk_format f;
    if (!pk_format_of(type, &f) || !f.tile4 || cols % f.values != 0 || r0 % IL_ROWS != 0 || (r1 % IL_ROWS != 0 && r1 != rows)
            || r1 > rows) {
        return -1;
    }
    int units = cols / f.values;
    float *cx = 0;
    if (type == HK_Q6_K) {  /* its offset correction: dx times each 16-value group's sum of x */
        cx = scratch_get((size_t) tokens * (cols / 16) * sizeof(float));
        if (!cx) {
            return -1;
        }
        k_group_sums(xq, dx, cols, tokens, cx);
    }
    for (int r = r0; r < r1; r += IL_ROWS) {
        int valid = r1 - r < IL_ROWS ? r1 - r : IL_ROWS;
        __mmask16 live = (__mmask16) ((1u << valid) - 1);
        const uint8_t *tile = packed + (size_t) (r / IL_ROWS) * units * f.bytes;
        int t0 = 0;
        if (f.tile8) {
            for (; t0 + 8 <= tokens; t0 += 8) f.tile8(tile, units, cols, xq, dx, nsx, cx, t0, out, n, r, live);
        }
        for (; t0 + 4 <= tokens; t0 += 4) f.tile4(tile, units, cols, xq, dx, nsx, cx, t0, out, n, r, live);
        for (; t0 < tokens; t0++) f.tile1(tile, units, cols, xq, dx, nsx, cx, t0, out, n, r, live);
    }
    return 0;
}

int hk_matmul_packed_avx2(int type, const uint8_t *packed, int rows, int r0, int r1, int cols, const int8_t *xq,
        const float *dx, const int32_t *nsx, int tokens, float *out, int n, float *cx);

/* Whether the AVX-512 kernels run here (hk_caps bit 0), asked once. */
static int wide(void) {
    static int caps = -1;
    if (caps < 0) {
        caps = hk_caps();
    }
    return caps & 1;
}

/*
 * The packed matmul, on the AVX-512 kernels where the CPU has them, else on the AVX2 kernels (the same layouts). No
 * target attribute here: this runs before anything is known of the CPU.
 */
int hk_matmul_packed(int type, const uint8_t *packed, int rows, int r0, int r1, int cols, const int8_t *xq,
        const float *dx, const int32_t *nsx, int tokens, float *out, int n) {
    if (wide()) {
        return matmul_packed_512(type, packed, rows, r0, r1, cols, xq, dx, nsx, tokens, out, n);
    }
    float *cx = 0;
    if (type == HK_Q6_K) {
        cx = scratch_get((size_t) tokens * (cols / 16) * sizeof(float));
        if (!cx) {
            return -1;
        }
    }
    return hk_matmul_packed_avx2(type, packed, rows, r0, r1, cols, xq, dx, nsx, tokens, out, n, cx);
}

/*
 * out[t * n + r] = row r of the weights times token t, for rows [r0, r1) and tokens [0, tokens). Returns 0, or -1 for
 * an unknown type or a failed scratch allocation (nothing written then).
 */
VNNI int hk_matmul(int type, const uint8_t *w, int64_t rowBytes, const float *scales, int r0, int r1, int cols,
        const int8_t *xq, const float *dx, const int32_t *nsx, int tokens, float *out, int n) {
    if (type == HK_Q4_K || type == HK_Q6_K) {
        return cols % 256 == 0 ? k_matmul(type, w, rowBytes, r0, r1, cols, xq, dx, tokens, out, n) : -1;
    }
    if ((type != HK_Q4_0 && type != HK_Q8_0) || cols % 32 != 0) {
        return -1;
    }
    if (tokens == 1) {
        return matvec(type, w, rowBytes, scales, r0, r1, cols, xq, dx, nsx, out);
    }
    return gemm(type, w, rowBytes, scales, r0, r1, cols, xq, dx, nsx, tokens, out, n);
}

/*
 * Float weights (F32, F16, BF16) in the file's layout against float activations: no quantization of x, each weight
 * widened to a float as it is loaded (F16 by vcvtph2ps, BF16 by a 16-bit shift: both exact) and multiplied in float.
 * Rows in fours and tokens in fours (16 accumulators), the last columns under a mask. The scalar twin is
 * NativeKernels.matmulFloatScalar.
 */
#define HK_F32 0
#define HK_F16 1
#define HK_BF16 30

VNNI INLINE __m512 fl_load(int type, const uint8_t *row, int k, __mmask16 m) {
    switch (type) {
        case HK_F32: return _mm512_maskz_loadu_ps(m, row + 4 * (int64_t) k);
        case HK_F16: return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, row + 2 * (int64_t) k));
        default: return _mm512_castsi512_ps(_mm512_slli_epi32(
                _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, row + 2 * (int64_t) k)), 16));
    }
}

/* Rows [r, r + NR) x tokens [t, t + NT). */
VNNI INLINE void fl_block(int type, int NR, int NT, const uint8_t *w, int64_t rowBytes, int r, int cols,
        const float *x, int t, float *out, int64_t n) {
    __m512 acc[4][4];
    for (int i = 0; i < NR; i++) {
        for (int j = 0; j < NT; j++) {
            acc[i][j] = _mm512_setzero_ps();
        }
    }
    for (int k = 0; k < cols; k += 16) {
        __mmask16 m = cols - k >= 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << (cols - k)) - 1);
        __m512 wv[4];
        for (int i = 0; i < NR; i++) {
            wv[i] = fl_load(type, w + (int64_t) (r + i) * rowBytes, k, m);
        }
        for (int j = 0; j < NT; j++) {
            __m512 xv = _mm512_maskz_loadu_ps(m, x + (int64_t) (t + j) * cols + k);
            for (int i = 0; i < NR; i++) {
                acc[i][j] = _mm512_fmadd_ps(wv[i], xv, acc[i][j]);
            }
        }
    }
    for (int i = 0; i < NR; i++) {
        for (int j = 0; j < NT; j++) {
            out[(int64_t) (t + j) * n + r + i] = _mm512_reduce_add_ps(acc[i][j]);
        }
    }
}

VNNI INLINE void fl_rows(int type, int NR, const uint8_t *w, int64_t rowBytes, int r, int cols, const float *x,
        int tokens, float *out, int64_t n) {
    int t = 0;
    for (; t + 4 <= tokens; t += 4) fl_block(type, NR, 4, w, rowBytes, r, cols, x, t, out, n);
    for (; t < tokens; t++) fl_block(type, NR, 1, w, rowBytes, r, cols, x, t, out, n);
}

VNNI INLINE void fl_matmul(int type, const uint8_t *w, int64_t rowBytes, int r0, int r1, int cols, const float *x,
        int tokens, float *out, int n) {
    int r = r0;
    for (; r + 4 <= r1; r += 4) fl_rows(type, 4, w, rowBytes, r, cols, x, tokens, out, n);
    for (; r < r1; r++) fl_rows(type, 1, w, rowBytes, r, cols, x, tokens, out, n);
}

/*
 * out[t * n + r] = row r of the float weights times x[t * cols ..], rows [r0, r1), tokens [0, tokens). Returns 0, or
 * -1 for another type or a CPU without the AVX-512 kernels.
 */
VNNI static int fl_dispatch(int type, const uint8_t *w, int64_t rowBytes, int r0, int r1, int cols, const float *x,
        int tokens, float *out, int n) {
    switch (type) {
        case HK_F32: fl_matmul(HK_F32, w, rowBytes, r0, r1, cols, x, tokens, out, n); return 0;
        case HK_F16: fl_matmul(HK_F16, w, rowBytes, r0, r1, cols, x, tokens, out, n); return 0;
        case HK_BF16: fl_matmul(HK_BF16, w, rowBytes, r0, r1, cols, x, tokens, out, n); return 0;
        default: return -1;
    }
}

int hk_matmul_float(int type, const uint8_t *w, int64_t rowBytes, int r0, int r1, int cols, const float *x, int tokens,
        float *out, int n) {
    return wide() ? fl_dispatch(type, w, rowBytes, r0, r1, cols, x, tokens, out, n) : -1;
}
