/* test_host.c — the module host against hostile or buggy brokers, driven without sockets through
 * sg17_host_new/_handle/_destroy: Setups the scenario validator could not produce, entity ids
 * outside the run, undeclared or malformed attacks and a module reporting core metrics each end
 * the run with a host error, and the host serves the next run. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/host.h"

/* ---- a small metering-like module: meters send readings to one head-end ---- */

typedef struct {
    unsigned n_meters;
    unsigned *readings; /* per meter, indexed by sg17_entity_index: ASan sees a bad index */
    unsigned *heard;    /* per meter, readings the head-end accepted from it */
    sg17_entity_t hes;
    const char *cheat; /* a metric finish sets, "" for none */
} tm_t;

#define TAG_CHEAT      7 /* a timer with this tag reports a core metric */
#define TAG_REUSE      8 /* metrics and sends named from one reused buffer */
#define TAG_MANY_TYPES 9 /* sends of more types than the host interns */
#define MANY_TYPES     70

typedef struct {
    uint64_t burst;
    const char *cheat;
} tm_config_t;

static char tm_seen_run_id[16]; /* what the last create read through sg17_run_id */

static void *tm_create(sg17_ctx_t *ctx, const void *config)
{
    const tm_config_t *cfg = config;
    snprintf(tm_seen_run_id, sizeof tm_seen_run_id, "%s", sg17_run_id(ctx));
    tm_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->n_meters = sg17_count(ctx, "meter");
    t->readings = calloc(t->n_meters + 1, sizeof *t->readings);
    t->heard = calloc(t->n_meters + 1, sizeof *t->heard);
    t->hes = sg17_entity(ctx, "hes", 0);
    t->cheat = cfg->cheat; /* the core's copy lives for the whole run */
    if (!t->readings || !t->heard) {
        free(t->readings), free(t->heard), free(t);
        sg17_log(ctx, "out of memory");
        return NULL;
    }
    return t;
}

static void tm_destroy(void *instance)
{
    tm_t *t = instance;
    free(t->readings);
    free(t->heard);
    free(t);
}

static void tm_start(void *instance, sg17_ctx_t *ctx)
{
    tm_t *t = instance;
    for (unsigned i = 0; i < t->n_meters; i++)
        sg17_timer(ctx, sg17_entity(ctx, "meter", i), 1000, 0);
}

static bool is_meter(sg17_ctx_t *ctx, sg17_entity_t e)
{
    return strcmp(sg17_entity_kind(ctx, e), "meter") == 0;
}

static void tm_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    tm_t *t = instance;
    if (tag == TAG_CHEAT) {
        sg17_metric_add(ctx, "ledger.accepted.replayed", -1e9);
        return;
    }
    if (tag == TAG_REUSE || tag == TAG_MANY_TYPES) { /* the same pointer, other names each time */
        char name[32];
        uint8_t one = 0x42;
        for (unsigned i = 0; i < (tag == TAG_REUSE ? 3u : MANY_TYPES); i++) {
            snprintf(name, sizeof name, "tm.m%u", i % 3);
            sg17_metric_add(ctx, name, i + 1);
            snprintf(name, sizeof name, "tm.t%u", i);
            sg17_send(ctx, e, t->hes, name, &one, 1);
        }
        return;
    }
    if (!is_meter(ctx, e))
        return;
    t->readings[sg17_entity_index(ctx, e)]++;
    uint8_t reading[4] = {0x42, 0, 0, (uint8_t)tag};
    if (t->hes != SG17_NO_ENTITY)
        sg17_send(ctx, e, t->hes, "tm.reading", reading, sizeof reading);
    sg17_metric_add(ctx, "meter.sent", 1);
}

static void tm_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    tm_t *t = instance;
    if (m->len >= 1 && m->payload[0] == 0x43) { /* a reason the module does not declare */
        sg17_reject(ctx, m, "made_up");
        return;
    }
    if (m->len < 1 || m->payload[0] != 0x42 || !is_meter(ctx, m->claimed_src)) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    t->heard[sg17_entity_index(ctx, m->claimed_src)]++;
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "hes.readings", 1);
}

