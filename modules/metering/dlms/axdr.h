/* dlms/axdr.h — the A-XDR pieces of the codecs in apdu.c and signing.c, on the SDK's bounded
 * writer and reader with a sticky error (sg17tb/wire.h): the variable-length A-XDR length and the
 * octet-string without its type tag. Like every sg17_put_* / sg17_get_*, each call is a no-op once
 * the writer or reader has failed, so a codec checks once at the end. */
#ifndef METERING_DLMS_AXDR_H
#define METERING_DLMS_AXDR_H

#include <stddef.h>
#include <stdint.h>

#include <sg17tb/wire.h>

#include "dlms/apdu.h"

/* Appends the minimal A-XDR encoding of n (fails the writer for n >= 2^32). */
static inline void dlms_put_length(sg17_writer_t *w, size_t n)
{
    uint8_t b[5];
    size_t k;
    if (dlms_axdr_length_encode(n, b, sizeof b, &k) != 0) {
        sg17_writer_fail(w);
        return;
    }
    sg17_put_bytes(w, b, k);
}

/* Appends an A-XDR octet-string without its type tag: length || octets. */
static inline void dlms_put_octets(sg17_writer_t *w, const uint8_t *p, size_t n)
{
    if (!p && n) {
        sg17_writer_fail(w);
        return;
    }
    dlms_put_length(w, n);
    sg17_put_bytes(w, p, n);
}

/* Ends an encoder's output: 0 and *outlen, or -1 (*outlen untouched) when anything did not fit or
 * outlen is NULL. */
static inline int dlms_put_finish(const sg17_writer_t *w, size_t *outlen)
{
    return outlen ? sg17_writer_finish(w, outlen) : -1;
}

/* Consumes an A-XDR length (minimal forms only, see dlms_axdr_length_decode); 0 once failed. */
static inline size_t dlms_get_length(sg17_reader_t *r)
{
    const uint8_t *at = sg17_get_bytes(r, 0);
    size_t n = 0, used = 0;
    if (!at || dlms_axdr_length_decode(at, sg17_reader_remaining(r), &n, &used) != 0) {
        sg17_reader_fail(r);
        return 0;
    }
    sg17_get_bytes(r, used);
    return n;
}

/* Consumes length || octets and returns the octets (borrowed from the input), *n their number;
 * NULL and 0 for an empty string and once failed. */
static inline const uint8_t *dlms_get_octets(sg17_reader_t *r, size_t *n)
{
    size_t k = dlms_get_length(r);
    const uint8_t *p = sg17_get_bytes(r, k);
    *n = p ? k : 0;
    return *n ? p : NULL;
}

#endif
