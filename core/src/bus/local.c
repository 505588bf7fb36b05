/* local.c — an in-process bus link (local.h): the host runs on the broker's thread, on a copy of
 * each frame in an arena (sg17_frame_copy), never on packed bytes; its answers wait in a queue
 * under a mutex (for the watcher's reads and for an answer that came late) until the broker takes
 * them. */
#include "bus/local.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "bus/frame.h"
#include "bus/host.h"

typedef struct frame_node {
    struct frame_node *next;
    sg17_frame_t *frame; /* NULL: one that did not copy (malformed, or out of memory) */
} frame_node_t;

struct sg17_local {
    pthread_mutex_t lock;
    frame_node_t *head, *tail; /* the host's answers, oldest first */
    bool closed;
    sg17_host_t *host;  /* NULL once it said quit */
    atomic_int serving; /* body case of the frame the host is handling, 0 when idle */
};

sg17_local_t *sg17_local_new(const sg17_module_t *module)
{
    sg17_local_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init(&self->lock, NULL);
    if (!(self->host = sg17_host_new(module)))
        sg17_local_destroy(&self);
    return self;
}

int sg17_local_serving(sg17_local_t *self)
{
    return atomic_load(&self->serving);
}

void sg17_local_destroy(sg17_local_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sg17_local_t *self = *self_p;
    sg17_host_destroy(&self->host);
    while (self->head) {
        frame_node_t *n = self->head;
        self->head = n->next;
        sg17_frame_free(&n->frame);
        free(n);
    }
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

void sg17_local_close(sg17_local_t *self)
{
    pthread_mutex_lock(&self->lock);
    self->closed = true;
    pthread_mutex_unlock(&self->lock);
}

static bool is_closed(sg17_local_t *self)
{
    pthread_mutex_lock(&self->lock);
    bool closed = self->closed;
    pthread_mutex_unlock(&self->lock);
    return closed;
}

/* The host's answers: a copy queued for the broker (a NULL one when it does not copy, so that the
 * broker counts it as malformed). 0, or -1 when the link is closed or out of memory. */
static int reply_local(const sg17_frame_t *reply, void *arg)
{
    sg17_local_t *self = arg;
    sg17_frame_t *copy = sg17_frame_copy(reply);
    frame_node_t *n = malloc(sizeof *n);
    pthread_mutex_lock(&self->lock);
    bool ok = n && !self->closed;
    if (ok) {
        *n = (frame_node_t){NULL, copy};
        if (self->tail)
            self->tail->next = n;
        else
            self->head = n;
        self->tail = n;
    }
    pthread_mutex_unlock(&self->lock);
    if (!ok) {
        free(n);
        sg17_frame_free(&copy);
    }
    return ok ? 0 : -1;
}

int sg17_local_to_host(sg17_local_t *self, const sg17_frame_t *frame)
{
    if (is_closed(self))
        return -1;
    if (!self->host) /* it said quit: nothing serves the link any more */
        return 0;
    sg17_frame_t *copy = sg17_frame_copy(frame);
    if (!copy) /* a frame that does not copy is dropped, as a host drops one that does not decode */
        return 0;
    atomic_store(&self->serving, (int)copy->body_case);
    if (sg17_host_handle(self->host, &copy, reply_local, self) == 1)
        sg17_host_destroy(&self->host);
    atomic_store(&self->serving, 0);
    sg17_frame_free(&copy);
    return 0;
}

bool sg17_local_from_host(sg17_local_t *self, sg17_frame_t **frame)
{
    pthread_mutex_lock(&self->lock);
    frame_node_t *n = self->closed ? NULL : self->head;
    if (n) {
        self->head = n->next;
        if (!self->head)
            self->tail = NULL;
    }
    pthread_mutex_unlock(&self->lock);
    if (!n)
        return false;
    *frame = n->frame;
    free(n);
    return true;
}
