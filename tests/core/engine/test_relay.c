/* test_relay.c — the broker's relay of Relay frames (bus/relay.c, sg17_broker_relay): ids written
 * into the received bytes for every envelope, unicast or multicast (whose copies take the ids
 * after it), nothing the full
 * decoder refuses let through, other layouts relayed through the decoder, malformed frames
 * counted. */
#include <criterion/criterion.h>
#include <czmq.h>

#include "bus/broker.h"

/* Packs the columns c as a Relay frame and releases c. The bytes (malloc'd); their length in
 * *len. */
static uint8_t *pack_relay(sg17_envcols_t *c, size_t *len)
{
    Sg17__Relay r = SG17__RELAY__INIT;
    r.envs = &c->cols;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_RELAY;
    f.relay = &r;
    *len = sg17__frame__get_packed_size(&f);
    uint8_t *bytes = malloc(*len);
    sg17__frame__pack(&f, bytes);
    sg17_envcols_release(c);
    return bytes;
}

/* A packed Relay frame of two envelopes; with multicast the second fans out to 5, 6 and 7. */
static uint8_t *relay_frame(bool multicast, size_t *len)
{
    Sg17__Envelope a = SG17__ENVELOPE__INIT, b = SG17__ENVELOPE__INIT;
    a.src = 1, a.dst = 2, a.type = "t.one", a.payload = (ProtobufCBinaryData){3, (uint8_t *)"abc"};
    b.src = 3, b.dst = 4, b.type = "t.two", b.payload = (ProtobufCBinaryData){2, (uint8_t *)"de"};
    sg17_envcols_t c = {0};
    sg17_envcols_add(&c, &a, 10, false);
    sg17_envcols_add(&c, &b, 20, false);
    uint32_t more[] = {5, 6, 7};
    if (multicast)
        sg17_envcols_fan_out(&c, more, 3);
    return pack_relay(&c, len);
}

/* frame (len bytes) packed again with the first type's name outside ASCII: a layout the relay
 * leaves to the full decoder, which accepts it (malloc'd; its length in *out_len). */
static uint8_t *decoders_layout(const uint8_t *frame, size_t len, size_t *out_len)
{
    sg17_frame_t *f = sg17_frame_decode(frame, len);
    cr_assert_not_null(f);
    f->relay->envs->types[0] = "t.\xc3\xb6ne";
    *out_len = sg17__frame__get_packed_size(f);
    uint8_t *bytes = malloc(*out_len);
    sg17__frame__pack(f, bytes);
    sg17_frame_free(&f);
    return bytes;
}

/* What the sink saw of one frame (copied: the view is valid during the call only). */
typedef struct {
    int calls;
    uint64_t first_id;
    size_t n, n_types, n_more;
    uint32_t src[4], dst[4], type_index[4], fanout[4], more_dst[4];
    bool fans_out;
    char types[4][8];
} seen_t;

static void note(void *arg, const sg17_relay_frame_t *f)
{
    seen_t *v = arg;
    v->calls++;
    v->first_id = f->first_id;
    v->n = f->n;
    v->n_types = f->n_types;
    v->n_more = f->n_more;
    v->fans_out = f->fanout != NULL;
    for (size_t i = 0; i < f->n && i < 4; i++) {
        v->src[i] = f->src[i];
        v->dst[i] = f->dst[i];
        v->type_index[i] = f->type_index[i];
        v->fanout[i] = f->fanout ? f->fanout[i] : 0;
    }
    for (size_t i = 0; i < f->n_more && i < 4; i++)
        v->more_dst[i] = f->more_dst[i];
    for (size_t t = 0; t < f->n_types && t < 4; t++)
        snprintf(v->types[t], sizeof v->types[t], "%.*s", (int)f->type_len[t], f->types[t]);
}

