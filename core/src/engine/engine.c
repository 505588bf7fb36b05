/* engine.c — one scenario: its runs on the bus (control, baseline, protected), conditions evaluated
 * over their metrics, verdict. */
#include "engine/engine.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/host.h"
#include "bus/local.h"
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

/* What a watcher sees of runs made on another thread (an in-process host runs inline on that
 * thread, so nothing else can end a module that hangs): the run in progress and the runs done.
 * Everything here is under lock; `runs` and `total_ms` belong to the watcher once it gave up. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* CLOCK_MONOTONIC: a run started, or all are over */
    sg17_arm_t arm;
    double arm_started_ms;
    bool done, abandoned;
    json_t *runs;
    double total_ms;
} watch_t;

/* The scenario's runs on `host`, into `runs` (and `metrics`, borrowed from it); adds their wall
 * time to *total_ms, also for a run that failed. With a watch, both are the watch's and each run
 * says when it starts. Returns 0, or -1 with err set. */
static int run_all(sg17_broker_t *broker, int host, const sg17_scenario_t *s,
                   const sg17_module_t *module, sg17_arm_t first, json_t *runs,
                   json_t *metrics[SG17_N_ARMS], double *total_ms, bool *timed_out,
                   const char *trace_dir, watch_t *w, sg17_err_t *errp)
{
    sg17_err_t err = {{0}};
    int rc = 0;
    for (sg17_arm_t arm = first; rc == 0 && arm < SG17_N_ARMS; arm++) {
        if (w) {
            pthread_mutex_lock(&w->lock);
            w->arm = arm;
            w->arm_started_ms = sg17_mono_ms();
            pthread_cond_signal(&w->changed);
            pthread_mutex_unlock(&w->lock);
        }
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
        json_t *run = rc == 0 ? run_json(m, &st) : NULL;
        if (w)
            pthread_mutex_lock(&w->lock);
        bool keep = !w || !w->abandoned; /* a watcher that gave up owns runs and total_ms */
        if (keep) {
            *total_ms += st.wall_ms; /* a run that failed took its time too */
            if (run) {
                metrics[arm] = json_object_get(run, "metrics");
                json_object_set_new(runs, sg17_arm_names[arm], run);
                run = NULL;
            }
        }
        if (w)
            pthread_mutex_unlock(&w->lock);
        json_decref(run);
        *timed_out = st.timed_out;
        sg17_run_stats_release(&st);
        sg17_metrics_destroy(&m);
    }
    *errp = err;
    return rc;
}

/* An in-process host, inline on a thread of its own that makes the runs while the scenario's
 * thread watches the time: a module that hangs is left spinning there (the runner's child exits
 * right after), and the scenario ends at its timeout. */
typedef struct {
    watch_t watch;
    sg17_broker_t *broker;
    sg17_local_t *link;
    int host;
    const sg17_scenario_t *s;
    const sg17_module_t *module;
    sg17_arm_t first;
    const char *trace_dir;
    json_t *metrics[SG17_N_ARMS];
    bool timed_out;
    int rc;
    sg17_err_t err;
    pthread_t thread;
} inline_runs_t;

static void *inline_runs_main(void *arg)
{
    inline_runs_t *ir = arg;
    watch_t *w = &ir->watch;
    double total_ms = 0; /* added to the watch's under its lock */
    int rc = run_all(ir->broker, ir->host, ir->s, ir->module, ir->first, w->runs, ir->metrics,
                     &total_ms, &ir->timed_out, ir->trace_dir, w, &ir->err);
    pthread_mutex_lock(&w->lock);
    if (!w->abandoned)
        w->total_ms = total_ms;
    ir->rc = rc;
    w->done = true;
    pthread_cond_signal(&w->changed);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* How long after a run's timeout the watcher gives up on a host that has not returned (the run
 * itself reports a timeout first when the host returns in time to let it). */
#define WATCH_GRACE_MS 20.0

/* Waits for the runs of ir; true when they ended, false when a run's host overran the timeout
 * (err set, *total_ms the time the runs took, ir->watch.runs the watcher's). */
static bool watch_runs(inline_runs_t *ir, double *total_ms, sg17_err_t *err)
{
    watch_t *w = &ir->watch;
    double timeout_ms = (double)(int)(ir->s->timeout_s * 1000);
    pthread_mutex_lock(&w->lock);
    while (!w->done) {
        double deadline = w->arm_started_ms + timeout_ms + WATCH_GRACE_MS, now = sg17_mono_ms();
        if (now >= deadline) {
            w->abandoned = true;
            *total_ms = w->total_ms + (now - w->arm_started_ms);
            sg17_run_timeout_error(ir->s, w->arm,
                                   sg17_local_serving(ir->link) == SG17__FRAME__BODY_FINISH, err);
            pthread_mutex_unlock(&w->lock);
            return false;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        double wait_ms = deadline - now + 1;
        until.tv_sec += (time_t)(wait_ms / 1000);
        until.tv_nsec += (long)(fmod(wait_ms, 1000) * 1e6);
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->changed, &w->lock, &until);
    }
    *total_ms = w->total_ms;
    pthread_mutex_unlock(&w->lock);
    pthread_join(ir->thread, NULL);
    return true;
}

