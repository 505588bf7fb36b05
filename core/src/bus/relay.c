/* relay.c — walking a packed Relay frame in place: the protobuf wire format (varints, tags,
 * length-delimited fields; protobuf encoding guide, "Message Structure" and "Packed Repeated
 * Fields") restricted to the one layout protobuf-c writes for sg17.Frame{relay: {envs: ...}}.
 * Only the small columns are read: the payloads, most of a frame's bytes, are one byte string
 * whose length the payload ends must add up to. */
#include "bus/relay.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "bus/frame.h"
#include "util/widen.h"

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

/* Field numbers of sg17.Envelopes (core/proto/bus.proto); 7 is reserved. */
enum {
    F_VERSION = 1,
    F_ID = 2,
    F_SRC = 3,
    F_DST = 4,
    F_TYPES = 5,
    F_SENT_AT = 6,
    F_TIME = 8,
    F_INJECTED = 9,
    F_FANOUT = 10,
    F_MORE_DST = 11,
    F_MORE_ID = 12, /* reserved: a multicast's copies are numbered after it */
    F_PAYLOAD_END = 13,
    F_PAYLOADS = 14,
    F_TYPE_INDEX = 15,
    F_COUNT
};

#define MAX_TYPES 16 /* types a frame may name and still be relayed in place */

/* The type table of a frame: where each string is. */
typedef struct {
    const char *at[MAX_TYPES];
    size_t len[MAX_TYPES];
    size_t n;
} types_t;

#define FRAME_RELAY_TAG 0x3a /* Frame.relay: field 7, length-delimited */
#define RELAY_ENVS_TAG  0x12 /* Relay.envs: field 2, length-delimited */

typedef struct {
    const uint8_t *p, *end;
} reader_t;

/* A varint of at most max_bytes bytes whose value fits in bits bits. */
static bool read_varint(reader_t *r, uint64_t *v, int max_bytes, int bits)
{
    uint64_t x = 0;
    for (int i = 0; i < max_bytes && r->p < r->end; i++) {
        uint8_t b = *r->p++;
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (bits < 64 && x >> bits)
                return false;
            if (i == 9 && b > 1) /* a tenth byte carries bit 63 alone */
                return false;
            *v = x;
            return true;
        }
    }
    return false;
}

/* A 32-bit varint, the one- and two-byte cases (small entity ids, indexes, payload ends) without
 * the general loop. */
static inline bool read_u32(reader_t *r, uint64_t *v)
{
    if (r->p < r->end && *r->p < 0x80) {
        *v = *r->p++;
        return true;
    }
    if (r->end - r->p >= 2 && r->p[1] < 0x80) {
        *v = (uint64_t)(r->p[0] & 0x7f) | (uint64_t)r->p[1] << 7;
        r->p += 2;
        return true;
    }
    return read_varint(r, v, 5, 32);
}

/* A length that fits in what is left of the reader. */
static bool read_len(reader_t *r, size_t *len)
{
    uint64_t v;
    if (!read_u32(r, &v) || v > (uint64_t)(r->end - r->p))
        return false;
    *len = (size_t)v;
    return true;
}

/* One column of the envelopes: where its contents start, how long they are and how many
 * entries they hold (for type and payload: where the first element's tag is). */
typedef struct {
    uint8_t *at;
    size_t len, count;
    uint64_t top; /* type_index: the largest; payload_end: the last; fanout: the sum */
} column_t;

/* Whether any of the len bytes at p has a bit of mask set (mask: one byte, repeated); sixteen
 * bytes at a time where SSE2 is (x86-64 always has it), then eight, as columns of small numbers
 * are mostly one-byte varints. */
static bool any_bits(const uint8_t *p, size_t len, uint8_t mask)
{
    uint64_t wide = 0x0101010101010101ULL * mask, acc = 0, w;
    size_t i = 0;
#ifdef __SSE2__
    __m128i acc16 = _mm_setzero_si128();
    for (; i + 16 <= len; i += 16)
        acc16 = _mm_or_si128(acc16, _mm_loadu_si128((const __m128i *)(const void *)(p + i)));
    acc =
        (uint64_t)_mm_cvtsi128_si64(acc16) | (uint64_t)_mm_cvtsi128_si64(_mm_srli_si128(acc16, 8));
#endif
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    for (; i < len; i++)
        acc |= p[i];
    return (acc & wide) != 0;
}