Test(relay, ids_are_written_in_place_for_every_delivery_of_a_multicast)
{
    size_t len;
    uint8_t *bytes = relay_frame(true, &len);
    uint64_t next_id = 40;
    seen_t v = {0};
    sg17_relay_buf_t buf = {0};
    cr_assert_eq(sg17_relay_patch(bytes, len, &next_id, &buf, note, &v), 5);
    cr_assert_eq(next_id, 45);
    /* the frame's columns, numbered from 41: envelope by envelope, a multicast's further
     * receivers right after it (41 -> 2, 42 -> 4, 43..45 -> 5, 6, 7) */
    cr_assert(v.calls == 1 && v.first_id == 41 && v.n == 2 && v.n_more == 3 && v.fans_out);
    cr_assert(v.src[0] == 1 && v.dst[0] == 2 && v.src[1] == 3 && v.dst[1] == 4);
    cr_assert(v.fanout[0] == 0 && v.fanout[1] == 3);
    cr_assert(v.more_dst[0] == 5 && v.more_dst[1] == 6 && v.more_dst[2] == 7);
    cr_assert(v.n_types == 2 && strcmp(v.types[v.type_index[0]], "t.one") == 0
              && strcmp(v.types[v.type_index[1]], "t.two") == 0);
    sg17_relay_buf_release(&buf);
    sg17_frame_t *f = sg17_frame_decode(bytes, len);
    cr_assert_not_null(f);
    const Sg17__Envelopes *e = f->relay->envs;
    cr_assert(e->id[0] == 41 && e->id[1] == 42, "43 .. 45, the copies', are implied");
    sg17_frame_free(&f);
    free(bytes);
}

Test(relay, accepts_no_mutation_the_decoder_refuses_and_changes_nothing_it_refuses)
{
    size_t len;
    uint8_t *good = relay_frame(true, &len);
    uint8_t *copy = malloc(len);
    size_t accepted = 0;
    /* every single-byte change to every position, a few values each */
    static const uint8_t values[] = {0x00, 0x01, 0x02, 0x07, 0x12, 0x2a, 0x7f, 0x80, 0xff};
    for (size_t i = 0; i < len; i++)
        for (size_t k = 0; k < sizeof values; k++) {
            memcpy(copy, good, len);
            copy[i] = values[k];
            uint8_t *before = malloc(len);
            memcpy(before, copy, len);
            uint64_t next_id = 0;
            long n = sg17_relay_patch(copy, len, &next_id, NULL, NULL, NULL);
            if (n < 0) {
                cr_assert(memcmp(copy, before, len) == 0, "refused at %zu, yet changed", i);
            } else {
                accepted++;
                sg17_frame_t *f = sg17_frame_decode(before, len);
                cr_assert_not_null(f,
                                   "relay accepted a frame the decoder refuses (byte %zu = %02x)",
                                   i, values[k]);
                sg17_frame_free(&f);
            }
            free(before);
        }
    cr_assert_gt(accepted, 0, "payload and id bytes may change freely");
    /* a truncated frame is never relayed in place */
    for (size_t cut = 0; cut < len; cut++) {
        memcpy(copy, good, len);
        uint64_t next_id = 0;
        cr_assert_lt(sg17_relay_patch(copy, cut, &next_id, NULL, NULL, NULL), 0);
    }
    free(copy);
    free(good);
}

/* A packed Relay frame of n envelopes of payload_len bytes each (payload ends of two bytes from
 * 128 on), from entity i to entity i + 1, two types; with multicast, envelope i also goes to
 * i % 3 further receivers, and envelope 5 to 37. The broker's id columns hold zeros. */
static size_t wide_fanout(size_t i)
{
    return i == 5 ? 37 : i % 3;
}

static uint8_t *wide_frame(size_t n, size_t payload_len, bool multicast, size_t *len)
{
    uint8_t *payload = calloc(1, payload_len);
    sg17_envcols_t c = {0};
    uint32_t more[37];
    for (size_t k = 0; k < 37; k++)
        more[k] = (uint32_t)(60 + k);
    size_t further = 0;
    for (size_t i = 0; i < n; i++) {
        Sg17__Envelope e = SG17__ENVELOPE__INIT;
        e.src = (uint32_t)i, e.dst = (uint32_t)i + 1, e.type = i % 2 ? "t.odd" : "t.even";
        e.payload = (ProtobufCBinaryData){payload_len, payload};
        sg17_envcols_add(&c, &e, 7, false);
        if (multicast) {
            sg17_envcols_fan_out(&c, more, wide_fanout(i));
            further += wide_fanout(i);
        }
    }
    uint8_t *bytes = pack_relay(&c, len);
    free(payload);
    return bytes;
}

