/* test_linux.c — the linux backend of isolation: the cgroup layer's v1 and v2 file names and
 * values on directory trees of the test's own (no kernel needed), the hierarchy found in a
 * mountinfo text, and on this machine's cgroups (skipped without write access to them): groups
 * named with the run id and gone at the end, the sweep of a crashed run's group, a worker that
 * really counts, the non-root path that makes a scenario an error, and the shipped scenario. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mock_ctx.h"
#include "scenario_run.h"
#include "sim/cgroup.h"
#include "sim/iaas_sim.h"
#include "sim/linuxhost.h"
#include "sim/runid.h"

extern const sg17_module_t sg17_module;

static char *slurp_file(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

/* The text of dir/rel is want. */
static void expect_file(const char *dir, const char *rel, const char *want)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    cr_assert_str_eq(slurp_file(p), want, "%s", p);
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char p[1024];
    for (const struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rm_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* ---- the hierarchy in mountinfo ---- */

static const char V1_MOUNTS[] =
    "25 1 0:22 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "26 25 0:23 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "27 25 0:24 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "28 25 0:25 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "29 25 0:26 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "30 25 0:27 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

Test(cgroup, v1_hierarchies_are_found_by_their_controllers)
{
    cg_layout_t l;
    /* the unified mount has no controllers under this prefix: v1 is used */
    cr_assert_eq(cg_layout_parse(V1_MOUNTS, strlen(V1_MOUNTS), "/nonexistent", &l), 0);
    cr_assert_eq(l.version, 1);
    cr_assert_str_eq(l.cpu, "/nonexistent/sys/fs/cgroup/cpu", "cpuacct is not cpu");
    cr_assert_str_eq(l.memory, "/nonexistent/sys/fs/cgroup/memory");
    cr_assert_str_eq(l.pids, "/nonexistent/sys/fs/cgroup/pids");
    const char joined[] = "26 25 0:23 / /c rw - cgroup cgroup rw,cpu,cpuacct\n"
                          "28 25 0:25 / /m\\040x rw shared:5 - cgroup cgroup rw,memory\n";
    cr_assert_neq(cg_layout_parse(joined, strlen(joined), "", &l), 0, "no pids hierarchy");
    cr_assert_eq(l.version, 0);
}

Test(cgroup, v2_is_used_when_its_controllers_are_there)
{
    char dir[] = "/tmp/sg17tb-cgtest-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char p[512];
    snprintf(p, sizeof p, "%s/sys", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/sys/fs", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/sys/fs/cgroup", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/sys/fs/cgroup/cgroup.controllers", dir);
    put_file(p, "cpuset cpu io memory hugetlb pids rdma misc\n");
    const char v2[] = "30 25 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
    cg_layout_t l;
    cr_assert_eq(cg_layout_parse(v2, strlen(v2), dir, &l), 0);
    cr_assert_eq(l.version, 2);
    snprintf(p, sizeof p, "%s/sys/fs/cgroup", dir);
    cr_assert_str_eq(l.cpu, p);
    cr_assert_str_eq(l.pids, p);
    snprintf(p, sizeof p, "%s/sys/fs/cgroup/cgroup.controllers", dir);
    put_file(p, "cpuset cpu io hugetlb\n"); /* memory and pids still on v1 */
    cr_assert_neq(cg_layout_parse(v2, strlen(v2), dir, &l), 0);
    rm_tree(dir);
}

Test(cgroup, stat_files_are_read_by_key)
{
    const char stat[] = "nr_periods 12\nnr_throttled 7\nthrottled_time 99\n";
    cr_assert_eq(cg_stat_value(stat, strlen(stat), "nr_throttled"), 7);
    cr_assert_eq(cg_stat_value(stat, strlen(stat), "nr_periods"), 12);
    cr_assert_eq(cg_stat_value(stat, strlen(stat), "throttled"), -1, "a whole key only");
    const char bad[] = "max x\nmax2 3\nmax 99999999999999999999\n";
    cr_assert_eq(cg_stat_value(bad, strlen(bad), "max"), -1);
}

/* ---- the limits' files in each version ---- */

Test(cgroup, v2_limits_are_written_as_cpu_max_memory_max_pids_max)
{
    char dir[] = "/tmp/sg17tb-cgtest-XXXXXX", p[512];
    cr_assert_not_null(mkdtemp(dir));
    cg_layout_t l;
    cg_layout_v2(&l, dir);
    cr_assert_eq(cg_create(&l, "node"), 0);
    cr_assert_eq(cg_create(&l, "node/vm3"), 0);
    expect_file(dir, "cgroup.subtree_control", "+cpu +memory +pids");
    expect_file(dir, "node/cgroup.subtree_control", "+cpu +memory +pids");
    cr_assert_eq(cg_set_cpu(&l, "node/vm3", 1000, 10000), 0);
    expect_file(dir, "node/vm3/cpu.max", "1000 10000");
    cr_assert_eq(cg_set_cpu(&l, "node/vm3", 0, 10000), 0);
    expect_file(dir, "node/vm3/cpu.max", "max 10000");
    cr_assert_eq(cg_set_memory(&l, "node/vm3", 64u << 20, 1), 0);
    expect_file(dir, "node/vm3/memory.max", "67108864");
    expect_file(dir, "node/vm3/memory.high", "58720256");
    cr_assert_eq(cg_set_pids(&l, "node/vm3", 16), 0);
    expect_file(dir, "node/vm3/pids.max", "16");
    cr_assert_eq(cg_attach(&l, "node/vm3", 4242), 0);
    expect_file(dir, "node/vm3/cgroup.procs", "4242");
    snprintf(p, sizeof p, "%s/node/vm3/memory.events", dir);
    put_file(p, "low 0\nhigh 3\nmax 5\noom 1\noom_kill 1\n");
    snprintf(p, sizeof p, "%s/node/vm3/pids.events", dir);
    put_file(p, "max 9\n");
    cg_counters_t k;
    cg_counters(&l, "node/vm3", &k);
    cr_assert_eq(k.memory_hits, 5);
    cr_assert_eq(k.forks_refused, 9);
    cr_assert_eq(k.throttled, -1, "no cpu.stat: unknown, not zero");
    rm_tree(dir);
}

Test(cgroup, v1_limits_are_written_per_controller_hierarchy)
{
    char dir[] = "/tmp/sg17tb-cgtest-XXXXXX", p[512];
    cr_assert_not_null(mkdtemp(dir));
    cg_layout_t l;
    cg_layout_v1(&l, dir);
    const char *h[] = {"cpu", "memory", "pids"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, h[i]);
        cr_assert_eq(mkdir(p, 0755), 0);
    }
    cr_assert_eq(cg_create(&l, "node"), 0);
    for (int i = 0; i < 3; i++) {
        struct stat st;
        snprintf(p, sizeof p, "%s/%s/node", dir, h[i]);
        cr_assert_eq(stat(p, &st), 0, "%s made in every hierarchy", p);
    }
    cr_assert_eq(cg_set_cpu(&l, "node", 1000, 10000), 0);
    expect_file(dir, "cpu/node/cpu.cfs_quota_us", "1000");
    expect_file(dir, "cpu/node/cpu.cfs_period_us", "10000");
    cr_assert_eq(cg_set_cpu(&l, "node", 0, 10000), 0);
    expect_file(dir, "cpu/node/cpu.cfs_quota_us", "-1");
    cr_assert_eq(cg_set_memory(&l, "node", 64u << 20, 1), 0);
    expect_file(dir, "memory/node/memory.limit_in_bytes", "67108864");
    expect_file(dir, "memory/node/memory.oom_control", "1");
    cr_assert_eq(cg_set_pids(&l, "node", 16), 0);
    expect_file(dir, "pids/node/pids.max", "16");
    cr_assert_eq(cg_attach(&l, "node", 4242), 0);
    expect_file(dir, "cpu/node/cgroup.procs", "4242");
    expect_file(dir, "memory/node/cgroup.procs", "4242");
    expect_file(dir, "pids/node/cgroup.procs", "4242");
    snprintf(p, sizeof p, "%s/memory/node/memory.failcnt", dir);
    put_file(p, "12\n");
    snprintf(p, sizeof p, "%s/cpu/node/cpu.stat", dir);
    put_file(p, "nr_periods 40\nnr_throttled 31\nthrottled_time 5\n");
    cg_counters_t k;
    cg_counters(&l, "node", &k);
    cr_assert_eq(k.throttled, 31);
    cr_assert_eq(k.memory_hits, 12);
    rm_tree(dir);
}

/* ---- on this machine's cgroups ---- */

/* The machine's layout, or a skip saying why the test cannot run. */
static void machine_layout(cg_layout_t *l)
{
    if (cg_layout_detect(l) != 0)
        cr_skip_test("no cgroup hierarchy with cpu, memory and pids is mounted here");
    char probe[256];
    if (iaas_object_name(probe, sizeof probe, "0badc0de", "probe") != 0 || cg_create(l, probe) != 0)
        cr_skip_test("%s (run as root, or in a delegated cgroup v2 subtree)", LX_UNAVAILABLE);
    cg_remove(l, probe);
}

static bool group_exists(const cg_layout_t *l, const char *rel)
{
    char p[1024];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", l->pids, rel);
    return stat(p, &st) == 0;
}

Test(linux_backend, groups_carry_the_run_id_and_are_gone_at_the_end)
{
    cg_layout_t l;
    machine_layout(&l);
    lx_config_t c = {
        .limits = true, .cpu_quota = 0.1, .memory_mib = 64, .pids = 16, .victim = 0, .noisy = 3};
    const char *why = NULL;
    iaas_linux_t *lx = lx_open_layout(&l, "0badc0de", &c, &why);
    cr_assert_not_null(lx, "%s", why);
    char node[128], vm[160];
    iaas_object_name(node, sizeof node, "0badc0de", "node");
    snprintf(vm, sizeof vm, "%s/vm3", node);
    cr_assert(group_exists(&l, node) && group_exists(&l, vm), "%s", node);
    cr_assert_gt(lx_measure(lx, 0.1), 0, "the victim counts its own work");
    cr_assert_eq(lx_noisy_start(lx, LOAD_FORK, 1), 0);
    lx_close(lx);
    cr_assert(!group_exists(&l, node), "%s removed, with every process in it", node);
}

Test(linux_backend, the_group_of_a_crashed_run_is_swept_with_its_processes)
{
    cg_layout_t l;
    machine_layout(&l);
    pid_t owner = fork(); /* the crashed run: gone, its pid in the group's name */
    if (owner == 0)
        _exit(0);
    waitpid(owner, NULL, 0);
    char rel[128];
    snprintf(rel, sizeof rel, IAAS_OBJECT_PREFIX "12345678-p%ld-node", (long)owner);
    cr_assert_eq(cg_create(&l, rel), 0);
    pid_t left = fork(); /* a worker it left behind */
    if (left == 0) {
        for (;;)
            pause();
    }
    cr_assert_eq(cg_attach(&l, rel, left), 0);
    lx_sweep(&l); /* a test beside this one may sweep it first: what counts is that it is gone */
    cr_assert(!group_exists(&l, rel));
    int st = 0;
    cr_assert_eq(waitpid(left, &st, 0), left);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "its process was killed");
}

