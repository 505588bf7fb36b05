/* broker.h — the broker's socket: a ROUTER that every module host (DEALER) connects to. It knows
 * hosts by the Hello they send, and turns whatever a peer sends that is not a valid frame into a
 * count (bus.malformed), never into a crash. Scheduling lives in engine/run.c; this is the wire. */
#ifndef SG17_BUS_BROKER_H
#define SG17_BUS_BROKER_H

#include <czmq.h>
#include <stdint.h>

#include "bus/frame.h"
#include "bus/local.h"
#include "bus/relay.h"
#include "sg17tb/module.h"
#include "util/diag.h"

typedef struct sg17_broker sg17_broker_t;

/* Binds a ROUTER on endpoint (inproc://, ipc://, tcp://). */
sg17_broker_t *sg17_broker_new(const char *endpoint, sg17_err_t *err);

/* ZeroMQ CURVE for a bus that leaves the process: the broker's secret certificate (a zcert file
 * pair made by `sg17tb keygen`) and a directory of the public certificates of the hosts allowed
 * to connect (CZMQ's zauth checks them). Traffic is then encrypted and hosts authenticated. */
typedef struct {
    const char *cert;      /* broker certificate, e.g. keys/broker.cert (its _secret beside it) */
    const char *allow_dir; /* public certificates of allowed hosts */
} sg17_curve_t;

/* As sg17_broker_new, with CURVE when curve is not NULL. */
sg17_broker_t *sg17_broker_new_curve(const char *endpoint, const sg17_curve_t *curve,
                                     sg17_err_t *err);
void sg17_broker_destroy(sg17_broker_t **self_p);

/* Waits up to timeout_ms for a live host serving `module` that is not yet claimed; claims it and
 * returns its handle (>= 0), or -1 with err set. */
int sg17_broker_wait_host(sg17_broker_t *self, const char *module, int timeout_ms, sg17_err_t *err);
/* Hands a claimed host back, for the next sg17_broker_wait_host to claim: after a run that
 * ended cleanly (after an error the host's state is unknown, so it stays claimed). */
void sg17_broker_release_host(sg17_broker_t *self, int host);
/* Registers an in-process host that serves `module` over link (bus/local.h) as a peer that said
 * hello: sg17_broker_wait_host finds it, send and recv reach it through the link (the broker
 * does not own it; it never dies apart from the process). Returns 0 or -1 (out of memory). */
int sg17_broker_add_local(sg17_broker_t *self, const char *module, sg17_local_t *link);
int sg17_broker_send(sg17_broker_t *self, int host, const sg17_frame_t *frame);
/* The next frame from `host`, waiting up to timeout_ms (-1 = forever). Frames from other peers
 * are handled on the way (hello: registered; anything else: counted as malformed). While it
 * waits it probes the host a few times a second (an empty message, which hosts ignore). NULL
 * with err set on timeout, socket failure, or when the host's connection closed: it died, or
 * missed ZeroMQ heartbeats for seconds (sg17_broker_host_dead then says so). */
sg17_frame_t *sg17_broker_recv(sg17_broker_t *self, int host, int timeout_ms, sg17_err_t *err);
/* Relays one Relay frame from host `from` to host `to`: every delivery (each envelope, and each
 * further receiver of a multicast) gets the next id (++*next_id), the frame's columns are shown
 * to sink once (the caller's ledger; may be NULL), then the frame goes on with its ids. A frame
 * in protobuf-c's layout is relayed as the bytes that arrived, ids written in place
 * (bus/relay.h); any other is decoded in full and packed again. Anything else from `from`,
 * and whatever other peers send meanwhile, is counted as malformed or registered (hello) as
 * sg17_broker_recv does. Returns the number of deliveries, or -1 with err set on timeout or
 * socket failure. */
long sg17_broker_relay(sg17_broker_t *self, int from, int to, uint64_t *next_id,
                       sg17_relay_sink_fn *sink, void *arg, int timeout_ms, sg17_err_t *err);
/* Whether the relay's sink is shown columns of one-byte entries as bytes (sg17_relay_frame_t.src8
 * ...) rather than widened: for a sink that copies them into columns of its own (a ledger). Off
 * by default. Frames that take the full decoder are always shown widened. */
void sg17_broker_relay_narrow(sg17_broker_t *self, bool narrow);
/* Most frames one sg17_broker_relay_burst call holds. */
#define SG17_RELAY_BURST_MAX 256
/* As sg17_broker_relay, for a burst of up to max_frames (1 .. SG17_RELAY_BURST_MAX) frames: waits
 * up to timeout_ms for the first, then takes those already queued from `from` (never waiting for
 * more); checks each in the order they came, gives it ids and shows it to sink (the next frame's
 * cache lines are asked for meanwhile), and forwards the burst at the end. A receiver that drained
 * its queue and sleeps is then woken once per burst, not once per frame. A frame that needs the
 * full decoder keeps its place: what the burst holds so far goes on first, then that frame
 * (decoded, or counted as malformed), then the rest. Sets *frames to the frames relayed; returns
 * their deliveries, or -1 with err set (frames taken are then forwarded or closed). */
long sg17_broker_relay_burst(sg17_broker_t *self, int from, int to, uint64_t *next_id,
                             sg17_relay_sink_fn *sink, void *arg, size_t max_frames, size_t *frames,
                             int timeout_ms, sg17_err_t *err);
/* True once `host`'s connection was found closed: it will not be claimed again (unless it says
 * hello again with the same identity). */
bool sg17_broker_host_dead(const sg17_broker_t *self, int host);
/* Sets err to what happened to a dead host ("module host 2 (module m) died during the run: ...";
 * hosts are numbered from 1 in the order they said hello). Returns -1. */
int sg17_broker_host_death(const sg17_broker_t *self, int host, sg17_err_t *err);
/* Tells every known host to quit. */
void sg17_broker_quit_hosts(sg17_broker_t *self);
uint64_t sg17_broker_malformed(const sg17_broker_t *self);
zsock_t *sg17_broker_socket(sg17_broker_t *self);

#endif
