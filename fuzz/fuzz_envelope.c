/* fuzz_envelope.c — the broker's frame decoder on arbitrary bytes: every input is either a frame
 * or malformed, never a crash; an accepted frame is re-packed and decoded again. (A re-packed
 * frame may legitimately be refused: protobuf merges repeated sub-messages, so the checks can see
 * a different message the second time.) The broker's in-place relay (bus/relay.c) must accept
 * nothing the decoder refuses, and what it patches must decode with the ids it assigned; its sink
 * sees the decoded columns, widened or (a narrow buffer) as bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/frame.h"
#include "bus/relay.h"

/* What the relay's sink saw: a copy of the view's columns. */
typedef struct {
    int calls;
    sg17_relay_frame_t view;
    uint32_t *cols; /* src, dst, type_index, fanout, more_dst */
} seen_t;

static void keep(void *arg, const sg17_relay_frame_t *f)
{
    seen_t *s = arg;
    s->calls++;
    s->view = *f;
    size_t n = f->n, fan = f->fanout ? n : 0;
    s->cols = malloc((3 * n + fan + f->n_more + 1) * sizeof *s->cols);
    if (!s->cols)
        __builtin_trap();
    if ((f->src8 != NULL) != (f->src == NULL) || (f->src8 && (!f->dst8 || !f->type_index8))
        || (f->n_more && (f->more_dst8 != NULL) == (f->more_dst != NULL)))
        __builtin_trap(); /* a column is given once: as bytes (a narrow buffer) or as words */
    for (size_t i = 0; i < n; i++) { /* bytes widened here, as a narrow sink does */
        s->cols[i] = f->src8 ? f->src8[i] : f->src[i];
        s->cols[n + i] = f->dst8 ? f->dst8[i] : f->dst[i];
        s->cols[2 * n + i] = f->type_index8 ? f->type_index8[i] : f->type_index[i];
    }
    if (fan)
        memcpy(s->cols + 3 * n, f->fanout, n * sizeof *s->cols);
    for (size_t k = 0; k < f->n_more; k++)
        s->cols[3 * n + fan + k] = f->more_dst8 ? f->more_dst8[k] : f->more_dst[k];
    for (size_t t = 0; t < f->n_types; t++) /* every type names a string of the frame */
        if (!f->types[t] && f->type_len[t])
            __builtin_trap();
}

/* The sink saw exactly the decoded frame's columns. */
static void check_view(const seen_t *s, const Sg17__Envelopes *e)
{
    size_t n = e ? e->n_src : 0, fan = e && e->n_fanout ? n : 0;
    const sg17_relay_frame_t *v = &s->view;
    if (!n) {
        if (s->calls) /* no envelope: nothing to show */
            __builtin_trap();
        return;
    }
    if (s->calls != 1 || v->first_id != 101 || v->n != n || v->n_more != (e ? e->n_more_dst : 0)
        || (fan != 0) != (v->fanout != NULL) || v->n_types != (e ? e->n_types : 0))
        __builtin_trap();
    for (size_t i = 0; i < n; i++)
        if (s->cols[i] != e->src[i] || s->cols[n + i] != e->dst[i]
            || s->cols[2 * n + i] != e->type_index[i]
            || (fan && s->cols[3 * n + i] != e->fanout[i]))
            __builtin_trap();
    for (size_t k = 0; k < v->n_more; k++)
        if (s->cols[3 * n + fan + k] != e->more_dst[k])
            __builtin_trap();
}

/* Checks the relay against the decoder on one input, its sink shown widened columns or (narrow)
 * one-byte columns as bytes; traps on a disagreement. */
static void check_relay(const uint8_t *data, size_t size, bool narrow)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return;
    memcpy(copy, data, size);
    uint64_t next_id = 100;
    sg17_relay_buf_t buf = {.narrow = narrow};
    seen_t seen = {0};
    long n = sg17_relay_patch(copy, size, &next_id, &buf, keep, &seen);
    sg17_relay_buf_release(&buf);
    if (n < 0) {
        if (memcmp(copy, data, size) != 0 || seen.calls)
            __builtin_trap(); /* refused, yet changed or shown */
        free(copy);
        return;
    }
    sg17_frame_t *before = sg17_frame_decode(data, size);
    sg17_frame_t *after = sg17_frame_decode(copy, size);
    if (!before || !after || after->body_case != SG17__FRAME__BODY_RELAY
        || next_id != 100 + (uint64_t)n)
        __builtin_trap();
    const Sg17__Envelopes *e = after->relay->envs;
    size_t got = e ? e->n_id + e->n_more_dst : 0; /* the copies take ids after their send */
    if (got != (size_t)n)
        __builtin_trap();
    for (size_t i = 0; e && i < e->n_id; i++)
        if (e->id[i] <= 100 || e->id[i] > next_id)
            __builtin_trap();
    check_view(&seen, before->relay->envs);
    free(seen.cols);
    sg17_frame_free(&before);
    sg17_frame_free(&after);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_relay(data, size, false);
    check_relay(data, size, true);
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
