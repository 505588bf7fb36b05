/* frame.c — packing and defensive unpacking of bus frames. */
#include "bus/frame.h"

#include <pthread.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Decoding allocates every sub-message, string and byte field of a frame from one arena (a chain
 * of chunks), so a batch of thousands of envelopes costs a handful of mallocs instead of three per
 * envelope, and freeing a frame is freeing its chunks. The arena header is the first allocation of
 * the first chunk and protobuf-c allocates the top-level message next, so the header sits at a
 * fixed distance before the frame; decoding checks that it does. */
#define ARENA_MAGIC 0x53473137u /* "SG17" */
#define ARENA_ALIGN alignof(max_align_t)
#define ROUND_UP(n) (((n) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
} chunk_t;

typedef struct {
    uint32_t magic;
    chunk_t *head; /* newest chunk first */
} arena_t;

#define HEADER_SIZE ROUND_UP(sizeof(arena_t))

#define CHUNK_MIN  16384      /* first chunks are at least this big, so they can be reused */
#define CHUNK_KEEP (4u << 20) /* a thread keeps a released chunk up to this size */

static chunk_t *chunk_new(size_t cap, chunk_t *next)
{
    chunk_t *c = malloc(sizeof *c + cap);
    if (c)
        *c = (chunk_t){next, 0, cap};
    return c;
}

/* Each thread keeps one released chunk for its next decode: a broker or host decodes frame after
 * frame, and this spares a malloc/free pair (and glibc's consolidation of the freed block) each
 * time. The key's destructor frees the kept chunk when the thread exits. */
static pthread_key_t g_spare_key;
static pthread_once_t g_spare_once = PTHREAD_ONCE_INIT;
static bool g_spare_ok;

static void spare_key_create(void)
{
    g_spare_ok = pthread_key_create(&g_spare_key, free) == 0;
}

static chunk_t *chunk_take(size_t cap)
{
    pthread_once(&g_spare_once, spare_key_create);
    chunk_t *c = g_spare_ok ? pthread_getspecific(g_spare_key) : NULL;
    if (c && c->cap >= cap) {
        pthread_setspecific(g_spare_key, NULL);
        *c = (chunk_t){NULL, 0, c->cap};
        return c;
    }
    return chunk_new(cap < CHUNK_MIN ? CHUNK_MIN : cap, NULL);
}

static void chunk_give(chunk_t *c)
{
    chunk_t *spare = g_spare_ok ? pthread_getspecific(g_spare_key) : NULL;
    if (g_spare_ok && c->cap <= CHUNK_KEEP && (!spare || spare->cap < c->cap)
        && pthread_setspecific(g_spare_key, c) == 0) {
        free(spare); /* keep the bigger of the two */
        return;
    }
    free(c);
}

