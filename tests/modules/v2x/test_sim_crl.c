/* test_sim_crl.c — the IEEE 1609.2 CRL in the simulation, through shipped scenarios run in
 * process: a forged CRL is a denial of service on receivers that install CRLs unverified and is
 * refused on its signature by those that verify it; the AA's genuine CRLs (revoked before the
 * run, and after misbehaviour reports) still revoke. Judged from the ledger. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "scenario_run.h"

static json_t *run_file(const char *name)
{
    return run_module_scenario("v2x", name);
}

Test(v2x_crl, a_forged_crl_is_refused_when_crls_are_verified)
{
    json_t *e = run_file("forged-crl.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    /* off: installed, and honest CAMs are refused as revoked */
    cr_assert_gt(metric(e, "baseline", "ledger.accepted.injected.v2x.crl"), 0);
    cr_assert_gt(metric(e, "baseline", "ledger.rejected.reason.revoked"), 0);
    cr_assert_eq(metric(e, "control", "ledger.rejected.reason.revoked"), 0);
    /* on: every copy refused on its signature, no honest CAM refused as revoked */
    cr_assert_eq(metric(e, "protected", "ledger.accepted.injected.v2x.crl"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.signature"),
                 metric(e, "protected", "ledger.delivered.injected.v2x.crl"));
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.revoked"), 0);
    assert_all_reported(e);
    json_decref(e);
}

Test(v2x_crl, the_aas_crl_revokes_in_the_standard_format)
{
    json_t *e = run_file("revoked-cert.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_gt(metric(e, "protected", "ledger.rejected.reason.revoked"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.injected.v2x.cam"), 0);
    json_decref(e);
}
