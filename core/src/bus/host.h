/* host.h — a module host: one peer of the bus (a DEALER) that runs one module's instance for the
 * broker. It answers Setup with a fresh instance, each Batch of events (deliveries, timers, attack
 * and compromise hooks) with an Output (sends, timers, reports), and Finish with the run's module
 * and cost metrics. The same loop serves in a thread (inproc://) and in `sg17tb host` (ipc://,
 * tcp://). A crash of the module crashes the host; the broker side turns that into an `error`. */
#ifndef SG17_BUS_HOST_H
#define SG17_BUS_HOST_H

#include <czmq.h>

#include "sg17tb/module.h"
#include "util/diag.h"

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
