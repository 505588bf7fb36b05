/* test_linux.c — the naas linux data-plane backend: without CAP_NET_ADMIN + CAP_SYS_ADMIN a linux
 * scenario is an error with the backend-unavailable reason (never fails); as root, the same
 * scenario gives the same truth table on the sim and the linux backend, a finished run leaves no
 * namespace behind, and a run killed with SIGKILL has its namespaces removed by its guardian.
 * The root-only tests skip with the reason when the backend is unavailable. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/capability.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linux/lx.h"
#include "linux/sys.h"
#include "mock_ctx.h"
#include "scenario_run.h"
#include "scratch.h"

extern const sg17_module_t sg17_module;

static void skip_unless_available(void)
{
    char why[160];
    if (naas_lx_available(why, sizeof why) != 0)
        cr_skip_test("%s", why);
}

static char *read_shipped(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", SG17TB_SOURCE_DIR, rel);
    char *s = slurp(path);
    cr_assert_not_null(s, "cannot read %s", path);
    return s;
}

#define MAX_RIDS 16

static double mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* True when pid is root or one of its descendants (a few generations up). */
static bool descends_from(pid_t pid, pid_t root)
{
    for (int depth = 0; depth < 8 && pid > 1; depth++) {
        if (pid == root)
            return true;
        char path[64], stat[512];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (!f)
            return false;
        size_t n = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[n] = 0;
        const char *close_paren = strrchr(stat, ')');
        int ppid = 0;
        if (!close_paren || sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
            return false;
        pid = (pid_t)ppid;
    }
    return pid == root;
}

/* Adds the ids of the runs that root's descendants own (their owner records) to rids. */
static void our_runs(pid_t root, char rids[][9], size_t *n)
{
    DIR *d = opendir("/run/sg17tb-naas");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strlen(e->d_name) != 8)
            continue;
        char path[300], text[24] = {0};
        snprintf(path, sizeof path, "/run/sg17tb-naas/%s", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t k = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        long pid = k ? strtol(text, NULL, 10) : 0;
        bool known = false;
        for (size_t i = 0; i < *n; i++)
            known = known || strcmp(rids[i], e->d_name) == 0;
        if (!known && pid > 0 && *n < MAX_RIDS && descends_from((pid_t)pid, root))
            snprintf(rids[(*n)++], 9, "%.8s", e->d_name);
    }
    if (d)
        closedir(d);
}

/* The namespaces of those runs still on this machine, one per line in out; their count. */
static size_t left_of(char rids[][9], size_t n_rids, char *out, size_t cap)
{
    size_t n = 0, len = 0;
    out[0] = 0;
    DIR *d = opendir("/run/netns");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        for (size_t i = 0; i < n_rids; i++)
            if (e->d_name[0] == 'n' && strncmp(e->d_name + 1, rids[i], 8) == 0) {
                if (len + strlen(e->d_name) + 2 < cap)
                    len += (size_t)snprintf(out + len, cap - len, "%s\n", e->d_name);
                n++;
            }
    if (d)
        closedir(d);
    return n;
}

