/* sg17tb/wire.h — bounded big-endian byte writer and reader with a sticky error, for module codecs.
 *
 * Header-only and libc-only, so a codec that includes it still builds out of tree and never sees
 * sg17_ctx_t. A writer (sg17_writer_t) appends into a caller-owned buffer of fixed capacity; a
 * reader (sg17_reader_t) consumes a borrowed input. Every put/get checks the bound first: the
 * first one that does not fit sets `err`, writes or consumes nothing, and every later call is a
 * no-op (a get then returns 0 / NULL). A codec therefore writes a whole message unconditionally
 * and checks once at the end:
 *
 *     sg17_writer_t w = sg17_writer(out, cap);
 *     sg17_put_u8(&w, TAG);
 *     sg17_put_u32(&w, serial);
 *     sg17_put_bytes(&w, body, body_len);
 *     return sg17_writer_finish(&w, &out_len);              // 0, or -1 if anything overflowed
 *
 *     sg17_reader_t r = sg17_reader(msg, len);
 *     uint8_t tag = sg17_get_u8(&r);
 *     uint32_t serial = sg17_get_u32(&r);
 *     const uint8_t *body = sg17_get_bytes(&r, BODY_LEN);   // points into msg
 *     if (!sg17_reader_done(&r) || tag != TAG)               // short, long or failed: malformed
 *         return -1;
 *
 * The sg17_load_be* / sg17_store_be* functions read and write one big-endian integer at a known
 * position of a buffer the caller has already bounded (fixed-layout records). */
#ifndef SG17TB_WIRE_H
#define SG17TB_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- unchecked fixed-position big-endian access (the caller guarantees the bytes exist) ---- */

/* Stores v as 2 big-endian octets at p. */
static inline void sg17_store_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Stores v as 4 big-endian octets at p. */
static inline void sg17_store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Stores v as 8 big-endian octets at p. */
static inline void sg17_store_be64(uint8_t *p, uint64_t v)
{
    sg17_store_be32(p, (uint32_t)(v >> 32));
    sg17_store_be32(p + 4, (uint32_t)v);
}

/* The 2 big-endian octets at p. */
static inline uint16_t sg17_load_be16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

/* The 4 big-endian octets at p. */
static inline uint32_t sg17_load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The 8 big-endian octets at p. */
static inline uint64_t sg17_load_be64(const uint8_t *p)
{
    return (uint64_t)sg17_load_be32(p) << 32 | sg17_load_be32(p + 4);
}

/* ---- writer ---- */

/* Appends into buf[0 .. cap); len bytes written so far; err set by the first put that did not
 * fit (sticky). */
typedef struct {
    uint8_t *buf;
    size_t cap, len;
    bool err;
} sg17_writer_t;

/* A writer over buf of cap bytes (buf NULL: capacity 0, so any put fails). */
static inline sg17_writer_t sg17_writer(uint8_t *buf, size_t cap)
{
    sg17_writer_t w = {buf, buf ? cap : 0, 0, false};
    return w;
}

/* Marks the writer failed (a value the codec cannot encode); every later put is a no-op. */
static inline void sg17_writer_fail(sg17_writer_t *w)
{
    w->err = true;
}

/* Reserves the next n bytes and returns where they start, for the caller to fill (a length or a
 * tag known only later, a MAC computed in place); NULL, with err set, if they do not fit. */
static inline uint8_t *sg17_put_space(sg17_writer_t *w, size_t n)
{
    if (w->err || n > w->cap - w->len) {
        w->err = true;
        return NULL;
    }
    uint8_t *at = w->buf + w->len;
    w->len += n;
    return at;
}

/* Appends n bytes from src (src may be NULL only when n is 0). */
static inline void sg17_put_bytes(sg17_writer_t *w, const void *src, size_t n)
{
    if (!src && n) {
        w->err = true;
        return;
    }
    uint8_t *at = sg17_put_space(w, n);
    if (at && n)
        memcpy(at, src, n);
}

/* Appends n zero bytes (padding, reserved fields). */
static inline void sg17_put_zeros(sg17_writer_t *w, size_t n)
{
    uint8_t *at = sg17_put_space(w, n);
    if (at && n)
        memset(at, 0, n);
}

/* Appends one octet. */
static inline void sg17_put_u8(sg17_writer_t *w, uint8_t v)
{
    uint8_t *at = sg17_put_space(w, 1);
    if (at)
        at[0] = v;
}

/* Appends v as 2 big-endian octets. */
static inline void sg17_put_u16(sg17_writer_t *w, uint16_t v)
{
    uint8_t *at = sg17_put_space(w, 2);
    if (at)
        sg17_store_be16(at, v);
}

