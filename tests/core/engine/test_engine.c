/* test_engine.c — ledger joins, scheduler order, determinism, crash and hang
 * containment, malformed frames on the bus, and a module host in a separate process over ipc://. */
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus/broker.h"
#include "engine/ledger.h"
#include "engine/queue.h"
#include "engine/runner.h"
#include "engine_util.h"
#include "report/report.h"

extern char **environ;

Test(ledger, joins_reports_with_provenance_and_counts_anomalies)
{
    sg17_ledger_t *l = sg17_ledger_new();
    sg17_ledger_record(l, 1, 0, 0, 5, "t.a", SG17_PROV_GENUINE, 0);
    sg17_ledger_record(l, 2, SG17_NO_ENTITY, 0, 5, "t.a", SG17_PROV_REPLAYED, 0);
    sg17_ledger_record(l, 3, SG17_NO_ENTITY, 1, 5, "t.b", SG17_PROV_INJECTED, 0);
    sg17_ledger_record(l, 4, 1, 1, 5, "t.b", SG17_PROV_GENUINE, 0);
    for (uint64_t id = 1; id <= 3; id++)
        sg17_ledger_set_fate(l, id, SG17_FATE_DELIVERED);
    sg17_ledger_set_fate(l, 4, SG17_FATE_DROPPED);
    cr_assert_eq(sg17_ledger_report(l, 1, true, NULL), 0);
    cr_assert_eq(sg17_ledger_report(l, 2, false, "replay"), 0);
    cr_assert_eq(sg17_ledger_report(l, 2, true, NULL), -1, "a second report is an anomaly");
    cr_assert_eq(sg17_ledger_report(l, 4, true, NULL), -1, "a dropped message cannot be reported");
    cr_assert_eq(sg17_ledger_report(l, 99, true, NULL), -1);
    cr_assert_eq(sg17_ledger_anomalies(l), 3);
    sg17_metrics_t *m = sg17_metrics_new();
    sg17_reason_t reasons[] = {{"auth", ""}, {NULL, NULL}};
    sg17_ledger_metrics(l, m, reasons);
    cr_assert_eq(sg17_metrics_value(m, "ledger.sent.all"), 4);
    cr_assert_eq(sg17_metrics_value(m, "ledger.sent.genuine"), 2);
    cr_assert_eq(sg17_metrics_value(m, "ledger.accepted.genuine"), 1);
    cr_assert_eq(sg17_metrics_value(m, "ledger.rejected.replayed"), 1);
    cr_assert_eq(sg17_metrics_value(m, "ledger.rejected.reason.replay"), 1);
    cr_assert(sg17_metrics_get(m, "ledger.rejected.reason.auth", NULL),
              "declared reasons exist at 0");
    cr_assert_eq(sg17_metrics_value(m, "ledger.unreported.injected"), 1);
    cr_assert_eq(sg17_metrics_value(m, "ledger.dropped.genuine"), 1);
    cr_assert_eq(sg17_metrics_value(m, "ledger.sent.injected.t.b"), 1);
    sg17_metrics_destroy(&m);
    sg17_ledger_destroy(&l);
    cr_assert_null(l);
}

