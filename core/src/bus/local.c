/* local.c — an in-process bus link (local.h): a mutex, and per direction a queue of frames with a
 * condition variable (a Setup and the first Batch go out before the host answers). */
#include "bus/local.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "bus/frame.h"
#include "bus/host.h"

typedef struct frame_node {
    struct frame_node *next;
    size_t len;
    uint8_t *bytes;
} frame_node_t;

typedef struct {
    frame_node_t *head, *tail;
    pthread_cond_t ready;
} mailbox_t;

static void drain(mailbox_t *box)
{
    while (box->head) {
        frame_node_t *n = box->head;
        box->head = n->next;
        free(n->bytes);
        free(n);
    }
    box->tail = NULL;
}

struct sg17_local {
    pthread_mutex_t lock;
    mailbox_t to_host, to_broker;
    bool closed;
};

sg17_local_t *sg17_local_new(void)
{
    sg17_local_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&self->lock, NULL);
    pthread_cond_init(&self->to_host.ready, &attr);
    pthread_cond_init(&self->to_broker.ready, &attr);
    pthread_condattr_destroy(&attr);
    return self;
}

void sg17_local_destroy(sg17_local_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sg17_local_t *self = *self_p;
    drain(&self->to_host);
    drain(&self->to_broker);
    pthread_cond_destroy(&self->to_host.ready);
    pthread_cond_destroy(&self->to_broker.ready);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

void sg17_local_close(sg17_local_t *self)
{
    pthread_mutex_lock(&self->lock);
    self->closed = true;
    pthread_cond_broadcast(&self->to_host.ready);
    pthread_cond_broadcast(&self->to_broker.ready);
    pthread_mutex_unlock(&self->lock);
}

/* Appends bytes to box. 0, or -1 when the link is closed or out of memory (bytes freed). */
static int put(sg17_local_t *self, mailbox_t *box, uint8_t *bytes, size_t len)
{
    frame_node_t *n = malloc(sizeof *n);
    pthread_mutex_lock(&self->lock);
    bool ok = n && !self->closed;
    if (ok) {
        *n = (frame_node_t){NULL, len, bytes};
        if (box->tail)
            box->tail->next = n;
        else
            box->head = n;
        box->tail = n;
    }
    pthread_mutex_unlock(&self->lock);
    if (ok) /* after unlocking: the woken thread then does not block on the lock at once */
        pthread_cond_signal(&box->ready);
    if (!ok) {
        free(n);
        free(bytes);
    }
    return ok ? 0 : -1;
}

/* Takes the first frame in box, waiting until `until` (NULL: forever); NULL on timeout or when
 * the link is closed. */
static uint8_t *take(sg17_local_t *self, mailbox_t *box, size_t *len, const struct timespec *until)
{
    pthread_mutex_lock(&self->lock);
    while (!box->head && !self->closed)
        if (until ? pthread_cond_timedwait(&box->ready, &self->lock, until) != 0
                  : pthread_cond_wait(&box->ready, &self->lock) != 0)
            break;
    frame_node_t *n = self->closed ? NULL : box->head;
    if (n) {
        box->head = n->next;
        if (!box->head)
            box->tail = NULL;
    }
    pthread_mutex_unlock(&self->lock);
    if (!n)
        return NULL;
    uint8_t *bytes = n->bytes;
    *len = n->len;
    free(n);
    return bytes;
}

int sg17_local_to_host(sg17_local_t *self, uint8_t *bytes, size_t len)
{
    return put(self, &self->to_host, bytes, len);
}

uint8_t *sg17_local_from_host(sg17_local_t *self, size_t *len, int64_t deadline_ms)
{
    struct timespec until = {.tv_sec = deadline_ms / 1000,
                             .tv_nsec = (long)(deadline_ms % 1000) * 1000000L};
    return take(self, &self->to_broker, len, deadline_ms < 0 ? NULL : &until);
}

/* The host's answers: packed and put in the broker's mailbox. */
static int reply_local(const sg17_frame_t *reply, void *arg)
{
    size_t len = sg17__frame__get_packed_size(reply);
    uint8_t *bytes = malloc(len ? len : 1);
    if (!bytes)
        return -1;
    sg17__frame__pack(reply, bytes);
    sg17_local_t *self = arg;
    return put(self, &self->to_broker, bytes, len);
}

void sg17_local_serve(sg17_local_t *self, const sg17_module_t *module)
{
    sg17_host_t *h = sg17_host_new(module);
    while (h) {
        size_t len;
        uint8_t *bytes = take(self, &self->to_host, &len, NULL);
        if (!bytes)
            break; /* closed */
        sg17_frame_t *frame = sg17_frame_decode(bytes, len);
        free(bytes);
        if (frame && sg17_host_handle(h, &frame, reply_local, self) == 1)
            break;
        sg17_frame_free(&frame);
    }
    sg17_host_destroy(&h);
}
