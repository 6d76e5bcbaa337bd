#ifndef SPARKS_KERNELS_H
#define SPARKS_KERNELS_H

// Vector loops of the embedder and the HNSW index, compiled for the best instruction set the
// CPU has (AVX-512, AVX2+FMA, or baseline x86-64 / the host's default), chosen once at run time.

/// Sum of a[i]·b[i].
float sparks_dot(const float *a, const float *b, long count);

/// Asks the CPU to start loading the cache line at `address` (for the next vector a search visits).
void sparks_prefetch(const void *address);

/// x ← GELU(x) = x/2 · (1 + erf(x/√2)), with a rational erf approximation (error < 1e-6).
void sparks_gelu(float *x, long count);

/// erf, the approximation sparks_gelu uses (exposed for tests).
float sparks_erf(float x);

/// x[i] ← x[i] + y[i].
void sparks_add(float *x, const float *y, long count);

/// Each of `rows` rows of `width`: (x − mean) / √(var + eps) · gain + bias.
void sparks_layer_norm(float *x, long rows, long width, const float *gain, const float *bias, float epsilon);

/// Softmax of each of `rows` rows of `columns`, in place.
void sparks_softmax_rows(float *x, long rows, long columns);

/// Packs W (inputs × outputs, row-major; outputs a multiple of 64) into 64-column strips:
/// packed[(strip · inputs + k) · 64 + c] = W[k][strip · 64 + c]. `packed` must be 64-byte aligned.
void sparks_pack_weights(const float *w, long inputs, long outputs, float *packed);

/// Y[m][n] += Σ_k X[m][k] · W[k][n] for every row m < rows and the columns of strips
/// first_strip ..< end_strip, W packed by sparks_pack_weights. X has row stride ldx, Y ldy.
void sparks_gemm_packed(long rows, long inputs, const float *x, long ldx, const float *packed, float *y, long ldy,
                        long first_strip, long end_strip);

/// Runs fn(context, 0..<parts), the caller and up to `threads` − 1 helper threads sharing the
/// parts. The helpers are started once and spin briefly between jobs (a job every ~100 µs while a
/// sentence is embedded), then sleep. One job at a time: a caller that finds the helpers busy
/// runs its parts itself.
typedef void (*sparks_part_fn)(void *context, long part);
void sparks_parallel(long parts, long threads, sparks_part_fn fn, void *context);

/// Which variant runs: "avx512", "avx2" or "generic".
const char *sparks_kernels_variant(void);



#include <stdbool.h>
#include <stdint.h>

/// A node and its distance (1 − cosine) from a query.
typedef struct {
    float distance;
    int32_t node;
} SparksScored;

/// Best-first search of an HNSW graph's bottom layer (hnswlib's searchBaseLayer): `links` holds,
/// per node, a count and up to stride − 1 neighbours. Visited nodes are those whose mark equals
/// `generation`. Nodes flagged in `skipped` (may be NULL) and `exclude` still route the search but
/// are not returned. Writes up to `ef` results, nearest first, to `out`; returns how many.
long sparks_search_base_layer(const float *vectors, long dimension, const int32_t *links, long stride,
                              const float *query, int32_t entry, long ef, uint32_t *marks, uint32_t generation,
                              const bool *skipped, int32_t exclude, SparksScored *out);
#endif