Test(ledger, every_message_has_one_fate_so_sent_is_delivered_dropped_replaced_or_pending)
{
    sg17_ledger_t *l = sg17_ledger_new();
    for (uint64_t id = 1; id <= 5; id++)
        sg17_ledger_record(l, id, 0, 0, 5, "t.a", SG17_PROV_GENUINE, 0);
    sg17_ledger_record(l, 6, SG17_NO_ENTITY, 0, 5, "t.a", SG17_PROV_MODIFIED, 0);
    sg17_ledger_set_fate(l, 1, SG17_FATE_DELIVERED);
    sg17_ledger_set_fate(l, 2, SG17_FATE_DROPPED);
    sg17_ledger_set_fate(l, 3, SG17_FATE_REPLACED); /* by 6 */
    sg17_ledger_set_fate(l, 6, SG17_FATE_DELIVERED);
    /* 4 and 5 are still in flight */
    sg17_metrics_t *m = sg17_metrics_new();
    sg17_ledger_metrics(l, m, NULL);
    cr_assert_eq(sg17_metrics_value(m, "ledger.pending.genuine"), 2);
    cr_assert_eq(sg17_metrics_value(m, "ledger.pending.genuine.t.a"), 2);
    cr_assert_eq(sg17_metrics_value(m, "ledger.replaced.genuine"), 1);
    cr_assert_eq(sg17_metrics_value(m, "ledger.pending.modified"), 0);
    cr_assert_eq(sg17_metrics_value(m, "ledger.pending.all"), 2);
    const char *provs[] = {"genuine", "modified", "all"};
    for (size_t i = 0; i < 3; i++) {
        char name[5][64];
        const char *verbs[] = {"sent", "delivered", "dropped", "replaced", "pending"};
        double v[5];
        for (int k = 0; k < 5; k++) {
            snprintf(name[k], sizeof name[k], "ledger.%s.%s", verbs[k], provs[i]);
            v[k] = sg17_metrics_value(m, name[k]);
        }
        cr_assert_eq(v[0], v[1] + v[2] + v[3] + v[4], "%s: %g != %g + %g + %g + %g", provs[i], v[0],
                     v[1], v[2], v[3], v[4]);
    }
    sg17_metrics_destroy(&m);
    sg17_ledger_destroy(&l);
}

Test(engine, a_message_delayed_past_the_end_of_the_run_counts_as_pending)
{
    json_t *e = run_fixture("duration: 20s\nmitigations: [auth]\n"
                            "adversary: {capabilities: [delay, forge]}\n"
                            "actions:\n"
                            "  - {at: 10s, delay: {match: {type: fixture.ping}, by: 1h}}\n"
                            "  - {at: 15s, forge: {count: 1}}\n"
                            "success: [ledger.accepted.injected > 0]\n");
    double sent = metric(e, "baseline", "ledger.sent.genuine"),
           delivered = metric(e, "baseline", "ledger.delivered.genuine"),
           pending = metric(e, "baseline", "ledger.pending.genuine");
    cr_assert_gt(pending, 20, "every ping from 10 s on is still delayed at 20 s (%g)", pending);
    cr_assert_eq(sent, delivered + metric(e, "baseline", "ledger.dropped.genuine") + pending);
    json_decref(e);
}

Test(scheduler, queue_orders_by_time_then_sequence)
{
    sg17_queue_t q = {0};
    uint64_t times[] = {50, 10, 10, 30, 10, 50, 0};
    for (size_t i = 0; i < 7; i++) {
        sg17_event_t ev = {.time = times[i], .seq = 100 - i};
        sg17_queue_push(&q, &ev);
    }
    sg17_event_t prev = {0}, ev;
    int n = 0;
    while (sg17_queue_pop(&q, &ev) == 0) {
        if (n++)
            cr_assert(prev.time < ev.time || (prev.time == ev.time && prev.seq < ev.seq));
        prev = ev;
    }
    cr_assert_eq(n, 7);
    sg17_queue_clear(&q, NULL);
}

static json_t *strip_costs(json_t *metrics)
{
    json_t *copy = json_deep_copy(metrics);
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(copy, tmp, k, v) if (!strncmp(k, "cost.", 5)) json_object_del(copy, k);
    return copy;
}

#define REPLAY_BODY                                                             \
    "mitigations: [dedup]\n"                                                    \
    "network: {latency: 3ms, jitter: 2ms, loss: 0.05}\n"                        \
    "adversary: {capabilities: [capture, replay]}\n"                            \
    "actions:\n"                                                                \
    "  - {at: 5s, capture: {match: {type: fixture.ping}, count: 6, as: old}}\n" \
    "  - {at: 30s, replay: {capture: old}}\n"                                   \
    "success: [ledger.accepted.replayed > 0]\n"