/* Appends v as 4 big-endian octets. */
static inline void sg17_put_u32(sg17_writer_t *w, uint32_t v)
{
    uint8_t *at = sg17_put_space(w, 4);
    if (at)
        sg17_store_be32(at, v);
}

/* Appends v as 8 big-endian octets. */
static inline void sg17_put_u64(sg17_writer_t *w, uint64_t v)
{
    uint8_t *at = sg17_put_space(w, 8);
    if (at)
        sg17_store_be64(at, v);
}

/* True while every put so far fitted. */
static inline bool sg17_writer_ok(const sg17_writer_t *w)
{
    return !w->err;
}

/* Bytes still free. */
static inline size_t sg17_writer_room(const sg17_writer_t *w)
{
    return w->err ? 0 : w->cap - w->len;
}

/* Ends the message: 0 and *len = bytes written, or -1 (len untouched) if any put failed. */
static inline int sg17_writer_finish(const sg17_writer_t *w, size_t *len)
{
    if (w->err)
        return -1;
    if (len)
        *len = w->len;
    return 0;
}

/* ---- reader ---- */

/* Consumes buf[0 .. len); pos bytes consumed so far; err set by the first get that ran past the
 * end or by sg17_reader_fail (sticky). */
typedef struct {
    const uint8_t *buf;
    size_t len, pos;
    bool err;
} sg17_reader_t;

/* A reader over len bytes at buf (buf NULL: an empty input). */
static inline sg17_reader_t sg17_reader(const void *buf, size_t len)
{
    sg17_reader_t r = {(const uint8_t *)buf, buf ? len : 0, 0, false};
    return r;
}

/* Marks the input malformed (a field out of its domain); every later get returns 0 / NULL. */
static inline void sg17_reader_fail(sg17_reader_t *r)
{
    r->err = true;
}

/* Bytes not yet consumed (0 once failed). */
static inline size_t sg17_reader_remaining(const sg17_reader_t *r)
{
    return r->err ? 0 : r->len - r->pos;
}

/* Consumes the next n bytes and returns where they are in the input (borrowed; valid as long as
 * the input); NULL, with err set, if fewer than n remain. n == 0 returns the current position. */
static inline const uint8_t *sg17_get_bytes(sg17_reader_t *r, size_t n)
{
    if (r->err || n > r->len - r->pos) {
        r->err = true;
        return NULL;
    }
    const uint8_t *at = r->buf + r->pos;
    r->pos += n;
    return at;
}

/* Consumes the next n bytes into dst; on failure dst is zeroed. */
static inline void sg17_get_copy(sg17_reader_t *r, void *dst, size_t n)
{
    const uint8_t *at = sg17_get_bytes(r, n);
    if (!n)
        return;
    if (at)
        memcpy(dst, at, n);
    else
        memset(dst, 0, n);
}

/* Consumes everything left and returns it (*n = its length; NULL and 0 once failed). */
static inline const uint8_t *sg17_get_rest(sg17_reader_t *r, size_t *n)
{
    size_t k = sg17_reader_remaining(r);
    const uint8_t *at = sg17_get_bytes(r, k);
    *n = at ? k : 0;
    return at;
}

/* The next octet (0 once failed). */
static inline uint8_t sg17_get_u8(sg17_reader_t *r)
{
    const uint8_t *at = sg17_get_bytes(r, 1);
    return at ? at[0] : 0;
}

/* The next 2 big-endian octets (0 once failed). */
static inline uint16_t sg17_get_u16(sg17_reader_t *r)
{
    const uint8_t *at = sg17_get_bytes(r, 2);
    return at ? sg17_load_be16(at) : 0;
}

/* The next 4 big-endian octets (0 once failed). */
static inline uint32_t sg17_get_u32(sg17_reader_t *r)
{
    const uint8_t *at = sg17_get_bytes(r, 4);
    return at ? sg17_load_be32(at) : 0;
}

/* The next 8 big-endian octets (0 once failed). */
static inline uint64_t sg17_get_u64(sg17_reader_t *r)
{
    const uint8_t *at = sg17_get_bytes(r, 8);
    return at ? sg17_load_be64(at) : 0;
}

/* Consumes one octet and fails the reader unless it equals want (a tag, a fixed version). */
static inline void sg17_get_expect(sg17_reader_t *r, uint8_t want)
{
    if (sg17_get_u8(r) != want)
        r->err = true;
}

/* True while every get so far succeeded (more input may remain). */
static inline bool sg17_reader_ok(const sg17_reader_t *r)
{
    return !r->err;
}

/* True when the input was consumed exactly: no get failed and no byte is left over. */
static inline bool sg17_reader_done(const sg17_reader_t *r)
{
    return !r->err && r->pos == r->len;
}

#ifdef __cplusplus
}
#endif
#endif