Test(relay,
     frames_of_every_size_get_their_ids_in_order_and_wide_columns_are_checked_as_the_decoder_does)
{
    /* every count from 1 to 40 (the vector paths take ids two at a time, payload ends eight and
     * bytes sixteen, the rest one by one), unicast and multicast: ids 1.. envelope by envelope,
     * further receivers after theirs */
    for (int multicast = 0; multicast < 2; multicast++)
        for (size_t n = 1; n <= 40; n++) {
            size_t len;
            uint8_t *bytes = wide_frame(n, 150, multicast, &len);
            uint64_t next_id = 0;
            long got = sg17_relay_patch(bytes, len, &next_id, NULL, NULL, NULL);
            sg17_frame_t *f = sg17_frame_decode(bytes, len);
            cr_assert_not_null(f);
            const Sg17__Envelopes *e = f->relay->envs;
            cr_assert_eq(got, (long)(n + e->n_more_dst), "%zu envelopes", n);
            cr_assert_eq(next_id, (uint64_t)got);
            uint64_t id = 0;
            for (size_t i = 0; i < n; i++) {
                cr_assert_eq(e->id[i], ++id, "envelope %zu of %zu", i, n);
                id += sg17_envcols_fanout(e, i); /* its copies' ids */
            }
            sg17_frame_free(&f);
            free(bytes);
        }
    /* every single-byte change of a frame of 24 envelopes: accepted only when the decoder
     * accepts it too (a payload end out of order inside a block of eight, among others) */
    size_t len;
    uint8_t *good = wide_frame(24, 150, true, &len);
    uint8_t *copy = malloc(len);
    static const uint8_t values[] = {0x00, 0x01, 0x7f, 0x80, 0x81, 0xff};
    size_t refused = 0;
    for (size_t i = 0; i < len; i++)
        for (size_t k = 0; k < sizeof values; k++) {
            memcpy(copy, good, len);
            copy[i] = values[k];
            uint8_t *before = malloc(len);
            memcpy(before, copy, len);
            uint64_t next_id = 0;
            if (sg17_relay_patch(copy, len, &next_id, NULL, NULL, NULL) >= 0) {
                sg17_frame_t *f = sg17_frame_decode(before, len);
                cr_assert_not_null(f, "relay accepted what the decoder refuses (byte %zu = %02x)",
                                   i, values[k]);
                sg17_frame_free(&f);
            } else {
                refused++;
            }
            free(before);
        }
    cr_assert_gt(refused, 0);
    free(copy);
    free(good);
}

/* What a narrow sink saw: whether it got bytes, and the columns widened here. */
typedef struct {
    bool bytes, more_bytes;
    uint32_t src[64], dst[64], type_index[64], more[256];
    size_t n, n_more;
} narrow_seen_t;

static void note_narrow(void *arg, const sg17_relay_frame_t *f)
{
    narrow_seen_t *v = arg;
    v->bytes = f->src8 != NULL;
    v->more_bytes = f->more_dst8 != NULL;
    cr_assert((f->src8 != NULL) == (f->dst8 != NULL)
              && (f->src8 != NULL) == (f->type_index8 != NULL));
    cr_assert((f->src8 != NULL) == (f->src == NULL), "bytes or words, never both");
    v->n = f->n;
    v->n_more = f->n_more;
    for (size_t i = 0; i < f->n && i < 64; i++) {
        v->src[i] = f->src8 ? f->src8[i] : f->src[i];
        v->dst[i] = f->dst8 ? f->dst8[i] : f->dst[i];
        v->type_index[i] = f->type_index8 ? f->type_index8[i] : f->type_index[i];
    }
    for (size_t k = 0; k < f->n_more && k < 256; k++)
        v->more[k] = f->more_dst8 ? f->more_dst8[k] : f->more_dst[k];
}

Test(relay, a_narrow_sink_gets_one_byte_columns_as_bytes_and_wider_ones_as_words)
{
    for (int wide = 0; wide < 2; wide++) {
        size_t len;
        uint8_t *bytes = wide_frame(30, 150, true, &len);
        if (wide) { /* one receiver id of two bytes: words for the trio, bytes still for more */
            sg17_frame_t *f = sg17_frame_decode(bytes, len);
            f->relay->envs->dst[7] = 300;
            free(bytes);
            len = sg17__frame__get_packed_size(f);
            bytes = malloc(len);
            sg17__frame__pack(f, bytes);
            sg17_frame_free(&f);
        }
        sg17_relay_buf_t buf = {.narrow = true};
        narrow_seen_t v = {0};
        uint64_t next_id = 0;
        cr_assert_gt(sg17_relay_patch(bytes, len, &next_id, &buf, note_narrow, &v), 0);
        cr_assert_eq(v.bytes, !wide);
        cr_assert(v.more_bytes);
        sg17_frame_t *f = sg17_frame_decode(bytes, len);
        const Sg17__Envelopes *e = f->relay->envs;
        cr_assert(v.n == e->n_src && v.n_more == e->n_more_dst);
        for (size_t i = 0; i < v.n; i++)
            cr_assert(v.src[i] == e->src[i] && v.dst[i] == e->dst[i]
                          && v.type_index[i] == e->type_index[i],
                      "envelope %zu", i);
        for (size_t k = 0; k < v.n_more; k++)
            cr_assert_eq(v.more[k], e->more_dst[k]);
        sg17_frame_free(&f);
        sg17_relay_buf_release(&buf);
        free(bytes);
    }
}

