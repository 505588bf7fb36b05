/* oer.h — canonical OER (ITU-T X.696) primitives for the IEEE 1609.2 subset, on the bounded
 * reader/writer of sg17tb/wire.h. Internal to proto/. Every decoder refuses non-canonical forms
 * (a long length form where the short one fits, leading zero octets), so an accepted encoding
 * re-encodes to the same bytes: signatures cover exactly what was parsed. */
#ifndef V2X_OER_H
#define V2X_OER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sg17tb/wire.h>

/* Context-specific CHOICE tag n (< 63): one octet 0b10nnnnnn (X.696 §8.7). */
#define OER_TAG(n) ((uint8_t)(0x80u | (n)))

/* X.696 §8.6 length determinant: short form below 128, else 0x80|k and k minimal octets. */
static inline void oer_put_length(sg17_writer_t *w, size_t n)
{
    if (n < 128) {
        sg17_put_u8(w, (uint8_t)n);
        return;
    }
    uint8_t k = 0;
    for (size_t v = n; v; v >>= 8)
        k++;
    sg17_put_u8(w, (uint8_t)(0x80u | k));
    for (int i = k - 1; i >= 0; i--)
        sg17_put_u8(w, (uint8_t)(n >> (8 * i)));
}

/* Reads a canonical length determinant (fails the reader on a non-minimal form or one that
 * exceeds what remains). */
static inline size_t oer_get_length(sg17_reader_t *r)
{
    uint8_t b = sg17_get_u8(r);
    if (!sg17_reader_ok(r))
        return 0;
    if (b < 128)
        return b;
    uint8_t k = b & 0x7f;
    if (k == 0 || k > 4) {
        sg17_reader_fail(r);
        return 0;
    }
    size_t n = 0;
    for (uint8_t i = 0; i < k; i++)
        n = (n << 8) | sg17_get_u8(r);
    /* minimal: no leading zero octet, and not below 128 */
    if (n < 128 || (n >> (8 * (k - 1))) == 0 || n > sg17_reader_remaining(r)) {
        sg17_reader_fail(r);
        return 0;
    }
    return n;
}

/* Length-prefixed octets (OCTET STRING / Opaque / open type): returns the content. */
static inline const uint8_t *oer_get_octets(sg17_reader_t *r, size_t *n)
{
    *n = oer_get_length(r);
    return sg17_get_bytes(r, *n);
}

static inline void oer_put_octets(sg17_writer_t *w, const uint8_t *p, size_t n)
{
    oer_put_length(w, n);
    sg17_put_bytes(w, p, n);
}

/* A semi-constrained non-negative INTEGER (Psid: INTEGER (0..MAX)): length + minimal octets. */
static inline void oer_put_uint(sg17_writer_t *w, uint64_t v)
{
    uint8_t k = 1;
    while (k < 8 && (v >> (8 * k)))
        k++;
    oer_put_length(w, k);
    for (int i = k - 1; i >= 0; i--)
        sg17_put_u8(w, (uint8_t)(v >> (8 * i)));
}

static inline uint64_t oer_get_uint(sg17_reader_t *r)
{
    size_t k = oer_get_length(r);
    const uint8_t *p = sg17_get_bytes(r, k);
    if (!p)
        return 0;
    if (k == 0 || k > 8 || (k > 1 && p[0] == 0)) {
        sg17_reader_fail(r);
        return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < k; i++)
        v = (v << 8) | p[i];
    return v;
}

/* An unconstrained signed INTEGER (minChainLength): length + minimal two's complement. */
static inline int64_t oer_get_int(sg17_reader_t *r)
{
    size_t k = oer_get_length(r);
    const uint8_t *p = sg17_get_bytes(r, k);
    if (!p)
        return 0;
    if (k == 0 || k > 8
        || (k > 1 && ((p[0] == 0 && !(p[1] & 0x80)) || (p[0] == 0xff && (p[1] & 0x80))))) {
        sg17_reader_fail(r);
        return 0;
    }
    int64_t v = (p[0] & 0x80) ? -1 : 0;
    for (size_t i = 0; i < k; i++)
        v = (int64_t)((uint64_t)v << 8) | p[i];
    return v;
}

/* SEQUENCE OF quantity (X.696 §8.6 / §19): a length-prefixed unsigned count. */
static inline void oer_put_count(sg17_writer_t *w, size_t n)
{
    oer_put_uint(w, n);
}

static inline size_t oer_get_count(sg17_reader_t *r)
{
    uint64_t n = oer_get_uint(r);
    /* each element takes at least one octet */
    if (n > sg17_reader_remaining(r)) {
        sg17_reader_fail(r);
        return 0;
    }
    return (size_t)n;
}

/* A CHOICE tag octet: returns the context tag number, failing on another class or a long tag. */
static inline int oer_get_tag(sg17_reader_t *r)
{
    uint8_t t = sg17_get_u8(r);
    if (!sg17_reader_ok(r))
        return -1;
    if ((t & 0xc0) != 0x80 || (t & 0x3f) == 0x3f) {
        sg17_reader_fail(r);
        return -1;
    }
    return t & 0x3f;
}

#endif
