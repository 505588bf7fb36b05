/* runner.c — scenario discovery, validation, the child-process pool, and the report. */
#include "engine/runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bus/frame.h"
#include "engine/engine.h"
#include "engine/loader.h"
#include "engine/seeds.h"
#include "engine/shard.h"
#include "module/descriptor.h"
#include "report/report.h"
#include "util/fsutil.h"
#include "util/text.h"

/* The signal that stops the run (SIGINT, SIGTERM or SIGHUP), 0 while none has come. */
static volatile sig_atomic_t interrupted;

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_STOP_SIGNALS (sizeof stop_signals / sizeof stop_signals[0])

/* Ctrl-C, a scheduler's preemption (SIGTERM) and a closed terminal (SIGHUP) all stop the run the
 * same way: what finished is reported, marked incomplete. zsys_interrupted stops an in-process
 * broker's wait (sg17tb broker), which checks it. */
static void on_stop_signal(int sig)
{
    interrupted = sig;
    zsys_interrupted = 1;
}

static double mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void iso_now(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- discovery ---- */

typedef struct {
    char **items;
    size_t n, cap;
} strvec_t;

static void strvec_push(strvec_t *v, const char *s)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 32;
        char **p = realloc(v->items, cap * sizeof *p);
        if (!p)
            return;
        v->items = p;
        v->cap = cap;
    }
    v->items[v->n++] = strdup(s);
}

static bool is_scenario_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static void walk(const char *dir, strvec_t *out, int depth)
{
    DIR *d = opendir(dir);
    if (!d || depth > 16) {
        if (d)
            closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode))
            walk(path, out, depth + 1);
        else if (S_ISREG(st.st_mode) && is_scenario_name(e->d_name))
            strvec_push(out, path);
    }
    closedir(d);
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sg17_runner_collect(char *const *paths, size_t n_paths, char ***files, size_t *n_files)
{
    strvec_t v = {0};
    int rc = 0;
    for (size_t i = 0; i < n_paths; i++) {
        struct stat st;
        if (stat(paths[i], &st) < 0) {
            fprintf(stderr, "sg17tb: %s: %s\n", paths[i], strerror(errno));
            rc = -1;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            char trimmed[4096];
            snprintf(trimmed, sizeof trimmed, "%s", paths[i]);
            size_t len = strlen(trimmed);
            while (len > 1 && trimmed[len - 1] == '/')
                trimmed[--len] = '\0';
            size_t before = v.n;
            walk(trimmed, &v, 0);
            if (v.n > before) /* qsort wants a valid array even for 0 items */
                qsort(v.items + before, v.n - before, sizeof *v.items, by_str);
        } else {
            strvec_push(&v, paths[i]);
        }
    }
    *files = v.items;
    *n_files = v.n;
    return rc;
}

/* ---- the child-process pool ---- */

typedef struct {
    sg17_scenario_t *s;
    json_t *entry; /* result, or NULL while pending */
    pid_t pid;
    int fd;
    char *buf;
    size_t len, cap;
    double started, deadline;
    bool no_control;       /* --no-control */
    double expected_ms;    /* what it should cost (run_pool starts the most expensive first) */
    const char *trace_dir; /* --trace */
    unsigned seeds;        /* replicates: --seeds, else the scenario's repeat, else 1 */
} job_t;

/* The child ends a run that overruns the scenario's timeout by itself; the runner kills a child
 * that has still not answered after this many timeouts and this grace (a child stuck outside the
 * run loop). */
#define WATCHDOG_RUNS     3
#define WATCHDOG_GRACE_MS 5000

/* The scenario's entry over k seeds (k = 1: the plain run). Only the first seed's runs are
 * traced (--trace), so that the files are those of the scenario's own seed. */
static json_t *run_seeds(const sg17_scenario_t *s, const sg17_engine_opts_t *opts, unsigned k)
{
    if (k <= 1)
        return sg17_engine_run_scenario(s, opts);
    json_t **entries = calloc(k, sizeof *entries);
    uint64_t *seeds = calloc(k, sizeof *seeds);
    json_t *out = NULL;
    if (entries && seeds) {
        sg17_engine_opts_t o = *opts;
        unsigned done = 0;
        for (; done < k; done++) {
            sg17_scenario_t copy = *s;
            copy.seed = seeds[done] = sg17_seed_derive(s->seed, done);
            if (done > 0)
                o.trace_dir = NULL;
            if (!(entries[done] = sg17_engine_run_scenario(&copy, &o)))
                break;
        }
        out = done == k ? sg17_seeds_aggregate(entries, seeds, k) : NULL;
        for (unsigned i = 0; i < done; i++)
            json_decref(entries[i]);
    }
    free(entries);
    free(seeds);
    return out ? out : sg17_engine_error_entry(s, s->file, "out of memory");
}

