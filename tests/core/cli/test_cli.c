/* test_cli.c — the sg17tb command as a user runs it: exit codes of docs/architecture.md §10, error
 * messages that name file:line:col, --jobs giving the same report as one job, --shard + merge
 * giving the whole, Ctrl-C, SIGTERM and SIGHUP leaving a partial report marked incomplete and no
 * process behind, and a module that hangs costing the scenario's timeout and no more. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/sg17-cli-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void write_scenario(const char *name, const char *mitigations, const char *expect)
{
    char text[2048];
    snprintf(
        text, sizeof text,
        "id: fixture/%s\ntitle: cli %s\nmodule: fixture\nrequirements: [FIX-R-AUTH]\n"
        "seed: 5\nduration: 2min\ntopology: {node: 3}\nmitigations: [%s]\n"
        "network: {latency: 2ms, jitter: 3ms, loss: 0.02}\n"
        "adversary: {capabilities: [forge]}\nactions:\n  - {at: 30s, forge: {count: 4}}\n"
        "success: [ledger.accepted.injected > 0]\nservice: [sink.accepted >= 0.9 * node.sent]\n"
        "expect: {verdict: %s, reason: \"pinned by the test\"}\n",
        name, name, mitigations, expect);
    char file[128];
    snprintf(file, sizeof file, "%s.yaml", name);
    write_file(file, text);
}

/* Runs the CLI with stdout/stderr into dir/out.txt; returns the exit status (or 128+signal). */
static pid_t spawn_cli(char *const args[], bool wait_for, int *status_out)
{
    char *argv[32] = {SG17TB_CLI};
    size_t n = 1;
    for (; args[n - 1] && n < 31; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    char out[128];
    snprintf(out, sizeof out, "%s/out.txt", dir);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, SG17TB_CLI, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    if (wait_for) {
        int status;
        waitpid(pid, &status, 0);
        *status_out = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return pid;
}

static int cli(char *const args[])
{
    int status;
    spawn_cli(args, true, &status);
    return status;
}

static char *output(void)
{
    static char buf[65536];
    char path[128];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    return buf;
}

static json_t *load_report(const char *sub)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s/report.json", dir, sub);
    json_error_t e;
    json_t *r = json_load_file(path, 0, &e);
    cr_assert_not_null(r, "%s: %s", path, e.text);
    return r;
}

/* The scenarios of a report without what may differ between runs: wall times and cost.*. */
static json_t *comparable(json_t *report)
{
    json_t *sc = json_deep_copy(json_object_get(report, "scenarios"));
    size_t i;
    json_t *e;
    json_array_foreach(sc, i, e)
    {
        json_object_del(e, "wall_ms");
        json_t *runs = json_object_get(e, "runs");
        const char *rk;
        json_t *run;
        json_object_foreach(runs, rk, run)
        {
            json_object_del(run, "wall_ms");
            json_t *m = json_object_get(run, "metrics");
            const char *k;
            json_t *v;
            void *tmp;
            json_object_foreach_safe(m, tmp, k, v) if (!strncmp(k, "cost.", 5))
                json_object_del(m, k);
        }
    }
    return sc;
}

static char *path_in(const char *name)
{
    static char bufs[4][256];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, 256, "%s/%s", dir, name);
    return b;
}

Test(cli, exit_codes_follow_the_contract)
{
    make_dir();
    write_scenario("a-good", "auth", "holds");
    cr_assert_eq(cli((char *[]){"run", "--out", path_in("r0"), path_in("a-good.yaml"), NULL}), 0,
                 "%s", output());
    write_scenario("b-wrong", "", "holds"); /* nothing under test: cannot hold */
    cr_assert_eq(cli((char *[]){"run", "--out", path_in("r1"), dir, NULL}), 1, "%s", output());
    cr_assert(strstr(output(), "expected holds"), "%s", output());
    cr_assert_eq(cli((char *[]){"run", "--jobs", "zero", dir, NULL}), 2);
    cr_assert_eq(cli((char *[]){"run", "--format", "json,pdf", dir, NULL}), 2);
    cr_assert(strstr(output(), "pdf"));
    cr_assert_eq(cli((char *[]){"run", path_in("missing.yaml"), NULL}), 2);
    cr_assert_eq(cli((char *[]){"frobnicate", NULL}), 2);
    cr_assert_eq(cli((char *[]){"list", "modulez", NULL}), 2);
    cr_assert(strstr(output(), "did you mean 'modules'"), "%s", output());
}