static int tm_forge(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    tm_t *t = instance;
    unsigned count = (unsigned)sg17_param_number(ctx, p, "count", 1);
    for (size_t i = 0; i < sg17_captured_count(ctx, p); i++) {
        const sg17_msg_t *m = sg17_captured(ctx, p, i);
        if (is_meter(ctx, m->dst))
            t->readings[sg17_entity_index(ctx, m->dst)]++;
        sg17_inject(ctx, m->claimed_src, m->dst, m->type, m->payload, m->len);
    }
    uint8_t forged[4] = {0x42, 0xff, 0xff, 0xff};
    for (unsigned i = 0; i < count && i < 16; i++)
        sg17_inject(ctx, sg17_entity(ctx, "meter", 0), t->hes, "tm.reading", forged, sizeof forged);
    return 0;
}

static void tm_finish(void *instance, sg17_ctx_t *ctx)
{
    tm_t *t = instance;
    unsigned total = 0;
    for (unsigned i = 0; i < t->n_meters; i++)
        total += t->heard[i];
    sg17_metric_set(ctx, "hes.heard", total);
    if (*t->cheat)
        sg17_metric_set(ctx, t->cheat, -1e9);
}

static const sg17_entity_kind_t tm_kinds[] = {
    {"meter", "sends readings", 3, 0, 1000, tm_on_message, tm_on_timer},
    {"hes", "collects them", 1, 1, 1, tm_on_message, tm_on_timer},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};
