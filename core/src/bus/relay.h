/* relay.h — the broker's relay of a Relay frame without unpacking it. A host writes its frames
 * with protobuf-c, whose layout is fixed (every field once, in field order, repeated scalars
 * packed, ids as fixed64); the relay walks that layout in the received bytes, checks everything
 * the full decoder checks (bus/frame.c), writes the broker's ids over the zeros the sender left,
 * and the same bytes go on to the receiver. Anything in another layout is not refused here: the
 * broker then decodes it in full, and that decides whether it is malformed. */
#ifndef SG17_BUS_RELAY_H
#define SG17_BUS_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One delivery of a relayed frame: an envelope, or a further receiver of a multicast one. */
typedef struct {
    uint64_t id; /* just assigned */
    uint32_t src, dst;
    const char *type; /* not NUL-terminated: type_len bytes, printable ASCII */
    size_t type_len;
    bool further;  /* a multicast's further receiver: the send was the envelope's first delivery */
    bool new_type; /* type may differ from the previous delivery's (always, for a frame's first) */
} sg17_relay_delivery_t;

typedef void sg17_relay_visit_fn(void *arg, const sg17_relay_delivery_t *d);

/* When frame (len bytes) is a Relay frame in protobuf-c's layout, with an id for every delivery
 * (more_id present whenever an envelope fans out), and passes the decoder's checks: assigns each
 * delivery the next id (++*next_id, envelope by envelope, a multicast's further receivers right
 * after it), writes the ids into the frame, calls visit for each delivery in id order and returns
 * the number of deliveries. Otherwise returns -1 and changes nothing. */
long sg17_relay_patch(uint8_t *frame, size_t len, uint64_t *next_id, sg17_relay_visit_fn *visit,
                      void *arg);

#endif