Test(cli, an_invalid_scenario_is_refused_with_file_line_column_and_a_suggestion)
{
    make_dir();
    write_file("bad.yaml",
               "id: fixture/bad\ntitle: bad\nmodule: fixture\nrequirements: [FIX-R-AUTH]\n"
               "duration: 1min\nmitigations: [auht]\nsuccess: [ledger.accepted.injected > 0]\n"
               "expect: hold\n");
    cr_assert_eq(cli((char *[]){"validate", path_in("bad.yaml"), NULL}), 2);
    cr_assert(strstr(output(), "bad.yaml:6:"), "%s", output());
    cr_assert(strstr(output(), "did you mean 'auth'"), "%s", output());
    /* every error of the file in one pass, not only the first */
    cr_assert(strstr(output(), "bad.yaml:8:9: expect: unknown verdict 'hold'"), "%s", output());
    /* run reports it too, as an error verdict, and exits 2, printing each error once */
    write_scenario("good", "auth", "holds");
    cr_assert_eq(cli((char *[]){"run", "--out", path_in("r"), dir, NULL}), 2);
    size_t times = 0;
    for (const char *p = output(); (p = strstr(p, "bad.yaml:6:")); p++)
        times++;
    cr_assert_eq(times, 1, "the error is printed once:\n%s", output());
    json_t *r = load_report("r");
    cr_assert_eq(json_array_size(json_object_get(r, "scenarios")), 2);
    json_decref(r);
}

/* A value outside a module's closed set (sg17_choice_t) is an input error at its line and column,
 * with the accepted spellings and the nearest one. */
Test(cli, a_value_outside_its_choices_is_refused_with_the_accepted_ones)
{
    make_dir();
    write_file("guess.yaml",
               "id: fixture/guess\ntitle: guess\nmodule: fixture\nrequirements: [FIX-R-AUTH]\n"
               "duration: 1min\nmitigations: [auth]\nadversary: {capabilities: [forge]}\n"
               "actions:\n  - at: 5s\n    forge: {count: 2, guess: blnk}\n"
               "success: [ledger.accepted.injected > 0]\n");
    cr_assert_eq(cli((char *[]){"validate", path_in("guess.yaml"), NULL}), 2);
    cr_assert(strstr(output(), "guess.yaml:10:30: actions[0].forge.guess: 'blnk' is not a value it "
                               "accepts; expected one of near, blank; did you mean 'blank'?"),
              "%s", output());
}

Test(cli, a_topology_below_a_kinds_minimum_and_a_family_member_outside_it_exit_2)
{
    make_dir();
    write_file("nosink.yaml",
               "id: fixture/nosink\ntitle: no sink\nmodule: fixture\nrequirements: [FIX-R-AUTH]\n"
               "duration: 1min\ntopology: {sink: 0}\nmitigations: [auth]\n"
               "success: [ledger.accepted.injected > 0]\n");
    cr_assert_eq(cli((char *[]){"validate", path_in("nosink.yaml"), NULL}), 2);
    cr_assert(strstr(output(), "nosink.yaml:6:18: topology.sink: 0 is out of range: at least 1"),
              "%s", output());
    cr_assert_eq(cli((char *[]){"run", "--out", path_in("r"), path_in("nosink.yaml"), NULL}), 2);
    write_file("member.yaml",
               "id: fixture/member\ntitle: member\nmodule: fixture\nrequirements: [FIX-R-AUTH]\n"
               "duration: 1min\ntopology: {node: 4}\nmitigations: [auth]\n"
               "success: [ledger.accepted.injected > 0]\nservice: [sink.from.node-99 > 0]\n");
    cr_assert_eq(cli((char *[]){"validate", path_in("member.yaml"), NULL}), 2);
    cr_assert(strstr(output(), "member.yaml:9:11: service[0]: 'sink.from.node-99' names node-99, "
                               "but the topology has 4 node entities"),
              "%s", output());
}

