/* frame.h — the bus wire format: every ZeroMQ message between the broker and a module host is
 * one protobuf `sg17.Frame` (core/proto/bus.proto). Decoding is defensive: a frame that does not
 * unpack, carries no body or an envelope of another version is reported as malformed, and the
 * caller counts and drops it. */
#ifndef SG17_BUS_FRAME_H
#define SG17_BUS_FRAME_H

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.pb-c.h"
#include "envelope.pb-c.h"

#define SG17_ENVELOPE_VERSION 2 /* 2: fixed64 ids, payloads in one string, a type table */
/* Most receivers one multicast envelope may fan out to (sg17.Envelopes.fanout). */
#define SG17_MAX_FANOUT 65535

typedef Sg17__Frame sg17_frame_t;

/* ---- envelope columns (sg17.Envelopes) ---- */

/* A column set under construction: the arrays and the payload bytes are the builder's, type
 * strings are borrowed from the caller and must outlive the send. */
typedef struct {
    Sg17__Envelopes cols; /* ready to put in a frame once n > 0 */
    size_t cap;
    size_t cap_more;  /* of the more_dst column */
    size_t cap_bytes; /* of cols.payloads, which the set owns (a copy of each payload) */
    size_t cap_types; /* of cols.types */
} sg17_envcols_t;

/* Appends env (its id, src, dst, type, sent_at and payload) with the frame's time and injected
 * flag. Returns 0 or -1 (out of memory; nothing appended). */
int sg17_envcols_add(sg17_envcols_t *c, const Sg17__Envelope *env, uint64_t time, bool injected);
/* Makes the last envelope added a multicast: it also goes to the n receivers dsts (at most
 * SG17_MAX_FANOUT in all). Returns 0 or -1 (out of memory or too many; nothing changed). */
int sg17_envcols_fan_out(sg17_envcols_t *c, const uint32_t *dsts, size_t n);
size_t sg17_envcols_count(const sg17_envcols_t *c);
/* Empties the set and keeps its arrays for the next frame. */
void sg17_envcols_clear(sg17_envcols_t *c);
void sg17_envcols_release(sg17_envcols_t *c);

/* Number of envelopes in a decoded column set (NULL counts as empty). */
size_t sg17_envcols_size(const Sg17__Envelopes *cols);
/* Envelope i of a decoded set as a borrowed view (pointers into the frame). */
void sg17_envcols_get(const Sg17__Envelopes *cols, size_t i, Sg17__Envelope *view);
/* How many receivers envelope i has beyond dst[i] (0: unicast). */
size_t sg17_envcols_fanout(const Sg17__Envelopes *cols, size_t i);

/* Packs and sends a frame on sock (as one message part, after `routing` if not NULL: the peer
 * identity on a ROUTER). Returns 0 or -1. */
int sg17_frame_send(zsock_t *sock, zframe_t *routing, const sg17_frame_t *frame);

/* Unpacks one frame (into an arena: see frame.c); NULL if malformed. Free only with
 * sg17_frame_free, never with protobuf-c's free_unpacked. */
sg17_frame_t *sg17_frame_decode(const uint8_t *data, size_t len);
/* A copy of frame in an arena, equal to decoding its packed bytes and checked as decoding checks
 * them (the frame of a host in the same process: no bytes in between); NULL if malformed or out
 * of memory. */
sg17_frame_t *sg17_frame_copy(const sg17_frame_t *frame);
void sg17_frame_free(sg17_frame_t **frame_p);

/* Receives one message's parts: on a ROUTER (routing_p not NULL) the peer identity into
 * *routing_p (caller destroys), then the body into *body (caller closes). Returns 1, 0 on
 * interrupt/error (body closed), or -1 when the parts are not identity + body or body alone
 * (consumed, body closed): malformed. */
int sg17_msg_recv(zsock_t *sock, zframe_t **routing_p, zmq_msg_t *body);
/* As sg17_msg_recv on a ROUTER, with the peer identity received into *routing (the caller
 * closes it when 1 is returned) instead of a new zframe. With flags ZMQ_DONTWAIT, 0 also when
 * nothing is queued. */
int sg17_msg_recv_routed(zsock_t *sock, zmq_msg_t *routing, zmq_msg_t *body, int flags);
/* As sg17_msg_recv, without waiting: 0 also when no message is queued. */
int sg17_msg_try_recv(zsock_t *sock, zframe_t **routing_p, zmq_msg_t *body);
/* Receives one message: on a ROUTER, *routing_p receives the peer identity (caller destroys).
 * Returns the frame, or NULL with *malformed set to 1 when bytes arrived but did not decode
 * (the message is consumed), or NULL with *malformed 0 on interrupt/error. */
sg17_frame_t *sg17_frame_recv(zsock_t *sock, zframe_t **routing_p, int *malformed);

/* How receivers wait (see frame.c): spin briefly before blocking when each of concurrent_runs
 * runs (a broker thread and a host thread each) can have two cores; otherwise block at once.
 * Call before starting brokers or hosts; the default is to block. */
void sg17_bus_plan_waiting(unsigned concurrent_runs);
/* How the process's allocator treats the bus's blocks (see frame.c): one arena for every thread,
 * up to 32 MiB of a heap's free top kept instead of given back to the kernel after every burst of
 * frees, blocks under 32 MiB from the heap. Call once, first thing in main, before any thread
 * starts (a no-op outside glibc). */
void sg17_bus_plan_memory(void);
/* While spinning (sg17_bus_plan_waiting): true when sock has a message now or gets one within the
 * spin budget. False means poll: zmq_poll looks at the socket before it blocks. */
bool sg17_sock_readable_soon(zsock_t *sock);

/* ZMTP heartbeats (ZMTP 3.1 PING/PONG) on every connection sock makes from now on, on both ends
 * of a bus that leaves the process: a peer silent for SG17_HEARTBEAT_TIMEOUT_MS (a machine that
 * vanished, a partition) has its connection closed, so the broker notices a dead host within
 * seconds and a host a dead broker. Call before bind/connect. */
#define SG17_HEARTBEAT_IVL_MS     1000
#define SG17_HEARTBEAT_TIMEOUT_MS 5000
void sg17_bus_heartbeat(zsock_t *sock);

#endif