static void job_start(job_t *j)
{
    int fds[2];
    if (pipe(fds) < 0) {
        j->entry = sg17_engine_error_entry(j->s, j->s->file, "cannot create a pipe");
        return;
    }
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        j->entry = sg17_engine_error_entry(j->s, j->s->file, "cannot fork");
        return;
    }
    if (pid == 0) { /* child: one scenario, its entry as JSON on the pipe */
        close(fds[0]);
        /* die with the runner, even when it is killed outright (SIGKILL gives it no chance to
         * kill us); a runner that died before the prctl took effect is caught by getppid */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(3);
        for (size_t i = 0; i < N_STOP_SIGNALS; i++)
            signal(stop_signals[i], SIG_DFL);
        sg17_engine_opts_t eo = {.no_control = j->no_control, .trace_dir = j->trace_dir};
        json_t *e = run_seeds(j->s, &eo, j->seeds);
        char *text = json_dumps(e, JSON_COMPACT);
        size_t len = text ? strlen(text) : 0, off = 0;
        while (off < len) {
            ssize_t w = write(fds[1], text + off, len - off);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        _exit(off == len ? 0 : 3);
    }
    close(fds[1]);
    j->pid = pid;
    j->fd = fds[0];
    j->started = mono_ms();
    j->deadline = j->started
                  + (double)(j->seeds ? j->seeds : 1) * WATCHDOG_RUNS * j->s->timeout_s * 1000
                  + WATCHDOG_GRACE_MS;
}

static void job_read(job_t *j)
{
    if (j->len + 65536 > j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 131072;
        char *b = realloc(j->buf, cap);
        if (!b)
            return;
        j->buf = b;
        j->cap = cap;
    }
    ssize_t r = read(j->fd, j->buf + j->len, j->cap - j->len - 1);
    if (r > 0) {
        j->len += (size_t)r;
        return;
    }
    close(j->fd);
    j->fd = -1;
}

/* The child has closed its pipe: collect its status and its entry. */
static void job_finish(job_t *j, const char *forced_reason)
{
    int status = 0;
    if (forced_reason)
        kill(j->pid, SIGKILL);
    waitpid(j->pid, &status, 0);
    if (j->fd >= 0)
        close(j->fd);
    j->fd = -1;
    char msg[512];
    if (forced_reason) {
        j->entry = sg17_engine_error_entry(j->s, j->s->file, forced_reason);
        json_object_set_new(j->entry, "wall_ms", json_real(mono_ms() - j->started));
    } else if (WIFSIGNALED(status)) {
        snprintf(msg, sizeof msg, "the module crashed: signal %d (%s); the run went on without it",
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
        j->entry = sg17_engine_error_entry(j->s, j->s->file, msg);
    } else {
        json_error_t jerr;
        if (j->buf)
            j->buf[j->len] = '\0';
        j->entry = j->buf ? json_loads(j->buf, 0, &jerr) : NULL;
        if (!j->entry) {
            /* e.g. a sanitizer caught the module's crash and exited on its behalf */
            snprintf(
                msg, sizeof msg,
                "the module crashed: the scenario's process exited (status %d) without a result",
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            j->entry = sg17_engine_error_entry(j->s, j->s->file, msg);
        }
    }
    free(j->buf);
    j->buf = NULL;
}

static bool progress_wanted(void)
{
    const char *ci = getenv("CI"), *term = getenv("TERM");
    return isatty(STDERR_FILENO) && !(ci && *ci && strcmp(ci, "false") != 0)
           && !(term && strcmp(term, "dumb") == 0);
}

static double progress_started_ms;

/* "[3/36] 4s, about 40s left  metering/fleet-5000": on a terminal only (never in CI or a pipe);
 * the estimate is the mean time per finished scenario times those left. */
static void progress(size_t done, size_t total, const job_t *j)
{
    if (!progress_wanted())
        return;
    if (progress_started_ms == 0)
        progress_started_ms = mono_ms();
    double elapsed = (mono_ms() - progress_started_ms) / 1000;
    char eta[48] = "";
    if (done > 0 && done < total)
        snprintf(eta, sizeof eta, ", about %.0fs left",
                 elapsed / (double)done * (double)(total - done));
    fprintf(stderr, "\r\033[K[%zu/%zu] %.0fs%s  %s", done, total, elapsed, eta, j ? j->s->id : "");
    if (done == total)
        fprintf(stderr, "\r\033[K");
}

/* id -> measured wall_ms of every scenario entry of a previous report.json. */
static json_t *load_costs(const char *path, sg17_err_t *err)
{
    json_error_t je;
    json_t *report = json_load_file(path, 0, &je);
    json_t *list = json_object_get(report, "scenarios");
    if (!json_is_array(list)) {
        json_decref(report);
        sg17_err(err, "--shard-costs %s: not a report.json of sg17tb (%s)", path,
                 report ? "no \"scenarios\" list" : je.text);
        return NULL;
    }
    json_t *costs = json_object();
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "id"));
        json_t *ms = json_object_get(e, "wall_ms");
        if (id && json_is_number(ms) && json_number_value(ms) > 0)
            json_object_set_new(costs, id, json_real(json_number_value(ms)));
    }
    json_decref(report);
    return costs;
}

