/* local.h — the bus between a broker and a module host in the same process, without ZeroMQ and
 * without a thread of the host's own: the broker's send runs the host on the calling thread, and
 * its answers wait in a queue under a mutex until the broker takes them. A frame crosses as a copy
 * equal to what decoding its packed bytes would give (sg17_frame_copy), checked as decoding checks
 * them, so the host sees what a socket would carry without the packing and unpacking; only the
 * transport differs (a function call instead of a socket pair, its poll and its event fd: no
 * system call and no thread wake-up per lookahead window, docs/architecture.md "Process model").
 * A module that hangs hangs the sender: whoever makes runs on a link watches the time from
 * another thread (the engine). */
#ifndef SG17_BUS_LOCAL_H
#define SG17_BUS_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/frame.h"
#include "sg17tb/module.h"

typedef struct sg17_local sg17_local_t;

/* A link to a new host of module; NULL when out of memory. */
sg17_local_t *sg17_local_new(const sg17_module_t *module);
/* Frees the link and its host (ending the host's current run). */
void sg17_local_destroy(sg17_local_t **self_p);
/* Closes the link: sends fail and no answer is returned from then on. */
void sg17_local_close(sg17_local_t *self);
/* The body case (Sg17__Frame__BodyCase) of the frame the host is handling at the moment, 0 when
 * none; safe to call from any thread (the engine's watcher names what a hung run waited for). */
int sg17_local_serving(sg17_local_t *self);

/* Broker side: the host handles a copy of frame (the caller keeps its own) before this returns; a
 * frame that does not copy is dropped, as a host drops one that does not decode. Returns 0, or -1
 * when the link is closed. */
int sg17_local_to_host(sg17_local_t *self, const sg17_frame_t *frame);
/* Broker side: the host's next answer into *frame (the caller frees it with sg17_frame_free; NULL:
 * an answer that did not copy, malformed). The answers to a frame are there when its send
 * returned, so nothing waits. False when there is no answer or the link is closed. */
bool sg17_local_from_host(sg17_local_t *self, sg17_frame_t **frame);

#endif
