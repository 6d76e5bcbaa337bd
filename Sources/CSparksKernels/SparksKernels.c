#include "SparksKernels.h"

#include <math.h>
#include <stddef.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Each kernel body is written once and compiled three times with different target attributes;
// `reassociate` lets the compiler split sums across vector lanes (the order of a float sum
// changes, within rounding).

#define DOT_BODY                                                   \
    _Pragma("clang fp reassociate(on)") float sum = 0;             \
    for (long i = 0; i < count; i++) sum += a[i] * b[i];           \
    return sum;

// erf(x) ≈ x·P(x²)/Q(x²) on [−4, 4], ±1 outside (the float rational approximation of Eigen
// and XLA).
#define ERF_BODY                                                                              \
    float c = x < -4.0f ? -4.0f : (x > 4.0f ? 4.0f : x);                                     \
    float x2 = c * c;                                                                         \
    float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;                           \
    p = x2 * p + -2.10102402082508e-06f;                                                      \
    p = x2 * p + -5.69250639462346e-05f;                                                      \
    p = x2 * p + -7.34990630326855e-04f;                                                      \
    p = x2 * p + -2.95459980854025e-03f;                                                      \
    p = x2 * p + -1.60960333262415e-02f;                                                      \
    p = c * p;                                                                                \
    float q = x2 * -1.45660718464996e-05f + -2.13374055278905e-04f;                          \
    q = x2 * q + -1.68282697438203e-03f;                                                      \
    q = x2 * q + -7.37332916720468e-03f;                                                      \
    q = x2 * q + -1.42647390514189e-02f;                                                      \
    return p / q;

#define GELU_BODY(SUFFIX)                                          \
    for (long i = 0; i < count; i++) {                             \
        float v = x[i];                                            \
        x[i] = 0.5f * v * (1.0f + erf_##SUFFIX(v * 0.70710678118654752f)); \
    }

#define ADD_BODY for (long i = 0; i < count; i++) x[i] += y[i];

#define LAYER_NORM_BODY                                                          \
    for (long r = 0; r < rows; r++) {                                            \
        _Pragma("clang fp reassociate(on)")                                      \
        float *v = x + r * width;                                                \
        float mean = 0;                                                          \
        for (long i = 0; i < width; i++) mean += v[i];                           \
        mean /= (float)width;                                                    \
        float var = 0;                                                           \
        for (long i = 0; i < width; i++) {                                       \
            float d = v[i] - mean;                                               \
            var += d * d;                                                        \
        }                                                                        \
        var /= (float)width;                                                     \
        float inv = 1.0f / sqrtf(var + epsilon);                                 \
        for (long i = 0; i < width; i++) v[i] = (v[i] - mean) * inv * gain[i] + bias[i]; \
    }

#define DEFINE_VARIANT(SUFFIX, TARGET)                                                              \
    TARGET static inline float erf_##SUFFIX(float x) { ERF_BODY }                                 \
    TARGET static float dot_plain_##SUFFIX(const float *a, const float *b, long count) { DOT_BODY } \
    TARGET static void gelu_##SUFFIX(float *x, long count) { GELU_BODY(SUFFIX) }                           \
    TARGET static void add_##SUFFIX(float *x, const float *y, long count) { ADD_BODY }             \
    TARGET static void layer_norm_##SUFFIX(float *x, long rows, long width, const float *gain,     \
                                           const float *bias, float epsilon) { LAYER_NORM_BODY }

#if defined(__x86_64__)
DEFINE_VARIANT(avx512, __attribute__((target("avx512f,avx512vl,avx2,fma"))))
DEFINE_VARIANT(avx2, __attribute__((target("avx2,fma"))))

