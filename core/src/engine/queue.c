/* queue.c — min-heap of events by (time, seq), four children per node: half the levels of a
 * binary heap, and a node's children share a cache line or two, so a pop (the scheduler's
 * hottest loop with thousands of pending timers) touches fewer lines. (time, seq) is a total
 * order (seq is unique), so the pop order does not depend on the heap's shape. */
#include "engine/queue.h"

#include <stdlib.h>

#define ARITY 4

static int before(const sg17_event_t *a, const sg17_event_t *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

int sg17_queue_push(sg17_queue_t *q, const sg17_event_t *ev)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 1024;
        sg17_event_t *h = realloc(q->heap, cap * sizeof *h);
        if (!h)
            return -1;
        q->heap = h;
        q->cap = cap;
    }
    size_t i = q->n++;
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!before(ev, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = *ev;
    return 0;
}

int sg17_queue_pop(sg17_queue_t *q, sg17_event_t *ev)
{
    if (!q->n)
        return -1;
    *ev = q->heap[0];
    size_t n = --q->n;
    if (!n)
        return 0;
    const sg17_event_t last = q->heap[n];
    size_t i = 0;
    while (true) { /* sift the last event down from the root into the hole */
        size_t first = ARITY * i + 1;
        if (first >= n)
            break;
        size_t end = first + ARITY < n ? first + ARITY : n, m = first;
        for (size_t c = first + 1; c < end; c++)
            if (before(&q->heap[c], &q->heap[m]))
                m = c;
        if (!before(&q->heap[m], &last))
            break;
        q->heap[i] = q->heap[m];
        i = m;
    }
    q->heap[i] = last;
    return 0;
}

const sg17_event_t *sg17_queue_peek(const sg17_queue_t *q)
{
    return q->n ? &q->heap[0] : NULL;
}

void sg17_queue_clear(sg17_queue_t *q, void (*drop)(sg17_event_t *ev))
{
    if (drop)
        for (size_t i = 0; i < q->n; i++)
            drop(&q->heap[i]);
    free(q->heap);
    q->heap = NULL;
    q->n = q->cap = 0;
}