Test(cli, parallel_jobs_give_the_same_report_as_one_job)
{
    make_dir();
    write_scenario("a", "auth", "holds");
    write_scenario("b", "", "fails");
    write_scenario("c", "auth", "holds");
    write_scenario("d", "dedup", "fails");
    cr_assert_eq(cli((char *[]){"run", "--jobs", "1", "--out", path_in("one"), dir, NULL}), 0, "%s",
                 output());
    cr_assert_eq(cli((char *[]){"run", "--jobs", "3", "--out", path_in("three"), dir, NULL}), 0,
                 "%s", output());
    json_t *a = load_report("one"), *b = load_report("three");
    json_t *ca = comparable(a), *cb = comparable(b);
    cr_assert_eq(json_array_size(ca), 4);
    cr_assert(json_equal(ca, cb), "--jobs 3 differs from --jobs 1");
    json_decref(ca), json_decref(cb), json_decref(a), json_decref(b);
}

Test(cli, shards_merge_into_the_whole_run)
{
    make_dir();
    write_scenario("a", "auth", "holds");
    write_scenario("b", "auth", "holds");
    write_scenario("c", "auth", "holds");
    cr_assert_eq(cli((char *[]){"run", "--out", path_in("all"), dir, NULL}), 0);
    cr_assert_eq(cli((char *[]){"run", "--shard", "1/2", "--out", path_in("s1"), dir, NULL}), 0);
    cr_assert_eq(cli((char *[]){"run", "--shard", "2/2", "--out", path_in("s2"), dir, NULL}), 0);
    cr_assert_eq(cli((char *[]){"merge", path_in("s1/report.json"), path_in("s2/report.json"),
                                "--out", path_in("merged"), NULL}),
                 0, "%s", output());
    json_t *all = load_report("all"), *merged = load_report("merged");
    json_t *ca = comparable(all), *cm = comparable(merged);
    cr_assert(json_equal(ca, cm), "merged shards differ from the whole run");
    cr_assert(json_is_true(json_object_get(merged, "complete")));
    json_decref(ca), json_decref(cm), json_decref(all), json_decref(merged);
}

Test(cli, shard_auto_takes_its_slice_from_the_scheduler_and_deals_by_measured_cost)
{
    make_dir();
    write_scenario("a", "auth", "holds");
    write_scenario("b", "auth", "holds");
    write_scenario("c", "auth", "holds");
    cr_assert_eq(cli((char *[]){"run", "--out", path_in("all"), dir, NULL}), 0);
    /* no scheduler in the environment: refused, saying what it looked for */
    unsetenv("CI_NODE_INDEX");
    cr_assert_eq(cli((char *[]){"run", "--shard", "auto", "--out", path_in("x"), dir, NULL}), 2);
    cr_assert(strstr(output(), "CI_NODE_INDEX"), "%s", output());
    /* GitLab `parallel: 2`, dealt by the whole run's wall times */
    setenv("CI_NODE_TOTAL", "2", 1);
    const char *subs[2] = {"g1", "g2"};
    size_t ran = 0;
    for (int i = 0; i < 2; i++) {
        setenv("CI_NODE_INDEX", i ? "2" : "1", 1);
        cr_assert_eq(
            cli((char *[]){"run", "--shard", "auto", "--shard-costs", path_in("all/report.json"),
                           "--out", path_in(subs[i]), dir, NULL}),
            0, "%s", output());
        cr_assert(strstr(output(), "from the GitLab CI parallel"), "%s", output());
        json_t *r = load_report(subs[i]);
        cr_assert_str_eq(json_string_value(json_object_get(r, "shard")), i ? "2/2" : "1/2");
        ran += json_array_size(json_object_get(r, "scenarios"));
        json_decref(r);
    }
    cr_assert_eq(ran, 3, "every scenario in exactly one shard");
    cr_assert_eq(cli((char *[]){"merge", path_in("g1/report.json"), path_in("g2/report.json"),
                                "--out", path_in("merged"), NULL}),
                 0, "%s", output());
    json_t *all = load_report("all"), *merged = load_report("merged");
    json_t *ca = comparable(all), *cm = comparable(merged);
    cr_assert(json_equal(ca, cm), "merged shards differ from the whole run");
    json_decref(ca), json_decref(cm), json_decref(all), json_decref(merged);
    /* a costs file that is not a report is refused before anything runs */
    cr_assert_eq(cli((char *[]){"run", "--shard", "1/2", "--shard-costs", path_in("a.yaml"),
                                "--out", path_in("y"), dir, NULL}),
                 2);
    cr_assert(strstr(output(), "--shard-costs"), "%s", output());
}