Test(engine, same_seed_gives_identical_metrics_except_cost)
{
    json_t *a = run_fixture(REPLAY_BODY), *b = run_fixture(REPLAY_BODY);
    for (int p = 0; p < 2; p++) {
        const char *run = p ? "protected" : "baseline";
        json_t *ma = strip_costs(
            json_object_get(json_object_get(json_object_get(a, "runs"), run), "metrics"));
        json_t *mb = strip_costs(
            json_object_get(json_object_get(json_object_get(b, "runs"), run), "metrics"));
        cr_assert(json_equal(ma, mb), "run %s differs", run);
        cr_assert_gt(json_object_size(ma), 20);
        cr_assert_gt(metric(a, run, "sim.lost"), 0, "the lossy link lost something");
        json_decref(ma);
        json_decref(mb);
    }
    json_decref(a);
    json_decref(b);
}

Test(engine, cost_metrics_are_measured_per_handler_and_message_type)
{
    json_t *e = run_fixture(REPLAY_BODY);
    double total = metric(e, "baseline", "cost.handlers.us");
    double pings = metric(e, "baseline", "cost.message.fixture.ping.us");
    cr_assert_gt(pings, 0);
    cr_assert_gt(metric(e, "baseline", "cost.timer.us"), 0);
    cr_assert_geq(total * (1 + 1e-9), pings + metric(e, "baseline", "cost.timer.us"),
                  "the total covers its parts");
    json_decref(e);
}

Test(engine, a_virtual_day_of_quarter_hour_pings_delivers_every_one)
{
    size_t n;
    sg17_scenario_t *s =
        fixture_scenario("config: {interval: 15min}\nduration: 24h\n"
                         "mitigations: [auth]\nsuccess: [ledger.accepted.injected > 0]\n"
                         "adversary: {capabilities: [observe]}\nactions: [{at: 0, observe: {}}]\n",
                         &n);
    json_t *e = sg17_engine_run_scenario(&s[0], NULL);
    /* node 0 pings at 0, 15min, ..., 24h (97); nodes 1 and 2 start 5 and 10 min later (96 each) */
    cr_assert_eq(metric(e, "baseline", "node.sent"), 97 + 96 + 96);
    cr_assert_eq(metric(e, "baseline", "sink.accepted"), 97 + 96 + 96 - 1,
                 "the last ping is in flight at 24h");
    /* setup, finish and done, then a batch and its output per non-empty window */
    double frames = metric(e, "baseline", "bus.frames"),
           events = metric(e, "baseline", "sim.events");
    cr_assert_geq(frames, 5);
    cr_assert_eq(fmod(frames - 3, 2), 0);
    cr_assert_leq(frames, 3 + 2 * events);
    cr_assert_str_eq(verdict(e), "vacuous");
    json_decref(e);
    sg17_scenarios_free(s, n);
}

/* Writes a fixture scenario file into dir. */
static void write_scenario(const char *dir, const char *name, const char *config)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.yaml", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "id: fixture/%s\ntitle: %s\nmodule: fixture\nrequirements: [FIX-R-AUTH]\nseed: 3\n"
            "duration: 1min\ntimeout: 3s\nconfig: {%s}\nmitigations: [auth]\n"
            "adversary: {capabilities: [forge]}\nactions:\n  - {at: 20s, forge: {count: 2}}\n"
            "success: [ledger.accepted.injected > 0]\n",
            name, name, config);
    fclose(f);
}

