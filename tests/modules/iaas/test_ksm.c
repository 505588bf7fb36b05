/* test_ksm.c — the page-merging side channel of the linux backend: KSM's settings driven for a
 * run and given back (at its end, by the last of runs at the same time, by the next run after a
 * crash) on a directory of the test's own standing for /sys/kernel/mm/ksm; and on this machine's
 * KSM (skipped without it or without root): the attacker finds the victim's page from write
 * times when memory is shared and not when it is not, and the shipped scenario. */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario_run.h"
#include "sim/ksm.h"
#include "sim/runid.h"

static const char *const KNOB_NAMES[] = {"run", "pages_to_scan", "sleep_millisecs", "smart_scan",
                                         "full_scans"};

static void put_long(const char *dir, const char *name, long v)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "%s", p);
    fprintf(f, "%ld\n", v);
    fclose(f);
}

static long get_long(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "r");
    cr_assert_not_null(f, "%s", p);
    long v = -2;
    cr_assert_eq(fscanf(f, "%ld", &v), 1, "%s", p);
    fclose(f);
    return v;
}

/* A fake KSM directory with run 0, pages_to_scan 100, sleep_millisecs 20, smart_scan 1, and an
 * empty guard directory beside it. */
static void fake_ksm(char sys[64], char guards[64])
{
    char base[] = "/tmp/sg17tb-test-ksm-XXXXXX";
    cr_assert_not_null(mkdtemp(base));
    snprintf(sys, 64, "%s/sys", base);
    snprintf(guards, 64, "%s/guards", base);
    cr_assert_eq(mkdir(sys, 0755), 0);
    cr_assert_eq(mkdir(guards, 0755), 0);
    const long v[] = {0, 100, 20, 1, 0};
    for (int i = 0; i < 5; i++)
        put_long(sys, KNOB_NAMES[i], v[i]);
}

static void expect_original(const char *sys)
{
    cr_assert_eq(get_long(sys, "run"), 0);
    cr_assert_eq(get_long(sys, "pages_to_scan"), 100);
    cr_assert_eq(get_long(sys, "sleep_millisecs"), 20);
    cr_assert_eq(get_long(sys, "smart_scan"), 1);
}