// Dot products with four independent accumulators, so that FMA latency does not serialise them.
__attribute__((target("avx512f,avx512vl,avx2,fma")))
static float dot_avx512(const float *a, const float *b, long count) {
    if (count % 64 != 0) return dot_plain_avx512(a, b, count);
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps(), s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    for (long i = 0; i < count; i += 64) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
        s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
        s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

__attribute__((target("avx2,fma")))
static float dot_avx2(const float *a, const float *b, long count) {
    if (count % 32 != 0) return dot_plain_avx2(a, b, count);
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    for (long i = 0; i < count; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
    return _mm_cvtss_f32(h);
}
#endif
DEFINE_VARIANT(generic, )
#define dot_generic dot_plain_generic

// Matrix product against weights packed in 64-column strips ([strip][k][64], contiguous), so
// the inner loop streams memory in order: blocks of four rows × 64 columns accumulate in
// registers while a strip (at most 1536 × 64 floats) stays in the L2 cache.

void sparks_pack_weights(const float *w, long inputs, long outputs, float *packed) {
    for (long strip = 0; strip < outputs / 64; strip++)
        for (long k = 0; k < inputs; k++)
            for (long c = 0; c < 64; c++) packed[(strip * inputs + k) * 64 + c] = w[k * outputs + strip * 64 + c];
}

#if defined(__x86_64__)
// One block of `R` rows (1 to 4, a constant where it is inlined) × one 64-column strip.
__attribute__((target("avx512f,avx512vl,avx2,fma"), always_inline))
static inline void block_avx512(const int R, long inputs, const float *x, long ldx, const float *panel, float *y,
                                long ldy) {
    __m512 acc[4][4];
    for (int r = 0; r < R; r++)
        for (int c = 0; c < 4; c++) acc[r][c] = _mm512_loadu_ps(y + r * ldy + 16 * c);
    for (long k = 0; k < inputs; k++) {
        const float *row = panel + k * 64;
        __m512 w0 = _mm512_loadu_ps(row), w1 = _mm512_loadu_ps(row + 16);
        __m512 w2 = _mm512_loadu_ps(row + 32), w3 = _mm512_loadu_ps(row + 48);
        for (int r = 0; r < R; r++) {
            __m512 v = _mm512_set1_ps(x[r * ldx + k]);
            acc[r][0] = _mm512_fmadd_ps(v, w0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(v, w1, acc[r][1]);
            acc[r][2] = _mm512_fmadd_ps(v, w2, acc[r][2]);
            acc[r][3] = _mm512_fmadd_ps(v, w3, acc[r][3]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int c = 0; c < 4; c++) _mm512_storeu_ps(y + r * ldy + 16 * c, acc[r][c]);
}

__attribute__((target("avx512f,avx512vl,avx2,fma")))
static void gemm_avx512(long rows, long inputs, const float *x, long ldx, const float *packed, float *y, long ldy,
                        long first_strip, long end_strip) {
    for (long strip = first_strip; strip < end_strip; strip++) {
        const float *panel = packed + strip * inputs * 64;
        long n = strip * 64, m = 0;
        for (; m + 4 <= rows; m += 4) block_avx512(4, inputs, x + m * ldx, ldx, panel, y + m * ldy + n, ldy);
        // The last one to three rows as one block, so the strip is read once more, not up to three times.
        switch (rows - m) {
        case 3: block_avx512(3, inputs, x + m * ldx, ldx, panel, y + m * ldy + n, ldy); break;
        case 2: block_avx512(2, inputs, x + m * ldx, ldx, panel, y + m * ldy + n, ldy); break;
        case 1: block_avx512(1, inputs, x + m * ldx, ldx, panel, y + m * ldy + n, ldy); break;
        default: break;
        }
    }
}

__attribute__((target("avx2,fma")))
static void gemm_avx2(long rows, long inputs, const float *x, long ldx, const float *packed, float *y, long ldy,
                      long first_strip, long end_strip) {
    for (long strip = first_strip; strip < end_strip; strip++) {
        const float *panel = packed + strip * inputs * 64;
        for (long part = 0; part < 64; part += 16) {
            long n = strip * 64 + part, m = 0;
            for (; m + 4 <= rows; m += 4) {
                __m256 acc[4][2];
                for (int r = 0; r < 4; r++)
                    for (int c = 0; c < 2; c++) acc[r][c] = _mm256_loadu_ps(y + (m + r) * ldy + n + 8 * c);
                for (long k = 0; k < inputs; k++) {
                    const float *row = panel + k * 64 + part;
                    __m256 w0 = _mm256_loadu_ps(row), w1 = _mm256_loadu_ps(row + 8);
                    for (int r = 0; r < 4; r++) {
                        __m256 v = _mm256_set1_ps(x[(m + r) * ldx + k]);
                        acc[r][0] = _mm256_fmadd_ps(v, w0, acc[r][0]);
                        acc[r][1] = _mm256_fmadd_ps(v, w1, acc[r][1]);
                    }
                }
                for (int r = 0; r < 4; r++)
                    for (int c = 0; c < 2; c++) _mm256_storeu_ps(y + (m + r) * ldy + n + 8 * c, acc[r][c]);
            }
            for (; m < rows; m++) {
                float *out = y + m * ldy + n;
                __m256 a0 = _mm256_loadu_ps(out), a1 = _mm256_loadu_ps(out + 8);
                for (long k = 0; k < inputs; k++) {
                    const float *row = panel + k * 64 + part;
                    __m256 v = _mm256_set1_ps(x[m * ldx + k]);
                    a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row), a0);
                    a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 8), a1);
                }
                _mm256_storeu_ps(out, a0);
                _mm256_storeu_ps(out + 8, a1);
            }
        }
    }
}
#endif

static void gemm_generic(long rows, long inputs, const float *x, long ldx, const float *packed, float *y, long ldy,
                         long first_strip, long end_strip) {
    for (long strip = first_strip; strip < end_strip; strip++) {
        const float *panel = packed + strip * inputs * 64;
        for (long m = 0; m < rows; m++) {
            float *out = y + m * ldy + strip * 64;
            for (long k = 0; k < inputs; k++) {
                float v = x[m * ldx + k];
                const float *row = panel + k * 64;
                for (long c = 0; c < 64; c++) out[c] += v * row[c];
            }
        }
    }
}

typedef struct {
    float (*dot)(const float *, const float *, long);
    void (*gelu)(float *, long);
    void (*add)(float *, const float *, long);
    void (*layer_norm)(float *, long, long, const float *, const float *, float);
    void (*gemm)(long, long, const float *, long, const float *, float *, long, long, long);
    const char *name;
} Kernels;

static const Kernels *kernels(void) {
    // Chosen on first use; racing threads pick the same table.
    static const Kernels *chosen = NULL;
    if (chosen) return chosen;
#if defined(__x86_64__)
    static const Kernels avx512 = {dot_avx512, gelu_avx512, add_avx512, layer_norm_avx512, gemm_avx512, "avx512"};
    static const Kernels avx2 = {dot_avx2, gelu_avx2, add_avx2, layer_norm_avx2, gemm_avx2, "avx2"};
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) {
        chosen = &avx512;
        return chosen;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        chosen = &avx2;
        return chosen;
    }
#endif
    static const Kernels generic = {dot_generic, gelu_generic, add_generic, layer_norm_generic, gemm_generic, "generic"};
    chosen = &generic;
    return chosen;
}