/* Runs the CLI on a pseudo-terminal (as a user at a terminal sees it) with the given extra
 * environment ("NAME=value", or "NAME" to unset); returns everything it wrote. */
static char *run_on_a_terminal(char *const args[], const char *const *env)
{
    static char buf[65536];
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        for (const char *const *e = env; *e; e++) {
            const char *eq = strchr(*e, '=');
            if (eq) {
                char name[64];
                snprintf(name, sizeof name, "%.*s", (int)(eq - *e), *e);
                setenv(name, eq + 1, 1);
            } else {
                unsetenv(*e);
            }
        }
        char *argv[32] = {SG17TB_CLI};
        size_t n = 1;
        for (; args[n - 1] && n < 31; n++)
            argv[n] = args[n - 1];
        argv[n] = NULL;
        execv(SG17TB_CLI, argv);
        _exit(127);
    }
    size_t used = 0;
    ssize_t got;
    while (used < sizeof buf - 1 && (got = read(master, buf + used, sizeof buf - 1 - used)) > 0)
        used += (size_t)got;
    buf[used] = '\0';
    close(master);
    waitpid(pid, NULL, 0);
    return buf;
}

Test(cli, a_terminal_gets_a_progress_line_and_colours_which_ci_and_no_color_turn_off)
{
    make_dir();
    write_scenario("a", "auth", "holds");
    write_scenario("b", "auth", "holds");
    char *args[] = {"run", "--out", path_in("r"), dir, NULL};
    char *tty = run_on_a_terminal(args, (const char *[]){"CI", "NO_COLOR", "TERM=xterm", NULL});
    cr_assert(strstr(tty, "[0/2] 0s"), "no progress line:\n%s", tty);
    cr_assert(strstr(tty, "\033[32mholds"), "no colour:\n%s", tty);
    tty = run_on_a_terminal(args, (const char *[]){"CI=true", "NO_COLOR", "TERM=xterm", NULL});
    cr_assert_null(strstr(tty, "[0/2]"), "a progress line with CI set:\n%s", tty);
    cr_assert(strstr(tty, "\033[32mholds"), "CI alone keeps colours:\n%s", tty);
    tty = run_on_a_terminal(args, (const char *[]){"CI", "NO_COLOR=1", "TERM=xterm", NULL});
    cr_assert(strstr(tty, "[0/2]"), "NO_COLOR alone keeps the progress line:\n%s", tty);
    cr_assert_null(strstr(tty, "\033[32m"), "colour with NO_COLOR set:\n%s", tty);
    cr_assert(strstr(tty, "holds"), "%s", tty);
    /* through a pipe (as here, out.txt): neither */
    cr_assert_eq(cli(args), 0);
    cr_assert_null(strstr(output(), "\033["), "%s", output());
}

Test(cli, shards_with_an_invalid_file_still_merge_into_the_whole_run)
{
    make_dir();
    write_scenario("a", "auth", "holds");
    write_scenario("b", "auth", "holds");
    write_file("c-broken.yaml", "id: fixture/c\ntitle: [unclosed\n");
    cr_assert_eq(cli((char *[]){"run", "--out", path_in("all"), dir, NULL}), 2);
    cr_assert_eq(cli((char *[]){"run", "--shard", "1/2", "--out", path_in("s1"), dir, NULL}), 2);
    cr_assert_eq(cli((char *[]){"run", "--shard", "2/2", "--out", path_in("s2"), dir, NULL}), 2);
    cr_assert_neq(cli((char *[]){"merge", path_in("s1/report.json"), path_in("s2/report.json"),
                                 "--out", path_in("merged"), NULL}),
                  2, "%s", output());
    json_t *all = load_report("all"), *merged = load_report("merged");
    json_t *ca = comparable(all), *cm = comparable(merged);
    cr_assert(json_equal(ca, cm), "merged shards differ from the whole run");
    cr_assert_eq(json_array_size(json_object_get(merged, "scenarios")), 3, "the broken file once");
    json_decref(ca), json_decref(cm), json_decref(all), json_decref(merged);
}

