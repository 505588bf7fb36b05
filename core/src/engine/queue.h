/* queue.h — the scheduler's event queue: a binary min-heap ordered by (time, seq). seq is the
 * broker's global counter (message ids and timer sequence numbers come from it), so equal-time
 * events run in the order they were created and every run of a scenario is deterministic. */
#ifndef SG17_ENGINE_QUEUE_H
#define SG17_ENGINE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "sg17tb/module.h"

typedef enum {
    SG17_EV_DELIVER, /* ptr: Sg17__Envelope to deliver (owned by the event) */
    SG17_EV_TIMER,   /* entity, tag */
    SG17_EV_ACTION,  /* tag: index of the scenario action */
    SG17_EV_FLOOD,   /* tag: index of the flood action; ptr unused */
    SG17_EV_START,
} sg17_event_kind_t;

typedef struct {
    sg17_time_t time;
    uint64_t seq;
    uint32_t kind;
    uint32_t entity;
    uint64_t tag;
    void *ptr;
} sg17_event_t;

typedef struct {
    sg17_event_t *heap;
    size_t n, cap;
} sg17_queue_t;

int sg17_queue_push(sg17_queue_t *q, const sg17_event_t *ev);
/* Pops the earliest event into *ev; -1 if empty. */
int sg17_queue_pop(sg17_queue_t *q, sg17_event_t *ev);
/* The earliest event, or NULL. */
const sg17_event_t *sg17_queue_peek(const sg17_queue_t *q);
/* Frees the heap; calls drop(ev) for every remaining event first (may be NULL). */
void sg17_queue_clear(sg17_queue_t *q, void (*drop)(sg17_event_t *ev));

#endif