float sparks_dot(const float *a, const float *b, long count) { return kernels()->dot(a, b, count); }
void sparks_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }
void sparks_gelu(float *x, long count) { kernels()->gelu(x, count); }
float sparks_erf(float x) { return erf_generic(x); }
void sparks_add(float *x, const float *y, long count) { kernels()->add(x, y, count); }
void sparks_layer_norm(float *x, long rows, long width, const float *gain, const float *bias, float epsilon) {
    kernels()->layer_norm(x, rows, width, gain, bias, epsilon);
}
void sparks_gemm_packed(long rows, long inputs, const float *x, long ldx, const float *packed, float *y, long ldy,
                        long first_strip, long end_strip) {
    kernels()->gemm(rows, inputs, x, ldx, packed, y, ldy, first_strip, end_strip);
}
const char *sparks_kernels_variant(void) { return kernels()->name; }

void sparks_softmax_rows(float *x, long rows, long columns) {
    for (long r = 0; r < rows; r++) {
        float *v = x + r * columns;
        float largest = -INFINITY;
        for (long i = 0; i < columns; i++) largest = v[i] > largest ? v[i] : largest;
        float sum = 0;
        for (long i = 0; i < columns; i++) {
            v[i] = expf(v[i] - largest);
            sum += v[i];
        }
        float inv = 1.0f / sum;
        for (long i = 0; i < columns; i++) v[i] *= inv;
    }
}

