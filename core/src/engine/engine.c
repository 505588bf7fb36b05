/* engine.c — one scenario: its runs on the bus (control, baseline, protected), conditions evaluated
 * over their metrics, verdict. */
#include "engine/engine.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/host.h"
#include "engine/loader.h"
#include "engine/run.h"
#include "engine/trace.h"
#include "engine/verdict.h"
#include "util/metrics.h"

static json_t *string_list(char **items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

static json_t *entry_new(const sg17_scenario_t *s)
{
    json_t *e = json_object();
    json_object_set_new(e, "id", json_string(s->id));
    json_object_set_new(e, "base_id", json_string(s->base_id ? s->base_id : s->id));
    json_object_set_new(e, "file", json_string(s->file ? s->file : ""));
    json_object_set_new(e, "module", json_string(s->module));
    json_object_set_new(e, "title", json_string(s->title ? s->title : ""));
    json_object_set_new(e, "requirements", string_list(s->requirements, s->n_requirements));
    json_object_set_new(e, "threats", string_list(s->threats, s->n_threats));
    json_object_set_new(e, "seed", json_integer((json_int_t)s->seed));
    json_object_set_new(e, "mitigations", string_list(s->mitigations, s->n_mitigations));
    if (s->n_matrix_point) {
        json_t *m = json_object();
        for (size_t i = 0; i < s->n_matrix_point; i++)
            json_object_set_new(m, s->matrix_point[i].key, json_string(s->matrix_point[i].value));
        json_object_set_new(e, "matrix", m);
        json_object_set_new(e, "matrix_x", json_string(s->matrix_x));
    } else {
        json_object_set_new(e, "matrix", json_null());
        json_object_set_new(e, "matrix_x", json_null());
    }
    json_object_set_new(e, "expect", json_string(s->expect ? s->expect : "holds"));
    json_object_set_new(e, "expect_reason",
                        s->expect_reason ? json_string(s->expect_reason) : json_null());
    json_object_set_new(e, "error", json_null());
    return e;
}

static void set_verdict(json_t *e, const char *verdict, const char *reason)
{
    json_object_set_new(e, "verdict", json_string(verdict));
    json_object_set_new(e, "reason", json_string(reason));
    const char *expect = json_string_value(json_object_get(e, "expect"));
    json_object_set_new(e, "matches_expect", json_boolean(expect && strcmp(expect, verdict) == 0));
}

json_t *sg17_engine_error_entry(const sg17_scenario_t *s, const char *file, const char *message)
{
    json_t *e;
    if (s) {
        e = entry_new(s);
    } else { /* the file did not even parse */
        e = json_object();
        json_object_set_new(e, "id", json_string(file));
        json_object_set_new(e, "base_id", json_string(file));
        json_object_set_new(e, "file", json_string(file));
        json_object_set_new(e, "module", json_string(""));
        json_object_set_new(e, "title", json_string("(invalid scenario)"));
        json_object_set_new(e, "requirements", json_array());
        json_object_set_new(e, "threats", json_array());
        json_object_set_new(e, "seed", json_integer(0));
        json_object_set_new(e, "mitigations", json_array());
        json_object_set_new(e, "matrix", json_null());
        json_object_set_new(e, "matrix_x", json_null());
        json_object_set_new(e, "expect", json_string("holds"));
        json_object_set_new(e, "expect_reason", json_null());
    }
    json_object_set_new(e, "error", json_string(message));
    json_object_set_new(e, "conditions", json_array());
    json_object_set_new(e, "runs", json_object());
    json_object_set_new(e, "wall_ms", json_real(0));
    set_verdict(e, "error", message);
    return e;
}

static double lookup_metric(void *arg, const char *name)
{
    json_t *v = json_object_get(arg, name);
    return v ? json_number_value(v) : 0.0;
}

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static int collect_name(void *arg, const char *metric)
{
    json_array_append_new(arg, json_string(metric));
    return 0;
}

/* Evaluates a condition list over one run's metrics; appends each to `out`; true if all hold
 * (an empty list holds). */
static bool judge_set(json_t *out, const char *set, const char *run, const sg17_condition_t *c,
                      size_t n, json_t *metrics)
{
    bool all = true;
    for (size_t i = 0; i < n; i++) {
        double lhs = NAN, rhs = NAN;
        bool ok = sg17_expr_eval(c[i].expr, lookup_metric, metrics, &lhs, &rhs);
        all &= ok;
        json_t *names = json_array();
        sg17_expr_each_metric(c[i].expr, collect_name, names);
        json_t *row = json_object();
        json_object_set_new(row, "set", json_string(set));
        json_object_set_new(row, "run", json_string(run));
        json_object_set_new(row, "expr", json_string(c[i].text));
        json_object_set_new(row, "result", json_boolean(ok));
        json_object_set_new(row, "lhs", num_or_null(lhs));
        json_object_set_new(row, "rhs", num_or_null(rhs));
        json_object_set_new(row, "metrics", names);
        json_array_append_new(out, row);
    }
    return all;
}

/* A value of a condition row for a message: its number, or "NaN". */
static void number_text(char *buf, size_t size, const json_t *v)
{
    if (json_is_number(v))
        snprintf(buf, size, "%.15g", json_number_value(v));
    else
        snprintf(buf, size, "NaN");
}

/* The first success condition whose result differs between the baseline and the protected run,
 * as a sentence appended to `why` (the determinism guard names what differed). */
static void name_differing_condition(char *out, size_t size, const char *why, json_t *conds,
                                     size_t n_success, size_t baseline_at, size_t protected_at)
{
    snprintf(out, size, "%s", why);
    for (size_t i = 0; i < n_success; i++) {
        json_t *b = json_array_get(conds, baseline_at + i),
               *p = json_array_get(conds, protected_at + i);
        bool rb = json_is_true(json_object_get(b, "result"));
        if (rb == json_is_true(json_object_get(p, "result")))
            continue;
        char lb[32], lp[32], hb[32], hp[32];
        number_text(lb, sizeof lb, json_object_get(b, "lhs"));
        number_text(lp, sizeof lp, json_object_get(p, "lhs"));
        number_text(hb, sizeof hb, json_object_get(b, "rhs"));
        number_text(hp, sizeof hp, json_object_get(p, "rhs"));
        snprintf(out, size,
                 "%s: '%s' is %s in baseline (%s vs %s) and %s in protected (%s vs %s); a run "
                 "that is not reproducible from its seed (or a condition that reads a value "
                 "outside the simulation) cannot be judged",
                 why, json_string_value(json_object_get(b, "expr")), rb ? "true" : "false", lb, hb,
                 rb ? "false" : "true", lp, hp);
        return;
    }
}

void sg17_engine_judge(json_t *entry, const sg17_scenario_t *s, json_t *const *metrics)
{
    json_t *conds = json_array();
    sg17_verdict_input_t in = {0};
    in.has_control = metrics[SG17_ARM_CONTROL] != NULL;
    if (in.has_control)
        in.success_control = judge_set(conds, "success", "control", s->success, s->n_success,
                                       metrics[SG17_ARM_CONTROL]);
    size_t baseline_at = json_array_size(conds);
    in.success_baseline = judge_set(conds, "success", "baseline", s->success, s->n_success,
                                    metrics[SG17_ARM_BASELINE]);
    size_t protected_at = json_array_size(conds);
    in.success_protected = judge_set(conds, "success", "protected", s->success, s->n_success,
                                     metrics[SG17_ARM_PROTECTED]);
    in.has_service = s->n_service > 0;
    in.service_ok = judge_set(conds, "service", "protected", s->service, s->n_service,
                              metrics[SG17_ARM_PROTECTED]);
    in.has_detection = s->n_detection > 0;
    in.detection_ok = judge_set(conds, "detection", "protected", s->detection, s->n_detection,
                                metrics[SG17_ARM_PROTECTED]);
    in.no_mitigations = s->n_mitigations == 0;
    const char *why;
    sg17_verdict_t v = sg17_verdict_decide(&in, &why);
    json_object_set_new(entry, "conditions", conds);
    if (v == SG17_ERROR) { /* the runs completed, so the cause is the guard: name the condition */
        char reason[2048];
        name_differing_condition(reason, sizeof reason, why, conds, s->n_success, baseline_at,
                                 protected_at);
        json_object_set_new(entry, "error", json_string(reason));
        set_verdict(entry, sg17_verdict_names[v], reason);
    } else {
        set_verdict(entry, sg17_verdict_names[v], why);
    }
}

static void metric_to_json(const char *name, double value, void *arg)
{
    json_object_set_new(arg, name, json_real(value));
}

static json_t *run_json(const sg17_metrics_t *m, const sg17_run_stats_t *st)
{
    json_t *metrics = json_object();
    sg17_metrics_each(m, metric_to_json, metrics);
    json_t *run = json_object();
    json_object_set_new(run, "metrics", metrics);
    json_object_set_new(run, "wall_ms", json_real(st->wall_ms));
    if (st->n_artifacts) {
        json_t *a = json_object();
        for (size_t i = 0; i < st->n_artifacts; i++)
            json_object_set_new(a, st->artifact_name[i], json_string(st->artifact_text[i]));
        json_object_set_new(run, "artifacts", a);
    }
    return run;
}

/* The scenario's runs on `host`, into `runs` (and `metrics`, borrowed from it); adds their wall
 * time to *total_ms, also for a run that failed. Returns 0, or -1 with err set. */
static int run_all(sg17_broker_t *broker, int host, const sg17_scenario_t *s,
                   const sg17_module_t *module, sg17_arm_t first, json_t *runs,
                   json_t *metrics[SG17_N_ARMS], double *total_ms, bool *timed_out,
                   const char *trace_dir, sg17_err_t *errp)
{
    sg17_err_t err = {{0}};
    int rc = 0;
    for (sg17_arm_t arm = first; rc == 0 && arm < SG17_N_ARMS; arm++) {
        sg17_metrics_t *m = sg17_metrics_new();
        sg17_run_stats_t st = {0};
        char *trace = NULL;
        if (trace_dir) {
            char name[512];
            sg17_trace_file_name(s->id, sg17_arm_names[arm], name, sizeof name);
            size_t len = strlen(trace_dir) + strlen(name) + 2;
            if ((trace = malloc(len)))
                snprintf(trace, len, "%s/%s", trace_dir, name);
        }
        rc = trace_dir && !trace
                 ? sg17_err(&err, "out of memory")
                 : sg17_run_once_traced(broker, host, s, module, arm, m, &st, trace, &err);
        free(trace);
        *total_ms += st.wall_ms; /* a run that failed took its time too */
        *timed_out = st.timed_out;
        if (rc == 0) {
            json_t *run = run_json(m, &st);
            metrics[arm] = json_object_get(run, "metrics");
            json_object_set_new(runs, sg17_arm_names[arm], run);
        }
        sg17_run_stats_release(&st);
        sg17_metrics_destroy(&m);
    }
    *errp = err;
    return rc;
}

/* An in-process host: a thread serving the module on a local link. */
typedef struct {
    sg17_local_t *link;
    const sg17_module_t *module;
    pthread_t thread;
} local_host_t;

static void *local_host_main(void *arg)
{
    local_host_t *lh = arg;
    sg17_local_serve(lh->link, lh->module);
    return NULL;
}

/* How many times a scenario starts again after its remote host died, and how long it waits for
 * another host then (one that is connected already answers at once). */
#define MAX_HOST_LOSSES     8
#define REPLACEMENT_WAIT_MS 1000

json_t *sg17_engine_run_scenario(const sg17_scenario_t *s, const sg17_engine_opts_t *opts)
{
    sg17_err_t err = {{0}};
    const sg17_module_t *module = sg17_loader_get(s->module, &err);
    if (!module)
        return sg17_engine_error_entry(s, s->file, err.msg);

    sg17_broker_t *broker = opts ? opts->broker : NULL;
    sg17_broker_t *own = NULL;
    local_host_t lh = {NULL, module, 0};
    bool lh_running = false;
    int host = -1;
    if (!broker) { /* the host in a thread of this process, on a local link (bus/local.h) */
        static unsigned counter;
        char endpoint[96];
        snprintf(endpoint, sizeof endpoint, "inproc://sg17-bus-%u", counter++);
        own = broker = sg17_broker_new(endpoint, &err);
        lh.link = broker ? sg17_local_new() : NULL;
        lh_running = lh.link && sg17_broker_add_local(broker, module->name, lh.link) == 0
                     && pthread_create(&lh.thread, NULL, local_host_main, &lh) == 0;
    }
    if (own && !lh_running)
        sg17_err(&err, "cannot start a host for module %s: out of memory or threads", module->name);
    else if (broker)
        host = sg17_broker_wait_host(broker, module->name,
                                     opts && opts->host_wait_ms ? opts->host_wait_ms : 30000, &err);

    json_t *entry = entry_new(s);
    json_t *runs = json_object();
    json_t *metrics[SG17_N_ARMS] = {NULL, NULL, NULL};
    double total_ms = 0;
    bool timed_out = false;
    int rc = host < 0 ? -1 : 0;
    sg17_arm_t first = opts && opts->no_control ? SG17_ARM_BASELINE : SG17_ARM_CONTROL;
    if (rc == 0)
        rc = run_all(broker, host, s, module, first, runs, metrics, &total_ms, &timed_out,
                     opts ? opts->trace_dir : NULL, &err);
    /* a remote host that died is not the scenario's fault: start again on another one */
    for (int lost = 1; rc < 0 && !own && sg17_broker_host_dead(broker, host); lost++) {
        sg17_err_t werr = {{0}};
        int next = lost <= MAX_HOST_LOSSES
                       ? sg17_broker_wait_host(broker, module->name, REPLACEMENT_WAIT_MS, &werr)
                       : -1;
        if (next < 0) {
            char cause[sizeof err.msg];
            snprintf(cause, sizeof cause, "%s", err.msg);
            sg17_err(&err, "%s; no other host for module %s is connected to run it again", cause,
                     module->name);
            break;
        }
        fprintf(stderr, "sg17tb: %s: %s; running it again on module host %d\n", s->id, err.msg,
                next + 1);
        host = next;
        json_decref(runs);
        runs = json_object();
        for (int a = 0; a < SG17_N_ARMS; a++)
            metrics[a] = NULL;
        rc = run_all(broker, host, s, module, first, runs, metrics, &total_ms, &timed_out,
                     opts ? opts->trace_dir : NULL, &err);
    }
    json_object_set_new(entry, "runs", runs);
    json_object_set_new(entry, "wall_ms", json_real(total_ms));
    if (rc == 0) {
        sg17_engine_judge(entry, s, metrics);
    } else {
        json_object_set_new(entry, "conditions", json_array());
        json_object_set_new(entry, "error", json_string(err.msg));
        set_verdict(entry, "error", err.msg);
    }
    if (!own && rc == 0)
        sg17_broker_release_host(broker, host); /* the next scenario may use it */
    /* a host thread that overran the timeout may be spinning in the module and would never
     * answer the actor's $TERM: it is left to the process, whose end (the runner's child exits
     * right after this) takes it away */
    if (own && !timed_out) {
        if (lh_running) {
            sg17_local_close(lh.link);
            pthread_join(lh.thread, NULL);
        }
        sg17_local_destroy(&lh.link);
        sg17_broker_destroy(&own);
    }
    return entry;
}