Test(engine, a_crashing_or_hanging_module_is_an_error_verdict_and_the_run_goes_on)
{
    char dir[] = "/tmp/sg17-crash-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    write_scenario(dir, "a-crash", "crash_at: 10s");
    write_scenario(dir, "b-hang", "hang_at: 10s");
    write_scenario(dir, "c-fine", "interval: 1s");
    char out[600];
    snprintf(out, sizeof out, "%s/out", dir);
    sg17_runner_opts_t o = {.jobs = 2, .out_dir = out, .formats = "json"};
    char *paths[] = {dir};
    int rc = sg17_runner_run(paths, 1, &o);
    cr_assert_eq(rc, 1, "verdicts that do not match expect → exit 1");
    char report_path[700];
    snprintf(report_path, sizeof report_path, "%s/report.json", out);
    sg17_err_t err;
    json_t *r = sg17_report_load(report_path, &err);
    cr_assert_not_null(r, "%s", err.msg);
    json_t *sc = json_object_get(r, "scenarios");
    cr_assert_eq(json_array_size(sc), 3);
    cr_assert_str_eq(verdict(json_array_get(sc, 0)), "error");
    cr_assert(
        strstr(json_string_value(json_object_get(json_array_get(sc, 0), "error")), "crashed"));
    cr_assert_str_eq(verdict(json_array_get(sc, 1)), "error");
    cr_assert(strstr(json_string_value(json_object_get(json_array_get(sc, 1), "error")), "time"));
    cr_assert_str_eq(verdict(json_array_get(sc, 2)), "holds");
    json_decref(r);
}

Test(bus, garbage_frames_are_counted_and_dropped)
{
    sg17_err_t err;
    sg17_broker_t *b = sg17_broker_new("inproc://garbage-test", &err);
    cr_assert_not_null(b, "%s", err.msg);
    zsock_t *peer = zsock_new_dealer("inproc://garbage-test");
    zstr_send(peer, "this is not a protobuf frame");
    zframe_t *bin = zframe_new("\x0a\xff\xff\xff\xff\x0f", 6);
    zframe_send(&bin, peer, 0);
    zstr_sendm(peer, "two");
    zstr_send(peer, "parts");
    /* a frame from a peer that never said hello */
    Sg17__Finish fin = SG17__FINISH__INIT;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_FINISH;
    f.finish = &fin;
    sg17_frame_send(peer, NULL, &f);
    cr_assert_eq(sg17_broker_wait_host(b, "nobody", 300, &err), -1);
    cr_assert_eq(sg17_broker_malformed(b), 4);
    zsock_destroy(&peer);
    sg17_broker_destroy(&b);
}

/* Packs an Output frame carrying cols and decodes it again (NULL when the decoder refuses it). */
static sg17_frame_t *output_round_trip(Sg17__Envelopes *cols)
{
    Sg17__Output out = SG17__OUTPUT__INIT;
    out.sends = cols;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_OUTPUT;
    f.output = &out;
    uint8_t buf[4096];
    size_t len = sg17__frame__get_packed_size(&f);
    cr_assert_lt(len, sizeof buf);
    sg17__frame__pack(&f, buf);
    return sg17_frame_decode(buf, len);
}

Test(bus, envelope_columns_round_trip_and_ragged_columns_are_malformed)
{
    sg17_envcols_t c = {0};
    Sg17__Envelope a = SG17__ENVELOPE__INIT, b = SG17__ENVELOPE__INIT;
    a.id = 7, a.src = 1, a.dst = 2, a.type = "t.one", a.sent_at = 100;
    a.payload = (ProtobufCBinaryData){3, (uint8_t *)"abc"};
    b.id = 8, b.src = 3, b.dst = 4, b.type = NULL, b.sent_at = 200; /* no type, no payload */
    cr_assert_eq(sg17_envcols_add(&c, &a, 150, false), 0);
    cr_assert_eq(sg17_envcols_add(&c, &b, 250, true), 0);
    cr_assert_eq(sg17_envcols_count(&c), 2);

    sg17_frame_t *f = output_round_trip(&c.cols);
    cr_assert_not_null(f);
    cr_assert_eq(sg17_envcols_size(f->output->sends), 2);
    Sg17__Envelope v;
    sg17_envcols_get(f->output->sends, 0, &v);
    cr_assert(v.id == 7 && v.src == 1 && v.dst == 2 && v.sent_at == 100);
    cr_assert_str_eq(v.type, "t.one");
    cr_assert(v.payload.len == 3 && memcmp(v.payload.data, "abc", 3) == 0);
    sg17_envcols_get(f->output->sends, 1, &v);
    cr_assert(v.id == 8 && v.src == 3 && v.dst == 4 && v.sent_at == 200 && v.payload.len == 0);
    cr_assert_str_eq(v.type, "");
    cr_assert(f->output->sends->time[1] == 250 && f->output->sends->injected[1]);
    sg17_frame_free(&f);

    c.cols.n_dst = 1; /* one column shorter than the others */
    cr_assert_null(output_round_trip(&c.cols));
    c.cols.n_dst = 2;
    c.cols.version = SG17_ENVELOPE_VERSION + 1;
    cr_assert_null(output_round_trip(&c.cols));
    c.cols.version = SG17_ENVELOPE_VERSION;
    sg17_envcols_clear(&c);
    cr_assert_eq(sg17_envcols_count(&c), 0);
    sg17_envcols_release(&c);
}

