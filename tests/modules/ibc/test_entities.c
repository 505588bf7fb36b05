/* test_entities.c — the ibc entities run alone through the strict mock context: one key period of
 * the genuine protocol is accepted end to end, revocation keeps keys from a revoked device, and
 * the adversary signs only with keys it actually stole. */
#include <criterion/criterion.h>
#include <string.h>

#include "mock_ctx.h"

extern const sg17_module_t sg17_module;

/* A run of one kms, `devices` devices and the gateway, created and started. */
static sg17_mock_t *run(unsigned devices, const char *revoked)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "kms", 1);
    sg17_mock_topology(m, "device", devices);
    if (revoked)
        sg17_mock_config(m, "revoked", revoked);
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_start(m);
    return m;
}

Test(ibc_entities, the_genuine_protocol_of_one_period_is_accepted_end_to_end, .timeout = 120)
{
    sg17_mock_t *m = run(2, NULL);
    sg17_mock_run_until(m, 5 * SG17_MIN);
    cr_assert_gt(sg17_mock_report_count(m), 0);
    for (size_t i = 0; i < sg17_mock_report_count(m); i++) {
        const sg17_mock_report_t *r = sg17_mock_report(m, i);
        cr_assert(r->accepted, "%s rejected: %s", r->type, r->reason);
    }
    cr_assert_eq(sg17_mock_metric(m, "kms.keys_issued"), 3); /* two devices and the gateway */
    cr_assert_eq(sg17_mock_metric(m, "device.keys_installed"), 2);
    cr_assert_eq(sg17_mock_metric(m, "gateway.sessions"), 2);
    cr_assert_eq(sg17_mock_metric(m, "gateway.sessions.device-1"), 1);
    cr_assert_gt(sg17_mock_metric(m, "gateway.app_data"), 0);
    sg17_mock_free(m);
}

Test(ibc_entities, a_revoked_device_is_refused_keys_and_never_authenticates, .timeout = 120)
{
    sg17_mock_t *m = run(2, "1");
    sg17_mock_run_until(m, 5 * SG17_MIN);
    size_t refused = 0;
    for (size_t i = 0; i < sg17_mock_report_count(m); i++) {
        const sg17_mock_report_t *r = sg17_mock_report(m, i);
        refused += !r->accepted && strcmp(r->reason, "revoked") == 0;
    }
    cr_assert_eq(refused, 1);
    cr_assert_eq(sg17_mock_metric(m, "kms.refused"), 1);
    cr_assert_eq(sg17_mock_metric(m, "gateway.sessions.device-0"), 1);
    cr_assert_eq(sg17_mock_metric(m, "gateway.sessions.device-1"), 0);
    sg17_mock_free(m);
}

Test(ibc_entities, the_adversary_signs_only_with_keys_it_stole, .timeout = 120)
{
    sg17_mock_t *m = run(2, NULL);
    sg17_mock_run_until(m, 5 * SG17_MIN);
    sg17_mock_clear(m);
    const char *const params[] = {"as", "0", "key_of", "1", NULL};
    cr_assert_eq(sg17_mock_attack(m, "substitute_identity", params, NULL, 0), -1);
    cr_assert(strstr(sg17_mock_last_log(m), "holds no keys of device-1"), "%s",
              sg17_mock_last_log(m));
    cr_assert_eq(sg17_mock_send_count(m), 0);
    sg17_mock_compromise(m, sg17_mock_entity(m, "device-1"));
    cr_assert_eq(sg17_mock_attack(m, "substitute_identity", params, NULL, 0), 0);
    cr_assert_eq(sg17_mock_send_count(m), 2); /* a D.1 message and application data */
    const sg17_mock_send_t *d1 = sg17_mock_send(m, 0);
    cr_assert(d1->injected);
    cr_assert_str_eq(d1->type, "ibc.d1_auth");
    cr_assert_eq(d1->src, sg17_mock_entity(m, "device-0"));
    sg17_mock_free(m);
}