Test(cli, no_control_skips_the_control_run_and_the_report_says_so)
{
    make_dir();
    write_scenario("a", "auth", "holds");
    cr_assert_eq(cli((char *[]){"run", "--no-control", "--format", "json,md", "--out", path_in("r"),
                                dir, NULL}),
                 0, "%s", output());
    json_t *r = load_report("r");
    cr_assert(json_is_false(json_object_get(r, "control")));
    json_t *s = json_array_get(json_object_get(r, "scenarios"), 0);
    cr_assert_null(json_object_get(json_object_get(s, "runs"), "control"));
    cr_assert_not_null(json_object_get(json_object_get(s, "runs"), "baseline"));
    json_decref(r);
    cr_assert_eq(cli((char *[]){"run", "--format", "json", "--out", path_in("c"), dir, NULL}), 0,
                 "%s", output());
    r = load_report("c");
    cr_assert(json_is_true(json_object_get(r, "control")));
    s = json_array_get(json_object_get(r, "scenarios"), 0);
    cr_assert_not_null(json_object_get(json_object_get(s, "runs"), "control"));
    json_decref(r);
}

/* The pids of the live (not zombie) processes whose parent is `parent`, from /proc. */
static size_t children_of(pid_t parent, pid_t *out, size_t max)
{
    size_t n = 0;
    DIR *d = opendir("/proc");
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        char path[300], state;
        int pid, ppid;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        /* pid (comm) state ppid: comm may hold spaces, so read from its closing parenthesis */
        char line[1024];
        bool ok = fgets(line, sizeof line, f) != NULL;
        fclose(f);
        const char *close = ok ? strrchr(line, ')') : NULL;
        if (close && sscanf(line, "%d", &pid) == 1
            && sscanf(close + 1, " %c %d", &state, &ppid) == 2 && ppid == parent && state != 'Z')
            out[n++] = pid;
    }
    closedir(d);
    return n;
}

/* True while process pid exists and is not a zombie. */
static bool alive(pid_t pid)
{
    char path[64], line[1024], state = 'Z';
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    const char *close = fgets(line, sizeof line, f) ? strrchr(line, ')') : NULL;
    fclose(f);
    return close && sscanf(close + 1, " %c", &state) == 1 && state != 'Z';
}

/* Starts `sg17tb run` on a scenario that hangs (after a quick one), and returns once the hanging
 * scenario's child process is running: *child is its pid. */
static pid_t start_hanging_run(pid_t *child)
{
    make_dir();
    write_scenario("a-quick", "auth", "holds");
    write_file("b-slow.yaml",
               "id: fixture/b-slow\ntitle: slow\nmodule: fixture\nrequirements: [FIX-R-AUTH]\n"
               "duration: 1min\ntimeout: 60s\nconfig: {hang_at: 1s}\nmitigations: [auth]\n"
               "adversary: {capabilities: [forge]}\nactions:\n  - {at: 30s, forge: {count: 4}}\n"
               "success: [ledger.accepted.injected > 0]\n");
    int status;
    pid_t pid = spawn_cli((char *[]){"run", "--out", path_in("r"), dir, NULL}, false, &status);
    sleep(2); /* a-quick is done, b-slow hangs */
    pid_t kids[8];
    size_t n = 0;
    for (int i = 0; i < 50 && (n = children_of(pid, kids, 8)) == 0; i++)
        usleep(100000);
    cr_assert_eq(n, 1, "one scenario process runs under sg17tb run (found %zu)", n);
    *child = kids[0];
    return pid;
}

/* SIGINT (Ctrl-C), SIGTERM (a scheduler's preemption) and SIGHUP (a closed terminal) all end the
 * run with 128 + the signal, a partial report marked incomplete, and no scenario process left. */
static void stop_signal_gives_a_partial_report(int sig)
{
    pid_t child;
    pid_t pid = start_hanging_run(&child);
    kill(pid, sig);
    int status;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 128 + sig, "exit %d: %s",
              WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status), output());
    json_t *r = load_report("r");
    cr_assert(json_is_false(json_object_get(r, "complete")));
    cr_assert_eq(json_array_size(json_object_get(r, "scenarios")), 1,
                 "the finished scenario is kept");
    json_decref(r);
    cr_assert_not(alive(child), "the scenario's process %d outlived the run", (int)child);
}