/* Counts the varints of a packed column; every one must end inside it and fit in bits bits. */
static bool count_varints(const uint8_t *p, size_t len, int bits, size_t *count)
{
    if (len && !any_bits(p, len, 0x80)) { /* one byte each */
        *count = len;
        return true;
    }
    reader_t r = {p, p + len};
    size_t n = 0;
    uint64_t v;
    int max_bytes = bits == 64 ? 10 : (bits + 6) / 7;
    while (r.p < r.end) {
        if (!(bits == 32 ? read_u32(&r, &v) : read_varint(&r, &v, max_bytes, bits)))
            return false;
        n++;
    }
    *count = n;
    return n > 0;
}

/* Whether any of the len bytes at p, each below 0x80, is at least bound (at most 0x80): adding
 * 0x80 - bound to a byte sets its top bit exactly then, and never carries into the next byte. */
static bool any_at_least(const uint8_t *p, size_t len, unsigned bound)
{
    uint64_t add = 0x0101010101010101ULL * (0x80 - bound), acc = 0, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, p + i, 8);
        acc |= w + add;
    }
    for (; i < len; i++)
        acc |= (uint64_t)p[i] + (0x80 - bound);
    return (acc & 0x8080808080808080ULL) != 0;
}

/* The type_index column in one pass: its count, and its largest entry (c->top) unless every entry
 * is below n_types (then c->top is 0: all that columns_ok asks). */
static bool scan_type_index(column_t *c, size_t n_types)
{
    if (c->len && !any_bits(c->at, c->len, 0x80)) { /* one byte each: the usual case */
        c->count = c->len;
        c->top = any_at_least(c->at, c->len, n_types < 0x80 ? (unsigned)n_types : 0x80) ? 0xff : 0;
        return true;
    }
    reader_t r = {c->at, c->at + c->len};
    uint64_t v;
    c->count = 0;
    c->top = 0;
    while (r.p < r.end) {
        if (!read_u32(&r, &v))
            return false;
        c->top = v > c->top ? v : c->top;
        c->count++;
    }
    return c->count > 0;
}

/* The payload_end column in one pass: its count; ends never decrease; the last in c->top. Ends
 * are mostly one or two bytes (frames of a few KiB): those without the general loop. */
static bool scan_payload_ends(column_t *c)
{
    const uint8_t *p = c->at, *end = c->at + c->len;
    uint64_t v, prev = 0;
    size_t n = 0;
    /* four two-byte ends at a time: byte pairs whose first byte has its top bit set and whose
     * second has it clear, read as four 16-bit lanes of 14-bit values */
    while (p < end) {
#ifdef __SSE2__
        /* eight two-byte ends at a time: as below, in 16-bit lanes; the values are below 2^14,
         * so the signed comparison orders them (a larger prev fails below, one at a time) */
        if (end - p >= 16 && prev < 0x4000) {
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)p);
            if (_mm_movemask_epi8(b) == 0x5555) {
                __m128i e =
                    _mm_or_si128(_mm_and_si128(b, _mm_set1_epi16(0x007f)),
                                 _mm_and_si128(_mm_srli_epi16(b, 1), _mm_set1_epi16(0x3f80)));
                __m128i before = _mm_insert_epi16(_mm_slli_si128(e, 2), (int)prev, 0);
                if (_mm_movemask_epi8(_mm_cmpgt_epi16(before, e)))
                    return false;
                prev = (uint64_t)_mm_extract_epi16(e, 7);
                p += 16;
                n += 8;
                continue;
            }
        }
#endif
        uint64_t w = 0;
        if (end - p >= 8) {
            memcpy(&w, p, 8);
            w = le64toh(w);
        }
        if ((w & 0x8080808080808080ULL) == 0x0080008000800080ULL) {
            uint64_t lanes = (w & 0x007f007f007f007fULL) | (w >> 1 & 0x3f803f803f803f80ULL);
            uint64_t e0 = lanes & 0xffff, e1 = lanes >> 16 & 0xffff, e2 = lanes >> 32 & 0xffff,
                     e3 = lanes >> 48;
            if (e0 < prev || e1 < e0 || e2 < e1 || e3 < e2)
                return false;
            prev = e3;
            p += 8;
            n += 4;
            continue;
        }
        if (p[0] < 0x80) {
            v = p[0];
            p++;
        } else if (end - p >= 2 && p[1] < 0x80) {
            v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
            p += 2;
        } else if (end - p >= 3 && p[1] >= 0x80 && p[2] < 0x80) { /* frames up to 2 MiB */
            v = (uint64_t)(p[0] & 0x7f) | (uint64_t)(p[1] & 0x7f) << 7 | (uint64_t)p[2] << 14;
            p += 3;
        } else {
            reader_t r = {p, end};
            if (!read_varint(&r, &v, 5, 32))
                return false;
            p = r.p;
        }
        if (v < prev)
            return false;
        prev = v;
        n++;
    }
    c->count = n;
    c->top = prev;
    return n > 0;
}