static void expect_driven(const char *sys)
{
    cr_assert_eq(get_long(sys, "run"), 1);
    cr_assert_gt(get_long(sys, "pages_to_scan"), 100);
    cr_assert_lt(get_long(sys, "sleep_millisecs"), 20);
    cr_assert_eq(get_long(sys, "smart_scan"), 0);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void rm_fake(const char *sys, const char *guards)
{
    char p[512];
    for (int i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", sys, KNOB_NAMES[i]);
        unlink(p);
    }
    rmdir(sys);
    rmdir(guards);
    snprintf(p, sizeof p, "%s", sys);
    *strrchr(p, '/') = 0;
    rmdir(p);
}

Test(ksm_guard, a_run_drives_ksm_and_gives_every_setting_back)
{
    char sys[64], guards[64], guard[256], name[128];
    fake_ksm(sys, guards);
    const char *why = NULL;
    ksm_guard_t *g = ksm_drive(sys, guards, "0badc0de", &why);
    cr_assert_not_null(g, "%s", why);
    expect_driven(sys);
    iaas_object_name(name, sizeof name, "0badc0de", "ksm");
    snprintf(guard, sizeof guard, "%s/%s", guards, name);
    cr_assert(exists(guard), "the guard carries the run id: %s", guard);
    ksm_release(g);
    expect_original(sys);
    cr_assert(!exists(guard));
    rm_fake(sys, guards);
}

Test(ksm_guard, runs_at_the_same_time_share_the_saved_settings_and_the_last_restores)
{
    char sys[64], guards[64];
    fake_ksm(sys, guards);
    const char *why = NULL;
    ksm_guard_t *a = ksm_drive(sys, guards, "0000000a", &why);
    ksm_guard_t *b = ksm_drive(sys, guards, "0000000b", &why);
    cr_assert(a && b, "%s", why);
    ksm_release(a);
    expect_driven(sys); /* b still measures */
    ksm_release(b);
    expect_original(sys); /* not the driven values a left behind */
    rm_fake(sys, guards);
}

Test(ksm_guard, the_settings_a_crashed_run_left_are_restored_by_the_next)
{
    char sys[64], guards[64], guard[512];
    fake_ksm(sys, guards);
    pid_t owner = fork(); /* the crashed run: gone, its pid in the guard's name */
    if (owner == 0)
        _exit(0);
    waitpid(owner, NULL, 0);
    snprintf(guard, sizeof guard, "%s/" IAAS_OBJECT_PREFIX "12345678-p%ld-ksm", guards,
             (long)owner);
    FILE *f = fopen(guard, "w");
    cr_assert_not_null(f);
    fputs("0\n100\n20\n1\n", f); /* what it found */
    fclose(f);
    const long driven[] = {1, 20000, 1, 0}; /* what it left */
    for (int i = 0; i < 4; i++)
        put_long(sys, KNOB_NAMES[i], driven[i]);
    cr_assert_eq(ksm_sweep(sys, guards), 1);
    cr_assert(!exists(guard));
    expect_original(sys);
    rm_fake(sys, guards);
}

Test(ksm_guard, the_guardian_gives_the_settings_back_when_the_run_dies)
{
    char sys[64], guards[64];
    fake_ksm(sys, guards);
    pid_t run = fork(); /* the run: drives KSM and dies without releasing */
    if (run == 0) {
        const char *why = NULL;
        _exit(ksm_drive(sys, guards, "0000dead", &why) ? 0 : 1);
    }
    int st = 0;
    waitpid(run, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the run drove KSM");
    bool back = false;
    for (int i = 0; i < 200 && !back; i++) { /* the guardian works once the run is gone */
        back = get_long(sys, "run") == 0 && get_long(sys, "smart_scan") == 1;
        if (!back)
            usleep(10000);
    }
    expect_original(sys);
    char guard[512];
    snprintf(guard, sizeof guard, "%s/" IAAS_OBJECT_PREFIX "0000dead-p%ld-ksm", guards, (long)run);
    for (int i = 0; i < 100 && exists(guard); i++)
        usleep(10000);
    cr_assert(!exists(guard));
    rm_fake(sys, guards);
}

Test(ksm_guard, a_crashed_runs_guard_does_not_stop_a_live_run)
{
    char sys[64], guards[64], guard[512];
    fake_ksm(sys, guards);
    const char *why = NULL;
    ksm_guard_t *g = ksm_drive(sys, guards, "0000000c", &why);
    cr_assert_not_null(g, "%s", why);
    pid_t owner = fork();
    if (owner == 0)
        _exit(0);
    waitpid(owner, NULL, 0);
    snprintf(guard, sizeof guard, "%s/" IAAS_OBJECT_PREFIX "12345678-p%ld-ksm", guards,
             (long)owner);
    FILE *f = fopen(guard, "w");
    cr_assert_not_null(f);
    fputs("0\n100\n20\n1\n", f);
    fclose(f);
    cr_assert_eq(ksm_sweep(sys, guards), 1);
    expect_driven(sys); /* the live run keeps measuring */
    ksm_release(g);
    expect_original(sys);
    rm_fake(sys, guards);
}

Test(ksm_guard, without_ksm_the_backend_is_unavailable)
{
    const char *why = NULL;
    cr_assert_null(ksm_drive("/nonexistent/ksm", "/tmp", "0badc0de", &why));
    cr_assert_str_eq(why, KSM_UNAVAILABLE);
}

Test(ksm_guard, bad_probe_parameters_are_refused)
{
    ksm_result_t r;
    ksm_probe_t p = {.candidates = 1, .trials = 5, .secret = 0};
    cr_assert_eq(ksm_probe("/nonexistent/ksm", &p, &r), -1);
    p.candidates = 8;
    p.secret = 8;
    cr_assert_eq(ksm_probe("/nonexistent/ksm", &p, &r), -1);
    p.secret = 0;
    p.trials = KSM_TRIALS_MAX + 1;
    cr_assert_eq(ksm_probe("/nonexistent/ksm", &p, &r), -1);
}

Test(ksm_guard, candidates_fill_distinct_pages_and_the_salt_separates_runs)
{
    static uint8_t a[4096], b[4096], c[4096];
    ksm_fill(a, 1, 3);
    ksm_fill(b, 1, 4);
    ksm_fill(c, 2, 3);
    cr_assert_neq(memcmp(a, b, sizeof a), 0);
    cr_assert_neq(memcmp(a, c, sizeof a), 0);
    ksm_fill(b, 1, 3);
    cr_assert_eq(memcmp(a, b, sizeof a), 0);
}

/* ---- on this machine's KSM ---- */

static ksm_guard_t *machine_ksm(void)
{
    const char *why = NULL;
    ksm_guard_t *g = ksm_drive(KSM_SYSFS, KSM_GUARD_DIR, "7e570000", &why);
    if (!g)
        cr_skip_test("%s", why);
    return g;
}

/* The shipped scenario (after the probe in the same test: two tests driving KSM at the same
 * time in one criterion binary are not needed, and keep the machine's two cores for one). */
static void shipped_scenario_separates_shared_memory(void)
{
    json_t *e = run_shipped_scenario("scenarios/iaas/ksm-side-channel-linux.yaml");
    const char *err = json_string_value(json_object_get(e, "error"));
    if (err && strstr(err, "backend unavailable"))
        cr_skip_test("%s", err);
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "ksm.guess_right"), 1);
    cr_assert_eq(metric(e, "protected", "ksm.guess_right"), 0);
    cr_assert_gt(metric(e, "baseline", "ksm.merged_write_ns"),
                 10 * metric(e, "baseline", "ksm.fresh_write_ns"));
    json_decref(e);
}