Test(cli, ctrl_c_writes_a_partial_report_marked_incomplete)
{
    stop_signal_gives_a_partial_report(SIGINT);
}

Test(cli, sigterm_writes_a_partial_report_marked_incomplete)
{
    stop_signal_gives_a_partial_report(SIGTERM);
}

Test(cli, sighup_writes_a_partial_report_marked_incomplete)
{
    stop_signal_gives_a_partial_report(SIGHUP);
}

Test(cli, the_scenario_process_dies_with_a_run_killed_outright)
{
    pid_t child;
    pid_t pid = start_hanging_run(&child);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    for (int i = 0; i < 20 && alive(child); i++)
        usleep(100000);
    cr_assert_not(alive(child), "the scenario's process %d outlived sg17tb run by 2 s", (int)child);
}

/* A module that hangs costs the scenario's `timeout` and not a second more; the error states
 * the timeout as written and the report the time it really took. */
static void hang_ends_at_the_timeout(const char *timeout, const char *stated, double ms)
{
    make_dir();
    char text[1024];
    snprintf(text, sizeof text,
             "id: fixture/hang\ntitle: hang\nmodule: fixture\nrequirements: [FIX-R-AUTH]\n"
             "duration: 1min\ntimeout: %s\nconfig: {hang_at: 1s}\nmitigations: [auth]\n"
             "adversary: {capabilities: [forge]}\nactions:\n  - {at: 30s, forge: {count: 4}}\n"
             "success: [ledger.accepted.injected > 0]\n",
             timeout);
    write_file("hang.yaml", text);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(cli((char *[]){"run", "--out", path_in("r"), path_in("hang.yaml"), NULL}), 1, "%s",
                 output());
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double took = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    cr_assert(took >= ms && took < ms + 1000, "a %s timeout ended after %.0f ms", timeout, took);
    json_t *r = load_report("r");
    json_t *e = json_array_get(json_object_get(r, "scenarios"), 0);
    const char *error = json_string_value(json_object_get(e, "error"));
    char want[64];
    snprintf(want, sizeof want, "exceeded its timeout of %s", stated);
    cr_assert(error && strstr(error, want), "error: %s", error ? error : "(null)");
    double wall = json_number_value(json_object_get(e, "wall_ms"));
    cr_assert(wall >= ms && wall < ms + 1000, "wall_ms %.0f for a %s timeout", wall, timeout);
    json_decref(r);
}

Test(cli, a_hanging_module_ends_at_a_timeout_of_seconds)
{
    hang_ends_at_the_timeout("3s", "3 s", 3000);
}

Test(cli, a_hanging_module_ends_at_a_timeout_of_milliseconds)
{
    hang_ends_at_the_timeout("300ms", "300 ms", 300);
}

static char *slurp(const char *sub)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    buf[fread(buf, 1, (size_t)n, f)] = '\0';
    fclose(f);
    return buf;
}