/* The fanout column in one pass: its count, each entry at most SG17_MAX_FANOUT, their sum in
 * c->top. */
static bool scan_fanout(column_t *c)
{
    reader_t r = {c->at, c->at + c->len};
    uint64_t v;
    c->count = 0;
    c->top = 0;
    while (r.p < r.end) {
        if (!read_u32(&r, &v) || v > SG17_MAX_FANOUT)
            return false;
        c->top += v;
        c->count++;
    }
    return c->count > 0;
}

/* A type the ledger can keep as a C string and the decoder sees as valid UTF-8: printable
 * ASCII (anything else takes the full decoder's path). */
static bool ascii_text(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return false;
    return true;
}

/* The run of type strings starting at r->p, each with the one-byte tag `tag`: each must be
 * text; at most MAX_TYPES of them. */
static bool scan_types(reader_t *r, uint8_t tag, types_t *types)
{
    while (r->p < r->end && *r->p == tag) {
        r->p++;
        size_t n;
        if (!read_len(r, &n) || types->n == MAX_TYPES || !ascii_text(r->p, n))
            return false;
        types->at[types->n] = (const char *)r->p;
        types->len[types->n++] = n;
        r->p += n;
    }
    return true;
}

/* Walks the fields of an Envelopes message: each known field once, in order, with its
 * protobuf-c wire type (type and payload: one element after another). */
static bool scan_columns(uint8_t *p, size_t len, column_t cols[F_COUNT], types_t *types,
                         uint64_t *version)
{
    reader_t r = {p, p + len};
    int last = 0;
    *version = 0;
    while (r.p < r.end) {
        uint8_t tag = *r.p;
        int field = tag >> 3, wire = tag & 7;
        if (field < F_VERSION || field >= F_COUNT || field <= last)
            return false;
        last = field;
        if (field == F_TYPES) {
            if (wire != WIRE_LEN || !scan_types(&r, tag, types))
                return false;
            continue;
        }
        r.p++;
        if (field == F_VERSION) {
            if (wire != WIRE_VARINT || !read_varint(&r, version, 5, 32))
                return false;
            continue;
        }
        size_t n;
        if (wire != WIRE_LEN || !read_len(&r, &n))
            return false;
        column_t *c = &cols[field];
        uint8_t *body = (uint8_t *)r.p;
        r.p += n;
        c->at = body;
        c->len = n;
        switch (field) {
        case F_ID:
            if (n == 0 || n % 8)
                return false;
            c->count = n / 8;
            break;
        case F_INJECTED:
            if (n == 0 || any_bits(body, n, 0xfe))
                return false;
            c->count = n;
            break;
        case F_SENT_AT:
        case F_TIME:
            if (!count_varints(body, n, 64, &c->count))
                return false;
            break;
        case F_PAYLOADS: /* bytes the relay never reads */
            c->count = 1;
            break;
        case F_TYPE_INDEX: /* after the types (field order) */
            if (!scan_type_index(c, types->n))
                return false;
            break;
        case F_PAYLOAD_END:
            if (!scan_payload_ends(c))
                return false;
            break;
        case F_FANOUT:
            if (!scan_fanout(c))
                return false;
            break;
        case 7: /* reserved */
        case F_MORE_ID:
            return false;
        default: /* src, dst, more_dst */
            if (!count_varints(body, n, 32, &c->count))
                return false;
            break;
        }
    }
    return true;
}

/* The decoder's checks on the columns (frame.c: envcols_ok, fanout_ok), plus what the relay
 * needs to write ids in place. Sets *n and *total (deliveries). */