static const sg17_config_key_t tm_config[] = {
    {"burst", SG17_TYPE_COUNT, "1", "readings per timer", offsetof(tm_config_t, burst), {0, 0}},
    {"cheat",
     SG17_TYPE_STRING,
     "",
     "a metric finish sets (tests only)",
     offsetof(tm_config_t, cheat),
     {0, 0}},
    {NULL, 0, NULL, NULL, 0, {0, 0}},
};
static const sg17_param_t forge_params[] = {
    {"count", SG17_TYPE_COUNT, false, "how many forged readings", {0, 1000}},
    {"victim", SG17_TYPE_ENTITY, true, "the meter to impersonate", {0, 0}},
    {"capture", SG17_TYPE_STRING, false, "readings to replay", {0, 0}},
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_attack_t tm_attacks[] = {
    {"forge", "inject readings", NULL, forge_params, tm_forge},
    {NULL, NULL, NULL, NULL, NULL},
};
static const sg17_reason_t tm_reasons[] = {{"malformed", "not a reading"}, {NULL, NULL}};
static const char *const tm_types[] = {"tm.reading", NULL};

static const sg17_module_t tm_module = {
    SG17_MODULE_HEADER,
    .name = "tm",
    .recommendation = "TEST",
    .title = "host test module",
    .version = "1",
    .entity_kinds = tm_kinds,
    .config = tm_config,
    .attacks = tm_attacks,
    .reasons = tm_reasons,
    .message_types = tm_types,
    .config_size = sizeof(tm_config_t),
    .create = tm_create,
    .destroy = tm_destroy,
    .start = tm_start,
    .finish = tm_finish,
};

/* ---- frames as a broker would send them ---- */

/* Packs a frame and decodes it again, as it arrives off the bus (the host takes decoded frames). */
static sg17_frame_t *wire(const Sg17__Frame *f)
{
    size_t len = sg17__frame__get_packed_size(f);
    uint8_t *buf = malloc(len ? len : 1);
    cr_assert_not_null(buf);
    sg17__frame__pack(f, buf);
    sg17_frame_t *d = sg17_frame_decode(buf, len);
    free(buf);
    cr_assert_not_null(d, "the test built a frame that does not decode");
    return d;
}

typedef struct {
    const char *kind;
    uint32_t count, first;
} kind_t;

static const kind_t good_kinds[] = {{"meter", 3, 0}, {"hes", 1, 3}}; /* meters 0-2, hes 3 */
static const char *const good_config[] = {"burst", "2", "cheat", "", NULL};

static const char *setup_run_id = "0123abcd"; /* the run_id the next Setup carries */

/* A Setup with these kinds and config (key, value, ..., NULL). */
static sg17_frame_t *setup_frame(const kind_t *kinds, size_t n_kinds, const char *const *config)
{
    Sg17__EntityKind k[8], *kp[8];
    Sg17__KeyValue kv[8], *kvp[8];
    cr_assert(n_kinds <= 8);
    Sg17__Setup s = SG17__SETUP__INIT;
    s.scenario = "tm/test";
    s.run = "baseline";
    s.run_id = (char *)setup_run_id;
    s.seed = 7;
    s.duration = 60 * SG17_SEC;
    for (size_t i = 0; i < n_kinds; i++) {
        sg17__entity_kind__init(&k[i]);
        k[i].kind = (char *)kinds[i].kind;
        k[i].count = kinds[i].count;
        k[i].first = kinds[i].first;
        kp[i] = &k[i];
    }
    s.kinds = kp;
    s.n_kinds = n_kinds;
    for (size_t i = 0; config[2 * i]; i++) {
        cr_assert(i < 8);
        sg17__key_value__init(&kv[i]);
        kv[i].key = (char *)config[2 * i];
        kv[i].value = (char *)config[2 * i + 1];
        kvp[i] = &kv[i];
        s.n_config = i + 1;
    }
    s.config = kvp;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_SETUP;
    f.setup = &s;
    return wire(&f);
}

static Sg17__Event event(Sg17__Event__Kind kind, sg17_time_t time, uint64_t seq, uint32_t entity,
                         uint64_t tag)
{
    Sg17__Event ev = SG17__EVENT__INIT;
    ev.kind = kind;
    ev.time = time;
    ev.seq = seq;
    ev.entity = entity;
    ev.tag = tag;
    return ev;
}

/* A Batch of these events (and deliveries, may be NULL) ending at window_end. */
static sg17_frame_t *batch_frame(Sg17__Event *events, size_t n, const Sg17__Envelopes *deliveries,
                                 sg17_time_t window_end)
{
    Sg17__Event *evp[16];
    cr_assert(n <= 16);
    for (size_t i = 0; i < n; i++)
        evp[i] = &events[i];
    Sg17__Batch b = SG17__BATCH__INIT;
    b.window_end = window_end;
    b.events = evp;
    b.n_events = n;
    b.deliveries = (Sg17__Envelopes *)deliveries;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_BATCH;
    f.batch = &b;
    return wire(&f);
}

static sg17_frame_t *finish_frame(void)
{
    Sg17__Finish fin = SG17__FINISH__INIT;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_FINISH;
    f.finish = &fin;
    return wire(&f);
}

/* Keeps the host's last answer, re-decoded as the broker would see it. */
static int keep_reply(const sg17_frame_t *reply, void *arg)
{
    sg17_frame_t **last = arg;
    sg17_frame_free(last);
    *last = wire(reply);
    return 0;
}

/* Hands frame to the host and returns its answer (NULL for none; the caller frees it). */
static sg17_frame_t *feed(sg17_host_t *h, sg17_frame_t *frame)
{
    sg17_frame_t *reply = NULL;
    cr_assert_eq(sg17_host_handle(h, &frame, keep_reply, &reply), 0);
    cr_assert_null(frame, "the host takes the frame");
    return reply;
}

/* The error of a Batch's Output ("" when the run is fine). */
static char *output_error(sg17_frame_t *reply)
{
    static char error[600];
    cr_assert_not_null(reply);
    cr_assert_eq(reply->body_case, SG17__FRAME__BODY_OUTPUT);
    snprintf(error, sizeof error, "%s", reply->output->error);
    sg17_frame_free(&reply);
    return error;
}

/* Starts a run with these kinds and config and returns the error of its first Batch (START). */
static char *start_run(sg17_host_t *h, const kind_t *kinds, size_t n_kinds,
                       const char *const *config)
{
    cr_assert_null(feed(h, setup_frame(kinds, n_kinds, config)), "a setup has no answer");
    Sg17__Event start = event(SG17__EVENT__KIND__START, 0, 1, 0, 0);
    return output_error(feed(h, batch_frame(&start, 1, NULL, 1)));
}

static void assert_error_has(const char *error, const char *part)
{
    cr_assert(strstr(error, part), "error '%s' does not mention '%s'", error, part);
}

/* Adds a reading (first byte kind) with this id from src to dst to dl, delivered at 2000. */
static void add_reading(sg17_envcols_t *dl, uint8_t kind, uint64_t id, uint32_t src, uint32_t dst)
{
    Sg17__Envelope env = SG17__ENVELOPE__INIT;
    uint8_t reading[4] = {kind, 0, 0, 0};
    env.version = SG17_ENVELOPE_VERSION;
    env.type = "tm.reading";
    env.payload.data = reading;
    env.payload.len = sizeof reading;
    env.id = id, env.src = src, env.dst = dst;
    cr_assert_eq(sg17_envcols_add(dl, &env, 2000, false), 0);
}

/* ---- a run that is fine ---- */

/* The Output's sends' types, in order, joined by spaces. */
static const char *send_types(const sg17_frame_t *out, char *buf, size_t size)
{
    const Sg17__Envelopes *s = out->output->sends;
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < sg17_envcols_size(s) && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? " " : "",
                                 s->types[s->type_index[i]]);
    return buf;
}