static void *arena_alloc(void *data, size_t size)
{
    arena_t *a = data;
    size = ROUND_UP(size ? size : 1);
    chunk_t *c = a->head;
    if (c->used + size > c->cap) {
        size_t cap = c->cap * 2 > size ? c->cap * 2 : size;
        if (!(c = chunk_new(cap, a->head)))
            return NULL;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    return p;
}

static void arena_free_nothing(void *data, void *ptr) {}

static void arena_release(arena_t *a)
{
    chunk_t *c = a->head;
    while (c) {
        chunk_t *next = c->next;
        chunk_give(c);
        c = next;
    }
}

/* Packs straight into a ZeroMQ message (no intermediate zframe) and sends it. */
int sg17_frame_send(zsock_t *sock, zframe_t *routing, const sg17_frame_t *frame)
{
    void *handle = zsock_resolve(sock);
    size_t len = sg17__frame__get_packed_size(frame);
    zmq_msg_t body;
    if (zmq_msg_init_size(&body, len) < 0)
        return -1;
    sg17__frame__pack(frame, zmq_msg_data(&body));
    if (routing && zmq_send(handle, zframe_data(routing), zframe_size(routing), ZMQ_SNDMORE) < 0) {
        zmq_msg_close(&body);
        return -1;
    }
    if (zmq_msg_send(&body, handle, 0) < 0) {
        zmq_msg_close(&body);
        return -1;
    }
    return 0;
}

/* ---- envelope columns ---- */

static bool envcols_grow(sg17_envcols_t *c)
{
    size_t cap = c->cap ? c->cap * 2 : 64;
    Sg17__Envelopes *e = &c->cols;
    /* each realloc either moves its column or leaves it as it was, so a failure loses nothing */
#define GROW(col)                                        \
    do {                                                 \
        void *p = realloc(e->col, cap * sizeof *e->col); \
        if (!p)                                          \
            return false;                                \
        e->col = p;                                      \
    } while (0)
    GROW(id);
    GROW(src);
    GROW(dst);
    GROW(type_index);
    GROW(sent_at);
    GROW(payload_end);
    GROW(time);
    GROW(injected);
    GROW(fanout);
#undef GROW
    c->cap = cap;
    return true;
}

/* Room for len more payload bytes. */
static bool envcols_reserve_bytes(sg17_envcols_t *c, size_t len)
{
    ProtobufCBinaryData *b = &c->cols.payloads;
    if (len > UINT32_MAX - b->len)
        return false; /* payload_end is 32-bit */
    if (b->len + len <= c->cap_bytes)
        return true;
    size_t cap = c->cap_bytes ? c->cap_bytes * 2 : 4096;
    while (cap < b->len + len)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        return false;
    b->data = p;
    c->cap_bytes = cap;
    return true;
}

/* The index of type in the set's type table, added when new; -1 when out of memory. */
static int envcols_type(sg17_envcols_t *c, const char *type)
{
    Sg17__Envelopes *e = &c->cols;
    for (size_t i = e->n_types; i-- > 0;) /* the latest types first: sends come in runs */
        if (e->types[i] == type || strcmp(e->types[i], type) == 0)
            return (int)i;
    if (e->n_types == c->cap_types) {
        size_t cap = c->cap_types ? c->cap_types * 2 : 8;
        char **t = realloc(e->types, cap * sizeof *t);
        if (!t)
            return -1;
        e->types = t;
        c->cap_types = cap;
    }
    e->types[e->n_types] = (char *)type;
    return (int)e->n_types++;
}

int sg17_envcols_add(sg17_envcols_t *c, const Sg17__Envelope *env, uint64_t time, bool injected)
{
    Sg17__Envelopes *e = &c->cols;
    if (c->cap == 0) {
        sg17__envelopes__init(e);
        e->payloads = (ProtobufCBinaryData){0, NULL};
    }
    size_t n = e->n_src;
    if ((n == c->cap && !envcols_grow(c)) || !envcols_reserve_bytes(c, env->payload.len))
        return -1;
    int t = envcols_type(c, env->type ? env->type : "");
    if (t < 0)
        return -1;
    if (env->payload.len)
        memcpy(e->payloads.data + e->payloads.len, env->payload.data, env->payload.len);
    e->payloads.len += env->payload.len;
    e->version = SG17_ENVELOPE_VERSION;
    e->id[n] = env->id;
    e->src[n] = env->src;
    e->dst[n] = env->dst;
    e->type_index[n] = (uint32_t)t;
    e->sent_at[n] = env->sent_at;
    e->payload_end[n] = (uint32_t)e->payloads.len;
    e->time[n] = time;
    e->injected[n] = injected;
    e->fanout[n] = 0;
    n++;
    e->n_id = e->n_src = e->n_dst = e->n_type_index = e->n_sent_at = e->n_payload_end = e->n_time =
        e->n_injected = n;
    if (e->n_fanout) /* the set already holds a multicast: the column covers every envelope */
        e->n_fanout = n;
    return 0;
}

int sg17_envcols_fan_out(sg17_envcols_t *c, const uint32_t *dsts, size_t n)
{
    Sg17__Envelopes *e = &c->cols;
    size_t last = sg17_envcols_count(c);
    if (n == 0)
        return 0;
    if (last == 0 || n > SG17_MAX_FANOUT - e->fanout[last - 1])
        return -1;
    size_t need = e->n_more_dst + n;
    if (need > c->cap_more) {
        size_t cap = c->cap_more ? c->cap_more * 2 : 256;
        while (cap < need)
            cap *= 2;
        uint32_t *p = realloc(e->more_dst, cap * sizeof *p);
        if (!p)
            return -1;
        e->more_dst = p;
        c->cap_more = cap;
    }
    memcpy(e->more_dst + e->n_more_dst, dsts, n * sizeof *dsts);
    e->n_more_dst = need;
    e->fanout[last - 1] += (uint32_t)n;
    e->n_fanout = last;
    return 0;
}

size_t sg17_envcols_count(const sg17_envcols_t *c)
{
    return c->cap ? c->cols.n_src : 0;
}

void sg17_envcols_clear(sg17_envcols_t *c)
{
    Sg17__Envelopes *e = &c->cols;
    if (c->cap)
        e->n_id = e->n_src = e->n_dst = e->n_type_index = e->n_sent_at = e->n_payload_end =
            e->n_time = e->n_injected = e->n_fanout = e->n_more_dst = e->n_types = e->payloads.len =
                0;
}

void sg17_envcols_release(sg17_envcols_t *c)
{
    if (c->cap) {
        Sg17__Envelopes *e = &c->cols;
        free(e->id), free(e->src), free(e->dst), free(e->type_index), free(e->sent_at);
        free(e->types);
        free(e->payload_end), free(e->time), free(e->injected), free(e->fanout);
        free(e->payloads.data);
    }
    free(c->cols.more_dst);
    memset(c, 0, sizeof *c);
}

size_t sg17_envcols_size(const Sg17__Envelopes *cols)
{
    return cols ? cols->n_src : 0;
}

void sg17_envcols_get(const Sg17__Envelopes *cols, size_t i, Sg17__Envelope *view)
{
    sg17__envelope__init(view);
    view->version = cols->version;
    view->id = cols->id[i];
    view->src = cols->src[i];
    view->dst = cols->dst[i];
    view->type = cols->types[cols->type_index[i]];
    view->sent_at = cols->sent_at[i];
    uint32_t start = i ? cols->payload_end[i - 1] : 0;
    view->payload.len = cols->payload_end[i] - start;
    view->payload.data = cols->payloads.data + start;
}

size_t sg17_envcols_fanout(const Sg17__Envelopes *cols, size_t i)
{
    return cols && i < cols->n_fanout ? cols->fanout[i] : 0;
}

/* The multicast columns: none, or a fanout per envelope, each bounded, with exactly as many
 * further receivers listed. */
static bool fanout_ok(const Sg17__Envelopes *e, size_t n)
{
    if (e->n_fanout == 0)
        return e->n_more_dst == 0;
    if (e->n_fanout != n)
        return false;
    size_t total = 0; /* at most n * SG17_MAX_FANOUT: no overflow */
    for (size_t i = 0; i < n; i++) {
        if (e->fanout[i] > SG17_MAX_FANOUT)
            return false;
        total += e->fanout[i];
    }
    return total == e->n_more_dst;
}

/* Payload ends that never decrease and end with the payload bytes. */
static bool payload_ends_ok(const Sg17__Envelopes *e, size_t n)
{
    uint32_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (e->payload_end[i] < prev)
            return false;
        prev = e->payload_end[i];
    }
    return prev == e->payloads.len;
}