Test(linux_backend, without_cgroup_access_a_linux_run_is_an_error_not_a_verdict)
{
    /* a directory that is not a cgroup hierarchy and cannot be written */
    cg_layout_t l;
    cg_layout_v2(&l, "/proc/sys");
    lx_config_t c = {.limits = true, .cpu_quota = 1, .memory_mib = 64, .pids = 16};
    const char *why = NULL;
    cr_assert_null(lx_open_layout(&l, "0badc0de", &c, &why));
    cr_assert_str_eq(why, LX_UNAVAILABLE);
    /* and the module, run by a user without privileges */
    pid_t c2 = fork();
    if (c2 == 0) {
        if (getuid() == 0 && setuid(65534) != 0)
            _exit(3);
        sg17_mock_t *m = sg17_mock_new(&sg17_module);
        sg17_mock_topology(m, "compute", 1);
        sg17_mock_topology(m, "metadata", 1);
        sg17_mock_config(m, "backend", "linux");
        int rc = sg17_mock_create(m);
        bool said = strstr(sg17_mock_last_log(m), "backend unavailable: needs write access to "
                                                  "the cgroup hierarchy")
                    != NULL;
        _exit(rc != 0 && said ? 0 : 4);
    }
    int st = 0;
    waitpid(c2, &st, 0);
    cr_assert(WIFEXITED(st), "the unprivileged create did not crash");
    if (WEXITSTATUS(st) == 3)
        cr_skip_test("cannot drop privileges to test the unprivileged path");
    cr_assert_eq(WEXITSTATUS(st), 0, "create fails with the backend-unavailable message");
}

Test(linux_backend, an_unknown_backend_is_refused)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_config(m, "backend", "xen");
    cr_assert_neq(sg17_mock_create(m), 0);
    cr_assert(strstr(sg17_mock_last_log(m), "expected sim or linux") != NULL);
    sg17_mock_free(m);
}

Test(linux_backend, shipped_scenario_separates_the_noisy_cpu_load, .timeout = 60)
{
    cg_layout_t l;
    machine_layout(&l);
    json_t *e = run_shipped_scenario("scenarios/iaas/noisy-neighbour-linux.yaml");
    const char *err = json_string_value(json_object_get(e, "error"));
    if (err && strstr(err, "backend unavailable"))
        cr_skip_test("%s", err);
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_lt(metric(e, "baseline", "victim.worst_ratio"), 0.3);
    cr_assert_geq(metric(e, "protected", "victim.worst_ratio"), 0.5);
    cr_assert_gt(metric(e, "protected", "hypervisor.throttled_ticks"), 0);
    cr_assert_gt(metric(e, "control", "linux.solo_units_per_s"), 20);
    json_decref(e);
}