Test(bus, a_delivery_among_batch_events_is_malformed)
{
    Sg17__Event ev = SG17__EVENT__INIT, *evp = &ev;
    ev.kind = SG17__EVENT__KIND__DELIVER; /* deliveries belong in Batch.deliveries */
    Sg17__Batch batch = SG17__BATCH__INIT;
    batch.events = &evp;
    batch.n_events = 1;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_BATCH;
    f.batch = &batch;
    uint8_t buf[256];
    size_t len = sg17__frame__get_packed_size(&f);
    sg17__frame__pack(&f, buf);
    cr_assert_null(sg17_frame_decode(buf, len));
    ev.kind = SG17__EVENT__KIND__TIMER;
    sg17__frame__pack(&f, buf);
    sg17_frame_t *ok = sg17_frame_decode(buf, sg17__frame__get_packed_size(&f));
    cr_assert_not_null(ok);
    sg17_frame_free(&ok);
}

Test(bus, module_host_in_a_separate_process_over_ipc_gives_the_same_metrics)
{
    char sock[] = "/tmp/sg17-ipc-XXXXXX";
    cr_assert_not_null(mkdtemp(sock));
    char endpoint[128];
    snprintf(endpoint, sizeof endpoint, "ipc://%s/bus.sock", sock);
    pid_t pid;
    char *argv[] = {SG17TB_CLI, "host", "--connect", endpoint, "--module", "fixture", NULL};
    cr_assert_eq(posix_spawn(&pid, SG17TB_CLI, NULL, NULL, argv, environ), 0);

    size_t n;
    sg17_scenario_t *s = fixture_scenario(REPLAY_BODY, &n);
    sg17_err_t err;
    sg17_broker_t *b = sg17_broker_new(endpoint, &err);
    cr_assert_not_null(b, "%s", err.msg);
    sg17_engine_opts_t o = {.broker = b, .host_wait_ms = 10000};
    json_t *remote = sg17_engine_run_scenario(&s[0], &o);
    json_t *again =
        sg17_engine_run_scenario(&s[0], &o); /* one host serves scenario after scenario */
    cr_assert_str_eq(verdict(again), verdict(remote), "the host was not handed back");
    json_decref(again);
    sg17_broker_quit_hosts(b);
    int status;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "host exits cleanly on quit");
    sg17_broker_destroy(&b);
    json_t *local = sg17_engine_run_scenario(&s[0], NULL);
    cr_assert_str_eq(verdict(remote), verdict(local));
    for (int p = 0; p < 2; p++) {
        const char *run = p ? "protected" : "baseline";
        json_t *mr = strip_costs(
            json_object_get(json_object_get(json_object_get(remote, "runs"), run), "metrics"));
        json_t *ml = strip_costs(
            json_object_get(json_object_get(json_object_get(local, "runs"), run), "metrics"));
        cr_assert(json_equal(mr, ml), "run %s differs between ipc:// and inproc://", run);
        json_decref(mr);
        json_decref(ml);
    }
    json_decref(remote);
    json_decref(local);
    sg17_scenarios_free(s, n);
}

