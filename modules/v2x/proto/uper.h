/* uper.h — unaligned PER (ITU-T X.691, the UNALIGNED variant) bit writer and reader for the CAM
 * and DENM codecs. Internal to proto/. Constrained whole numbers take exactly
 * ceil(log2(ub - lb + 1)) bits of (v - lb); a value outside its range fails the writer or the
 * reader (sticky), like sg17tb/wire.h. */
#ifndef V2X_UPER_H
#define V2X_UPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    uint8_t *buf;
    size_t cap;  /* octets */
    size_t bits; /* written so far */
    bool err;
    bool range; /* a value was outside its ASN.1 range (else a failure is lack of space) */
} uper_writer_t;

typedef struct {
    const uint8_t *buf;
    size_t len;  /* octets */
    size_t bits; /* consumed so far */
    bool err;
} uper_reader_t;

/* Bits needed for a range of n values (n >= 1). */
static inline unsigned uper_width(uint64_t n)
{
    unsigned w = 0;
    while (w < 64 && (n - 1) >> w)
        w++;
    return w;
}

static inline uper_writer_t uper_writer(uint8_t *buf, size_t cap)
{
    if (buf && cap)
        memset(buf, 0, cap);
    uper_writer_t w = {buf, buf ? cap : 0, 0, false, false};
    return w;
}

static inline void uper_put_bits(uper_writer_t *w, uint64_t v, unsigned n)
{
    if (w->err || w->bits + n > w->cap * 8) {
        w->err = true;
        return;
    }
    for (unsigned i = n; i-- > 0;) {
        if ((v >> i) & 1)
            w->buf[w->bits / 8] |= (uint8_t)(0x80u >> (w->bits % 8));
        w->bits++;
    }
}

static inline void uper_put_bool(uper_writer_t *w, bool b)
{
    uper_put_bits(w, b ? 1 : 0, 1);
}

/* A constrained INTEGER (lb..ub). */
static inline void uper_put_int(uper_writer_t *w, int64_t v, int64_t lb, int64_t ub)
{
    if (v < lb || v > ub) {
        w->err = w->range = true;
        return;
    }
    uper_put_bits(w, (uint64_t)(v - lb), uper_width((uint64_t)(ub - lb) + 1));
}

/* Ends the encoding: octets used (at least one, X.691 §11.1), or -1 when anything failed. */
static inline int uper_finish(uper_writer_t *w, size_t *len)
{
    if (w->bits == 0)
        uper_put_bits(w, 0, 8);
    if (w->err)
        return -1;
    *len = (w->bits + 7) / 8;
    return 0;
}

static inline uper_reader_t uper_reader(const uint8_t *buf, size_t len)
{
    uper_reader_t r = {buf, buf ? len : 0, 0, false};
    return r;
}

static inline uint64_t uper_get_bits(uper_reader_t *r, unsigned n)
{
    if (r->err || r->bits + n > r->len * 8) {
        r->err = true;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v = (v << 1) | ((r->buf[r->bits / 8] >> (7 - r->bits % 8)) & 1);
        r->bits++;
    }
    return v;
}

static inline bool uper_get_bool(uper_reader_t *r)
{
    return uper_get_bits(r, 1) != 0;
}

static inline int64_t uper_get_int(uper_reader_t *r, int64_t lb, int64_t ub)
{
    uint64_t v = uper_get_bits(r, uper_width((uint64_t)(ub - lb) + 1));
    if (v > (uint64_t)(ub - lb)) {
        r->err = true;
        return lb;
    }
    return lb + (int64_t)v;
}

/* True when the input ended exactly: nothing failed, fewer than 8 bits left and all zero. */
static inline bool uper_reader_done(uper_reader_t *r)
{
    if (r->err)
        return false;
    size_t total = r->len * 8;
    if (r->len == 0 || total - r->bits >= 8)
        return false;
    return uper_get_bits(r, (unsigned)(total - r->bits)) == 0 && !r->err;
}

#endif
