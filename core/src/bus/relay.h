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

/* The deliveries of one relayed frame, as columns (the caller's ledger records them in bulk):
 * envelope i goes from src[i] to dst[i] with a message type types[type_index[i]]; with fanout, it
 * also goes to fanout[i] further receivers, listed in more_dst (envelope 0's first). Deliveries
 * are numbered from first_id on, envelope by envelope, a multicast's further receivers right
 * after it. The arrays are the relay's (sg17_relay_buf_t) or the frame's: valid during the call.
 * With a narrow buffer (sg17_relay_buf_t.narrow), src, dst and type_index are given as bytes
 * instead (src8, dst8, type_index8; the words NULL) when every one of their entries is below 128,
 * and more_dst likewise (more_dst8); otherwise the byte pointers are NULL. */
typedef struct {
    uint64_t first_id;
    size_t n; /* envelopes */
    const uint32_t *src, *dst, *type_index;
    const uint8_t *src8, *dst8, *type_index8;
    const char *const *types; /* not NUL-terminated: type_len[t] bytes each */
    const size_t *type_len;
    size_t n_types;
    const uint32_t *fanout; /* NULL when every envelope is unicast */
    const uint32_t *more_dst;
    const uint8_t *more_dst8;
    size_t n_more;
} sg17_relay_frame_t;

typedef void sg17_relay_sink_fn(void *arg, const sg17_relay_frame_t *f);

/* Where the relay decodes a frame's columns for the sink: kept from frame to frame. narrow (set by
 * the caller): columns of one-byte entries are shown as they are, not widened (a sink that copies
 * them into columns of its own widens them once, there). */
typedef struct {
    bool narrow;
    uint32_t *u32; /* src, dst, type_index, fanout and more_dst, one after another */
    size_t cap;
    const char **types;
    size_t *type_len;
    size_t cap_types;
} sg17_relay_buf_t;

void sg17_relay_buf_release(sg17_relay_buf_t *buf);
/* Room for n uint32 entries and n_types types in buf. 0, or -1 (out of memory). */
int sg17_relay_buf_reserve(sg17_relay_buf_t *buf, size_t n, size_t n_types);

/* Asks for the cache lines of frame that sg17_relay_patch reads (tags, lengths, the columns
 * before the payloads, the type index after them) and writes (the ids), without waiting for them:
 * a hint, issued a frame ahead of the patch, since a frame that queued behind others has mostly
 * left the cache and the walk would otherwise wait for its lines one miss after another. */
void sg17_relay_prefetch(const uint8_t *frame, size_t len);

/* When frame (len bytes) is a Relay frame in protobuf-c's layout, with an id for every envelope,
 * and passes the decoder's checks: assigns the deliveries the next ids (*next_id + 1 ..
 * *next_id + deliveries, as sg17_relay_frame_t numbers them), writes each envelope's into the
 * frame (its further receivers' copies, when it fans out, take the ids after it), shows the
 * frame's columns to sink when it has any envelope (decoded into buf; sink and buf may be NULL
 * together) and returns the number of deliveries.
 * Otherwise returns -1 and changes nothing. */
long sg17_relay_patch(uint8_t *frame, size_t len, uint64_t *next_id, sg17_relay_buf_t *buf,
                      sg17_relay_sink_fn *sink, void *arg);

#endif