/* Each job's expected cost: its scenario's wall time in the report a previous run left in
 * out_dir, when there is one; otherwise its timeout (an author gives a long scenario a longer
 * one). Jobs whose scenario that report does not know count as the most expensive. */
static void expect_costs(job_t *jobs, size_t n, const char *out_dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/report.json", out_dir);
    json_t *known = load_costs(path, NULL); /* none, or not a report: by timeout */
    for (size_t i = 0; i < n; i++) {
        json_t *wall = json_object_get(known, jobs[i].s->id);
        jobs[i].expected_ms = wall                      ? json_number_value(wall)
                              : json_object_size(known) ? 1e300
                                                        : jobs[i].s->timeout_s * 1000;
    }
    json_decref(known);
}

static const job_t *g_sort_jobs; /* for by_expected_cost */

/* Most expensive first; in file order among equals. */
static int by_expected_cost(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    double cx = g_sort_jobs[x].expected_ms, cy = g_sort_jobs[y].expected_ms;
    if (cx != cy)
        return cx < cy ? 1 : -1;
    return (x > y) - (x < y);
}

/* Runs the jobs max_jobs at a time, the most expensive first (expect_costs), so that a long
 * scenario does not start last and run alone at the end; the report keeps the jobs' order. */
static void run_pool(job_t *jobs, size_t n, int max_jobs, const char *out_dir)
{
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order) {
        for (size_t i = 0; i < n; i++)
            jobs[i].entry = sg17_engine_error_entry(jobs[i].s, jobs[i].s->file, "out of memory");
        return;
    }
    expect_costs(jobs, n, out_dir);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    g_sort_jobs = jobs;
    qsort(order, n, sizeof *order, by_expected_cost);
    size_t next = 0, done = 0;
    while (done < n && !interrupted) {
        size_t running = 0;
        for (size_t i = 0; i < next; i++)
            running += jobs[order[i]].entry == NULL;
        while (running < (size_t)max_jobs && next < n) {
            job_t *j = &jobs[order[next]];
            job_start(j);
            progress(done, n, j);
            if (j->entry)
                done++;
            else
                running++;
            next++;
        }
        struct pollfd fds[256];
        size_t idx[256], nf = 0;
        for (size_t i = 0; i < next && nf < 256; i++)
            if (!jobs[order[i]].entry && jobs[order[i]].fd >= 0) {
                fds[nf] = (struct pollfd){.fd = jobs[order[i]].fd, .events = POLLIN};
                idx[nf++] = order[i];
            }
        poll(fds, nf, 200);
        for (size_t k = 0; k < nf; k++) {
            job_t *j = &jobs[idx[k]];
            if (fds[k].revents)
                job_read(j);
            if (j->fd < 0) {
                job_finish(j, NULL);
                done++;
            } else if (mono_ms() > j->deadline) {
                char msg[256];
                snprintf(msg, sizeof msg,
                         "timed out: the scenario's process gave no result within %.1f s (%d times "
                         "its timeout of %g s, and %d s of grace) and was killed",
                         (j->deadline - j->started) / 1000, WATCHDOG_RUNS, j->s->timeout_s,
                         WATCHDOG_GRACE_MS / 1000);
                job_finish(j, msg);
                done++;
            }
        }
    }
    for (size_t i = 0; i < next; i++) { /* interrupted: stop what still runs */
        job_t *j = &jobs[order[i]];
        if (!j->entry) {
            kill(j->pid, SIGKILL);
            waitpid(j->pid, NULL, 0);
            if (j->fd >= 0)
                close(j->fd);
            free(j->buf);
        }
    }
    free(order);
    progress(n, n, NULL);
}

