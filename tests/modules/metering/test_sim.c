/* test_sim.c — the metering system under test: shipped scenarios run in process (baseline versus
 * protected metrics, every message reported, same seed same metrics), and the pieces the
 * entities rely on: ciphered framing and its policy, CTR malleability of SC 0x20 frames, the
 * occupancy classifier and its scoring. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlms/apdu.h"
#include "dlms/security.h"
#include "engine/engine.h"
#include "engine/loader.h"
#include "scenario/scenario.h"
#include "sim/sim.h"
#include "scenario_run.h"

/* ---- in-process scenario runs ---- */

static json_t *run_file(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "scenarios/metering/%s", name);
    return run_shipped_scenario(rel);
}

Test(metering_scenarios, replayed_readings_accepted_without_counter_check_rejected_with_it)
{
    json_t *e = run_file("replay-readings.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.replayed.metering.reading"), 40);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.replayed.metering.reading"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.replay"), 40);
    /* the MDM never bills an older register backwards */
    cr_assert_eq(metric(e, "baseline", "mdm.register_rollbacks"), 40);
    assert_all_reported(e);
    json_decref(e);
}

Test(metering_scenarios, energy_theft_unbilled_without_plausibility_caught_and_estimated_with_it)
{
    json_t *e = run_file("energy-theft.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_gt(metric(e, "baseline", "mdm.unbilled_kwh"), 10);
    cr_assert_eq(metric(e, "baseline", "mdm.detections"), 0);
    cr_assert_eq(metric(e, "protected", "mdm.detection_rate"), 1);
    cr_assert_eq(metric(e, "protected", "mdm.false_positive_rate"), 0);
    cr_assert_lt(metric(e, "protected", "mdm.unbilled_kwh"), 5);
    /* the compromised meters' frames are perfectly protected: the ledger sees them accepted */
    cr_assert_gt(metric(e, "protected", "ledger.accepted.from_compromised.metering.reading"), 100);
    assert_all_reported(e);
    json_decref(e);
}

Test(metering_scenarios, forged_disconnect_with_stolen_hes_keys_needs_operator_signature)
{
    json_t *e = run_file("forged-disconnect.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.injected.metering.command"), 5);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.signature"), 5);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.injected.metering.command"), 0);
    assert_all_reported(e);
    json_decref(e);
}

Test(metering_scenarios, eavesdropper_reads_occupancy_from_clear_pushes_only)
{
    json_t *e = run_file("eavesdrop-occupancy.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_gt(metric(e, "baseline", "privacy.eavesdropper_accuracy"), 0.9);
    cr_assert_float_eq(metric(e, "protected", "privacy.eavesdropper_accuracy"), 0.5, 1e-9);
    json_decref(e);
}

Test(metering_scenarios, same_seed_gives_same_metrics)
{
    json_t *a = run_file("mass-disconnect.yaml"), *b = run_file("mass-disconnect.yaml");
    for (int r = 0; r < 2; r++) {
        const char *run = r ? "protected" : "baseline";
        json_t *ma = json_object_get(json_object_get(json_object_get(a, "runs"), run), "metrics");
        const char *k;
        json_t *v;
        json_object_foreach(ma, k, v)
        {
            if (strncmp(k, "cost.", 5) == 0)
                continue;
            cr_assert_eq(json_number_value(v), metric(b, run, k), "%s %s differs", run, k);
        }
    }
    json_decref(a);
    json_decref(b);
}

/* ---- entity building blocks ---- */

static const dlms_keys_t keys = {
    .ek = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
           0x0F},
    .ak = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE,
           0xDF},
};

static size_t reading(uint8_t sc, uint32_t reg, uint8_t *out)
{
    meter_t m;
    memset(&m, 0, sizeof m);
    memcpy(m.systitle, "MTR\0\0\0\0\7", 8);
    size_t n = 0;
    cr_assert_eq(msim_reading_frame(NULL, &m, &keys, 5, sc, 3, reg, 3600 * SG17_SEC, out, 128, &n),
                 0);
    return n;
}

