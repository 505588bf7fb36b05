/* frame.h — the bus wire format: every ZeroMQ message between the broker and a module host is
 * one protobuf `sg17.Frame` (core/proto/bus.proto). Decoding is defensive: a frame that does not
 * unpack, carries no body or an envelope of another version is reported as malformed, and the
 * caller counts and drops it. */
#ifndef SG17_BUS_FRAME_H
#define SG17_BUS_FRAME_H

#include <czmq.h>
#include <stdint.h>

#include "bus.pb-c.h"
#include "envelope.pb-c.h"

#define SG17_ENVELOPE_VERSION 1

typedef Sg17__Frame sg17_frame_t;

/* Packs and sends a frame on sock (as one message part, after `routing` if not NULL: the peer
 * identity on a ROUTER). Returns 0 or -1. */
int sg17_frame_send(zsock_t *sock, zframe_t *routing, const sg17_frame_t *frame);

/* Unpacks one frame (into an arena: see frame.c); NULL if malformed. Free only with
 * sg17_frame_free, never with protobuf-c's free_unpacked. */
sg17_frame_t *sg17_frame_decode(const uint8_t *data, size_t len);
void sg17_frame_free(sg17_frame_t **frame_p);

/* Receives one message: on a ROUTER, *routing_p receives the peer identity (caller destroys).
 * Returns the frame, or NULL with *malformed set to 1 when bytes arrived but did not decode
 * (the message is consumed), or NULL with *malformed 0 on interrupt/error. */
sg17_frame_t *sg17_frame_recv(zsock_t *sock, zframe_t **routing_p, int *malformed);

#endif
