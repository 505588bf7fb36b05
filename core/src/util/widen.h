/* widen.h — bytes to 32-bit words, for columns of small numbers (entity ids, indexes) that the
 * bus carries one byte each: used by the broker's relay and by the ledger it records into. */
#ifndef SG17_UTIL_WIDEN_H
#define SG17_UTIL_WIDEN_H

#include <stddef.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* out[i] = in[i] for i < n: sixteen at a time where SSE2 is (x86-64 always has it). */
static inline void sg17_widen_u8(const uint8_t *in, size_t n, uint32_t *out)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i zero = _mm_setzero_si128();
    for (; i + 16 <= n; i += 16) {
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
        __m128i lo = _mm_unpacklo_epi8(b, zero), hi = _mm_unpackhi_epi8(b, zero);
        _mm_storeu_si128((__m128i *)(void *)(out + i), _mm_unpacklo_epi16(lo, zero));
        _mm_storeu_si128((__m128i *)(void *)(out + i + 4), _mm_unpackhi_epi16(lo, zero));
        _mm_storeu_si128((__m128i *)(void *)(out + i + 8), _mm_unpacklo_epi16(hi, zero));
        _mm_storeu_si128((__m128i *)(void *)(out + i + 12), _mm_unpackhi_epi16(hi, zero));
    }
#endif
    for (; i < n; i++)
        out[i] = in[i];
}

#endif
