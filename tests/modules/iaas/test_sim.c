/* test_sim.c — the iaas simulation through the strict mock context: the warm-up plants the canary
 * where the scenarios expect it, benign traffic is served, and each control changes what really
 * happens (bytes read, boots, records), not only what the module says. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mock_ctx.h"
#include "sim/iaas_sim.h"
#include "sim/runid.h"

extern const sg17_module_t sg17_module;

static sg17_mock_t *make(const char *mitigation, bool on)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_config(m, "anchor_every", "2");
    if (mitigation)
        sg17_mock_mitigation(m, mitigation, on);
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_start(m);
    return m;
}

Test(sim, benign_traffic_is_served_and_audited)
{
    sg17_mock_t *m = make(NULL, false);
    sg17_mock_run_until(m, 10 * SG17_MIN);
    cr_assert_gt(sg17_mock_metric(m, "api.served"), 40);
    cr_assert_eq(sg17_mock_metric(m, "api.refused"), 0);
    cr_assert_gt(sg17_mock_metric(m, "imds.credentials_served"), 0);
    cr_assert_eq(sg17_mock_metric(m, "leak.canary_reads"), 0);
    sg17_mock_finish(m);
    cr_assert_gt(sg17_mock_metric(m, "audit.verified"), 40);
    cr_assert_eq(sg17_mock_metric(m, "audit.chain_breaks"), 0);
    cr_assert_gt(sg17_mock_metric(m, "audit.anchors"), 4);
    cr_assert_eq(sg17_mock_metric(m, "audit.anchor_mismatch"), 0);
    sg17_mock_free(m);
}

/* Runs the warm-up, then the attack steps (each a NULL-terminated parameter list after the
 * attack's name), one virtual minute apart, and the rest of ten minutes. */
typedef struct {
    const char *attack;
    const char *const *params;
} step_t;

static sg17_mock_t *detonate(const char *mitigation, bool on, const step_t *steps, size_t n)
{
    sg17_mock_t *m = make(mitigation, on);
    sg17_time_t t = SG17_MIN;
    sg17_mock_run_until(m, t);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(sg17_mock_attack(m, steps[i].attack, steps[i].params, NULL, 0), 0, "%s: %s",
                     steps[i].attack, sg17_mock_last_log(m));
        t += SG17_MIN;
        sg17_mock_run_until(m, t);
    }
    sg17_mock_run_until(m, 10 * SG17_MIN);
    sg17_mock_finish(m);
    return m;
}

#define P(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(sim, remanence_reader_sees_the_file_unless_wiped_or_encrypted)
{
    const step_t steps[] = {
        {"api_call", P("op", "CreateVolume", "as", "root-3", "value", "4")},
        {"api_call", P("op", "ReadVolume", "as", "root-3", "value", "0")},
    };
    sg17_mock_t *m = detonate(NULL, false, steps, 2);
    cr_assert_eq(sg17_mock_metric(m, "leak.canary_reads"), 1, "the freed extent still holds it");
    sg17_mock_free(m);
    m = detonate("volume_wipe", true, steps, 2);
    cr_assert_eq(sg17_mock_metric(m, "leak.canary_reads"), 0);
    sg17_mock_free(m);
    m = detonate("volume_encryption", true, steps, 2);
    cr_assert_eq(sg17_mock_metric(m, "leak.canary_reads"), 0);
    sg17_mock_free(m);
}

Test(sim, scratch_file_is_real_and_removed_at_the_end)
{
    sg17_mock_t *m = make(NULL, false);
    const iaas_t *s = sg17_mock_instance(m);
    char path[256];
    snprintf(path, sizeof path, "%s", s->store[0].path);
    char want[64];
    snprintf(want, sizeof want, "/sg17tb-iaas-0000cafe-p%ld-block0", (long)getpid());
    cr_assert(strstr(path, want) != NULL, "%s is named with the run id and its owner", path);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s exists during the run", path);
    fseek(f, 0, SEEK_END);
    cr_assert_eq(ftell(f), (long)(s->cfg.extents_per_node * s->cfg.extent_size));
    fclose(f);
    sg17_mock_free(m);
    cr_assert_null(fopen(path, "rb"), "%s removed with the instance", path);
}