/* `sg17tb run` of a shipped linux scenario in a child, its output in the scratch directory. */
static pid_t start_cli(const char *scenario)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        char scen[1024], out[300];
        snprintf(out, sizeof out, "%s/out", tmpdir);
        snprintf(scen, sizeof scen, "%s/scenarios/naas/linux/%s", SG17TB_SOURCE_DIR, scenario);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1), dup2(null, 2);
        execl(SG17TB_CLI, SG17TB_CLI, "run", "--out", out, scen, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static const char *truth_table(json_t *e, const char *run)
{
    return json_string_value(json_object_get(
        json_object_get(json_object_get(json_object_get(e, "runs"), run), "artifacts"),
        "truth_table"));
}

/* Appends a netlink attribute (type, payload) at *at. */
static void put_attr(uint8_t *buf, size_t *at, uint16_t type, const void *v, size_t n)
{
    struct nlattr a = {.nla_len = (uint16_t)(sizeof a + n), .nla_type = type};
    memcpy(buf + *at, &a, sizeof a);
    memcpy(buf + *at + sizeof a, v, n);
    *at += (sizeof a + n + 3) & ~(size_t)3;
}

/* A NEWOBJ message for counter `name` of `packets`, of object type `type`, at *at. */
static void put_counter(uint8_t *buf, size_t *at, const char *name, uint64_t packets, uint8_t type)
{
    size_t start = *at;
    *at += NLMSG_HDRLEN + sizeof(struct nfgenmsg);
    put_attr(buf, at, NFTA_OBJ_TABLE, "naas", 5);
    put_attr(buf, at, NFTA_OBJ_NAME, name, strlen(name) + 1);
    const uint8_t t[4] = {0, 0, 0, type};
    put_attr(buf, at, NFTA_OBJ_TYPE, t, 4);
    uint8_t data[32], be[8];
    size_t dl = 0;
    for (int i = 0; i < 8; i++)
        be[i] = (uint8_t)(packets >> (56 - 8 * i));
    put_attr(data, &dl, NFTA_COUNTER_BYTES, be, 8);
    put_attr(data, &dl, NFTA_COUNTER_PACKETS, be, 8);
    put_attr(buf, at, NFTA_OBJ_DATA | NLA_F_NESTED, data, dl);
    struct nlmsghdr h = {.nlmsg_len = (uint32_t)(*at - start),
                         .nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWOBJ,
                         .nlmsg_flags = NLM_F_MULTI};
    memcpy(buf + start, &h, sizeof h);
}

Test(naas_linux, the_netlink_counter_dump_is_read_by_name_and_bounded)
{
    uint8_t buf[1024] = {0};
    size_t at = 0;
    put_counter(buf, &at, "spoof_mac", 5, NFT_OBJECT_COUNTER);
    put_counter(buf, &at, "quota_x", 7, 2); /* another object type: not a counter */
    put_counter(buf, &at, "security_group", 300, NFT_OBJECT_COUNTER);
    struct nlmsghdr done = {.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_DONE};
    memcpy(buf + at, &done, sizeof done);
    at += NLMSG_HDRLEN;
    naas_lx_counter_t c[4];
    size_t n = 0;
    bool fin = false;
    cr_assert_eq(naas_lx_nl_counters(buf, at, c, 4, &n, &fin), 2);
    cr_assert(fin);
    cr_assert_str_eq(c[0].name, "spoof_mac");
    cr_assert_eq(c[0].packets, 5);
    cr_assert_str_eq(c[1].name, "security_group");
    cr_assert_eq(c[1].packets, 300);
    /* every truncation is refused or yields only whole objects, never a read past the end */
    for (size_t cut = 0; cut < at; cut++) {
        n = 0, fin = false;
        long k = naas_lx_nl_counters(buf, cut, c, 4, &n, &fin);
        cr_assert(k <= 2 && !fin, "cut %zu", cut);
    }
    /* a netlink error is an error */
    struct nlmsghdr err = {.nlmsg_len = NLMSG_HDRLEN + 4, .nlmsg_type = NLMSG_ERROR};
    memset(buf, 0, sizeof buf);
    memcpy(buf, &err, sizeof err);
    n = 0;
    cr_assert_eq(naas_lx_nl_counters(buf, NLMSG_HDRLEN + 4, c, 4, &n, &fin), -1);
    uint8_t req[64];
    cr_assert_eq(naas_lx_nl_request(req, sizeof req, 7), NLMSG_HDRLEN + sizeof(struct nfgenmsg));
    cr_assert_eq(naas_lx_nl_request(req, 4, 7), 0);
}

/* Without the capabilities (dropped here in a child when the test runs as root) the instance is
 * not built, with the reason. */
Test(naas_linux, without_the_capabilities_the_backend_is_unavailable)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct d[2];
        if (syscall(SYS_capget, &h, d) != 0)
            _exit(10);
        d[0].effective &= ~((1u << CAP_NET_ADMIN) | (1u << CAP_SYS_ADMIN));
        if (syscall(SYS_capset, &h, d) != 0)
            _exit(11);
        char why[160];
        if (naas_lx_available(why, sizeof why) == 0 || strcmp(why, NAAS_LX_UNAVAILABLE) != 0)
            _exit(12);
        sg17_mock_t *m = sg17_mock_new(&sg17_module);
        sg17_mock_config(m, "backend", "linux");
        int r = sg17_mock_create(m);
        const char *log = sg17_mock_last_log(m);
        int ok = r != 0 && log && strstr(log, NAAS_LX_UNAVAILABLE) != NULL;
        sg17_mock_free(m);
        _exit(ok ? 0 : 13);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st), "the child died");
    cr_assert_eq(WEXITSTATUS(st), 0, "child step %d failed", WEXITSTATUS(st));
}