/* ---- report ---- */

/* `--backend NAME`: the value of the config key `backend`, in the scenarios of modules that have
 * one. A name outside the module's choices (sg17_choice_t) is refused here, before anything runs:
 * -1 after the message. */
static int override_backend(sg17_scenario_t *s, const char *backend, const sg17_registry_t *reg,
                            const char **reported)
{
    for (size_t i = 0; i < s->n_config; i++) {
        if (strcmp(s->config[i].key, "backend") != 0)
            continue;
        sg17_err_t err;
        const sg17_module_t *m = reg->module(reg->arg, s->module, &err);
        const char *const *values = m ? sg17_module_choices(m, NULL, "backend") : NULL;
        if (values && !sg17_choice_ok(values, backend)) {
            char list[256];
            sg17_choice_list(values, list, sizeof list);
            if (!*reported || strcmp(*reported, s->module) != 0) /* once per module */
                fprintf(stderr, "sg17tb: --backend '%s': module %s's backend is %s\n", backend,
                        s->module, list);
            *reported = s->module;
            return -1;
        }
        char *v = strdup(backend);
        if (!v)
            return -1;
        free(s->config[i].value);
        s->config[i].value = v;
    }
    return 0;
}

static json_t *catalogue_json(const sg17_catalogue_t *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "recommendation",
                        json_string(c->recommendation ? c->recommendation : ""));
    json_object_set_new(o, "title", json_string(c->title ? c->title : ""));
    json_object_set_new(o, "file", json_string(c->file ? c->file : ""));
    for (int pass = 0; pass < 2; pass++) {
        const sg17_catalogue_entry_t *items = pass ? c->requirements : c->threats;
        size_t n = pass ? c->n_requirements : c->n_threats;
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            const sg17_catalogue_entry_t *e = &items[i];
            json_t *r = json_object();
            json_object_set_new(r, "id", json_string(e->id));
            json_object_set_new(r, "title", json_string(e->title ? e->title : ""));
            json_object_set_new(r, "text", json_string(e->text ? e->text : ""));
            json_object_set_new(r, "source", json_string(e->source ? e->source : ""));
            json_object_set_new(r, "clause", e->clause ? json_string(e->clause) : json_null());
            if (pass) {
                json_t *th = json_array();
                for (size_t k = 0; k < e->n_threats; k++)
                    json_array_append_new(th, json_string(e->threats[k]));
                json_object_set_new(r, "threats", th);
                json_object_set_new(r, "untestable",
                                    e->untestable ? json_string(e->untestable) : json_null());
            }
            json_array_append_new(arr, r);
        }
        json_object_set_new(o, pass ? "requirements" : "threats", arr);
    }
    return o;
}

/* Whether array holds this very value (not an equal one). */
static bool array_holds(const json_t *array, const json_t *value)
{
    size_t i;
    json_t *e;
    json_array_foreach(array, i, e) if (e == value) return true;
    return false;
}

/* One line per scenario and the counts. invalid_entries: the entries of files that did not
 * validate, whose errors were printed when they were found. */