Test(ksm_machine, the_attacker_finds_the_victims_page_only_when_memory_is_shared, .timeout = 30)
{
    long before[4];
    for (int i = 0; i < 4; i++)
        before[i] = access(KSM_SYSFS "/run", W_OK) == 0 ? get_long(KSM_SYSFS, KNOB_NAMES[i]) : -1;
    ksm_guard_t *g = machine_ksm();
    ksm_probe_t p = {
        .candidates = 32, .trials = 5, .secret = 19, .share = true, .salt = 77, .wait_max = 0.3};
    ksm_result_t on, off;
    cr_assert_eq(ksm_probe(KSM_SYSFS, &p, &on), 0);
    p.share = false;
    cr_assert_eq(ksm_probe(KSM_SYSFS, &p, &off), 0);
    ksm_release(g);
    cr_assert_eq(on.guess, 19, "shared: %u rounds right, slowest %.0f ns, median %.0f ns",
                 on.trials_right, on.slow_ns, on.fresh_ns);
    cr_assert_gt(on.slow_ns, 10 * on.fresh_ns, "a merged page's write is a copy-on-write fault");
    cr_assert_neq(off.guess, 19, "not shared: %u rounds right", off.trials_right);
    cr_assert_leq(off.trials_right, 2);
    /* another run may be driving KSM at the same time; alone, the settings are back */
    char name[128];
    iaas_object_name(name, sizeof name, "7e570000", "ksm");
    char guard[256];
    snprintf(guard, sizeof guard, KSM_GUARD_DIR "/%s", name);
    cr_assert(!exists(guard));
    if (get_long(KSM_SYSFS, "run") == before[0])
        cr_assert_eq(get_long(KSM_SYSFS, "pages_to_scan"), before[1]);
    shipped_scenario_separates_shared_memory();
}

Test(ksm_machine, without_root_the_backend_is_unavailable)
{
    pid_t c = fork();
    if (c == 0) {
        if (getuid() == 0 && setuid(65534) != 0)
            _exit(3);
        const char *why = NULL;
        ksm_guard_t *g = ksm_drive(KSM_SYSFS, KSM_GUARD_DIR, "0badc0de", &why);
        _exit(!g && strcmp(why, KSM_UNAVAILABLE) == 0 ? 0 : 4);
    }
    int st = 0;
    waitpid(c, &st, 0);
    cr_assert(WIFEXITED(st));
    if (WEXITSTATUS(st) == 3)
        cr_skip_test("cannot drop privileges to test the unprivileged path");
    cr_assert_eq(WEXITSTATUS(st), 0, "an unprivileged drive is refused as unavailable");
}