static double done_metric(const sg17_frame_t *done, const char *name)
{
    for (size_t i = 0; i < done->done->n_metrics; i++)
        if (strcmp(done->done->metrics[i]->name, name) == 0)
            return done->done->metrics[i]->value;
    return -1;
}

Test(host, names_from_a_reused_buffer_keep_their_own_metrics_types_and_costs)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    cr_assert_not_null(h);
    cr_assert_str_empty(start_run(h, good_kinds, 2, good_config));
    char types[4096];
    for (int round = 0; round < 2; round++) { /* the second round hits the host's caches */
        Sg17__Event tick = event(SG17__EVENT__KIND__TIMER, 1000 + round, 2, 1, TAG_REUSE);
        sg17_frame_t *out = feed(h, batch_frame(&tick, 1, NULL, 1001 + round));
        cr_assert_str_empty(out->output->error);
        cr_assert_str_eq(send_types(out, types, sizeof types), "tm.t0 tm.t1 tm.t2");
        sg17_frame_free(&out);
    }
    /* more types than the host interns: each send still carries its own */
    Sg17__Event many = event(SG17__EVENT__KIND__TIMER, 1500, 3, 2, TAG_MANY_TYPES);
    sg17_frame_t *out = feed(h, batch_frame(&many, 1, NULL, 1501));
    cr_assert_str_empty(out->output->error);
    cr_assert_eq(sg17_envcols_size(out->output->sends), MANY_TYPES);
    for (size_t i = 0; i < MANY_TYPES; i++) {
        char want[16];
        snprintf(want, sizeof want, "tm.t%zu", i);
        const Sg17__Envelopes *s = out->output->sends;
        cr_assert_str_eq(s->types[s->type_index[i]], want);
    }
    sg17_frame_free(&out);
    /* deliveries of two types in one batch, then of one of them in the next: each type's cost */
    for (int round = 0; round < 2; round++) {
        sg17_envcols_t dl = {0};
        Sg17__Envelope env = SG17__ENVELOPE__INIT;
        uint8_t reading[4] = {0x42, 0, 0, 0};
        env.version = SG17_ENVELOPE_VERSION;
        env.payload.data = reading;
        env.payload.len = sizeof reading;
        env.src = 1, env.dst = 3;
        const char *kinds[2] = {round ? "tm.t2" : "tm.t1", "tm.t2"};
        for (int k = 0; k < 2; k++) {
            env.type = (char *)kinds[k];
            env.id = 10 + 2 * (uint64_t)round + (uint64_t)k;
            cr_assert_eq(sg17_envcols_add(&dl, &env, 2000, false), 0);
        }
        out = feed(h, batch_frame(NULL, 0, &dl.cols, 2001 + round));
        sg17_envcols_release(&dl);
        cr_assert_str_empty(out->output->error);
        cr_assert_eq(out->output->n_reports, 2);
        sg17_frame_free(&out);
    }
    sg17_frame_t *done = feed(h, finish_frame());
    cr_assert_eq(done->body_case, SG17__FRAME__BODY_DONE);
    /* tm.m<k> got i + 1 for every i = k mod 3: rounds 1 and 2 (i < 3), then i < 70 */
    double want[3] = {0, 0, 0};
    for (unsigned i = 0; i < 3; i++)
        want[i % 3] += 2.0 * (i + 1);
    for (unsigned i = 0; i < MANY_TYPES; i++)
        want[i % 3] += i + 1;
    cr_assert_eq(done_metric(done, "tm.m0"), want[0]);
    cr_assert_eq(done_metric(done, "tm.m1"), want[1]);
    cr_assert_eq(done_metric(done, "tm.m2"), want[2]);
    cr_assert_geq(done_metric(done, "cost.message.tm.t1.us"), 0);
    cr_assert_geq(done_metric(done, "cost.message.tm.t2.us"), 0);
    cr_assert_lt(done_metric(done, "cost.message.tm.t3.us"), 0, "no delivery of tm.t3: no cost");
    cr_assert_lt(done_metric(done, "cost.attack.us"), 0, "no attack: no cost.attack.us");
    cr_assert_geq(done_metric(done, "cost.timer.us"), 0);
    sg17_frame_free(&done);
    sg17_host_destroy(&h);
}

