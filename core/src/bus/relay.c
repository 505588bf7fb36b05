/* relay.c — walking a packed Relay frame in place: the protobuf wire format (varints, tags,
 * length-delimited fields; protobuf encoding guide, "Message Structure" and "Packed Repeated
 * Fields") restricted to the one layout protobuf-c writes for sg17.Frame{relay: {envs: ...}}.
 * Only the small columns are read: the payloads, most of a frame's bytes, are one byte string
 * whose length the payload ends must add up to. */
#include "bus/relay.h"

#include <endian.h>
#include <string.h>

#include "bus/frame.h"

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
    F_MORE_ID = 12,
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
    if (!read_varint(r, &v, 5, 32) || v > (uint64_t)(r->end - r->p))
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

/* Whether any of the len bytes at p has a bit of mask set (mask: one byte, repeated); eight
 * bytes at a time, as columns of small numbers are mostly one-byte varints. */
static bool any_bits(const uint8_t *p, size_t len, uint8_t mask)
{
    uint64_t wide = 0x0101010101010101ULL * mask, acc = 0, w;
    size_t i = 0;
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

/* The largest of the len bytes at p (one-byte varints). */
static uint8_t max_byte(const uint8_t *p, size_t len)
{
    uint8_t top = 0;
    for (size_t i = 0; i < len; i++)
        top = p[i] > top ? p[i] : top;
    return top;
}

/* The type_index column in one pass: its count and its largest entry (c->top). */
static bool scan_type_index(column_t *c)
{
    if (c->len && !any_bits(c->at, c->len, 0x80)) { /* one byte each: the usual case */
        c->count = c->len;
        c->top = max_byte(c->at, c->len);
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

/* The payload_end column in one pass: its count; ends never decrease; the last in c->top. */
static bool scan_payload_ends(column_t *c)
{
    reader_t r = {c->at, c->at + c->len};
    uint64_t end, prev = 0;
    c->count = 0;
    while (r.p < r.end) {
        if (!read_u32(&r, &end) || end < prev)
            return false;
        prev = end;
        c->count++;
    }
    c->top = prev;
    return c->count > 0;
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
        case F_MORE_ID:
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
        case F_TYPE_INDEX:
            if (!scan_type_index(c))
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
    if (cols[F_MORE_DST].count != further || cols[F_MORE_ID].count != further)
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

/* The common frame: every envelope unicast, entities and type indexes one byte each (a column
 * whose length is its count holds one-byte varints), so entry i is byte i. */
static void unicast_bytes(const column_t cols[F_COUNT], const types_t *types, size_t count,
                          uint64_t *next_id, sg17_relay_visit_fn *visit, void *arg)
{
    const uint8_t *src = cols[F_SRC].at, *dst = cols[F_DST].at, *type = cols[F_TYPE_INDEX].at;
    uint8_t *id_at = cols[F_ID].at;
    uint64_t id = *next_id;
    sg17_relay_delivery_t d = {.further = false};
    for (size_t i = 0; i < count; i++) {
        put_id(id_at + 8 * i, ++id);
        if (!visit)
            continue;
        d.id = id;
        d.src = src[i];
        d.dst = dst[i];
        d.new_type = i == 0 || type[i] != type[i - 1];
        d.type = types->at[type[i]];
        d.type_len = types->len[type[i]];
        visit(arg, &d);
    }
    *next_id = id;
}

long sg17_relay_patch(uint8_t *frame, size_t len, uint64_t *next_id, sg17_relay_visit_fn *visit,
                      void *arg)
{
    reader_t r = {frame, frame + len};
    size_t n;
    /* Frame{relay} spanning the message, Relay{envs} spanning the relay */
    if (r.p == r.end || *r.p++ != FRAME_RELAY_TAG || !read_len(&r, &n) || r.p + n != r.end)
        return -1;
    if (r.p == r.end || *r.p++ != RELAY_ENVS_TAG || !read_len(&r, &n) || r.p + n != r.end || !n)
        return -1;
    column_t cols[F_COUNT] = {{0}};
    types_t types = {.n = 0};
    uint64_t version;
    size_t count, total;
    if (!scan_columns((uint8_t *)r.p, n, cols, &types, &version)
        || !columns_ok(cols, &types, version, &count, &total))
        return -1;

    if (count && !cols[F_ID].at) /* columns_ok guarantees it; said again for the analyzer */
        return -1;
    if (!cols[F_FANOUT].count && cols[F_SRC].len == count && cols[F_DST].len == count
        && cols[F_TYPE_INDEX].len == count) {
        unicast_bytes(cols, &types, count, next_id, visit, arg);
        return (long)total;
    }
    reader_t src = {cols[F_SRC].at, cols[F_SRC].at + cols[F_SRC].len};
    reader_t dst = {cols[F_DST].at, cols[F_DST].at + cols[F_DST].len};
    reader_t fanout = {cols[F_FANOUT].at, cols[F_FANOUT].at + cols[F_FANOUT].len};
    reader_t more = {cols[F_MORE_DST].at, cols[F_MORE_DST].at + cols[F_MORE_DST].len};
    reader_t type_index = {cols[F_TYPE_INDEX].at, cols[F_TYPE_INDEX].at + cols[F_TYPE_INDEX].len};
    uint8_t *more_id = cols[F_MORE_ID].at;
    /* further receivers one byte each (a column whose length is its count): entry k is byte k */
    const uint8_t *more_byte = cols[F_MORE_DST].len == cols[F_MORE_DST].count ? more.p : NULL;
    uint32_t last_type = 0;
    for (size_t i = 0; i < count; i++) {
        sg17_relay_delivery_t d = {.id = ++*next_id, .src = next_u32(&src), .dst = next_u32(&dst)};
        uint32_t t = next_u32(&type_index);
        d.type = types.at[t];
        d.type_len = types.len[t];
        d.new_type = i == 0 || t != last_type;
        last_type = t;
        put_id(cols[F_ID].at + 8 * i, d.id);
        if (visit)
            visit(arg, &d);
        uint32_t k = cols[F_FANOUT].count ? next_u32(&fanout) : 0;
        d.further = true;
        d.new_type = false;
        for (uint32_t j = 0; j < k; j++) {
            d.id = ++*next_id;
            d.dst = more_byte ? *more_byte++ : next_u32(&more);
            if (!more_id) /* columns_ok guarantees the column; said again for the analyzer */
                return -1;
            put_id(more_id, d.id);
            more_id += 8;
            if (visit)
                visit(arg, &d);
        }
    }
    return (long)total;
}
