/* fuzz_envelope.c — the broker's frame decoder on arbitrary bytes: every input is either a frame
 * or malformed, never a crash; an accepted frame is re-packed and decoded again. (A re-packed
 * frame may legitimately be refused: protobuf merges repeated sub-messages, so the checks can see
 * a different message the second time.) The broker's in-place relay (bus/relay.c) must accept
 * nothing the decoder refuses, and what it patches must decode with the ids it assigned. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/frame.h"
#include "bus/relay.h"

/* Checks the relay against the decoder on one input; traps on a disagreement. */
static void check_relay(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return;
    memcpy(copy, data, size);
    uint64_t next_id = 100;
    long n = sg17_relay_patch(copy, size, &next_id, NULL, NULL, NULL);
    if (n < 0) {
        if (memcmp(copy, data, size) != 0)
            __builtin_trap(); /* refused, yet changed */
        free(copy);
        return;
    }
    sg17_frame_t *before = sg17_frame_decode(data, size);
    sg17_frame_t *after = sg17_frame_decode(copy, size);
    if (!before || !after || after->body_case != SG17__FRAME__BODY_RELAY
        || next_id != 100 + (uint64_t)n)
        __builtin_trap();
    const Sg17__Envelopes *e = after->relay->envs;
    size_t got = e ? e->n_id + e->n_more_id : 0;
    if (got != (size_t)n)
        __builtin_trap();
    for (size_t i = 0; e && i < e->n_id; i++)
        if (e->id[i] <= 100 || e->id[i] > next_id)
            __builtin_trap();
    sg17_frame_free(&before);
    sg17_frame_free(&after);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_relay(data, size);
    sg17_frame_t *f = sg17_frame_decode(data, size);
    if (!f)
        return 0;
    size_t len = sg17__frame__get_packed_size(f);
    uint8_t *buf = malloc(len ? len : 1);
    if (buf) {
        sg17__frame__pack(f, buf);
        sg17_frame_t *again = sg17_frame_decode(buf, len);
        sg17_frame_free(&again);
        free(buf);
    }
    sg17_frame_free(&f);
    return 0;
}