Test(metering_wire, authenticated_reading_round_trips_and_policy_refuses_clear)
{
    uint8_t f[128], plain[128];
    size_t n = reading(DLMS_SC_AUTH_ENC, 123456, f), pl;
    uint32_t ic;
    bool ciphered;
    cr_assert_eq(msim_unwrap(&keys, f, n, NULL, DLMS_SC_AUTH_ENC, 4, plain, sizeof plain, &pl, &ic,
                             &ciphered),
                 DLMS_SEC_OK);
    dlms_data_notification_t dn;
    cr_assert_eq(dlms_data_notification_decode(plain, pl, &dn), 0);
    cr_assert(ciphered);
    cr_assert_eq(ic, 5);
    cr_assert_eq(dn.reading.value, 123456);
    cr_assert_eq(dn.long_invoke_id, 3);
    /* the same counter again is a replay */
    cr_assert_eq(msim_unwrap(&keys, f, n, NULL, DLMS_SC_AUTH_ENC, 5, plain, sizeof plain, &pl, &ic,
                             &ciphered),
                 DLMS_SEC_REPLAY);
    /* a frame from another system title than the association's peer does not verify */
    cr_assert_eq(msim_unwrap(&keys, f, n, (const uint8_t *)"MTR\0\0\0\0\10", DLMS_SC_AUTH_ENC,
                             DLMS_IC_NONE, plain, sizeof plain, &pl, &ic, &ciphered),
                 DLMS_SEC_AUTH);
}

Test(metering_wire, encryption_only_frame_is_malleable_authenticated_one_is_not)
{
    uint8_t f[128], plain[128];
    size_t pl;
    uint32_t ic;
    bool ciphered;
    dlms_data_notification_t dn;
    size_t n = reading(DLMS_SC_ENC, 0x00009C40, f);
    f[46] ^= 0x01; /* the register's second octet, as tamper-readings.yaml does */
    cr_assert_eq(
        msim_unwrap(&keys, f, n, NULL, 0, DLMS_IC_NONE, plain, sizeof plain, &pl, &ic, &ciphered),
        DLMS_SEC_OK);
    cr_assert_eq(dlms_data_notification_decode(plain, pl, &dn), 0);
    cr_assert_eq(dn.reading.value, 0x00019C40, "value %x", dn.reading.value);
    n = reading(DLMS_SC_AUTH_ENC, 0x00009C40, f);
    f[46] ^= 0x01;
    cr_assert_eq(msim_unwrap(&keys, f, n, NULL, DLMS_SC_AUTH_ENC, DLMS_IC_NONE, plain, sizeof plain,
                             &pl, &ic, &ciphered),
                 DLMS_SEC_AUTH);
}

Test(metering_wire, clear_apdu_passes_unwrap_as_not_ciphered)
{
    uint8_t f[128], plain[128];
    size_t n = reading(0, 77, f), pl;
    uint32_t ic;
    bool ciphered = true;
    cr_assert_eq(f[0], DLMS_APDU_DATA_NOTIFICATION);
    cr_assert_eq(msim_unwrap(&keys, f, n, NULL, DLMS_SC_AUTH_ENC, DLMS_IC_NONE, plain, sizeof plain,
                             &pl, &ic, &ciphered),
                 DLMS_SEC_OK);
    cr_assert(!ciphered, "the caller applies the policy to clear APDUs");
}

Test(metering_privacy, classifier_marks_intervals_above_the_mean)
{
    uint32_t wh[6] = {30, 30, 250, 260, 35, 240};
    bool g[6];
    msim_classify(wh, 6, g);
    bool want[6] = {false, false, true, true, false, true};
    for (int i = 0; i < 6; i++)
        cr_assert_eq(g[i], want[i], "interval %d", i);
}

Test(metering_privacy, balanced_accuracy_tallies_each_class_separately)
{
    double c1 = 0, t1 = 0, c0 = 0, t0 = 0;
    for (int i = 0; i < 9; i++)
        msim_score(&c1, &t1, &c0, &t0, true, true); /* constant guess "home" */
    msim_score(&c1, &t1, &c0, &t0, false, true);
    cr_assert_float_eq(0.5 * (c1 / t1 + c0 / t0), 0.5, 1e-12, "a constant guess is chance");
}