// MARK: HNSW base-layer search

#include <stdlib.h>

static inline bool scored_less(SparksScored a, SparksScored b) {
    return a.distance == b.distance ? a.node < b.node : a.distance < b.distance;
}

typedef struct {
    SparksScored *items;
    long count, capacity;
} ScoredHeap;

static void heap_grow(ScoredHeap *heap) {
    long capacity = heap->capacity ? heap->capacity * 2 : 256;
    heap->items = realloc(heap->items, (size_t)capacity * sizeof(SparksScored));
    heap->capacity = capacity;
}

// `max` selects a max-heap (farthest on top); otherwise a min-heap (nearest on top).
static inline bool heap_above(SparksScored a, SparksScored b, bool max) { return max ? scored_less(b, a) : scored_less(a, b); }

static void heap_push(ScoredHeap *heap, SparksScored item, bool max) {
    if (heap->count == heap->capacity) heap_grow(heap);
    long child = heap->count++;
    while (child > 0) {
        long parent = (child - 1) / 2;
        if (!heap_above(item, heap->items[parent], max)) break;
        heap->items[child] = heap->items[parent];
        child = parent;
    }
    heap->items[child] = item;
}

static SparksScored heap_pop(ScoredHeap *heap, bool max) {
    SparksScored top = heap->items[0];
    SparksScored last = heap->items[--heap->count];
    long parent = 0, count = heap->count;
    while (true) {
        long child = parent * 2 + 1;
        if (child >= count) break;
        if (child + 1 < count && heap_above(heap->items[child + 1], heap->items[child], max)) child++;
        if (!heap_above(heap->items[child], last, max)) break;
        heap->items[parent] = heap->items[child];
        parent = child;
    }
    if (count > 0) heap->items[parent] = last;
    return top;
}

static int compare_scored(const void *a, const void *b) {
    SparksScored x = *(const SparksScored *)a, y = *(const SparksScored *)b;
    return scored_less(x, y) ? -1 : scored_less(y, x) ? 1 : 0;
}

long sparks_search_base_layer(const float *vectors, long dimension, const int32_t *links, long stride,
                              const float *query, int32_t entry, long ef, uint32_t *marks, uint32_t generation,
                              const bool *skipped, int32_t exclude, SparksScored *out) {
    float (*dot)(const float *, const float *, long) = kernels()->dot;
    ScoredHeap candidates = {0}, results = {0};
    SparksScored first = {1.0f - dot(query, vectors + (long)entry * dimension, dimension), entry};
    marks[entry] = generation;
    heap_push(&candidates, first, false);
    if (entry != exclude && !(skipped && skipped[entry])) heap_push(&results, first, true);
    while (candidates.count > 0) {
        SparksScored nearest = heap_pop(&candidates, false);
        if (results.count >= ef && nearest.distance > results.items[0].distance) break;
        const int32_t *list = links + (long)nearest.node * stride;
        long count = list[0];
        if (count > 0) __builtin_prefetch(vectors + (long)list[1] * dimension);
        for (long i = 1; i <= count; i++) {
            int32_t next = list[i];
            if (i < count) {
                __builtin_prefetch(marks + list[i + 1]);
                __builtin_prefetch(vectors + (long)list[i + 1] * dimension);
            }
            if (marks[next] == generation) continue;
            marks[next] = generation;
            float distance = 1.0f - dot(query, vectors + (long)next * dimension, dimension);
            if (results.count < ef || distance < results.items[0].distance) {
                SparksScored scored = {distance, next};
                heap_push(&candidates, scored, false);
                // The best candidate is likely expanded next: start loading its links.
                __builtin_prefetch(links + (long)candidates.items[0].node * stride);
                if (next != exclude && !(skipped && skipped[next])) {
                    heap_push(&results, scored, true);
                    if (results.count > ef) heap_pop(&results, true);
                }
            }
        }
    }
    long found = results.count;
    for (long i = 0; i < found; i++) out[i] = results.items[i];
    qsort(out, (size_t)found, sizeof(SparksScored), compare_scored);
    free(candidates.items);
    free(results.items);
    return found;
}

