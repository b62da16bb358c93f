/*
 * Packed-kernel microbenchmark for one build or several of libhearthk.so side by side (e.g. an old build copied aside
 * and the new one): hk_repack on random blocks, then hk_matmul_packed timed per 256 values of a 16-row tile.
 * Build and run with bench/scripts/kquant_matvec.sh. Environment: MODE=cache (32 x 2048, in cache; thread CPU time
 * is the figure) or mem (49152 x 2048, out of cache), THREADS (1 or 2; rows split in halves), TOKENS (default 1),
 * TYPE (Q4_K, Q5_K, Q6_K, Q4_0 or Q8_0; default all), AVX2=1 (call the AVX2 tier). Each library's outputs are
 * compared with the first one's (maxrel).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <immintrin.h>

typedef int (*repack_fn)(int, const uint8_t *, int64_t, int, int, int, int, uint8_t *);
typedef int (*mm_fn)(int, const uint8_t *, int, int, int, int, const int8_t *, const float *, const int32_t *, int, float *, int);
typedef void *(*alloc_fn)(int64_t);
typedef int (*mm2_fn)(int, const uint8_t *, int, int, int, int, const int8_t *, const float *, const int32_t *, int, float *, int, float *);
static mm2_fn mm2s[4]; static int cur;
static int mm_avx2(int t, const uint8_t *pk, int rows, int r0, int r1, int cols, const int8_t *xq, const float *dx, const int32_t *nsx, int tok, float *out, int n) {
    static __thread float cx[4096];
    return mm2s[cur](t, pk, rows, r0, r1, cols, xq, dx, nsx, tok, out, n, cx);
}

static int fsz(int t) { return t == 12 ? 144 : t == 13 ? 176 : t == 14 ? 210 : t == 2 ? 18 : 34; }
static int psz(int t) { return t == 12 ? 2368 : t == 13 ? 2880 : t == 14 ? 3360 : t == 2 ? 288 : 544; }
static int vals(int t) { return t == 2 || t == 8 ? 32 : 256; }
static uint16_t h(float f) { return _cvtss_sh(f, 0); }

static void gen(int t, uint8_t *w, size_t bytes, unsigned seed) {
    srand(seed);
    for (size_t i = 0; i < bytes; i++) w[i] = rand() & 255;
    size_t n = bytes / fsz(t);
    for (size_t b = 0; b < n; b++) {
        uint8_t *p = w + b * fsz(t);
        if (t == 2 || t == 8) { uint16_t d = h(0.001f); memcpy(p, &d, 2); }
        else if (t == 14) { uint16_t d = h(0.001f + (rand() % 100) * 1e-5f); memcpy(p + 208, &d, 2); }
        else { uint16_t d = h(0.001f + (rand() % 100) * 1e-5f), m = h(0.002f); memcpy(p, &d, 2); memcpy(p + 2, &m, 2); }
    }
}

static void quantk(const float *x, int cols, int8_t *xq, float *dx, int32_t *nsx) {
    for (int at = 0; at < cols; at += 256) {
        float amax = 0, ex = 0;
        for (int i = 0; i < 256; i++) if (fabsf(x[at + i]) > amax) { amax = fabsf(x[at + i]); ex = x[at + i]; }
        float is = ex == 0 ? 0 : -127.f / ex;
        for (int b = 0; b < 8; b++) {
            int s = 0;
            for (int i = 0; i < 32; i++) { int q = (int) rintf(is * x[at + 32 * b + i]); if (q > 127) q = 127; xq[at + 32 * b + i] = q; s += q; }
            dx[at / 32 + b] = ex == 0 ? 0 : 1.f / is;
            nsx[at / 32 + b] = -s;
        }
    }
}

static double now_thread(void) { struct timespec ts; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); return ts.tv_sec + ts.tv_nsec * 1e-9; }
static double now_wall(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec + ts.tv_nsec * 1e-9; }

typedef struct { mm_fn mm; int t; uint8_t *pk; int rows, r0, r1, cols; int8_t *xq; float *dx; int32_t *nsx; float *out; int reps; } job;
static void *runjob(void *a) { job *j = a; for (int i = 0; i < j->reps; i++) j->mm(j->t, j->pk, j->rows, j->r0, j->r1, j->cols, j->xq, j->dx, j->nsx, 1, j->out, j->rows); return 0; }

int main(int argc, char **argv) {
    /* argv: lib1 [lib2 ...] ; env MODE=cache|mem */
    const char *mode = getenv("MODE") ? getenv("MODE") : "cache";
    int nlib = argc - 1;
    repack_fn rp[4]; mm_fn mm[4]; alloc_fn al[4];
    for (int l = 0; l < nlib; l++) {
        void *hd = dlopen(argv[1 + l], RTLD_NOW | RTLD_LOCAL);
        if (!hd) { fprintf(stderr, "%s\n", dlerror()); return 1; }
        rp[l] = dlsym(hd, "hk_repack"); mm[l] = dlsym(hd, "hk_matmul_packed"); al[l] = dlsym(hd, "hk_alloc"); mm2s[l] = dlsym(hd, "hk_matmul_packed_avx2");
    }
    int types[5] = {12, 13, 14, 2, 8};
    const char *names[5] = {"Q4_K", "Q5_K", "Q6_K", "Q4_0", "Q8_0"};
    int cache = strcmp(mode, "cache") == 0;
    int cols = 2048, rows = cache ? 32 : 49152;
    int threads = getenv("THREADS") ? atoi(getenv("THREADS")) : 1;
    int NTOK = getenv("TOKENS") ? atoi(getenv("TOKENS")) : 1;
    float *x = malloc(sizeof(float) * cols * NTOK); srand(7);
    for (int i = 0; i < cols * NTOK; i++) x[i] = ((rand() % 20001) - 10000) / 5000.0f;
    int8_t *xq = aligned_alloc(64, cols * NTOK); float *dx = malloc(4 * cols / 32 * NTOK); int32_t *nsx = malloc(4 * cols / 32 * NTOK);
    for (int k = 0; k < NTOK; k++) quantk(x + k * cols, cols, xq + k * cols, dx + k * cols / 32, nsx + k * cols / 32);
    static int ntok; ntok = NTOK;
    for (int ti = 0; ti < 5; ti++) {
        int t = types[ti];
        if (getenv("TYPE") && strcmp(getenv("TYPE"), names[ti])) continue;
        size_t fb = (size_t) rows * cols / vals(t) * fsz(t);
        uint8_t *w = malloc(fb); gen(t, w, fb, 42 + t);
        int tiles = (rows + 15) / 16;
        size_t pb = (size_t) tiles * cols / vals(t) * psz(t);
        float *ref = 0;
        for (int l = 0; l < nlib; l++) {
            uint8_t *pk = al[l](pb); cur = l; if (getenv("AVX2")) mm[l] = mm_avx2;
            rp[l](t, w, (int64_t) cols / vals(t) * fsz(t), rows, cols, 0, tiles, pk);
            float *out = malloc(4 * rows * ntok);
            mm[l](t, pk, rows, 0, rows, cols, xq, dx, nsx, ntok, out, rows);
            double maxrel = 0;
            if (!ref) ref = out; else {
                for (int r = 0; r < rows * ntok; r++) { double e = fabs(out[r] - ref[r]) / (fabs(ref[r]) + 1e-3); if (e > maxrel) maxrel = e; }
            }
            double best = 1e9, bestw = 1e9;
            int reps = (cache ? 20000 : 20) / ntok + 1;
            for (int round = 0; round < 7; round++) {
                double t0 = now_thread(), w0 = now_wall();
                if (threads == 1) {
                    for (int i = 0; i < reps; i++) mm[l](t, pk, rows, 0, rows, cols, xq, dx, nsx, ntok, out, rows);
                } else {
                    pthread_t th[8]; job j[8];
                    for (int k = 0; k < threads; k++) {
                        int per = (tiles + threads - 1) / threads * 16;
                        j[k] = (job) {mm[l], t, pk, rows, k * per, (k + 1) * per < rows ? (k + 1) * per : rows, cols, xq, dx, nsx, out, reps};
                        pthread_create(&th[k], 0, runjob, &j[k]);
                    }
                    for (int k = 0; k < threads; k++) pthread_join(th[k], 0);
                }
                double dt = (now_thread() - t0) / reps, dw = (now_wall() - w0) / reps;
                if (dt < best) best = dt;
                if (dw < bestw) bestw = dw;
            }
            double units = (double) tiles * cols / 256 * ntok;  /* per 256 values of a 16-row tile */
            printf("%s lib%d %s x%d: thread-cpu %.1f ns (1 thread only), wall %.1f ns per 256 values of a 16-row tile, %.2f GB/s packed (wall), maxrel vs lib0 %.2g\n",
                   names[ti], l, mode, threads, threads == 1 ? best * 1e9 / units : 0.0, bestw * 1e9 / units, pb / bestw / 1e9, maxrel);
        }
        free(w);
    }
    return 0;
}