static void print_summary(const json_t *report, const char *out_dir, const json_t *invalid_entries)
{
    const json_t *sum = json_object_get(report, "summary");
    /* no-color.org: NO_COLOR set to anything but the empty string turns colours off */
    const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
    bool color =
        isatty(STDOUT_FILENO) && !(no_color && *no_color) && !(term && strcmp(term, "dumb") == 0);
    const char *names[] = {"holds", "fails", "degraded", "vacuous", "error"};
    const char *colors[] = {"\033[32m", "\033[31m", "\033[33m", "\033[35m", "\033[31;1m"};
    json_t *list = json_object_get(report, "scenarios");
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        const char *v = json_string_value(json_object_get(e, "verdict"));
        const char *c = "";
        for (int k = 0; k < 5; k++)
            if (v && !strcmp(v, names[k]))
                c = colors[k];
        bool match = json_is_true(json_object_get(e, "matches_expect"));
        printf("%s%-9s%s %s%s%s\n", color ? c : "", v ? v : "?", color ? "\033[0m" : "",
               json_string_value(json_object_get(e, "id")), match ? "" : "  (expected ",
               match ? "" : json_string_value(json_object_get(e, "expect")));
        if (!match && array_holds(invalid_entries, e))
            printf("          invalid scenario file: its errors are printed above)\n");
        else if (!match)
            printf("          %s)\n", json_string_value(json_object_get(e, "reason")));
    }
    printf("%lld scenarios: %lld holds, %lld fails, %lld degraded, %lld vacuous, %lld error; "
           "%lld match their expectation, %lld do not. Report: %s/\n",
           json_integer_value(json_object_get(sum, "total")),
           json_integer_value(json_object_get(sum, "holds")),
           json_integer_value(json_object_get(sum, "fails")),
           json_integer_value(json_object_get(sum, "degraded")),
           json_integer_value(json_object_get(sum, "vacuous")),
           json_integer_value(json_object_get(sum, "error")),
           json_integer_value(json_object_get(sum, "matched")),
           json_integer_value(json_object_get(sum, "mismatched")), out_dir);
}

/* ---- shards ---- */

typedef struct {
    unsigned index, count; /* 1-based index; count 0 = the whole run */
} slice_t;

static const char *env_get(const char *name)
{
    return getenv(name);
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The cost of each kept scenario: its measured wall time in `costs` (a previous report) when there
 * is one; otherwise, for a scenario the report lacks, the median measured time; without any
 * measurement, an estimate from the scenario itself: (1 + its entities) x its virtual seconds.
 * Returns shard_of[] (0-based) or NULL when out of memory. */
static unsigned *deal_shards(sg17_scenario_t *const *kept, size_t n, unsigned count, json_t *costs)
{
    double *cost = calloc(n + 1, sizeof *cost), *known = calloc(n + 1, sizeof *known);
    unsigned *shard_of = calloc(n + 1, sizeof *shard_of);
    if (!cost || !known || !shard_of) {
        free(cost);
        free(known);
        free(shard_of);
        return NULL;
    }
    size_t n_known = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *ms = json_object_get(costs, kept[i]->id);
        cost[i] = ms ? json_number_value(ms) : -1;
        if (ms)
            known[n_known++] = cost[i];
    }
    qsort(known, n_known, sizeof *known, by_double);
    for (size_t i = 0; i < n; i++) {
        if (cost[i] >= 0)
            continue;
        if (n_known) {
            cost[i] = known[n_known / 2];
            continue;
        }
        double entities = 1;
        for (size_t k = 0; k < kept[i]->n_topology; k++)
            entities += kept[i]->topology[k].count;
        double secs = (double)kept[i]->duration / (double)SG17_SEC;
        cost[i] = entities * (secs > 1 ? secs : 1);
    }
    sg17_shard_deal(cost, n, count, shard_of);
    free(cost);
    free(known);
    return shard_of;
}