Test(relay, a_frame_in_another_layout_is_left_to_the_decoder)
{
    size_t len, len2;
    uint8_t *bytes = relay_frame(true, &len);
    uint8_t *bytes2 = decoders_layout(bytes, len, &len2);
    sg17_frame_t *f = sg17_frame_decode(bytes2, len2);
    cr_assert_not_null(f, "the decoder accepts it");
    sg17_frame_free(&f);
    uint64_t next_id = 0;
    cr_assert_lt(sg17_relay_patch(bytes2, len2, &next_id, NULL, NULL, NULL), 0);
    cr_assert_eq(next_id, 0);
    free(bytes2);
    free(bytes);
}

static zsock_t *peer(const char *endpoint, const char *name)
{
    zsock_t *s = zsock_new_dealer(endpoint);
    Sg17__Hello h = SG17__HELLO__INIT;
    h.module = (char *)name;
    h.abi = SG17_MODULE_ABI_MAJOR;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_HELLO;
    f.hello = &h;
    sg17_frame_send(s, NULL, &f);
    return s;
}

/* A broker on endpoint with two hosts that said hello: a sends, z receives. */
typedef struct {
    sg17_broker_t *b;
    zsock_t *a, *z;
    int from, to;
} pair_t;

static pair_t relay_pair(const char *endpoint)
{
    sg17_err_t err;
    pair_t p = {sg17_broker_new(endpoint, &err), NULL, NULL, -1, -1};
    cr_assert_not_null(p.b, "%s", err.msg);
    p.a = peer(endpoint, "relay-a");
    p.z = peer(endpoint, "relay-z");
    p.from = sg17_broker_wait_host(p.b, "relay-a", 2000, &err);
    p.to = sg17_broker_wait_host(p.b, "relay-z", 2000, &err);
    cr_assert(p.from >= 0 && p.to >= 0);
    return p;
}

static void pair_destroy(pair_t *p)
{
    zsock_destroy(&p->a);
    zsock_destroy(&p->z);
    sg17_broker_destroy(&p->b);
}

/* The next Relay frame host z receives (the broker's liveness probes skipped), or NULL. */
static sg17_frame_t *next_relay(zsock_t *z)
{
    for (int tries = 0; tries < 8; tries++) {
        int malformed;
        sg17_frame_t *got = sg17_frame_recv(z, NULL, &malformed);
        if (got && got->body_case == SG17__FRAME__BODY_RELAY)
            return got;
        sg17_frame_free(&got);
    }
    return NULL;
}