Test(host, serves_a_valid_run_from_setup_to_done)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    cr_assert_not_null(h);
    cr_assert_str_empty(start_run(h, good_kinds, 2, good_config));

    Sg17__Event tick = event(SG17__EVENT__KIND__TIMER, 1000, 2, 1, 0); /* meter-1 */
    sg17_frame_t *out = feed(h, batch_frame(&tick, 1, NULL, 1001));
    cr_assert_str_empty(out->output->error);
    cr_assert_eq(sg17_envcols_size(out->output->sends), 1);
    cr_assert_eq(out->output->sends->src[0], 1);
    cr_assert_eq(out->output->sends->dst[0], 3);
    sg17_frame_free(&out);

    /* the reading arrives at the head-end; an injection claims no source */
    sg17_envcols_t dl = {0};
    add_reading(&dl, 0x42, 10, 1, 3);
    add_reading(&dl, 0x42, 11, SG17_NO_ENTITY, 3);
    out = feed(h, batch_frame(NULL, 0, &dl.cols, 2001));
    sg17_envcols_release(&dl);
    cr_assert_str_empty(out->output->error);
    cr_assert_eq(out->output->n_reports, 2);
    cr_assert(out->output->reports[0]->accepted);
    cr_assert_not(out->output->reports[1]->accepted);
    sg17_frame_free(&out);

    sg17_frame_t *done = feed(h, finish_frame());
    cr_assert_eq(done->body_case, SG17__FRAME__BODY_DONE);
    bool heard = false, cost = false;
    for (size_t i = 0; i < done->done->n_metrics; i++) {
        const Sg17__Metric *m = done->done->metrics[i];
        heard |= strcmp(m->name, "hes.heard") == 0 && m->value == 1;
        cost |= strncmp(m->name, "cost.", 5) == 0;
    }
    cr_assert(heard && cost, "Done carries the module's and the host's metrics");
    sg17_frame_free(&done);
    sg17_host_destroy(&h);
    cr_assert_null(h);
    sg17_host_destroy(&h);
}

Test(host, quit_asks_the_caller_to_stop_and_batch_before_setup_is_an_error)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    Sg17__Event start = event(SG17__EVENT__KIND__START, 0, 1, 0, 0);
    assert_error_has(output_error(feed(h, batch_frame(&start, 1, NULL, 1))), "batch before setup");
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_QUIT;
    f.quit = "bye";
    sg17_frame_t *quit = wire(&f);
    cr_assert_eq(sg17_host_handle(h, &quit, keep_reply, NULL), 1);
    sg17_host_destroy(&h);
}

/* ---- Setup topologies the validator could not produce ---- */

Test(host, setup_naming_a_kind_twice_ends_the_run_and_the_next_run_is_served)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    /* sg17_count("meter") would say 1 while meter ids ran to 1000 */
    const kind_t twice[] = {{"meter", 1, 0}, {"meter", 1000, 1}};
    assert_error_has(start_run(h, twice, 2, good_config), "'meter' twice");
    cr_assert_str_empty(start_run(h, good_kinds, 2, good_config), "the host serves the next run");
    sg17_host_destroy(&h);
}

