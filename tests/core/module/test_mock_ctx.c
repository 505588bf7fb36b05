/* test_mock_ctx.c — the strict mock context (tests/support/mock_ctx.h) running the fixture module
 * in process: the config struct comes from defaults and overrides, timers and sends run in
 * virtual time, deliveries are dispatched by kind (no_receiver for a kind without a handler),
 * attacks through run(); and each thing the core would refuse is a violation. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "mock_ctx.h"
#include "sg17tb/wire.h"

extern const sg17_module_t sg17_module; /* the fixture, linked in */

/* Collects violations instead of trapping, for the tests that expect one. */
static char got[16][768];
static size_t n_got;

static void collect(void *arg, const char *what)
{
    (void)arg;
    if (n_got < 16)
        snprintf(got[n_got++], sizeof got[0], "%s", what);
}

static sg17_mock_t *collecting(void)
{
    n_got = 0;
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_on_violation(m, collect, NULL);
    return m;
}

static void saw(const char *part)
{
    for (size_t i = 0; i < n_got; i++)
        if (strstr(got[i], part))
            return;
    cr_assert(false, "no violation mentions '%s' (%zu collected%s%s)", part, n_got,
              n_got ? ": " : "", n_got ? got[0] : "");
}

/* A ping as the fixture encodes it (seq, node, tag), with a tag that will not verify. */
static void ping(uint8_t out[20], uint64_t seq, uint32_t node)
{
    sg17_writer_t w = sg17_writer(out, 20);
    sg17_put_u64(&w, seq);
    sg17_put_u32(&w, node);
    sg17_put_u64(&w, 0);
}

Test(mock_ctx, fills_the_config_struct_from_defaults_and_overrides)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_config(m, "interval", "250ms");
    sg17_mock_mitigation(m, "dedup", true);
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    const struct {
        sg17_time_t interval;
        int64_t secret;
        sg17_time_t crash_at, hang_at;
        bool reply, spread, auth, dedup;
    } *cfg = sg17_mock_config_struct(m);
    cr_assert_eq(cfg->interval, 250 * SG17_MSEC);
    cr_assert_eq(cfg->secret, 42, "the default");
    cr_assert(cfg->spread);
    cr_assert(cfg->dedup);
    cr_assert_not(cfg->auth);
    sg17_mock_free(m);
}

Test(mock_ctx, runs_timers_and_sends_in_virtual_time)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "node", 2);
    sg17_mock_config(m, "spread", "false");
    cr_assert_eq(sg17_mock_create(m), 0);
    sg17_mock_start(m);
    cr_assert_eq(sg17_mock_timer_count(m), 2);
    cr_assert_eq(sg17_mock_timer(m, 0)->at, 0);
    sg17_mock_run_until(m, 3 * SG17_SEC);
    /* pings at 0, 1, 2 and 3 s from each node; the ones of 3 s are still in flight (5 ms) */
    cr_assert_eq(sg17_mock_send_count(m), 8);
    cr_assert_eq(sg17_mock_metric(m, "sink.accepted"), 6);
    cr_assert_eq(sg17_mock_metric(m, "sink.from.node-1"), 3);
    const sg17_mock_send_t *s = sg17_mock_send(m, 0);
    cr_assert_str_eq(s->type, "fixture.ping");
    cr_assert_eq(s->dst, sg17_mock_entity(m, "sink-0"));
    cr_assert_eq(s->len, 20);
    cr_assert_eq(sg17_mock_report_count(m), 6);
    cr_assert(sg17_mock_report(m, 0)->accepted);
    sg17_mock_finish(m);
    cr_assert_eq(sg17_mock_metric(m, "fixture.custom.total_seq"), 8);
    sg17_mock_free(m);
}

Test(mock_ctx, dispatches_a_delivery_to_its_kinds_handler_and_returns_its_report)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_mitigation(m, "auth", true);
    cr_assert_eq(sg17_mock_create(m), 0);
    uint8_t p[20];
    ping(p, 1, 0);
    const sg17_mock_report_t *r =
        sg17_mock_deliver(m, sg17_mock_entity(m, "node-0"), sg17_mock_entity(m, "sink-0"),
                          "fixture.ping", p, sizeof p);
    cr_assert_not_null(r);
    cr_assert_not(r->accepted);
    cr_assert_str_eq(r->reason, "auth");
    r = sg17_mock_deliver(m, SG17_NO_ENTITY, sg17_mock_entity(m, "sink-0"), "fixture.ping", p, 3);
    cr_assert_str_eq(r->reason, "malformed");
    sg17_mock_free(m);
}

