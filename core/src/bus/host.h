/* host.h — a module host: one peer of the bus (a DEALER) that runs one module's instance for the
 * broker. It answers Setup with a fresh instance, each Batch of events (deliveries, timers, attack
 * and compromise hooks) with an Output (sends, timers, reports), and Finish with the run's module
 * and cost metrics. The same loop serves in a thread (inproc://) and in `sg17tb host` (ipc://,
 * tcp://). A crash of the module crashes the host; the broker side turns that into an `error`.
 *
 * Over tcp:// the broker may be buggy or hostile, so the host trusts no frame: a Setup whose
 * topology, configuration or attack parameters the scenario validator could not have produced,
 * an entity id outside the run's topology, or a module reporting a core metric ends the run with
 * an error (in the Output of the next Batch, or instead of Done); the host then serves the next
 * run. The frame handling is reachable without sockets (sg17_host_new / _handle / _destroy) for
 * tests and fuzzing. */
#ifndef SG17_BUS_HOST_H
#define SG17_BUS_HOST_H

#include <czmq.h>

#include "bus/frame.h"
#include "sg17tb/module.h"
#include "util/diag.h"

typedef struct sg17_host sg17_host_t;

/* Receives each frame the host answers with: an Output for a Batch, a Done (or, when the run
 * failed, an Output with its error) for a Finish. The frame and all it points to are borrowed
 * for the duration of the call. Returns 0, or -1 when the answer could not be sent. */
typedef int sg17_host_reply_fn(const sg17_frame_t *reply, void *arg);

/* A host for module, between runs. Returns NULL when out of memory. */
sg17_host_t *sg17_host_new(const sg17_module_t *module);

/* Ends the current run (destroying the module instance) and frees the host; nulls *self_p. Safe
 * to call twice. */
void sg17_host_destroy(sg17_host_t **self_p);

/* Handles one frame from the broker: Setup starts a run, Batch runs its events and answers with
 * an Output, Finish answers with the run's metrics, Quit asks the caller to stop; other bodies
 * are ignored. Takes ownership of *frame_p (decoded by sg17_frame_decode or sg17_frame_recv) and
 * nulls it; a Setup is kept for its run. Returns 1 after Quit, 0 when handled, -1 when reply
 * failed. */
int sg17_host_handle(sg17_host_t *self, sg17_frame_t **frame_p, sg17_host_reply_fn *reply,
                     void *arg);

/* Serves the broker on `dealer` (already connected) until it says quit or the socket fails.
 * Sends Hello first. Returns 0 on quit, -1 on error (err set). */
int sg17_host_serve(zsock_t *dealer, const sg17_module_t *module, sg17_err_t *err);

/* Makes `dealer` a CURVE client (before it connects): its own secret certificate and the
 * broker's public certificate. Returns 0 or -1 with err set. */
int sg17_host_curve(zsock_t *dealer, const char *cert, const char *broker_cert, sg17_err_t *err);

/* zactor task: args is the module descriptor; the endpoint to connect to arrives as the first
 * string on the pipe after the handshake. Used for in-process hosts. */
void sg17_host_actor(zsock_t *pipe, void *args);

#endif