/* Starts the CLI with stdout/stderr into dir/<out>; returns its pid. */
static pid_t spawn_to(const char *out, char *const args[])
{
    char *argv[32] = {SG17TB_CLI};
    size_t n = 1;
    for (; args[n - 1] && n < 31; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, path_in(out), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, SG17TB_CLI, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* `sg17tb broker` with `hosts` module hosts over ipc:// on a scenario that takes seconds; the
 * first host (the one that gets the scenario) is killed with SIGKILL mid-scenario. Returns the
 * broker's exit code; *after_kill is how long the broker took from the kill to its end. */
static int broker_loses_a_host(int hosts, double *after_kill)
{
    make_dir();
    write_file("slow.yaml",
               "id: fixture/slow\ntitle: slow\nmodule: fixture\nrequirements: [FIX-R-AUTH]\n"
               "duration: 3min\ntimeout: 60s\ntopology: {node: 200}\nconfig: {interval: 100ms}\n"
               "mitigations: [auth]\nadversary: {capabilities: [forge]}\n"
               "actions:\n  - {at: 30s, forge: {count: 4}}\n"
               "success: [ledger.accepted.injected > 0]\n");
    char endpoint[128];
    snprintf(endpoint, sizeof endpoint, "ipc://%s", path_in("bus.sock"));
    pid_t broker = spawn_to("broker.txt", (char *[]){"broker", "--bind", endpoint, "--out",
                                                     path_in("r"), path_in("slow.yaml"), NULL});
    usleep(300000);
    pid_t host[2];
    for (int i = 0; i < hosts; i++) {
        host[i] = spawn_to(i ? "host2.txt" : "host1.txt",
                           (char *[]){"host", "--connect", endpoint, "--module", "fixture", NULL});
        usleep(300000); /* the first to say hello gets the scenario */
    }
    sleep(1); /* mid-scenario: one run alone takes seconds */
    kill(host[0], SIGKILL);
    double killed = now_s();
    int status;
    waitpid(host[0], &status, 0);
    waitpid(broker, &status, 0);
    *after_kill = now_s() - killed;
    for (int i = 1; i < hosts; i++) { /* the broker told it to quit */
        int st;
        waitpid(host[i], &st, 0);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Test(cli, a_host_killed_mid_scenario_hands_the_scenario_to_another_host, .timeout = 120)
{
    double after_kill;
    int rc = broker_loses_a_host(2, &after_kill);
    char *out = slurp("broker.txt");
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert(strstr(out, "module host 1 (module fixture) died during the run"), "%s", out);
    cr_assert(strstr(out, "running it again on module host 2"), "%s", out);
    json_t *r = load_report("r");
    json_t *e = json_array_get(json_object_get(r, "scenarios"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(e, "verdict")), "holds");
    /* The runs themselves take what they take (much longer under ASan or a loaded machine):
     * what the broker adds after the kill, noticing the dead host (heartbeats, 5 s) and starting
     * the run again, is bounded; waiting for the scenario's timeout (60 s) would show here. */
    double runs_s = 0;
    const char *arm;
    json_t *run;
    json_object_foreach(json_object_get(e, "runs"), arm, run) runs_s +=
        json_number_value(json_object_get(run, "wall_ms")) / 1000;
    cr_assert(after_kill - runs_s < 15,
              "the second host finished %.1f s after the kill, of which its runs took %.1f s",
              after_kill, runs_s);
    json_decref(r);
    free(out);
}

Test(cli, a_host_killed_mid_scenario_with_no_other_host_is_an_error_within_seconds)
{
    double after_kill;
    int rc = broker_loses_a_host(1, &after_kill);
    char *out = slurp("broker.txt");
    cr_assert_eq(rc, 1, "%s", out);
    cr_assert(after_kill < 5, "the error came %.1f s after the kill (timeout 60 s)", after_kill);
    json_t *r = load_report("r");
    json_t *e = json_array_get(json_object_get(r, "scenarios"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(e, "verdict")), "error");
    const char *error = json_string_value(json_object_get(e, "error"));
    cr_assert(error && strstr(error, "module host 1 (module fixture) died during the run"), "%s",
              error ? error : "(null)");
    cr_assert(strstr(error, "no other host for module fixture"), "%s", error);
    json_decref(r);
    free(out);
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

Test(cli, the_json_junit_html_and_markdown_reports_agree)
{
    make_dir();
    write_scenario("a", "auth", "holds");
    write_scenario("b", "", "fails");
    write_scenario("c", "dedup", "holds"); /* dedup does not stop forgery: a mismatch */
    cr_assert_eq(cli((char *[]){"run", "--out", path_in("r"), dir, NULL}), 1);
    json_t *r = load_report("r");
    json_t *sc = json_object_get(r, "scenarios");
    char *junit = slurp("r/junit.xml"), *html = slurp("r/report.html"), *md = slurp("r/summary.md");
    cr_assert_eq(count_of(junit, "<testcase "), json_array_size(sc));
    cr_assert_eq(count_of(junit, "<failure "), 1, "one verdict differs from its expect");
    size_t i;
    json_t *e;
    json_array_foreach(sc, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "id"));
        const char *v = json_string_value(json_object_get(e, "verdict"));
        cr_assert(strstr(html, id) && strstr(md, id), "%s missing from html or md", id);
        char row[128];
        snprintf(row, sizeof row, "name=\"%s\"", id);
        cr_assert(strstr(junit, row), "%s missing from junit", id);
        cr_assert(strstr(md, v));
    }
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(sc, 2), "verdict")), "fails");
    free(junit), free(html), free(md);
    json_decref(r);
}