static bool columns_ok(const column_t cols[F_COUNT], const types_t *types, uint64_t version,
                       size_t *n, size_t *total)
{
    size_t count = cols[F_SRC].count;
    static const int same[] = {F_ID,   F_DST,      F_TYPE_INDEX, F_SENT_AT,
                               F_TIME, F_INJECTED, F_PAYLOAD_END};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        if (cols[same[i]].count != count)
            return false;
    if ((count && version != SG17_ENVELOPE_VERSION) || types->n > count)
        return false;
    /* every type index names an entry of the type table; payload ends (never decreasing: the
     * scan) end with the payload bytes; each fanout is at most SG17_MAX_FANOUT (the scan) */
    if ((count && cols[F_TYPE_INDEX].top >= types->n)
        || cols[F_PAYLOAD_END].top != cols[F_PAYLOADS].len)
        return false;
    if (cols[F_FANOUT].count && cols[F_FANOUT].count != count)
        return false;
    size_t further = (size_t)cols[F_FANOUT].top;
    if (cols[F_MORE_DST].count != further)
        return false;
    *n = count;
    *total = count + further;
    return true;
}

static uint32_t next_u32(reader_t *r)
{
    uint64_t v = 0;
    read_u32(r, &v); /* checked by the scan */
    return (uint32_t)v;
}

static void put_id(uint8_t *at, uint64_t id)
{
    uint64_t le = htole64(id);
    memcpy(at, &le, sizeof le);
}

/* Writes the ids id + 1 .. id + n into n little-endian words at at; two per store where SSE2 is
 * and the host is little-endian (x86-64). */
static void put_ids(uint8_t *at, uint64_t id, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t first = id + 1, second = id + 2; /* ids fit in 63 bits; the lanes take the bits */
    __m128i v = _mm_set_epi64x((long long)second, (long long)first);
    const __m128i two = _mm_set1_epi64x(2);
    for (; i + 2 <= n; i += 2) {
        _mm_storeu_si128((__m128i *)(void *)(at + 8 * i), v);
        v = _mm_add_epi64(v, two);
    }
#endif
    for (; i < n; i++)
        put_id(at + 8 * i, id + 1 + i);
}

/* Writes the envelopes' ids into the id column: the deliveries are numbered from *next_id + 1 on,
 * a multicast's further receivers right after it (their ids are implied, not written). */
static void write_ids(const column_t cols[F_COUNT], size_t count, uint64_t *next_id)
{
    uint8_t *id_at = cols[F_ID].at;
    uint64_t id = *next_id;
    if (!cols[F_FANOUT].count) {
        put_ids(id_at, id, count);
        id += count;
    } else {
        reader_t fanout = {cols[F_FANOUT].at, cols[F_FANOUT].at + cols[F_FANOUT].len};
        for (size_t i = 0; i < count; i++) {
            put_id(id_at + 8 * i, ++id);
            id += next_u32(&fanout);
        }
    }
    *next_id = id;
}

/* A checked column of 32-bit varints into out (its count entries). */
static void decode_u32(const column_t *c, uint32_t *out)
{
    if (c->len == c->count) { /* one byte each */
        sg17_widen_u8(c->at, c->count, out);
        return;
    }
    reader_t r = {c->at, c->at + c->len};
    for (size_t i = 0; i < c->count; i++)
        out[i] = next_u32(&r);
}

void sg17_relay_buf_release(sg17_relay_buf_t *buf)
{
    free(buf->u32);
    free(buf->types);
    free(buf->type_len);
    memset(buf, 0, sizeof *buf);
}

int sg17_relay_buf_reserve(sg17_relay_buf_t *buf, size_t n, size_t n_types)
{
    if (n > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 1024;
        while (cap < n)
            cap *= 2;
        uint32_t *p = realloc(buf->u32, cap * sizeof *p);
        if (!p)
            return -1;
        buf->u32 = p;
        buf->cap = cap;
    }
    if (n_types > buf->cap_types) {
        size_t cap = n_types < 16 ? 16 : n_types;
        const char **t = realloc(buf->types, cap * sizeof *t);
        if (t)
            buf->types = t;
        size_t *l = t ? realloc(buf->type_len, cap * sizeof *l) : NULL;
        if (!l)
            return -1;
        buf->type_len = l;
        buf->cap_types = cap;
    }
    return 0;
}

/* Whether a checked column holds one byte per entry. */
static bool one_byte_each(const column_t *c)
{
    return c->len == c->count;
}