/* Every type index names an entry of the type table, which has no more entries than envelopes. */
static bool types_ok(const Sg17__Envelopes *e, size_t n)
{
    if (e->n_types > n)
        return false;
    for (size_t i = 0; i < e->n_type_index && i < n; i++)
        if (e->type_index[i] >= e->n_types)
            return false;
    return true;
}

/* Columns of different lengths, or envelopes of another version, are as malformed as bytes that
 * do not unpack. */
static bool envcols_ok(const Sg17__Envelopes *e)
{
    if (!e)
        return true;
    size_t n = e->n_src;
    return e->n_id == n && e->n_dst == n && e->n_type_index == n && types_ok(e, n)
           && e->n_sent_at == n && e->n_payload_end == n && e->n_time == n && e->n_injected == n
           && (n == 0 || e->version == SG17_ENVELOPE_VERSION) && payload_ends_ok(e, n)
           && fanout_ok(e, n);
}

static bool unicast(const Sg17__Envelopes *e)
{
    return !e || e->n_fanout == 0;
}

static bool envelope_ok(const Sg17__Envelope *env)
{
    return env && env->version == SG17_ENVELOPE_VERSION;
}

/* What decoding checks beyond protobuf itself: a body, consistent columns, current versions, and
 * no delivery among a batch's events. */
static bool frame_ok(const sg17_frame_t *f)
{
    switch (f->body_case) {
    case SG17__FRAME__BODY__NOT_SET:
        return false;
    case SG17__FRAME__BODY_BATCH:
        for (size_t i = 0; i < f->batch->n_events; i++) {
            const Sg17__Event *ev = f->batch->events[i];
            if (ev->kind == SG17__EVENT__KIND__DELIVER)
                return false;
            for (size_t j = 0; j < ev->n_captured; j++)
                if (!envelope_ok(ev->captured[j]))
                    return false;
        }
        return envcols_ok(f->batch->deliveries) && unicast(f->batch->deliveries);
    case SG17__FRAME__BODY_OUTPUT:
        return envcols_ok(f->output->sends);
    case SG17__FRAME__BODY_RELAY:
        return envcols_ok(f->relay->envs);
    default:
        return true;
    }
}