Test(host, setup_with_overlapping_or_gapped_ids_ends_the_run)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    const kind_t overlap[] = {{"meter", 10, 0}, {"hes", 1, 5}};
    assert_error_has(start_run(h, overlap, 2, good_config), "expected 10");
    const kind_t gap[] = {{"meter", 10, 0}, {"hes", 1, 11}};
    assert_error_has(start_run(h, gap, 2, good_config), "expected 10");
    const kind_t wrap[] = {{"meter", 1000, UINT32_MAX - 10}, {"hes", 1, 989}};
    assert_error_has(start_run(h, wrap, 2, good_config), "expected 0");
    sg17_host_destroy(&h);
}

Test(host, setup_with_undeclared_kind_or_count_beyond_max_ends_the_run)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    const kind_t ghost[] = {{"meter", 2, 0}, {"ghost", 1, 2}};
    assert_error_has(start_run(h, ghost, 2, good_config),
                     "'ghost', which module tm does not declare");
    const kind_t many[] = {{"meter", 1001, 0}, {"hes", 1, 1001}};
    assert_error_has(start_run(h, many, 2, good_config), "at most 1000");
    const kind_t hes2[] = {{"meter", 3, 0}, {"hes", 2, 3}};
    assert_error_has(start_run(h, hes2, 2, good_config), "at most 1");
    sg17_host_destroy(&h);
}

Test(host, setup_below_a_kinds_minimum_count_ends_the_run)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    const kind_t no_hes[] = {{"meter", 3, 0}, {"hes", 0, 3}};
    assert_error_has(start_run(h, no_hes, 2, good_config), "allows at least 1");
    const kind_t hes_missing[] = {{"meter", 3, 0}};
    assert_error_has(start_run(h, hes_missing, 1, good_config),
                     "setup has no hes entities; module tm needs at least 1");
    cr_assert_str_empty(start_run(h, good_kinds, 2, good_config), "the host serves the next run");
    sg17_host_destroy(&h);
}

Test(host, setup_with_config_out_of_normal_form_ends_the_run)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    const char *const negative[] = {"burst", "-1", "cheat", "", NULL};
    assert_error_has(start_run(h, good_kinds, 2, negative), "burst = '-1'");
    const char *const huge[] = {"burst", "1000000001", "cheat", "", NULL};
    assert_error_has(start_run(h, good_kinds, 2, huge), "not a whole number");
    const char *const padded[] = {"burst", "02", "cheat", "", NULL};
    assert_error_has(start_run(h, good_kinds, 2, padded), "burst = '02'");
    const char *const missing[] = {"cheat", "", NULL};
    assert_error_has(start_run(h, good_kinds, 2, missing), "lacks config key 'burst'");
    const char *const extra[] = {"burst", "1", "cheat", "", "sneaky", "1", NULL};
    assert_error_has(start_run(h, good_kinds, 2, extra), "'sneaky'");
    const char *const twice[] = {"burst", "1", "cheat", "", "burst", "2", NULL};
    assert_error_has(start_run(h, good_kinds, 2, twice), "'burst' twice");
    sg17_host_destroy(&h);
}

Test(host, the_module_reads_the_setups_run_id_and_a_malformed_one_ends_the_run)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    cr_assert_str_empty(start_run(h, good_kinds, 2, good_config));
    cr_assert_str_eq(tm_seen_run_id, "0123abcd");
    const char *const bad[] = {"0123ABCD", "0123abc", "0123abcde", "0123abcg", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        setup_run_id = bad[i];
        assert_error_has(start_run(h, good_kinds, 2, good_config), "run_id");
    }
    setup_run_id = "0123abcd";
    cr_assert_str_empty(start_run(h, good_kinds, 2, good_config), "the host serves the next run");
    sg17_host_destroy(&h);
}

/* ---- entity ids outside the run ---- */