Test(sim, backing_file_exposes_the_host_unless_inspected)
{
    const step_t steps[] = {
        {"backing_image", P("as", "root-3")},
        {"api_call", P("op", "RunInstances", "as", "root-3")},
    };
    sg17_mock_t *m = detonate(NULL, false, steps, 2);
    cr_assert_eq(sg17_mock_metric(m, "leak.canary_reads"), 1);
    sg17_mock_free(m);
    m = detonate("image_inspection", true, steps, 2);
    cr_assert_eq(sg17_mock_metric(m, "leak.canary_reads"), 0);
    sg17_mock_free(m);
}

Test(sim, stolen_instance_credentials_work_from_outside_only_without_binding)
{
    const step_t steps[] = {
        {"ssrf", P("vm", "vm-0", "path", "credentials")},
        {"api_call", P("op", "ReadVolume", "as", "stolen", "target", "0")},
    };
    sg17_mock_t *m = detonate(NULL, false, steps, 2);
    cr_assert_eq(sg17_mock_metric(m, "leak.canary_reads"), 1);
    sg17_mock_free(m);
    m = detonate("credential_binding", true, steps, 2);
    cr_assert_eq(sg17_mock_metric(m, "leak.canary_reads"), 0);
    cr_assert_eq(sg17_mock_metric(m, "audit.correlated"), 1, "the refused call is in the trail");
    sg17_mock_free(m);
    m = detonate("imds_tokens", true, steps, 2);
    cr_assert_eq(sg17_mock_metric(m, "leak.canary_reads"), 0);
    sg17_mock_free(m);
}

Test(sim, deleted_trail_leaves_anchor_gaps_and_hides_the_next_action)
{
    const step_t steps[] = {
        {"api_call", P("op", "DeleteTrail", "as", "user-0")},
        {"api_call", P("op", "CreateAccessKey", "as", "user-0", "value", "0")},
    };
    sg17_mock_t *m = detonate(NULL, false, steps, 2);
    cr_assert_gt(sg17_mock_metric(m, "audit.anchor_gaps"), 0);
    cr_assert_eq(sg17_mock_metric(m, "audit.correlated"), 0);
    sg17_mock_free(m);
    m = detonate("trail_guard", true, steps, 2);
    cr_assert_eq(sg17_mock_metric(m, "audit.anchor_gaps"), 0);
    cr_assert_eq(sg17_mock_metric(m, "audit.correlated"), 2);
    cr_assert_eq(sg17_mock_metric(m, "audit.correlated_allowed"), 1);
    cr_assert_eq(sg17_mock_metric(m, "audit.chain_breaks"), 0);
    sg17_mock_free(m);
}

Test(sim, forged_instance_id_is_ignored_when_the_origin_decides)
{
    const step_t steps[] = {
        {"metadata_forge", P("vm", "vm-3", "instance", "vm-0", "path", "user-data")},
    };
    sg17_mock_t *m = detonate(NULL, false, steps, 1);
    cr_assert_eq(sg17_mock_metric(m, "leak.canary_reads"), 1);
    sg17_mock_free(m);
    m = detonate("imds_signed_instance_id", true, steps, 1);
    cr_assert_eq(sg17_mock_metric(m, "leak.canary_reads"), 0);
    sg17_mock_free(m);
}

Test(sim, api_refuses_malformed_and_unsigned_requests)
{
    sg17_mock_t *m = make(NULL, false);
    sg17_entity_t out = sg17_mock_entity(m, "outside-0"), api = sg17_mock_entity(m, "api-0");
    const sg17_mock_report_t *r = sg17_mock_deliver(m, out, api, "iaas.api_request", "x", 1);
    cr_assert_str_eq(r->reason, "malformed");
    uint8_t buf[API_REQUEST_MAX], wrong[API_SECRET_BYTES] = {0};
    api_request_t rq = {.op = API_OP_DESCRIBE_INSTANCES, .key_id = IAAS_KEY_BASE};
    size_t len = 0;
    cr_assert_eq(api_request_encode(&rq, wrong, buf, sizeof buf, &len), 0);
    r = sg17_mock_deliver(m, out, api, "iaas.api_request", buf, len);
    cr_assert_str_eq(r->reason, "auth");
    sg17_mock_free(m);
}