sg17_frame_t *sg17_frame_decode(const uint8_t *data, size_t len)
{
    chunk_t *first = chunk_take(HEADER_SIZE + 2 * len + 1024);
    if (!first)
        return NULL;
    arena_t *a = (arena_t *)first->data; /* the header lives in the arena it describes */
    first->used = HEADER_SIZE;
    a->magic = ARENA_MAGIC;
    a->head = first;
    ProtobufCAllocator alloc = {arena_alloc, arena_free_nothing, a};
    sg17_frame_t *f = sg17__frame__unpack(&alloc, len, data);
    if (!f || (unsigned char *)f != first->data + HEADER_SIZE) {
        arena_release(a); /* malformed (or a protobuf-c that allocates in another order) */
        return NULL;
    }
    if (!frame_ok(f)) {
        arena_release(a);
        return NULL;
    }
    return f;
}

/* ---- copying a frame for a host in the same process ---- */

static size_t scalar_size(ProtobufCType type)
{
    switch (type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    default: /* 32-bit integers, enums, float */
        return 4;
    }
}

static ProtobufCMessage *clone_message(arena_t *a, const ProtobufCMessage *src);

static char *clone_string(arena_t *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = arena_alloc(a, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* One value of a field (a singular member or an element of a repeated one) from src to dst, as
 * unpacking its packed form would give it. -1: out of memory. */
static int clone_value(arena_t *a, const ProtobufCFieldDescriptor *fd, void *dst, const void *src)
{
    switch (fd->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)src;
        return (*(char **)dst = clone_string(a, s ? s : "")) ? 0 : -1;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = src;
        ProtobufCBinaryData *d = dst;
        *d = (ProtobufCBinaryData){0, NULL};
        if (b->len && !(d->data = arena_alloc(a, b->len)))
            return -1;
        if (b->len) {
            memcpy(d->data, b->data, b->len);
            d->len = b->len;
        }
        return 0;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(ProtobufCMessage *const *)src;
        return (*(ProtobufCMessage **)dst = clone_message(a, m)) ? 0 : -1;
    }
    case PROTOBUF_C_TYPE_BOOL: /* the wire carries 0 or 1 */
        *(protobuf_c_boolean *)dst = *(const protobuf_c_boolean *)src != 0;
        return 0;
    case PROTOBUF_C_TYPE_DOUBLE: /* proto3 does not send a zero, so -0.0 arrives as 0.0 */
        if (fd->label == PROTOBUF_C_LABEL_NONE && *(const double *)src == 0)
            *(double *)dst = 0;
        return 0;
    case PROTOBUF_C_TYPE_FLOAT:
        if (fd->label == PROTOBUF_C_LABEL_NONE && *(const float *)src == 0)
            *(float *)dst = 0;
        return 0;
    default: /* copied with the message */
        return 0;
    }
}

/* A proto3 singular member that packing leaves out (zero, empty, absent): unpacking gives the
 * message's initial value for it. */
static bool left_out(const ProtobufCFieldDescriptor *fd, const void *member)
{
    switch (fd->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)member;
        return !s || !*s;
    }
    case PROTOBUF_C_TYPE_BYTES:
        return ((const ProtobufCBinaryData *)member)->len == 0;
    case PROTOBUF_C_TYPE_MESSAGE:
        return *(ProtobufCMessage *const *)member == NULL;
    default:
        return false; /* a zero scalar is copied as zero (see clone_value for the signed zero) */
    }
}

/* A deep copy of src into the arena, equal to what packing src and unpacking the bytes gives
 * (proto3 messages without unknown fields: those the engine and the hosts build). */