/* The whole path: the CLI, run without the two capabilities, gives the scenario the verdict
 * `error` with the reason. */
Test(naas_linux, an_unprivileged_linux_scenario_is_an_error_not_a_failure)
{
    if (access("/usr/bin/setpriv", X_OK) != 0 && getuid() == 0)
        cr_skip_test("setpriv is missing: apt-get install util-linux");
    scratch_make("naas-linux-unpriv");
    char cmd[2048], path[300];
    snprintf(cmd, sizeof cmd,
             "%s %s run --out %s/out %s/scenarios/naas/linux/mac-spoof.yaml >/dev/null 2>&1",
             getuid() == 0 ? "setpriv --inh-caps=-all --bounding-set=-net_admin,-sys_admin" : "",
             SG17TB_CLI, tmpdir, SG17TB_SOURCE_DIR);
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "exit %d", WEXITSTATUS(rc));
    snprintf(path, sizeof path, "%s/out/report.json", tmpdir);
    json_t *r = json_load_file(path, 0, NULL);
    cr_assert_not_null(r);
    json_t *e = json_array_get(json_object_get(r, "scenarios"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(e, "verdict")), "error");
    const char *why = json_string_value(json_object_get(e, "error"));
    if (!why)
        why = json_string_value(json_object_get(e, "reason"));
    cr_assert(why && strstr(why, NAAS_LX_UNAVAILABLE), "%s", why ? why : "(none)");
    json_decref(r);
    scratch_remove();
}

Test(naas_linux, the_same_scenario_gives_the_same_truth_table_on_both_backends, .timeout = 60)
{
    skip_unless_available();
    char *linux_yaml = read_shipped("scenarios/naas/linux/cross-tenant-reach.yaml");
    char *sim_yaml = strdup(linux_yaml);
    char *k = strstr(sim_yaml, "backend: linux");
    cr_assert_not_null(k);
    static const char to_sim[] = "backend: sim  "; /* the same length: the rest stays put */
    memcpy(k, to_sim, sizeof to_sim - 1);
    json_t *lx = run_scenario_yaml(linux_yaml, strlen(linux_yaml), "linux.yaml");
    json_t *sim = run_scenario_yaml(sim_yaml, strlen(sim_yaml), "sim.yaml");
    cr_assert_str_eq(verdict(lx), "holds");
    cr_assert_str_eq(verdict(sim), "holds");
    static const char *const runs[] = {"baseline", "protected"};
    for (int r = 0; r < 2; r++) {
        const char *a = truth_table(lx, runs[r]), *b = truth_table(sim, runs[r]);
        cr_assert(a && b, "%s: no truth table", runs[r]);
        cr_assert_str_eq(a, b, "%s: linux\n%s\nsim\n%s", runs[r], a, b);
        cr_assert_gt(metric(lx, runs[r], "truth.cells"), 0);
    }
    /* the linux run's kernel did drop the tenants' closed ports (port 5432 is in the table) */
    cr_assert_gt(metric(lx, "protected", "linux.drops.security_group"), 0);
    cr_assert_eq(metric(lx, "baseline", "truth.reachable_unexpected"), 8);
    json_decref(lx), json_decref(sim);
    free(linux_yaml), free(sim_yaml);
}

Test(naas_linux, a_finished_run_leaves_no_namespace_behind, .timeout = 60)
{
    skip_unless_available();
    scratch_make("naas-linux-end");
    char rids[MAX_RIDS][9], left[4096];
    size_t n = 0;
    pid_t pid = start_cli("mac-spoof.yaml");
    int st = 0;
    while (waitpid(pid, &st, WNOHANG) == 0) {
        our_runs(pid, rids, &n);
        usleep(1000);
    }
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the run did not hold");
    cr_assert_geq(n, 1, "no run of ours was seen");
    cr_assert_eq(left_of(rids, n, left, sizeof left), 0, "left behind:\n%s", left);
    scratch_remove();
}