Test(host, timer_or_compromise_for_an_entity_outside_the_run_ends_it_without_crashing)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    const uint32_t bad[] = {4, 500, SG17_NO_ENTITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_str_empty(start_run(h, good_kinds, 2, good_config));
        Sg17__Event tick = event(SG17__EVENT__KIND__TIMER, 1000, 2, bad[i], 0);
        char want[64];
        snprintf(want, sizeof want, "entity %u, but this run has 4", bad[i]);
        assert_error_has(output_error(feed(h, batch_frame(&tick, 1, NULL, 1001))), want);

        cr_assert_str_empty(start_run(h, good_kinds, 2, good_config));
        Sg17__Event comp = event(SG17__EVENT__KIND__COMPROMISE, 1000, 2, bad[i], 0);
        assert_error_has(output_error(feed(h, batch_frame(&comp, 1, NULL, 1001))), want);
    }
    sg17_host_destroy(&h);
}

Test(host, delivery_to_or_from_an_entity_outside_the_run_ends_it)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    const struct {
        uint32_t src, dst;
        const char *want;
    } rows[] = {
        {1, 99, "destination names entity 99"},
        {99, 3, "claimed source names entity 99"},
        {1, SG17_NO_ENTITY, "destination names entity 4294967295"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cr_assert_str_empty(start_run(h, good_kinds, 2, good_config));
        sg17_envcols_t dl = {0};
        add_reading(&dl, 0x42, 10, rows[i].src, rows[i].dst);
        sg17_frame_t *b = batch_frame(NULL, 0, &dl.cols, 2001);
        sg17_envcols_release(&dl);
        assert_error_has(output_error(feed(h, b)), rows[i].want);
    }
    sg17_host_destroy(&h);
}

/* A delivery of one reading (first byte `kind`) from meter 1 to the hes. */
static sg17_frame_t *reading_batch(uint8_t kind)
{
    sg17_envcols_t dl = {0};
    add_reading(&dl, kind, 10, 1, 3);
    sg17_frame_t *b = batch_frame(NULL, 0, &dl.cols, 2001);
    sg17_envcols_release(&dl);
    return b;
}

Test(host, rejection_with_a_reason_the_module_does_not_declare_ends_the_run)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    cr_assert_str_empty(start_run(h, good_kinds, 2, good_config));
    sg17_frame_t *ok = feed(h, reading_batch(0x42)); /* accepted */
    cr_assert(ok && ok->body_case == SG17__FRAME__BODY_OUTPUT && ok->output->n_reports == 1);
    cr_assert(ok->output->reports[0]->accepted);
    cr_assert_str_empty(output_error(ok));
    sg17_frame_t *bad = feed(h, reading_batch(0x41)); /* rejected as "malformed": declared */
    cr_assert(bad && bad->body_case == SG17__FRAME__BODY_OUTPUT && bad->output->n_reports == 1);
    cr_assert_str_eq(bad->output->reports[0]->reason, "malformed");
    cr_assert_str_empty(output_error(bad));
    assert_error_has(output_error(feed(h, reading_batch(0x43))),
                     "reason 'made_up', which module tm does not declare");
    /* the next run is served */
    cr_assert_str_empty(start_run(h, good_kinds, 2, good_config));
    sg17_host_destroy(&h);
}

/* An ATTACK event for forge with these parameters (key, value, ..., NULL) and one captured
 * envelope from src to dst (none when dst is 0). */
static char *attack_error(sg17_host_t *h, const char *name, const char *const *params, uint32_t src,
                          uint32_t dst)
{
    cr_assert_str_empty(start_run(h, good_kinds, 2, good_config));
    Sg17__KeyValue kv[8], *kvp[8];
    Sg17__Event ev = event(SG17__EVENT__KIND__ATTACK, 1000, 2, 0, 0);
    ev.name = (char *)name;
    for (size_t i = 0; params[2 * i]; i++) {
        sg17__key_value__init(&kv[i]);
        kv[i].key = (char *)params[2 * i];
        kv[i].value = (char *)params[2 * i + 1];
        kvp[i] = &kv[i];
        ev.n_params = i + 1;
    }
    ev.params = kvp;
    Sg17__Envelope cap = SG17__ENVELOPE__INIT, *capp = &cap;
    uint8_t reading[4] = {0x42, 1, 2, 3};
    cap.version = SG17_ENVELOPE_VERSION;
    cap.type = "tm.reading";
    cap.payload.data = reading;
    cap.payload.len = sizeof reading;
    cap.id = 5, cap.src = src, cap.dst = dst;
    if (dst) {
        ev.captured = &capp;
        ev.n_captured = 1;
    }
    return output_error(feed(h, batch_frame(&ev, 1, NULL, 1001)));
}