int sg17_runner_run(char *const *paths, size_t n_paths, const sg17_runner_opts_t *opts)
{
    char started[32];
    iso_now(started, sizeof started);
    sg17_err_t err = {{0}};
    if (opts->formats && sg17_report_formats_check(opts->formats, &err) < 0) {
        fprintf(stderr, "sg17tb: --format: %s\n", err.msg);
        return 2;
    }
    if (opts->trace_dir && sg17_fs_mkdir_p(opts->trace_dir, &err) < 0) {
        fprintf(stderr, "sg17tb: --trace: %s\n", err.msg);
        return 2;
    }
    slice_t shard = {opts->shard_index, opts->shard_count};
    if (opts->shard_auto) {
        const char *source;
        if (sg17_shard_from_env(env_get, &shard.index, &shard.count, &source, &err) < 0) {
            fprintf(stderr, "sg17tb: %s\n", err.msg);
            return 2;
        }
        fprintf(stderr, "sg17tb: shard %u/%u (from the %s)\n", shard.index, shard.count, source);
    }
    json_t *costs = NULL;
    if (opts->shard_costs && !(costs = load_costs(opts->shard_costs, &err))) {
        fprintf(stderr, "sg17tb: %s\n", err.msg);
        return 2;
    }
    char **files;
    size_t n_files;
    bool invalid = sg17_runner_collect(paths, n_paths, &files, &n_files) < 0;
    if (n_files == 0 && !invalid) {
        fprintf(stderr, "sg17tb: no scenario files (*.yaml) under the given paths\n");
        invalid = true;
    }

    /* validate everything first: errors are reported before anything runs */
    sg17_registry_t reg = sg17_loader_registry();
    typedef struct {
        sg17_scenario_t *list;
        size_t n;
    } loaded_t;
    loaded_t *loaded = calloc(n_files + 1, sizeof *loaded);
    json_t *error_entries = json_array();
    size_t n_jobs = 0;
    for (size_t i = 0; i < n_files; i++) {
        char *all = NULL;
        if (sg17_scenario_load_all(files[i], &reg, &loaded[i].list, &loaded[i].n, &err, &all) < 0) {
            /* every error of the file, here and only here: the summary line does not repeat it */
            fprintf(stderr, "%s\n", all ? all : err.msg);
            free(all);
            /* in one shard only (by file index: every shard sorts the same files), so that
             * the shards' reports still merge */
            if (!shard.count || i % shard.count == shard.index - 1)
                json_array_append_new(error_entries,
                                      sg17_engine_error_entry(NULL, files[i], err.msg));
            invalid = true;
            loaded[i].n = 0;
            continue;
        }
        n_jobs += loaded[i].n;
    }
    /* the scenarios the filter keeps, in file order: the same list in every shard */
    sg17_scenario_t **kept = calloc(n_jobs + 1, sizeof *kept);
    size_t n_kept = 0;
    for (size_t i = 0; i < n_files; i++)
        for (size_t k = 0; k < loaded[i].n; k++)
            if (!opts->filter || sg17_glob(opts->filter, loaded[i].list[k].id))
                kept[n_kept++] = &loaded[i].list[k];
    unsigned *shard_of = NULL;
    if (shard.count && !(shard_of = deal_shards(kept, n_kept, shard.count, costs)))
        invalid = true;
    json_decref(costs);
    job_t *jobs = calloc(n_jobs + 1, sizeof *jobs);
    size_t nj = 0;
    const char *bad_backend = NULL; /* the module of a refused --backend */
    for (size_t my = 0; my < n_kept; my++) {
        sg17_scenario_t *s = kept[my];
        if (shard.count && (!shard_of || shard_of[my] != shard.index - 1))
            continue;
        if (opts->have_seed)
            s->seed = opts->seed;
        if (opts->clear_mitigations)
            s->n_mitigations = 0;
        if (opts->backend && override_backend(s, opts->backend, &reg, &bad_backend) < 0) {
            invalid = true;
            continue;
        }
        jobs[nj++] = (job_t){.s = s,
                             .fd = -1,
                             .no_control = opts->no_control,
                             .trace_dir = opts->trace_dir,
                             .seeds = opts->seeds ? opts->seeds
                                      : s->repeat ? s->repeat
                                                  : 1};
    }
    free(kept);
    free(shard_of);
    if (bad_backend)
        nj = 0; /* a misspelt --backend is a usage error: nothing runs */

    interrupted = 0;
    struct sigaction sa = {0}, old[N_STOP_SIGNALS];
    sa.sa_handler = on_stop_signal; /* no SA_RESTART: a poll in progress returns at once */
    for (size_t i = 0; i < N_STOP_SIGNALS; i++)
        sigaction(stop_signals[i], &sa, &old[i]);
    if (opts->bind) {
        sg17_curve_t curve = {opts->curve_cert, opts->curve_allow};
        sg17_broker_t *broker =
            sg17_broker_new_curve(opts->bind, opts->curve_cert ? &curve : NULL, &err);
        if (!broker) {
            fprintf(stderr, "sg17tb: %s\n", err.msg);
            invalid = true;
        }
        sg17_engine_opts_t eo = {broker, opts->host_wait_ms, opts->no_control, opts->trace_dir};
        sg17_bus_plan_waiting(1); /* one run at a time */
        for (size_t i = 0; broker && i < nj && !interrupted; i++) {
            progress(i, nj, &jobs[i]);
            jobs[i].entry = run_seeds(jobs[i].s, &eo, jobs[i].seeds);
            if (interrupted) { /* cut short: no verdict to report */
                json_decref(jobs[i].entry);
                jobs[i].entry = NULL;
            }
        }
        progress(nj, nj, NULL);
        if (broker)
            sg17_broker_quit_hosts(broker);
        sg17_broker_destroy(&broker);
    } else {
        int max_jobs = opts->jobs > 0 ? opts->jobs : 1;
        sg17_bus_plan_waiting((unsigned)(nj < (size_t)max_jobs ? nj : (size_t)max_jobs));
        run_pool(jobs, nj, max_jobs, opts->out_dir ? opts->out_dir : "sg17tb-report");
    }
    for (size_t i = 0; i < N_STOP_SIGNALS; i++)
        sigaction(stop_signals[i], &old[i], NULL);

    /* the report */
    json_t *report = json_object();
    json_t *tool = json_object();
    json_object_set_new(tool, "name", json_string("sg17tb"));
    json_object_set_new(tool, "version", json_string(SG17TB_VERSION));
    json_object_set_new(tool, "git", json_string(SG17TB_GIT_DESCRIBE));
    json_object_set_new(report, "schema", json_string("sg17tb-report/1"));
    json_object_set_new(report, "tool", tool);
    json_object_set_new(report, "started", json_string(started));
    char finished[32];
    iso_now(finished, sizeof finished);
    json_object_set_new(report, "finished", json_string(finished));
    json_object_set_new(report, "complete", json_boolean(!interrupted));
    json_object_set_new(report, "control", json_boolean(!opts->no_control));
    json_object_set_new(report, "seed",
                        opts->have_seed ? json_integer((json_int_t)opts->seed) : json_null());
    if (shard.count) {
        char slice[32];
        snprintf(slice, sizeof slice, "%u/%u", shard.index, shard.count);
        json_object_set_new(report, "shard", json_string(slice));
    } else {
        json_object_set_new(report, "shard", json_null());
    }
    json_t *scenarios = json_array();
    json_t *catalogues = json_object();
    size_t idx;
    json_t *e;
    json_array_foreach(error_entries, idx, e) json_array_append(scenarios, e);
    for (size_t i = 0; i < nj; i++) {
        if (!jobs[i].entry)
            continue; /* interrupted before it finished */
        json_array_append_new(scenarios, jobs[i].entry);
        const char *m = jobs[i].s->module;
        if (!json_object_get(catalogues, m)) {
            const sg17_catalogue_t *c = sg17_loader_catalogue(m, &err);
            if (c)
                json_object_set_new(catalogues, m, catalogue_json(c));
        }
    }
    json_object_set_new(report, "catalogues", catalogues);
    json_object_set_new(report, "scenarios", scenarios);
    sg17_report_summarize(report);
    const char *out_dir = opts->out_dir ? opts->out_dir : "sg17tb-report";
    int rc = 0;
    if (sg17_report_write(report, out_dir, opts->formats, &err) < 0) {
        fprintf(stderr, "sg17tb: writing the report: %s\n", err.msg);
        rc = 3;
    }
    print_summary(report, out_dir, error_entries);
    json_t *sum = json_object_get(report, "summary");
    if (rc == 0) {
        /* stopped by a signal: the shell's convention, 130 SIGINT, 143 SIGTERM, 129 SIGHUP */
        if (interrupted)
            rc = 128 + interrupted;
        else if (invalid)
            rc = 2;
        else if (json_integer_value(json_object_get(sum, "mismatched")) > 0)
            rc = 1;
    }
    json_decref(report);
    json_decref(error_entries);
    for (size_t i = 0; i < n_files; i++) {
        sg17_scenarios_free(loaded[i].list, loaded[i].n);
        free(files[i]);
    }
    free(files);
    free(loaded);
    free(jobs);
    return rc;
}