Test(relay, broker_relays_both_layouts_and_counts_what_does_not_decode)
{
    sg17_err_t err;
    pair_t p = relay_pair("inproc://relay-test");
    sg17_broker_t *b = p.b;
    zsock_t *a = p.a, *z = p.z;
    int from = p.from, to = p.to;

    size_t len;
    uint8_t *bytes = relay_frame(true, &len);
    zmq_send(zsock_resolve(a), "garbage", 7, 0); /* malformed: counted, skipped */
    sg17_frame_t *ragged = sg17_frame_decode(bytes, len);
    ragged->relay->envs->n_more_dst = 2; /* fanouts that add up to 3, two receivers listed */
    sg17_frame_send(a, NULL, ragged);    /* a malformed multicast: counted, skipped */
    sg17_frame_free(&ragged);
    zmq_send(zsock_resolve(a), bytes, len, 0); /* relayed in place */
    size_t len2;
    uint8_t *other = decoders_layout(bytes, len, &len2);
    zmq_send(zsock_resolve(a), other, len2, 0); /* decoded, ids added, packed again */
    free(other);
    uint64_t next_id = 0;
    seen_t v = {0};
    cr_assert_eq(sg17_broker_relay(b, from, to, &next_id, note, &v, 2000, &err), 5);
    cr_assert_eq(sg17_broker_malformed(b), 2);
    cr_assert(v.calls == 1 && v.first_id == 1 && v.n == 2 && v.n_more == 3);
    /* the decoder's path shows the sink the same columns */
    seen_t w = {0};
    cr_assert_eq(sg17_broker_relay(b, from, to, &next_id, note, &w, 2000, &err), 5);
    cr_assert_eq(next_id, 10);
    cr_assert(w.calls == 1 && w.first_id == 6 && w.n == 2 && w.n_more == 3 && w.fans_out);
    cr_assert(w.dst[1] == 4 && w.fanout[1] == 3 && w.more_dst[2] == 7);
    cr_assert_str_eq(w.types[w.type_index[1]], "t.two");
    for (uint64_t first = 1; first <= 6; first += 5) {
        sg17_frame_t *got = next_relay(z);
        cr_assert_not_null(got);
        const Sg17__Envelopes *e = got->relay->envs;
        cr_assert(e->id[0] == first && e->id[1] == first + 1);
        cr_assert(e->n_fanout == 2 && e->fanout[1] == 3, "copies first + 2 .. first + 4");
        sg17_frame_free(&got);
    }
    cr_assert_lt(sg17_broker_relay(b, from, to, &next_id, NULL, NULL, 50, &err), 0, "timeout");
    free(bytes);
    pair_destroy(&p);
}

Test(relay, a_burst_forwards_the_queued_frames_in_order_and_what_needs_the_decoder_keeps_its_place)
{
    sg17_err_t err;
    pair_t p = relay_pair("inproc://relay-burst");
    size_t len, frames = 99;
    uint64_t next_id = 0;
    cr_assert_lt(
        sg17_broker_relay_burst(p.b, p.from, p.to, &next_id, NULL, NULL, 0, &frames, 50, &err), 0,
        "a burst of no frames");
    cr_assert_eq(frames, 0);

    uint8_t *bytes = relay_frame(true, &len);
    for (int i = 0; i < 3; i++)
        zmq_send(zsock_resolve(p.a), bytes, len, 0);
    zmq_send(zsock_resolve(p.a), "garbage", 7, 0); /* counted */
    size_t len2;
    uint8_t *other = decoders_layout(bytes, len, &len2);
    zmq_send(zsock_resolve(p.a), other, len2, 0); /* decoded, numbered, packed again */
    free(other);
    for (int i = 0; i < 6; i++)
        zmq_send(zsock_resolve(p.a), bytes, len, 0);

    seen_t v = {0};
    cr_assert_eq(
        sg17_broker_relay_burst(p.b, p.from, p.to, &next_id, note, &v, 8, &frames, 2000, &err), 35,
        "%s", err.msg);
    cr_assert_eq(frames, 7, "eight taken: the garbage is not relayed, the decoded frame is");
    cr_assert_eq(v.calls, 7, "the sink sees each frame relayed");
    cr_assert_eq(sg17_broker_malformed(p.b), 1);
    cr_assert_eq(
        sg17_broker_relay_burst(p.b, p.from, p.to, &next_id, NULL, NULL, 2, &frames, 2000, &err),
        10);
    cr_assert_eq(frames, 2, "no more than asked for");
    cr_assert_eq(sg17_broker_relay(p.b, p.from, p.to, &next_id, NULL, NULL, 2000, &err), 5);
    cr_assert_eq(next_id, 50);
    for (uint64_t first = 1; first <= 46; first += 5) { /* in the order they were sent */
        sg17_frame_t *got = next_relay(p.z);
        cr_assert_not_null(got);
        const Sg17__Envelopes *e = got->relay->envs;
        cr_assert(e->id[0] == first && e->id[1] == first + 1, "frame from %" PRIu64, first);
        cr_assert(e->n_fanout == 2 && e->fanout[1] == 3);
        sg17_frame_free(&got);
    }
    cr_assert_lt(
        sg17_broker_relay_burst(p.b, p.from, p.to, &next_id, NULL, NULL, 4, &frames, 50, &err), 0,
        "timeout");
    cr_assert_eq(frames, 0);
    free(bytes);
    pair_destroy(&p);
}