static int spawn_wait(char *const argv[])
{
    pid_t pid;
    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(bus, curve_admits_a_listed_host_and_refuses_an_unlisted_one)
{
    char dir[] = "/tmp/sg17-curve-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char keys[256], allow[256], endpoint[256], broker_cert[300], host_cert[300], rogue_cert[300];
    snprintf(keys, sizeof keys, "%s/keys", dir);
    snprintf(allow, sizeof allow, "%s/allow", dir);
    snprintf(endpoint, sizeof endpoint, "ipc://%s/bus.sock", dir);
    char *gen1[] = {SG17TB_CLI, "keygen", keys, "broker", NULL};
    char *gen2[] = {SG17TB_CLI, "keygen", keys, "host", NULL};
    char *gen3[] = {SG17TB_CLI, "keygen", keys, "rogue", NULL};
    cr_assert_eq(spawn_wait(gen1), 0);
    cr_assert_eq(spawn_wait(gen2), 0);
    cr_assert_eq(spawn_wait(gen3), 0);
    snprintf(broker_cert, sizeof broker_cert, "%s/broker.cert", keys);
    snprintf(host_cert, sizeof host_cert, "%s/host.cert", keys);
    snprintf(rogue_cert, sizeof rogue_cert, "%s/rogue.cert", keys);
    struct stat st;
    char secret[320];
    snprintf(secret, sizeof secret, "%s_secret", host_cert);
    cr_assert_eq(stat(secret, &st), 0);
    cr_assert_eq(st.st_mode & 077, 0, "secret certificate is private");
    /* only the host's public certificate is allowed */
    zsys_dir_create("%s", allow);
    char allowed[320];
    snprintf(allowed, sizeof allowed, "%s/host.cert", allow);
    char text[4096];
    FILE *in = fopen(host_cert, "r");
    cr_assert_not_null(in);
    size_t len = fread(text, 1, sizeof text, in);
    fclose(in);
    FILE *out = fopen(allowed, "w");
    fwrite(text, 1, len, out);
    fclose(out);

    sg17_err_t err;
    sg17_curve_t curve = {broker_cert, allow};
    sg17_broker_t *b = sg17_broker_new_curve(endpoint, &curve, &err);
    cr_assert_not_null(b, "%s", err.msg);
    pid_t rogue;
    char *rargv[] = {SG17TB_CLI, "host",         "--connect", endpoint,         "--module",
                     "fixture",  "--curve-cert", rogue_cert,  "--curve-server", broker_cert,
                     NULL};
    cr_assert_eq(posix_spawn(&rogue, SG17TB_CLI, NULL, NULL, rargv, environ), 0);
    cr_assert_eq(sg17_broker_wait_host(b, "fixture", 1500, &err), -1,
                 "an unlisted host never gets in");
    kill(rogue, SIGTERM);
    waitpid(rogue, NULL, 0);

    pid_t good;
    char *gargv[] = {SG17TB_CLI, "host",         "--connect", endpoint,         "--module",
                     "fixture",  "--curve-cert", host_cert,   "--curve-server", broker_cert,
                     NULL};
    cr_assert_eq(posix_spawn(&good, SG17TB_CLI, NULL, NULL, gargv, environ), 0);
    size_t n;
    sg17_scenario_t *s = fixture_scenario(REPLAY_BODY, &n);
    sg17_engine_opts_t o = {.broker = b, .host_wait_ms = 10000};
    json_t *e = sg17_engine_run_scenario(&s[0], &o);
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    sg17_broker_quit_hosts(b);
    int status;
    waitpid(good, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    json_decref(e);
    sg17_scenarios_free(s, n);
    sg17_broker_destroy(&b);
}