Test(sim, noisy_guest_starves_its_neighbour_without_cgroup_limits)
{
    const step_t steps[] = {{"noisy", P("vm", "vm-3", "load", "fork", "intensity", "64")}};
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "compute", 1);
    sg17_mock_topology(m, "metadata", 1);
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_start(m);
    sg17_mock_run_until(m, SG17_MIN);
    cr_assert_eq(sg17_mock_attack(m, steps[0].attack, steps[0].params, NULL, 0), 0);
    sg17_mock_run_until(m, 3 * SG17_MIN);
    sg17_mock_finish(m);
    cr_assert_eq(sg17_mock_metric(m, "victim.worst_ratio"), 0, "the process table is full");
    sg17_mock_free(m);
}

/* A pid that existed and is gone: a child that exited and was reaped. */
static long dead_pid(void)
{
    pid_t c = fork();
    if (c == 0)
        _exit(0);
    cr_assert_gt(c, 0);
    cr_assert_eq(waitpid(c, NULL, 0), c);
    return (long)c;
}

static void touch(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    fclose(f);
}

static void rm(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert_eq(unlink(path), 0, "%s", path);
}

static bool exists(const char *dir, const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

Test(sim, object_names_carry_the_run_id_and_parse_back)
{
    char name[128], id[9];
    long pid = 0;
    cr_assert_eq(iaas_object_name(name, sizeof name, "0badc0de", "block3"), 0);
    cr_assert_eq(iaas_object_owner(name, id, &pid), 0);
    cr_assert_str_eq(id, "0badc0de");
    cr_assert_eq(pid, (long)getpid());
    cr_assert_neq(iaas_object_name(name, sizeof name, "0badc0de", "a/b"), 0);
    cr_assert_neq(iaas_object_name(name, 20, "0badc0de", "block3"), 0, "does not fit");
    const char *bad[] = {"sg17tb-iaas-0BADC0DE-p1-x", "sg17tb-iaas-0badc0de-p-1-x",
                         "sg17tb-iaas-0badc0de-p12", "sg17tb-iaas-0badc0d-p1-x", "other"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_neq(iaas_object_owner(bad[i], id, &pid), 0, "%s", bad[i]);
    iaas_run_id_norm("", id); /* an older core: made from the pid, still 8 hex digits */
    cr_assert_eq(strlen(id), 8);
}

Test(sim, sweep_removes_objects_of_dead_owners_and_of_its_own_run_only)
{
    char dir[] = "/tmp/sg17tb-iaas-sweep-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char stale[128], live[128], other_run[128];
    snprintf(stale, sizeof stale, "sg17tb-iaas-12345678-p%ld-block0", dead_pid());
    snprintf(other_run, sizeof other_run, "sg17tb-iaas-87654321-p%ld-block0", (long)getppid());
    cr_assert_eq(iaas_object_name(live, sizeof live, "0badc0de", "block0"), 0);
    touch(dir, stale);
    touch(dir, live);
    touch(dir, other_run);
    touch(dir, "unrelated-file");
    cr_assert_eq(iaas_sweep(dir, NULL, unlink), 1, "only the crashed run's file");
    cr_assert(!exists(dir, stale));
    cr_assert(exists(dir, live) && exists(dir, other_run) && exists(dir, "unrelated-file"));
    cr_assert_eq(iaas_sweep(dir, "87654321", unlink), 0, "another live process's run");
    cr_assert_eq(iaas_sweep(dir, "0badc0de", unlink), 1, "its own run");
    cr_assert(!exists(dir, live) && exists(dir, other_run));
    rm(dir, other_run);
    rm(dir, "unrelated-file");
    cr_assert_eq(rmdir(dir), 0);
}

Test(sim, a_new_run_removes_the_scratch_file_of_a_crashed_one)
{
    char dir[] = "/tmp/sg17tb-iaas-tmpdir-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char stale[128];
    snprintf(stale, sizeof stale, "sg17tb-iaas-12345678-p%ld-block0", dead_pid());
    touch(dir, stale);
    setenv("TMPDIR", dir, 1);
    sg17_mock_t *m = make(NULL, false);
    cr_assert(!exists(dir, stale), "the crashed run's file is gone");
    cr_assert(strstr(sg17_mock_last_log(m), "removed 1 scratch file") != NULL, "%s",
              sg17_mock_last_log(m));
    sg17_mock_free(m);
    unsetenv("TMPDIR");
    cr_assert_eq(rmdir(dir), 0, "nothing of the run is left behind");
}

Test(sim, api_flood_takes_the_capacity_until_quotas_or_the_revert_stop_it)
{
    const char *const flood[] = {"vm", "vm-3", "rate", "200", NULL};
    for (int quotas = 0; quotas < 2; quotas++) {
        sg17_mock_t *m = sg17_mock_new(&sg17_module);
        sg17_mock_config(m, "api_capacity", "50");
        sg17_mock_config(m, "api_tenant_rate", "10");
        sg17_mock_config(m, "api_interval", "700ms");
        sg17_mock_mitigation(m, "api_quotas", quotas);
        cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
        sg17_mock_start(m);
        sg17_mock_run_until(m, 2 * SG17_SEC);
        cr_assert_eq(sg17_mock_attack(m, "api_flood", flood, NULL, 0), 0);
        sg17_mock_run_until(m, 12 * SG17_SEC);
        double sent = sg17_mock_metric(m, "victim.api_sent"),
               ok = sg17_mock_metric(m, "victim.api_ok");
        if (quotas)
            cr_assert_geq(ok, sent - 4, "served: %g of %g", ok, sent); /* 4 in flight at most */
        else
            cr_assert_lt(ok, 0.6 * sent, "starved: %g of %g", ok, sent);
        cr_assert_gt(sg17_mock_metric(m, "api.throttled"), 1000, "the flood is turned away");
        cr_assert_eq(sg17_mock_attack(m, "revert", (const char *const[]){NULL}, NULL, 0), 0);
        sg17_mock_run_until(m, 13 * SG17_SEC);
        double throttled = sg17_mock_metric(m, "api.throttled");
        sg17_mock_run_until(m, 20 * SG17_SEC);
        cr_assert_eq(sg17_mock_metric(m, "api.throttled"), throttled,
                     "the revert stopped the flood");
        sg17_mock_free(m);
    }
}

/* The audit sink keeps records by their sequence number: a forged one far beyond any trail (up to
 * 2^64 - 1, where doubling the store's size would wrap) is refused as malformed, at once. */
Test(sim, an_audit_record_with_a_forged_sequence_number_is_refused, .timeout = 10)
{
    sg17_mock_t *m = make(NULL, false);
    sg17_entity_t out = sg17_mock_entity(m, "outside-0"), sink = sg17_mock_entity(m, "audit-0");
    const uint64_t seqs[] = {UINT64_MAX, UINT64_C(1) << 63, UINT64_C(1) << 22};
    for (size_t i = 0; i < sizeof seqs / sizeof *seqs; i++) {
        audit_record_t r = {.seq = seqs[i], .kind = AUDIT_KIND_FLOW};
        uint8_t enc[AUDIT_RECORD_BYTES];
        audit_record_encode(&r, enc);
        const sg17_mock_report_t *rep =
            sg17_mock_deliver(m, out, sink, "iaas.audit_record", enc, sizeof enc);
        cr_assert_str_eq(rep->reason, "malformed", "seq %llu", (unsigned long long)seqs[i]);
    }
    audit_record_t ok = {.seq = 7, .kind = AUDIT_KIND_FLOW};
    uint8_t enc[AUDIT_RECORD_BYTES];
    audit_record_encode(&ok, enc);
    const sg17_mock_report_t *rep =
        sg17_mock_deliver(m, out, sink, "iaas.audit_record", enc, sizeof enc);
    cr_assert(rep->accepted, "a record inside the trail's range is kept: %s",
              rep->reason ? rep->reason : "");
    sg17_mock_free(m);
}
