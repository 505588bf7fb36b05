/* test_sim.c — the iaas simulation through the strict mock context: the warm-up plants the canary
 * where the scenarios expect it, benign traffic is served, and each control changes what really
 * happens (bytes read, boots, records), not only what the module says. */
#include <criterion/criterion.h>
#include <string.h>

#include "mock_ctx.h"
#include "sim/iaas_sim.h"

extern const sg17_module_t sg17_module;

static sg17_mock_t *make(const char *mitigation, bool on)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
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