static int inline_runs_init(inline_runs_t *ir)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&ir->watch.lock, NULL);
    int rc = pthread_cond_init(&ir->watch.changed, &attr);
    pthread_condattr_destroy(&attr);
    ir->watch.arm = ir->first;
    ir->watch.arm_started_ms = sg17_mono_ms();
    if (rc != 0 || !(ir->watch.runs = json_object()))
        return -1;
    return pthread_create(&ir->thread, NULL, inline_runs_main, ir) == 0 ? 0 : -1;
}

static void inline_runs_destroy(inline_runs_t *ir)
{
    pthread_cond_destroy(&ir->watch.changed);
    pthread_mutex_destroy(&ir->watch.lock);
}

/* How many times a scenario starts again after its remote host died, and how long it waits for
 * another host then (one that is connected already answers at once). */
#define MAX_HOST_LOSSES     8
#define REPLACEMENT_WAIT_MS 1000

static json_t *finish_entry(json_t *entry, const sg17_scenario_t *s, json_t *runs,
                            json_t *const *metrics, double total_ms, int rc, const sg17_err_t *err)
{
    json_object_set_new(entry, "runs", runs);
    json_object_set_new(entry, "wall_ms", json_real(total_ms));
    if (rc == 0) {
        sg17_engine_judge(entry, s, metrics);
    } else {
        json_object_set_new(entry, "conditions", json_array());
        json_object_set_new(entry, "error", json_string(err->msg));
        set_verdict(entry, "error", err->msg);
    }
    return entry;
}

/* The scenario on a host in this process (bus/local.h), inline on a thread of its own. */
static json_t *run_in_process(const sg17_scenario_t *s, const sg17_module_t *module,
                              const sg17_engine_opts_t *opts)
{
    static unsigned counter;
    char endpoint[96];
    snprintf(endpoint, sizeof endpoint, "inproc://sg17-bus-%u", counter++);
    sg17_err_t err = {{0}};
    inline_runs_t *ir = calloc(1, sizeof *ir);
    sg17_broker_t *broker = ir ? sg17_broker_new(endpoint, &err) : NULL;
    sg17_local_t *link = broker ? sg17_local_new(module) : NULL;
    int host = -1;
    if (link && sg17_broker_add_local(broker, module->name, link) == 0)
        host = sg17_broker_wait_host(broker, module->name, 30000, &err);
    else
        sg17_err(&err, "cannot start a host for module %s: out of memory", module->name);
    json_t *entry = entry_new(s);
    if (host < 0) {
        sg17_local_destroy(&link);
        sg17_broker_destroy(&broker);
        free(ir);
        return finish_entry(entry, s, json_object(), NULL, 0, -1, &err);
    }
    *ir = (inline_runs_t){.broker = broker,
                          .link = link,
                          .host = host,
                          .s = s,
                          .module = module,
                          .first = opts && opts->no_control ? SG17_ARM_BASELINE : SG17_ARM_CONTROL,
                          .trace_dir = opts ? opts->trace_dir : NULL};
    if (inline_runs_init(ir) < 0) {
        json_decref(ir->watch.runs);
        inline_runs_destroy(ir);
        sg17_local_destroy(&link);
        sg17_broker_destroy(&broker);
        free(ir);
        sg17_err(&err, "cannot start a thread for the runs of %s", s->id);
        return finish_entry(entry, s, json_object(), NULL, 0, -1, &err);
    }
    double total_ms = 0;
    if (!watch_runs(ir, &total_ms, &err)) /* the thread, its host and ir are left to the process */
        return finish_entry(entry, s, ir->watch.runs, NULL, total_ms, -1, &err);
    entry = finish_entry(entry, s, ir->watch.runs, ir->metrics, total_ms, ir->rc, &ir->err);
    sg17_local_close(link);
    sg17_local_destroy(&link);
    sg17_broker_destroy(&broker);
    inline_runs_destroy(ir);
    free(ir);
    return entry;
}

json_t *sg17_engine_run_scenario(const sg17_scenario_t *s, const sg17_engine_opts_t *opts)
{
    sg17_err_t err = {{0}};
    const sg17_module_t *module = sg17_loader_get(s->module, &err);
    if (!module)
        return sg17_engine_error_entry(s, s->file, err.msg);
    sg17_broker_t *broker = opts ? opts->broker : NULL;
    if (!broker)
        return run_in_process(s, module, opts);

    int host = sg17_broker_wait_host(broker, module->name,
                                     opts->host_wait_ms ? opts->host_wait_ms : 30000, &err);
    json_t *entry = entry_new(s);
    json_t *runs = json_object();
    json_t *metrics[SG17_N_ARMS] = {NULL, NULL, NULL};
    double total_ms = 0;
    bool timed_out = false;
    int rc = host < 0 ? -1 : 0;
    sg17_arm_t first = opts->no_control ? SG17_ARM_BASELINE : SG17_ARM_CONTROL;
    if (rc == 0)
        rc = run_all(broker, host, s, module, first, runs, metrics, &total_ms, &timed_out,
                     opts->trace_dir, NULL, &err);
    /* a remote host that died is not the scenario's fault: start again on another one */
    for (int lost = 1; rc < 0 && sg17_broker_host_dead(broker, host); lost++) {
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
                     opts->trace_dir, NULL, &err);
    }
    finish_entry(entry, s, runs, metrics, total_ms, rc, &err);
    if (rc == 0)
        sg17_broker_release_host(broker, host); /* the next scenario may use it */
    return entry;
}