Test(host, captured_envelope_outside_the_run_ends_it)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    const char *const params[] = {"victim", "meter-0", "capture", "c", NULL};
    cr_assert_str_empty(attack_error(h, "forge", params, 1, 3));
    cr_assert_str_empty(attack_error(h, "forge", params, SG17_NO_ENTITY, 2));
    assert_error_has(attack_error(h, "forge", params, 1, 77), "captured envelope's destination");
    assert_error_has(attack_error(h, "forge", params, 77, 3), "captured envelope's source");
    sg17_host_destroy(&h);
}

/* ---- attacks the module does not declare, parameters out of normal form ---- */

Test(host, undeclared_attack_or_malformed_parameter_ends_the_run)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    const char *const ok[] = {"victim", "meter-2", "count", "3", NULL};
    cr_assert_str_empty(attack_error(h, "forge", ok, 0, 0));
    assert_error_has(attack_error(h, "nuke", ok, 0, 0), "'nuke', which module tm does not declare");
    const char *const big[] = {"victim", "meter-2", "count", "5000000000", NULL};
    assert_error_has(attack_error(h, "forge", big, 0, 0), "count = '5000000000'");
    const char *const over[] = {"victim", "meter-2", "count", "1001", NULL};
    assert_error_has(attack_error(h, "forge", over, 0, 0),
                     "count = '1001', which is not a value from 0 to 1000");
    const char *const far[] = {"victim", "meter-3", NULL};
    assert_error_has(attack_error(h, "forge", far, 0, 0), "victim = 'meter-3'");
    const char *const unknown[] = {"victim", "meter-0", "speed", "9", NULL};
    assert_error_has(attack_error(h, "forge", unknown, 0, 0), "'speed'");
    const char *const twice[] = {"victim", "meter-0", "victim", "meter-1", NULL};
    assert_error_has(attack_error(h, "forge", twice, 0, 0), "'victim' twice");
    const char *const none[] = {"count", "1", NULL};
    assert_error_has(attack_error(h, "forge", none, 0, 0), "required parameter 'victim'");
    sg17_host_destroy(&h);
}

/* ---- module metrics in the core's namespaces ---- */

Test(host, module_reporting_a_ledger_metric_fails_the_run)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    cr_assert_str_empty(start_run(h, good_kinds, 2, good_config));
    Sg17__Event cheat = event(SG17__EVENT__KIND__TIMER, 1000, 2, 0, TAG_CHEAT);
    assert_error_has(output_error(feed(h, batch_frame(&cheat, 1, NULL, 1001))),
                     "'ledger.accepted.replayed'");
    sg17_host_destroy(&h);
}

Test(host, module_setting_a_core_metric_in_finish_answers_finish_with_the_error)
{
    sg17_host_t *h = sg17_host_new(&tm_module);
    const char *const names[] = {"ledger.accepted.injected", "bus.malformed", "adversary.injected",
                                 "sim.events", "cost.handlers.us"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *const config[] = {"burst", "1", "cheat", names[i], NULL};
        cr_assert_str_empty(start_run(h, good_kinds, 2, config));
        sg17_frame_t *reply = feed(h, finish_frame());
        cr_assert_eq(reply->body_case, SG17__FRAME__BODY_OUTPUT, "%s: no Done", names[i]);
        char want[96];
        snprintf(want, sizeof want, "'%s'", names[i]);
        assert_error_has(output_error(reply), want);
    }
    const char *const fine[] = {"burst", "1", "cheat", "hes.ledger.copy", NULL};
    cr_assert_str_empty(start_run(h, good_kinds, 2, fine));
    sg17_frame_t *done = feed(h, finish_frame());
    cr_assert_eq(done->body_case, SG17__FRAME__BODY_DONE, "a module metric may contain 'ledger.'");
    sg17_frame_free(&done);
    sg17_host_destroy(&h);
}
