/* queue.c — binary min-heap of events by (time, seq). */
#include "engine/queue.h"

#include <stdlib.h>

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
        size_t parent = (i - 1) / 2;
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
    sg17_event_t last = q->heap[--q->n];
    size_t i = 0;
    while (true) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const sg17_event_t *best = &last;
        if (l < q->n && before(&q->heap[l], best)) {
            m = l;
            best = &q->heap[l];
        }
        if (r < q->n && before(&q->heap[r], best))
            m = r;
        if (m == i)
            break;
        q->heap[i] = q->heap[m];
        i = m;
    }
    if (q->n)
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