/* The frame's columns for the sink: decoded into buf, or (buf->narrow) as the frame holds them
 * where every entry is one byte. -1 when out of memory. */
static int show(const column_t cols[F_COUNT], const types_t *types, size_t count, uint64_t first_id,
                sg17_relay_buf_t *buf, sg17_relay_sink_fn *sink, void *arg)
{
    size_t further = cols[F_MORE_DST].count, fan = cols[F_FANOUT].count;
    bool narrow = buf->narrow && one_byte_each(&cols[F_SRC]) && one_byte_each(&cols[F_DST])
                  && one_byte_each(&cols[F_TYPE_INDEX]);
    bool narrow_more = buf->narrow && further && one_byte_each(&cols[F_MORE_DST]);
    if (sg17_relay_buf_reserve(buf, (narrow ? 0 : 3 * count) + fan + (narrow_more ? 0 : further),
                               types->n)
        < 0)
        return -1;
    uint32_t *u = buf->u32;
    sg17_relay_frame_t f = {.first_id = first_id,
                            .n = count,
                            .types = buf->types,
                            .type_len = buf->type_len,
                            .n_types = types->n,
                            .n_more = further};
    if (narrow) {
        f.src8 = cols[F_SRC].at;
        f.dst8 = cols[F_DST].at;
        f.type_index8 = cols[F_TYPE_INDEX].at;
    } else {
        decode_u32(&cols[F_SRC], u);
        decode_u32(&cols[F_DST], u + count);
        decode_u32(&cols[F_TYPE_INDEX], u + 2 * count);
        f.src = u;
        f.dst = u + count;
        f.type_index = u + 2 * count;
        u += 3 * count;
    }
    if (fan) {
        decode_u32(&cols[F_FANOUT], u);
        f.fanout = u;
        u += fan;
    }
    if (narrow_more) {
        f.more_dst8 = cols[F_MORE_DST].at;
    } else {
        if (further)
            decode_u32(&cols[F_MORE_DST], u);
        f.more_dst = u;
    }
    for (size_t t = 0; t < types->n; t++) {
        buf->types[t] = types->at[t];
        buf->type_len[t] = types->len[t];
    }
    sink(arg, &f);
    return 0;
}

/* Bytes at the head of a frame the relay reads (tags, lengths and every column before the
 * payloads: about 16 per envelope) or writes (the ids) for a frame of up to ~80 envelopes, and at
 * its tail (the type index, after the payloads). The tail and the id column, which is only
 * written, are not reached by the hardware's sequential prefetch. */
#define PREFETCH_HEAD 1280
#define PREFETCH_TAIL 128

void sg17_relay_prefetch(const uint8_t *frame, size_t len)
{
    size_t head = len < PREFETCH_HEAD ? len : PREFETCH_HEAD;
    for (size_t off = 0; off < head; off += 64)
        __builtin_prefetch(frame + off, 1);
    for (size_t off = len > PREFETCH_TAIL ? len - PREFETCH_TAIL : 0; off < len; off += 64)
        __builtin_prefetch(frame + off, 0);
    if (len)
        __builtin_prefetch(frame + len - 1, 0);
}

long sg17_relay_patch(uint8_t *frame, size_t len, uint64_t *next_id, sg17_relay_buf_t *buf,
                      sg17_relay_sink_fn *sink, void *arg)
{
    reader_t r = {frame, frame + len};
    size_t n;
    /* Frame{relay} spanning the message, Relay{envs} spanning the relay */
    if (r.p == r.end || *r.p++ != FRAME_RELAY_TAG || !read_len(&r, &n) || r.p + n != r.end)
        return -1;
    if (r.p == r.end || *r.p++ != RELAY_ENVS_TAG || !read_len(&r, &n) || r.p + n != r.end || !n)
        return -1;
    column_t cols[F_COUNT] = {{0}};
    types_t types; /* at and len are read below n only */
    types.n = 0;
    uint64_t version;
    size_t count, total;
    if (!scan_columns((uint8_t *)r.p, n, cols, &types, &version)
        || !columns_ok(cols, &types, version, &count, &total))
        return -1;
    if (count && !cols[F_ID].at)
        return -1; /* columns_ok guarantees it; said again for the analyzer */
    uint64_t first = *next_id + 1;
    if (sink && count && (!buf || show(cols, &types, count, first, buf, sink, arg) < 0))
        return -1;
    write_ids(cols, count, next_id);
    return (long)total;
}
