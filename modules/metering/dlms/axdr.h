/* dlms/axdr.h — module-private bounded writer and reader of the A-XDR codecs (apdu.c, signing.c):
 * every write checks the remaining capacity, every read the remaining input. */
#ifndef METERING_DLMS_AXDR_H
#define METERING_DLMS_AXDR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlms/apdu.h"

typedef struct {
    uint8_t *p;
    size_t cap, len;
    int err; /* sticky: set by the first write that does not fit */
} wbuf_t;

typedef struct {
    const uint8_t *p;
    size_t len, pos;
} rbuf_t;

static inline void w_bytes(wbuf_t *w, const void *src, size_t n)
{
    if (w->err || n > w->cap - w->len) {
        w->err = 1;
        return;
    }
    if (n)
        memcpy(w->p + w->len, src, n);
    w->len += n;
}

static inline void w_u8(wbuf_t *w, uint8_t v)
{
    w_bytes(w, &v, 1);
}

static inline void w_u16(wbuf_t *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    w_bytes(w, b, 2);
}

static inline void w_u32(wbuf_t *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    w_bytes(w, b, 4);
}

static inline void w_len(wbuf_t *w, size_t n)
{
    uint8_t b[5];
    size_t k;
    if (dlms_axdr_length_encode(n, b, sizeof b, &k) != 0) {
        w->err = 1;
        return;
    }
    w_bytes(w, b, k);
}

/* An A-XDR octet-string without its type tag: length || octets. */
static inline void w_octets(wbuf_t *w, const uint8_t *p, size_t n)
{
    if (!p && n) {
        w->err = 1;
        return;
    }
    w_len(w, n);
    w_bytes(w, p, n);
}

static inline int w_done(const wbuf_t *w, size_t *outlen)
{
    if (w->err || !outlen)
        return -1;
    *outlen = w->len;
    return 0;
}

static inline int r_bytes(rbuf_t *r, size_t n, const uint8_t **out)
{
    if (n > r->len - r->pos)
        return -1;
    if (out)
        *out = r->p + r->pos;
    r->pos += n;
    return 0;
}

static inline int r_u8(rbuf_t *r, uint8_t *v)
{
    const uint8_t *b;
    if (r_bytes(r, 1, &b))
        return -1;
    *v = b[0];
    return 0;
}

/* Reads one octet and fails unless it equals want. */
static inline int r_expect(rbuf_t *r, uint8_t want)
{
    uint8_t v;
    return r_u8(r, &v) || v != want ? -1 : 0;
}

static inline int r_u16(rbuf_t *r, uint16_t *v)
{
    const uint8_t *b;
    if (r_bytes(r, 2, &b))
        return -1;
    *v = (uint16_t)(b[0] << 8 | b[1]);
    return 0;
}

static inline int r_u32(rbuf_t *r, uint32_t *v)
{
    const uint8_t *b;
    if (r_bytes(r, 4, &b))
        return -1;
    *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
    return 0;
}

static inline int r_len(rbuf_t *r, size_t *n)
{
    size_t used;
    if (dlms_axdr_length_decode(r->p + r->pos, r->len - r->pos, n, &used))
        return -1;
    r->pos += used;
    return 0;
}

/* length || octets; *p is NULL for an empty string. */
static inline int r_octets(rbuf_t *r, const uint8_t **p, size_t *n)
{
    if (r_len(r, n) || r_bytes(r, *n, p))
        return -1;
    if (*n == 0)
        *p = NULL;
    return 0;
}

static inline int r_end(const rbuf_t *r)
{
    return r->pos == r->len ? 0 : -1;
}

static inline void rbuf_init(rbuf_t *r, const uint8_t *in, size_t len)
{
    r->p = in;
    r->len = in ? len : 0;
    r->pos = 0;
}

static inline void wbuf_init(wbuf_t *w, uint8_t *out, size_t cap)
{
    w->p = out;
    w->cap = out ? cap : 0;
    w->len = 0;
    w->err = 0;
}

#endif
