/* local.c — an in-process bus link (local.h): a mutex, and per direction a queue of frames with a
 * condition variable (a Setup and the first Batch go out before the host answers). A frame crosses
 * as a copy in an arena (sg17_frame_copy), never as packed bytes. An inline link has no host
 * thread: the broker's sending thread runs the host on the copy, and the answers wait in the
 * broker's mailbox. */
#include "bus/local.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "bus/frame.h"
#include "bus/host.h"

typedef struct frame_node {
    struct frame_node *next;
    sg17_frame_t *frame; /* NULL: one that did not copy (malformed, or out of memory) */
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
        sg17_frame_free(&n->frame);
        free(n);
    }
    box->tail = NULL;
}

struct sg17_local {
    pthread_mutex_t lock;
    mailbox_t to_host, to_broker;
    bool closed;
    sg17_host_t *host;  /* an inline link's host (NULL once it said quit), else NULL */
    bool is_inline;     /* the broker's thread runs the host (sg17_local_new_inline) */
    atomic_int serving; /* inline: body case of the frame the host is handling, 0 when idle */
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

sg17_local_t *sg17_local_new_inline(const sg17_module_t *module)
{
    sg17_local_t *self = sg17_local_new();
    if (!self)
        return NULL;
    self->is_inline = true;
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

/* Appends a copy of frame to box (a NULL one when it does not copy, so that the receiver counts
 * it as malformed). 0, or -1 when the link is closed or out of memory. */
static int put(sg17_local_t *self, mailbox_t *box, const sg17_frame_t *frame)
{
    sg17_frame_t *copy = sg17_frame_copy(frame);
    frame_node_t *n = malloc(sizeof *n);
    pthread_mutex_lock(&self->lock);
    bool ok = n && !self->closed;
    if (ok) {
        *n = (frame_node_t){NULL, copy};
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
        sg17_frame_free(&copy);
    }
    return ok ? 0 : -1;
}

/* Takes the first frame in box into *frame (NULL: one that did not copy), waiting until `until`
 * (NULL: forever); false on timeout or when the link is closed. */
static bool take(sg17_local_t *self, mailbox_t *box, sg17_frame_t **frame,
                 const struct timespec *until)
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
        return false;
    *frame = n->frame;
    free(n);
    return true;
}

static int reply_local(const sg17_frame_t *reply, void *arg);

/* An inline link's send: the host handles a copy of frame on this thread (a frame that does not
 * copy is dropped, as the host thread drops it). */
static int handle_inline(sg17_local_t *self, const sg17_frame_t *frame)
{
    pthread_mutex_lock(&self->lock);
    bool closed = self->closed;
    pthread_mutex_unlock(&self->lock);
    if (closed)
        return -1;
    if (!self->host) /* it said quit: nothing serves the link any more, as after the thread ends */
        return 0;
    sg17_frame_t *copy = sg17_frame_copy(frame);
    if (!copy)
        return 0;
    atomic_store(&self->serving, (int)copy->body_case);
    if (sg17_host_handle(self->host, &copy, reply_local, self) == 1)
        sg17_host_destroy(&self->host);
    atomic_store(&self->serving, 0);
    sg17_frame_free(&copy);
    return 0;
}

int sg17_local_to_host(sg17_local_t *self, const sg17_frame_t *frame)
{
    return self->is_inline ? handle_inline(self, frame) : put(self, &self->to_host, frame);
}

bool sg17_local_from_host(sg17_local_t *self, sg17_frame_t **frame, int64_t deadline_ms)
{
    struct timespec until = {.tv_sec = deadline_ms / 1000,
                             .tv_nsec = (long)(deadline_ms % 1000) * 1000000L};
    return take(self, &self->to_broker, frame, deadline_ms < 0 ? NULL : &until);
}

/* The host's answers: copied into the broker's mailbox. */
static int reply_local(const sg17_frame_t *reply, void *arg)
{
    sg17_local_t *self = arg;
    return put(self, &self->to_broker, reply);
}

void sg17_local_serve(sg17_local_t *self, const sg17_module_t *module)
{
    sg17_host_t *h = sg17_host_new(module);
    while (h) {
        sg17_frame_t *frame;
        if (!take(self, &self->to_host, &frame, NULL))
            break; /* closed */
        if (frame && sg17_host_handle(h, &frame, reply_local, self) == 1)
            break;
        sg17_frame_free(&frame);
    }
    sg17_host_destroy(&h);
}
