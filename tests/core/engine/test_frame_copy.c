/* test_frame_copy.c — sg17_frame_copy (the in-process link's frames) gives what packing a frame and
 * decoding the bytes gives: the same packed bytes again, the values packing normalises (a signed
 * zero, a bool other than 1, an absent string) as decoding has them, and the same frames refused
 * as malformed. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "bus/frame.h"

/* The frame as decoding its packed bytes gives it (NULL: malformed). */
static sg17_frame_t *round_trip(const sg17_frame_t *f)
{
    static uint8_t buf[1 << 16];
    size_t len = sg17__frame__get_packed_size(f);
    cr_assert_lt(len, sizeof buf);
    sg17__frame__pack(f, buf);
    return sg17_frame_decode(buf, len);
}

/* Both frames pack to the same bytes. */
static void assert_same_bytes(const sg17_frame_t *a, const sg17_frame_t *b)
{
    size_t la = sg17__frame__get_packed_size(a), lb = sg17__frame__get_packed_size(b);
    cr_assert_eq(la, lb);
    uint8_t *x = malloc(la + 1), *y = malloc(lb + 1);
    cr_assert(x && y);
    sg17__frame__pack(a, x);
    sg17__frame__pack(b, y);
    cr_assert_eq(memcmp(x, y, la), 0);
    free(x);
    free(y);
}

Test(frame_copy, an_output_copies_as_its_bytes_decode)
{
    sg17_envcols_t c = {0};
    Sg17__Envelope e = SG17__ENVELOPE__INIT;
    e.src = 1, e.dst = 2, e.type = "t.reading";
    e.payload = (ProtobufCBinaryData){3, (uint8_t *)"abc"};
    cr_assert_eq(sg17_envcols_add(&c, &e, 10, false), 0);
    e.type = "t.command", e.payload = (ProtobufCBinaryData){0, NULL};
    cr_assert_eq(sg17_envcols_add(&c, &e, 11, true), 0);
    c.cols.injected[1] = 2; /* any true value: the wire carries 1 */

    Sg17__Timer timer = SG17__TIMER__INIT, *timers[] = {&timer};
    timer.entity = 4, timer.time = 99, timer.tag = 7;
    Sg17__Report report = SG17__REPORT__INIT, *reports[] = {&report};
    report.id = 12, report.accepted = 1, report.reason = NULL; /* absent: decodes as "" */
    Sg17__Metric m0 = SG17__METRIC__INIT, m1 = SG17__METRIC__INIT, *metrics[] = {&m0, &m1};
    m0.name = "meter.sent", m0.value = -0.0; /* proto3 leaves a zero out: it decodes as +0 */
    m1.name = "meter.ratio", m1.value = -1.5, m1.absolute = 1;
    Sg17__Output out = SG17__OUTPUT__INIT;
    out.sends = &c.cols;
    out.timers = timers, out.n_timers = 1;
    out.reports = reports, out.n_reports = 1;
    out.metrics = metrics, out.n_metrics = 2;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_OUTPUT, f.output = &out;

    sg17_frame_t *copy = sg17_frame_copy(&f), *decoded = round_trip(&f);
    cr_assert(copy && decoded);
    assert_same_bytes(copy, decoded);
    assert_same_bytes(copy, &f);
    const Sg17__Output *o = copy->output;
    cr_assert_eq(sg17_envcols_size(o->sends), 2);
    cr_assert_eq(o->sends->injected[0], 0);
    cr_assert_eq(o->sends->injected[1], 1);
    Sg17__Envelope got;
    sg17_envcols_get(o->sends, 0, &got);
    cr_assert_str_eq(got.type, "t.reading");
    cr_assert_eq(got.payload.len, 3);
    cr_assert_eq(memcmp(got.payload.data, "abc", 3), 0);
    cr_assert_neq((void *)got.payload.data, (void *)c.cols.payloads.data, "a copy, not a view");
    cr_assert_str_eq(o->reports[0]->reason, decoded->output->reports[0]->reason);
    cr_assert_str_eq(o->reports[0]->reason, "");
    cr_assert_eq(o->metrics[0]->value, 0);
    cr_assert_eq(signbit(o->metrics[0]->value), signbit(decoded->output->metrics[0]->value));
    cr_assert_eq(o->metrics[1]->value, -1.5);
    cr_assert_eq(o->timers[0]->tag, 7);
    cr_assert_str_eq(o->error, decoded->output->error); /* both "" */
    sg17_frame_free(&copy);
    sg17_frame_free(&decoded);
    cr_assert_null(copy);
    sg17_envcols_release(&c);
}