Test(naas_linux, a_killed_run_leaves_no_namespace_behind, .timeout = 60)
{
    skip_unless_available();
    scratch_make("naas-linux-kill");
    char rids[MAX_RIDS][9], left[4096];
    size_t n = 0;
    pid_t pid = start_cli("arp-poison-gateway.yaml");
    /* wait until a run of ours has built its namespaces, then kill the whole runner */
    double t0 = mono_s();
    while (mono_s() - t0 < 20) {
        our_runs(pid, rids, &n);
        if (n && left_of(rids, n, left, sizeof left) >= 8)
            break;
        usleep(1000);
    }
    cr_assert_geq(left_of(rids, n, left, sizeof left), 8, "the run never built its namespaces");
    usleep(100000);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    t0 = mono_s();
    while (left_of(rids, n, left, sizeof left) > 0 && mono_s() - t0 < 10)
        usleep(10000);
    cr_assert_eq(left_of(rids, n, left, sizeof left), 0, "left behind after SIGKILL:\n%s", left);
    scratch_remove();
}

/* A run whose guardian died with it: the next run's start removes its namespaces, by the owner
 * record whose process is gone; a live owner's run is left alone. */
Test(naas_linux, a_dead_owners_namespaces_are_swept_at_the_next_start, .timeout = 30)
{
    skip_unless_available();
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0); /* a pid nobody has now */
    char rid_dead[9], rid_live[9], cmd[256];
    snprintf(rid_dead, sizeof rid_dead, "%08x", (unsigned)(0xd0000000u | (unsigned)dead));
    snprintf(rid_live, sizeof rid_live, "%08x", (unsigned)(0xe0000000u | (unsigned)getpid()));
    snprintf(cmd, sizeof cmd, "ip netns add n%se0 && ip netns add n%se0", rid_dead, rid_live);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(lx_owner_record(rid_live), 0);
    cr_assert_eq(lx_owner_record(rid_dead), 0);
    /* rewrite the dead run's record with the dead pid */
    char path[64], text[24];
    snprintf(path, sizeof path, "/run/sg17tb-naas/%s", rid_dead);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    snprintf(text, sizeof text, "%ld\n", (long)dead);
    fputs(text, f);
    fclose(f);
    cr_assert_geq(lx_sweep_orphans(), 1);
    snprintf(path, sizeof path, "/run/netns/n%se0", rid_dead);
    cr_assert_neq(access(path, F_OK), 0, "the dead run's namespace is still there");
    snprintf(path, sizeof path, "/run/netns/n%se0", rid_live);
    cr_assert_eq(access(path, F_OK), 0, "the live run's namespace was removed");
    cr_assert_eq(naas_lx_sweep(rid_live), 1);
    lx_owner_drop(rid_live);
}

/* The backend is a closed set (sg17_choice_t): a misspelt one is an input error, in a scenario at
 * its line and column, and on the command line before anything runs, never a run that quietly
 * falls back to another backend. */
Test(naas_linux, a_misspelt_backend_is_refused_before_anything_runs)
{
    scratch_make("naas-backend");
    char file[400], cmd[2048], out[400];
    snprintf(file, sizeof file, "%s/typo.yaml", tmpdir);
    FILE *f = fopen(file, "w");
    cr_assert_not_null(f);
    fputs("id: naas/typo\ntitle: typo\nmodule: naas\nrequirements: [X1604-R-CON-ANTISPOOF]\n"
          "duration: 10s\nconfig: {backend: lnux}\nmitigations: [source_guard]\n"
          "success: [ledger.accepted.injected > 0]\n",
          f);
    fclose(f);
    snprintf(out, sizeof out, "%s/out.txt", tmpdir);
    snprintf(cmd, sizeof cmd, "%s validate %s >%s 2>&1", SG17TB_CLI, file, out);
    int rc = system(cmd);
    char *text = slurp(out);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "exit %d: %s", WEXITSTATUS(rc), text);
    cr_assert(strstr(text, "typo.yaml:6:19: config.backend: 'lnux' is not a value it accepts; "
                           "expected one of sim, linux; did you mean 'linux'?"),
              "%s", text);
    free(text);

    snprintf(cmd, sizeof cmd,
             "%s run --backend lnux --out %s/r %s/scenarios/naas/ip-spoof.yaml >%s 2>&1",
             SG17TB_CLI, tmpdir, SG17TB_SOURCE_DIR, out);
    rc = system(cmd);
    text = slurp(out);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "exit %d: %s", WEXITSTATUS(rc), text);
    cr_assert(strstr(text, "--backend 'lnux': module naas's backend is one of sim, linux"), "%s",
              text);
    cr_assert(strstr(text, "0 scenarios"), "nothing ran: %s", text);
    free(text);
    scratch_remove();
}
