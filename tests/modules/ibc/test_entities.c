/* test_entities.c — the ibc entities run alone through the strict mock context: one key period of
 * the genuine protocol is accepted end to end, revocation keeps keys from a revoked device, and
 * the adversary signs only with keys it actually stole. */
#include <criterion/criterion.h>
#include <string.h>

#include "crypto/eccsi.h"
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

/* ---- the gateway's replay cache: outrun by a flood, malleated signatures ---- */

/* A run of one kms, two devices and the gateway with the replay cache as given, driven 5 s into
 * period 0: both devices have authenticated once. The D.1 message of device-1 is copied to d1. */
static sg17_mock_t *run_cached(const char *cache, bool replay_cache, uint8_t *d1, size_t *d1_len)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "kms", 1);
    sg17_mock_topology(m, "device", 2);
    sg17_mock_config(m, "nonce_cache", cache);
    sg17_mock_mitigation(m, "replay_cache", replay_cache);
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_start(m);
    sg17_mock_run_until(m, 5 * SG17_SEC);
    *d1_len = 0;
    for (size_t i = 0; i < sg17_mock_send_count(m); i++) {
        const sg17_mock_send_t *q = sg17_mock_send(m, i);
        if (strcmp(q->type, "ibc.d1_auth") == 0 && q->src == sg17_mock_entity(m, "device-1")) {
            cr_assert_leq(q->len, 1024);
            memcpy(d1, q->payload, q->len);
            *d1_len = q->len;
        }
    }
    cr_assert_gt(*d1_len, ECCSI_SIG_BYTES, "device-1 authenticated");
    cr_assert_eq(sg17_mock_metric(m, "gateway.sessions.device-1"), 1);
    sg17_mock_clear(m);
    return m;
}

/* (r, q - s) verifies as (r, s) does, so only the mitigation stands between the malleated copy and
 * the gateway: with the replay cache, its nonce (which the signature covers) is a known one. */
Test(ibc_gateway, the_replay_cache_refuses_a_malleated_copy_of_an_accepted_d1, .timeout = 120)
{
    for (int cache_on = 0; cache_on <= 1; cache_on++) {
        uint8_t d1[1024], mall[1024];
        size_t n;
        sg17_mock_t *m = run_cached("4096", cache_on, d1, &n);
        memcpy(mall, d1, n);
        cr_assert_eq(eccsi_sig_negate(d1 + n - ECCSI_SIG_BYTES, mall + n - ECCSI_SIG_BYTES), 0);
        cr_assert_arr_neq(mall, d1, n, "the malleated copy differs in its octets");
        const sg17_mock_report_t *r =
            sg17_mock_deliver(m, sg17_mock_entity(m, "device-1"), sg17_mock_entity(m, "gateway-0"),
                              "ibc.d1_auth", mall, n);
        if (cache_on) {
            cr_assert_not(r->accepted);
            cr_assert_str_eq(r->reason, "replay");
        } else { /* the signature verified: the malleated copy is a valid message */
            cr_assert(r->accepted, "%s", r->reason);
        }
        sg17_mock_free(m);
    }
}

Test(ibc_gateway, the_malleated_replay_attack_resends_the_capture_with_q_minus_s, .timeout = 120)
{
    uint8_t d1[1024];
    size_t n;
    sg17_mock_t *m = run_cached("4096", true, d1, &n);
    sg17_msg_t cap = {.id = 1,
                      .dst = sg17_mock_entity(m, "gateway-0"),
                      .claimed_src = sg17_mock_entity(m, "device-1"),
                      .type = "ibc.d1_auth",
                      .payload = d1,
                      .len = n};
    const char *const params[] = {"capture", "d1", NULL};
    cr_assert_eq(sg17_mock_attack(m, "malleated_replay", params, &cap, 1), 0, "%s",
                 sg17_mock_last_log(m));
    cr_assert_eq(sg17_mock_send_count(m), 1);
    const sg17_mock_send_t *q = sg17_mock_send(m, 0);
    cr_assert(q->injected);
    cr_assert_eq(q->len, n);
    size_t body = n - ECCSI_SIG_BYTES;
    cr_assert_arr_eq(q->payload, d1, body + ECCSI_N, "body and r unchanged");
    cr_assert_arr_neq(q->payload + body + ECCSI_N, d1 + body + ECCSI_N, ECCSI_N, "s changed");
    uint8_t back[ECCSI_SIG_BYTES];
    cr_assert_eq(eccsi_sig_negate(q->payload + body, back), 0);
    cr_assert_arr_eq(back, d1 + body, ECCSI_SIG_BYTES, "q - (q - s) = s");
    sg17_mock_run_until(m, 6 * SG17_SEC);
    cr_assert_eq(sg17_mock_report_count(m), 1);
    cr_assert_str_eq(sg17_mock_report(m, 0)->reason, "replay");
    sg17_mock_free(m);
}

/* A flood of valid authentications (a compromised device's keys) longer than the cache evicts
 * device-1's nonce while its timestamp is still inside the 30 s window; the cache refuses any D.1
 * stamped at or before the newest such eviction, so the replay is still caught. */
Test(ibc_gateway, a_flood_longer_than_the_cache_does_not_readmit_an_old_d1, .timeout = 120)
{
    uint8_t d1[1024];
    size_t n;
    sg17_mock_t *m = run_cached("8", true, d1, &n);
    sg17_mock_compromise(m, sg17_mock_entity(m, "device-0"));
    const char *const params[] = {"device", "0", "count", "12", NULL};
    cr_assert_eq(sg17_mock_attack(m, "outrun_nonce_cache", params, NULL, 0), 0, "%s",
                 sg17_mock_last_log(m));
    cr_assert_eq(sg17_mock_send_count(m), 12);
    sg17_mock_run_until(m, 6 * SG17_SEC);
    size_t accepted = 0;
    for (size_t i = 0; i < sg17_mock_report_count(m); i++)
        accepted += sg17_mock_report(m, i)->accepted;
    cr_assert_geq(accepted, 8, "the flood is made of valid authentications");
    const sg17_mock_report_t *r = sg17_mock_deliver(
        m, sg17_mock_entity(m, "device-1"), sg17_mock_entity(m, "gateway-0"), "ibc.d1_auth", d1, n);
    cr_assert_not(r->accepted, "device-1's old D.1 must not be new to the cache");
    cr_assert_str_eq(r->reason, "replay");
    sg17_mock_free(m);
}
