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

/* The run's namespaces of this machine: names n + 8 hex digits + a kind, one per line. */
static size_t run_namespaces(char *out, size_t cap)
{
    size_t n = 0, len = 0;
    out[0] = 0;
    DIR *d = opendir("/run/netns");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        const char *s = e->d_name;
        bool ours = s[0] == 'n' && strlen(s) > 10 && strspn(s + 1, "0123456789abcdef") == 8
                    && strchr("uhe", s[9]);
        if (ours && len + strlen(s) + 2 < cap) {
            len += (size_t)snprintf(out + len, cap - len, "%s\n", s);
            n++;
        }
    }
    if (d)
        closedir(d);
    return n;
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
    char before[4096], after[4096];
    size_t n_before = run_namespaces(before, sizeof before);
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
    /* a finished run leaves nothing behind */
    size_t n_after = run_namespaces(after, sizeof after);
    cr_assert_eq(n_after, n_before, "left behind:\n%s", after);
    json_decref(lx), json_decref(sim);
    free(linux_yaml), free(sim_yaml);
}

static double mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

Test(naas_linux, a_killed_run_leaves_no_namespace_behind, .timeout = 60)
{
    skip_unless_available();
    char before[8192], now[8192];
    size_t n_before = run_namespaces(before, sizeof before);
    scratch_make("naas-linux-kill");
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        char scen[1024], out[300];
        snprintf(out, sizeof out, "%s/out", tmpdir);
        snprintf(scen, sizeof scen, "%s/scenarios/naas/linux/arp-poison-gateway.yaml",
                 SG17TB_SOURCE_DIR);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1), dup2(null, 2);
        execl(SG17TB_CLI, SG17TB_CLI, "run", "--out", out, scen, (char *)NULL);
        _exit(127);
    }
    /* wait until the run has built its namespaces, then kill the whole runner */
    double t0 = mono_s();
    size_t n;
    while ((n = run_namespaces(now, sizeof now)) <= n_before && mono_s() - t0 < 20)
        usleep(2000);
    cr_assert_gt(n, n_before, "the run never built its namespaces");
    usleep(100000);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    t0 = mono_s();
    while ((n = run_namespaces(now, sizeof now)) > n_before && mono_s() - t0 < 10)
        usleep(10000);
    cr_assert_eq(n, n_before, "left behind after SIGKILL:\n%s", now);
    scratch_remove();
}
