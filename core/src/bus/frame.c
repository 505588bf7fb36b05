/* frame.c — packing and defensive unpacking of bus frames. */
#include "bus/frame.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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

static chunk_t *chunk_new(size_t cap, chunk_t *next)
{
    chunk_t *c = malloc(sizeof *c + cap);
    if (c)
        *c = (chunk_t){next, 0, cap};
    return c;
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
        free(c);
        c = next;
    }
}

int sg17_frame_send(zsock_t *sock, zframe_t *routing, const sg17_frame_t *frame)
{
    size_t len = sg17__frame__get_packed_size(frame);
    zframe_t *body = zframe_new(NULL, len);
    if (!body)
        return -1;
    sg17__frame__pack(frame, zframe_data(body));
    if (routing) {
        zframe_t *id = zframe_dup(routing);
        if (zframe_send(&id, sock, ZFRAME_MORE) < 0) {
            zframe_destroy(&id);
            zframe_destroy(&body);
            return -1;
        }
    }
    if (zframe_send(&body, sock, 0) < 0) {
        zframe_destroy(&body);
        return -1;
    }
    return 0;
}

/* An envelope of another version is as malformed as bytes that do not unpack. */
static int envelope_ok(const Sg17__Envelope *env)
{
    return !env || env->version == SG17_ENVELOPE_VERSION;
}

sg17_frame_t *sg17_frame_decode(const uint8_t *data, size_t len)
{
    chunk_t *first = chunk_new(HEADER_SIZE + 2 * len + 1024, NULL);
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
    int ok = f->body_case != SG17__FRAME__BODY__NOT_SET;
    if (ok && f->body_case == SG17__FRAME__BODY_BATCH)
        for (size_t i = 0; ok && i < f->batch->n_events; i++)
            ok = envelope_ok(f->batch->events[i]->env);
    if (ok && f->body_case == SG17__FRAME__BODY_OUTPUT)
        for (size_t i = 0; ok && i < f->output->n_sends; i++)
            ok = f->output->sends[i]->env && envelope_ok(f->output->sends[i]->env);
    if (ok && f->body_case == SG17__FRAME__BODY_RELAY)
        for (size_t i = 0; ok && i < f->relay->n_envs; i++)
            ok = envelope_ok(f->relay->envs[i]);
    if (!ok) {
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

sg17_frame_t *sg17_frame_recv(zsock_t *sock, zframe_t **routing_p, int *malformed)
{
    *malformed = 0;
    zmsg_t *msg = zmsg_recv(sock);
    if (!msg)
        return NULL;
    if (routing_p)
        *routing_p = zmsg_pop(msg);
    sg17_frame_t *f = NULL;
    zframe_t *body = zmsg_first(msg);
    if (zmsg_size(msg) == 1 && body)
        f = sg17_frame_decode(zframe_data(body), zframe_size(body));
    if (!f)
        *malformed = 1;
    zmsg_destroy(&msg);
    return f;
}