// MARK: Helper threads for the dense layers

#include <pthread.h>
#include <stdatomic.h>

#define MAX_HELPERS 7

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;  // one job at a time
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static _Atomic uint64_t job_generation;
// The next part to claim, tagged with its job's generation in the high 32 bits, so a helper that
// wakes late can never claim a part of a later job as one of its own.
static _Atomic uint64_t next_claim;
static _Atomic long parts_left;
static sparks_part_fn job_fn;
static void *job_context;
static long job_parts;
static int helpers_started;

static inline void relax(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}

// Claims and runs parts of job `generation` until none is left.
static void run_parts(uint64_t generation, sparks_part_fn fn, void *context, long parts) {
    for (;;) {
        uint64_t claim = atomic_load_explicit(&next_claim, memory_order_acquire);
        if ((claim >> 32) != (generation & 0xFFFFFFFFu)) return;
        long part = (long)(claim & 0xFFFFFFFFu);
        if (part >= parts) return;
        if (!atomic_compare_exchange_weak_explicit(&next_claim, &claim, claim + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        fn(context, part);
        atomic_fetch_sub_explicit(&parts_left, 1, memory_order_acq_rel);
    }
}

static void *helper_main(void *unused) {
    (void)unused;
    uint64_t seen = 0;
    for (;;) {
        uint64_t generation;
        long spins = 0;
        while ((generation = atomic_load_explicit(&job_generation, memory_order_acquire)) == seen) {
            if (++spins < 50000) {
                relax();
                continue;
            }
            pthread_mutex_lock(&sleep_lock);
            while (atomic_load_explicit(&job_generation, memory_order_acquire) == seen) pthread_cond_wait(&wake, &sleep_lock);
            pthread_mutex_unlock(&sleep_lock);
        }
        seen = generation;
        // The job's fields were written before its generation was published.
        run_parts(generation, job_fn, job_context, job_parts);
    }
    return NULL;
}

void sparks_parallel(long parts, long threads, sparks_part_fn fn, void *context) {
    if (parts <= 1 || threads <= 1 || pthread_mutex_trylock(&job_lock) != 0) {
        for (long part = 0; part < parts; part++) fn(context, part);
        return;
    }
    long wanted = threads - 1 < MAX_HELPERS ? threads - 1 : MAX_HELPERS;
    while (helpers_started < wanted) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, helper_main, NULL) != 0) break;
        pthread_detach(thread);
        helpers_started++;
    }
    if (helpers_started == 0) {
        pthread_mutex_unlock(&job_lock);
        for (long part = 0; part < parts; part++) fn(context, part);
        return;
    }
    uint64_t generation = atomic_load_explicit(&job_generation, memory_order_relaxed) + 1;
    job_fn = fn;
    job_context = context;
    job_parts = parts;
    atomic_store_explicit(&parts_left, parts, memory_order_relaxed);
    atomic_store_explicit(&next_claim, (generation & 0xFFFFFFFFu) << 32, memory_order_release);
    pthread_mutex_lock(&sleep_lock);
    atomic_store_explicit(&job_generation, generation, memory_order_release);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&sleep_lock);
    run_parts(generation, fn, context, parts);
    while (atomic_load_explicit(&parts_left, memory_order_acquire) > 0) relax();
    pthread_mutex_unlock(&job_lock);
}
