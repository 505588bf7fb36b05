/* local.h — the bus between a broker and a module host in the same process, without ZeroMQ: two
 * one-frame mailboxes (broker to host, host to broker) under a mutex. A frame crosses as a copy
 * equal to what decoding its packed bytes would give (sg17_frame_copy), checked as decoding checks
 * them, so the host sees what a socket would carry without the packing and unpacking; only the
 * transport differs (a condition variable instead of a socket pair, its poll and its event fd: far
 * fewer system calls per lookahead window, docs/architecture.md "Process model"). */
#ifndef SG17_BUS_LOCAL_H
#define SG17_BUS_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/frame.h"
#include "sg17tb/module.h"

typedef struct sg17_local sg17_local_t;

sg17_local_t *sg17_local_new(void);
/* A link without a host thread: sg17_local_to_host runs module's host on the calling thread, on
 * the same copy a host thread would get, and its answers are waiting in the broker's mailbox when
 * it returns (no thread wake-up per frame). A module that hangs hangs the caller: whoever uses it
 * watches the time from another thread (the engine). NULL when out of memory. */
sg17_local_t *sg17_local_new_inline(const sg17_module_t *module);
/* Inline link: the body case (Sg17__Frame__BodyCase) of the frame its host is handling at the
 * moment, 0 when none; safe to call from any thread. */
int sg17_local_serving(sg17_local_t *self);
/* Frees the link; both ends must be done with it. */
void sg17_local_destroy(sg17_local_t **self_p);
/* Closes the link: a host waiting for a frame stops (sg17_local_serve returns). */
void sg17_local_close(sg17_local_t *self);

/* Broker side: hands a copy of frame (the caller keeps its own) to the host. Returns 0, or -1 when
 * the link is closed or out of memory. */
int sg17_local_to_host(sg17_local_t *self, const sg17_frame_t *frame);
/* Broker side: the host's next frame into *frame (the caller frees it with sg17_frame_free; NULL:
 * a frame that was malformed), waiting until deadline_ms on CLOCK_MONOTONIC (-1: forever). False
 * on timeout or when the link is closed. */
bool sg17_local_from_host(sg17_local_t *self, sg17_frame_t **frame, int64_t deadline_ms);

/* Host side: serves module on the link until it is closed or the broker says quit (a thread's
 * body: see the engine). */
void sg17_local_serve(sg17_local_t *self, const sg17_module_t *module);

#endif