Test(mock_ctx, a_delivery_to_a_kind_without_a_receiver_is_rejected_as_no_receiver)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "beacon", 1);
    cr_assert_eq(sg17_mock_create(m), 0);
    const sg17_mock_report_t *r = sg17_mock_deliver(
        m, SG17_NO_ENTITY, sg17_mock_entity(m, "beacon-0"), "fixture.ping", "x", 1);
    cr_assert_not(r->accepted);
    cr_assert_str_eq(r->reason, "no_receiver");
    sg17_mock_free(m);
}

Test(mock_ctx, runs_an_attack_through_its_handler_with_checked_parameters)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    cr_assert_eq(sg17_mock_create(m), 0);
    cr_assert_eq(
        sg17_mock_attack(m, "forge", (const char *[]){"node", "2", "count", "3", NULL}, NULL, 0),
        0);
    cr_assert_eq(sg17_mock_send_count(m), 3);
    cr_assert(sg17_mock_send(m, 0)->injected);
    cr_assert_eq(sg17_mock_send(m, 0)->src, sg17_mock_entity(m, "node-2"));
    sg17_mock_free(m);
}

Test(mock_ctx, undeclared_names_and_values_out_of_range_are_violations)
{
    sg17_mock_t *m = collecting();
    sg17_mock_config(m, "colour", "red");
    saw("declares no key 'colour'");
    sg17_mock_mitigation(m, "magic", true);
    saw("declares no mitigation 'magic'");
    sg17_mock_topology(m, "sink", 0);
    saw("0 sink entities, module fixture allows 1 to 1");
    sg17_mock_config(m, "interval", "5d");
    cr_assert_eq(sg17_mock_create(m), -1);
    saw("config interval: '432000s' is out of range: at most 86400s");
    sg17_mock_free(m);

    m = collecting();
    cr_assert_eq(sg17_mock_create(m), 0);
    sg17_mock_attack(m, "forge", (const char *[]){"count", "20000", NULL}, NULL, 0);
    saw("attack 'forge': count: '20000' is out of range: at most 10000");
    sg17_mock_attack(m, "forge", (const char *[]){"speed", "1", NULL}, NULL, 0);
    saw("attack 'forge' declares no parameter 'speed'");
    sg17_mock_attack(m, "nuke", NULL, NULL, 0);
    saw("attack 'nuke', which module fixture does not declare");
    sg17_mock_deliver(m, SG17_NO_ENTITY, sg17_mock_entity(m, "sink-0"), "fixture.pong", "x", 1);
    saw("type 'fixture.pong', which module fixture does not declare");
    sg17_mock_entity(m, "node-9");
    saw("no such entity");
    sg17_mock_free(m);
}

/* What the module does through the context: the services a buggy module might misuse. */
Test(mock_ctx, a_module_breaking_the_contract_is_a_violation)
{
    sg17_mock_t *m = collecting();
    cr_assert_eq(sg17_mock_create(m), 0);
    sg17_ctx_t *ctx = sg17_mock_ctx(m);
    sg17_metric_add(ctx, "sink.unknown", 1);
    saw("metric 'sink.unknown', which module fixture does not declare");
    sg17_metric_add(ctx, "ledger.accepted.genuine", 1);
    saw("in the core's namespace ledger.");
    sg17_metric_add(ctx, "sink.from.node-7", 1);
    saw("'sink.from.node-7' names node-7, but the topology has 4 node entities");
    sg17_metric_add(ctx, "fixture.custom.", 1);
    saw("metric 'fixture.custom.'");
    sg17_send(ctx, 0, 99, "fixture.ping", "x", 1);
    saw("sg17_send to entity 99, outside the topology");
    sg17_send(ctx, 0, 1, "fixture.nope", "x", 1);
    saw("sg17_send of type 'fixture.nope'");
    sg17_inject(ctx, 0, 1, "fixture.ping", "x", 1);
    saw("sg17_inject outside an attack's run()");
    sg17_timer(ctx, sg17_mock_entity(m, "sink-0"), 1, 0);
    saw("whose kind has no on_timer handler");
    sg17_count(ctx, "relay");
    saw("sg17_count(\"relay\")");
    cr_assert_eq(sg17_mock_metric(m, "sink.unknown"), 0, "a refused metric is not recorded");
    sg17_mock_free(m);
}

/* Without a handler a violation traps: a criterion test crashes (with the message on stderr) and
 * libFuzzer records a finding. */
Test(mock_ctx, a_violation_traps_by_default, .signal = SIGILL)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_config(m, "colour", "red");
    sg17_mock_free(m);
}

Test(mock_ctx, the_service_table_carries_its_major_and_size_and_send_many_is_absent)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_ctx_t *ctx = sg17_mock_ctx(m);
    cr_assert_eq(ctx->api->abi_major, SG17_MODULE_ABI_MAJOR);
    cr_assert_eq(ctx->api->size, sizeof(sg17_api_t));
    cr_assert(SG17_API_HAS(ctx, log));
    cr_assert_not(SG17_API_HAS(ctx, send_many), "as the host of this version");
    sg17_mock_free(m);
}