Test(frame_copy, a_batch_with_params_and_captures_copies_as_its_bytes_decode)
{
    Sg17__KeyValue kv = SG17__KEY_VALUE__INIT, *params[] = {&kv};
    kv.key = "rate", kv.value = "5";
    Sg17__Envelope cap = SG17__ENVELOPE__INIT, *captured[] = {&cap};
    cap.version = SG17_ENVELOPE_VERSION, cap.id = 3, cap.type = "t.x";
    cap.payload = (ProtobufCBinaryData){2, (uint8_t *)"hi"};
    Sg17__Event ev = SG17__EVENT__INIT, start = SG17__EVENT__INIT, *events[] = {&start, &ev};
    start.kind = SG17__EVENT__KIND__START;
    ev.kind = SG17__EVENT__KIND__ATTACK, ev.time = 5, ev.seq = 6, ev.name = "replay";
    ev.params = params, ev.n_params = 1, ev.captured = captured, ev.n_captured = 1;
    Sg17__Batch batch = SG17__BATCH__INIT;
    batch.window_end = 1000, batch.events = events, batch.n_events = 2;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_BATCH, f.batch = &batch;

    sg17_frame_t *copy = sg17_frame_copy(&f), *decoded = round_trip(&f);
    cr_assert(copy && decoded);
    assert_same_bytes(copy, decoded);
    const Sg17__Event *got = copy->batch->events[1];
    cr_assert_str_eq(got->params[0]->value, "5");
    cr_assert_neq((void *)got->params[0]->key, (void *)kv.key, "a copy, not a view");
    cr_assert_eq(got->captured[0]->payload.len, 2);
    cr_assert_null(copy->batch->deliveries);
    cr_assert_str_eq(copy->batch->events[0]->name, decoded->batch->events[0]->name);
    sg17_frame_free(&copy);
    sg17_frame_free(&decoded);
}

Test(frame_copy, frames_that_decoding_refuses_do_not_copy)
{
    Sg17__Frame empty = SG17__FRAME__INIT; /* no body */
    cr_assert_null(sg17_frame_copy(&empty));
    Sg17__Frame no_batch = SG17__FRAME__INIT; /* a body case without its message packs as none */
    no_batch.body_case = SG17__FRAME__BODY_BATCH;
    cr_assert_null(round_trip(&no_batch));
    cr_assert_null(sg17_frame_copy(&no_batch));

    Sg17__Event deliver = SG17__EVENT__INIT, *events[] = {&deliver}; /* kind DELIVER */
    Sg17__Batch batch = SG17__BATCH__INIT;
    batch.events = events, batch.n_events = 1;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_BATCH, f.batch = &batch;
    cr_assert_null(round_trip(&f));
    cr_assert_null(sg17_frame_copy(&f));

    sg17_envcols_t c = {0};
    Sg17__Envelope e = SG17__ENVELOPE__INIT;
    e.type = "t.x";
    cr_assert_eq(sg17_envcols_add(&c, &e, 1, false), 0);
    c.cols.n_time = 0; /* columns of different lengths */
    Sg17__Output out = SG17__OUTPUT__INIT;
    out.sends = &c.cols;
    Sg17__Frame o = SG17__FRAME__INIT;
    o.body_case = SG17__FRAME__BODY_OUTPUT, o.output = &out;
    cr_assert_null(round_trip(&o));
    cr_assert_null(sg17_frame_copy(&o));
    c.cols.n_time = 1;
    sg17_envcols_release(&c);

    Sg17__Frame quit = SG17__FRAME__INIT;
    quit.body_case = SG17__FRAME__BODY_QUIT, quit.quit = "$TERM";
    sg17_frame_t *q = sg17_frame_copy(&quit);
    cr_assert(q);
    cr_assert_eq(q->body_case, SG17__FRAME__BODY_QUIT);
    cr_assert_str_eq(q->quit, "$TERM");
    sg17_frame_free(&q);
}