static ProtobufCMessage *clone_message(arena_t *a, const ProtobufCMessage *src)
{
    const ProtobufCMessageDescriptor *desc = src->descriptor;
    unsigned char *dst = arena_alloc(a, desc->sizeof_message);
    if (!dst)
        return NULL;
    desc->message_init((ProtobufCMessage *)dst);
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *fd = &desc->fields[i];
        const unsigned char *sm = (const unsigned char *)src + fd->offset;
        unsigned char *dm = dst + fd->offset;
        if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)((const unsigned char *)src + fd->quantifier_offset);
            if (!n)
                continue;
            size_t size = scalar_size(fd->type);
            const unsigned char *from = *(void *const *)sm;
            unsigned char *to = arena_alloc(a, n * size);
            if (!to)
                return NULL;
            memcpy(to, from, n * size);
            bool deep = fd->type == PROTOBUF_C_TYPE_STRING || fd->type == PROTOBUF_C_TYPE_BYTES
                        || fd->type == PROTOBUF_C_TYPE_MESSAGE || fd->type == PROTOBUF_C_TYPE_BOOL;
            for (size_t k = 0; deep && k < n; k++) /* packed scalars are copied as they are */
                if (clone_value(a, fd, to + k * size, from + k * size) < 0)
                    return NULL;
            *(void **)dm = to;
            *(size_t *)(dst + fd->quantifier_offset) = n;
            continue;
        }
        if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            const uint32_t *which =
                (const uint32_t *)((const unsigned char *)src + fd->quantifier_offset);
            if (*which != fd->id || left_out(fd, sm))
                continue;
            *(uint32_t *)(dst + fd->quantifier_offset) = fd->id;
        } else if (fd->label != PROTOBUF_C_LABEL_NONE || left_out(fd, sm)) {
            continue; /* proto3 only: no required or optional fields to follow */
        }
        memcpy(dm, sm, scalar_size(fd->type));
        if (clone_value(a, fd, dm, sm) < 0)
            return NULL;
    }
    return (ProtobufCMessage *)dst;
}

sg17_frame_t *sg17_frame_copy(const sg17_frame_t *frame)
{
    chunk_t *first = chunk_take(CHUNK_MIN);
    if (!first)
        return NULL;
    arena_t *a = (arena_t *)first->data;
    first->used = HEADER_SIZE;
    a->magic = ARENA_MAGIC;
    a->head = first;
    sg17_frame_t *f = (sg17_frame_t *)clone_message(a, &frame->base);
    if (!f || (unsigned char *)f != first->data + HEADER_SIZE || !frame_ok(f)) {
        arena_release(a);
        return NULL;
    }
    return f;
}

void sg17_frame_free(sg17_frame_t **frame_p)
{
    if (frame_p && *frame_p) {
        arena_t *a = (arena_t *)((unsigned char *)*frame_p - HEADER_SIZE);
        if (a->magic == ARENA_MAGIC) {
            a->magic = 0;
            arena_release(a);
        }
        *frame_p = NULL;
    }
}

/* 1 when body, just received, ends its message; otherwise drains the rest of the message and
 * returns -1 (body closed): malformed. */
static int only_body(void *handle, zmq_msg_t *body)
{
    bool extra = zmq_msg_more(body);
    if (!extra)
        return 1;
    zmq_msg_close(body);
    while (extra) { /* a multi-part message: drain the rest, it is malformed */
        zmq_msg_t part;
        zmq_msg_init(&part);
        extra = zmq_msg_recv(&part, handle, 0) >= 0 && zmq_msg_more(&part);
        zmq_msg_close(&part);
    }
    return -1;
}

int sg17_msg_recv_routed(zsock_t *sock, zmq_msg_t *routing, zmq_msg_t *body, int flags)
{
    void *handle = zsock_resolve(sock);
    zmq_msg_init(routing);
    if (zmq_msg_recv(routing, handle, flags) < 0) {
        zmq_msg_close(routing);
        return 0;
    }
    zmq_msg_init(body);
    if (!zmq_msg_more(routing) || zmq_msg_recv(body, handle, 0) < 0) {
        zmq_msg_close(body);
        zmq_msg_close(routing);
        return -1; /* an identity without a body */
    }
    int rc = only_body(handle, body);
    if (rc < 0)
        zmq_msg_close(routing);
    return rc;
}

/* Receives the parts of one message into stack zmq_msg_t's (no zmsg/zframe allocations): on a
 * ROUTER the identity then the body, elsewhere the body alone. Any other shape is malformed. */
static int msg_recv(zsock_t *sock, zframe_t **routing_p, zmq_msg_t *body, int flags)
{
    if (routing_p) {
        zmq_msg_t routing;
        int rc = sg17_msg_recv_routed(sock, &routing, body, flags);
        if (rc > 0) {
            *routing_p = zframe_new(zmq_msg_data(&routing), zmq_msg_size(&routing));
            zmq_msg_close(&routing);
        }
        return rc;
    }
    void *handle = zsock_resolve(sock);
    zmq_msg_init(body);
    if (zmq_msg_recv(body, handle, flags) < 0) {
        zmq_msg_close(body);
        return 0;
    }
    return only_body(handle, body);
}

int sg17_msg_recv(zsock_t *sock, zframe_t **routing_p, zmq_msg_t *body)
{
    return msg_recv(sock, routing_p, body, 0);
}

int sg17_msg_try_recv(zsock_t *sock, zframe_t **routing_p, zmq_msg_t *body)
{
    return msg_recv(sock, routing_p, body, ZMQ_DONTWAIT);
}

sg17_frame_t *sg17_frame_recv(zsock_t *sock, zframe_t **routing_p, int *malformed)
{
    zmq_msg_t body;
    int got = sg17_msg_recv(sock, routing_p, &body);
    *malformed = got < 0;
    if (got <= 0)
        return NULL;
    sg17_frame_t *f = sg17_frame_decode(zmq_msg_data(&body), zmq_msg_size(&body));
    zmq_msg_close(&body);
    if (!f)
        *malformed = 1;
    return f;
}

/* ---- waiting for a frame ---- */

/* A run's broker and its module host take turns: one works on a window while the other waits
 * for it. Blocking in poll costs a sleep and a wake-up per turn (tens of microseconds on a
 * virtual machine), which dominates windows with few events. Spinning briefly first avoids that,
 * but only pays when every waiting thread has a core of its own; otherwise it takes CPU from the
 * thread being waited for. */
#define SPIN_US 20

static int g_spin_us; /* 0: block at once; set before any broker or host thread starts */

void sg17_bus_plan_waiting(unsigned concurrent_runs)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    g_spin_us = concurrent_runs && 2 * (long)concurrent_runs <= cores ? SPIN_US : 0;
}

/* ---- the allocator ---- */

/* Every frame on the bus is a block one thread allocates (the sender's copy into a ZeroMQ
 * message) and another frees (the receiver, after the broker passed it on), in bursts: a relay
 * burst, a window's batch. glibc's defaults fit that badly, three ways:
 *   - each thread allocates from an arena of its own, whose heap grows with what that thread has
 *     in flight and maps fresh pages for it (mprotect, then a page fault per page); blocks a
 *     thread frees go back to the allocating thread's arena, behind its lock;
 *   - a free that leaves more than 128 KiB at the top of a heap hands those pages back to the
 *     kernel (madvise), and the next frames fault them in again, one page at a time;
 *   - blocks from 128 KiB up are mapped and unmapped each time for the same reason.
 * On a virtual machine each page fault costs more than moving the frame. So: one arena for the
 * process (what any thread freed serves the next allocation), which costs nothing where broker
 * and host share a thread (sg17tb run, §3.2 of docs/architecture.md); up to 32 MiB of free top
 * kept; blocks under 32 MiB from the heap. 32 MiB is glibc's own upper bound for its adaptive
 * threshold on 64-bit hosts. */
#define KEEP_FREED (32 << 20)

void sg17_bus_plan_memory(void)
{
#ifdef __GLIBC__
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_TRIM_THRESHOLD, KEEP_FREED);
    mallopt(M_MMAP_THRESHOLD, KEEP_FREED);
#endif
}

bool sg17_sock_readable_soon(zsock_t *sock)
{
    /* not spinning: the caller's poll (zmq_poll) looks at the socket's events before it blocks,
     * so asking for them here first would only add a system call per message */
    if (g_spin_us == 0)
        return false;
    if (zsock_events(sock) & ZMQ_POLLIN)
        return true;
    int64_t end = zclock_usecs() + g_spin_us;
    while (zclock_usecs() < end)
        for (int i = 0; i < 16; i++)
            if (zsock_events(sock) & ZMQ_POLLIN)
                return true;
    return false;
}

void sg17_bus_heartbeat(zsock_t *sock)
{
    zsock_set_heartbeat_ivl(sock, SG17_HEARTBEAT_IVL_MS);
    zsock_set_heartbeat_timeout(sock, SG17_HEARTBEAT_TIMEOUT_MS);
    zsock_set_heartbeat_ttl(sock, SG17_HEARTBEAT_TIMEOUT_MS);
}
