/* test_sim.c — the metering system under test: shipped scenarios run in process (baseline versus
 * protected metrics, every message reported, same seed same metrics), counts and other values
 * in configuration and attack parameters (refused at parse time outside the descriptor's ranges,
 * clamped to the fleet by the module), and the pieces the entities rely on: ciphered framing and
 * its policy, CTR malleability of SC 0x20 frames, the occupancy classifiers (consumption and
 * traffic analysis) and their scoring. */
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
#include "scenario_run.h"
#include "sim/metering_sim.h"

/* ---- in-process scenario runs ---- */

Test(metering_scenarios, replayed_readings_accepted_without_counter_check_rejected_with_it)
{
    json_t *e = run_shipped_scenario("scenarios/metering/replay-readings.yaml");
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
    json_t *e = run_shipped_scenario("scenarios/metering/energy-theft.yaml");
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
    json_t *e = run_shipped_scenario("scenarios/metering/forged-disconnect.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.injected.metering.command"), 5);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.signature"), 5);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.injected.metering.command"), 0);
    assert_all_reported(e);
    json_decref(e);
}

Test(metering_scenarios, repeated_ivs_under_a_fleet_key_give_the_ghash_key_and_forged_tariffs)
{
    json_t *e = run_shipped_scenario("scenarios/metering/iv-reuse-fleet-key.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    /* per-meter counters: every meter's HLS proof and first commands repeat IVs; the solved H is
     * the real E_K(0) and every forged tariff is accepted */
    cr_assert_gt(metric(e, "baseline", "iv.reused_frames"), 19);
    cr_assert_eq(metric(e, "baseline", "iv.ghash_key_recovered"), 1);
    double sent = metric(e, "baseline", "iv.forgeries_sent");
    cr_assert_gt(sent, 0);
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.injected.metering.command"), sent);
    cr_assert_eq(metric(e, "baseline", "meter.tariff_foreign"), sent);
    /* one counter per key: no IV twice, no key, every flipped frame fails its tag */
    cr_assert_eq(metric(e, "protected", "iv.reused_frames"), 0);
    cr_assert_eq(metric(e, "protected", "iv.ghash_key_recovered"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.injected.metering.command"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.auth"),
                 metric(e, "protected", "iv.forgeries_sent"));
    cr_assert_eq(metric(e, "protected", "meter.tariff_foreign"), 0);
    assert_all_reported(e);
    json_decref(e);
}

Test(metering_scenarios, rewrapped_signed_disconnect_executes_without_freshness_refused_with_it)
{
    json_t *e = run_shipped_scenario("scenarios/metering/signed-command-rewrap.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.injected.metering.command"), 1);
    cr_assert_eq(metric(e, "baseline", "meter.disconnected_now"), 1);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.injected.metering.command"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.command_replay"), 1);
    cr_assert_eq(metric(e, "protected", "meter.disconnected_now"), 0);
    assert_all_reported(e);
    json_decref(e);
}

Test(metering_scenarios, eavesdropper_reads_occupancy_from_clear_pushes_only)
{
    json_t *e = run_shipped_scenario("scenarios/metering/eavesdrop-occupancy.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    double clear = metric(e, "baseline", "privacy.eavesdropper_accuracy"),
           ciphered = metric(e, "protected", "privacy.eavesdropper_accuracy");
    cr_assert_gt(clear, 0.9);
    /* traffic analysis of constant-size frames on a fixed schedule: chance level */
    cr_assert(ciphered >= 0.4 && ciphered <= 0.6, "ciphered accuracy %g", ciphered);
    cr_assert_gt(clear, ciphered + 0.3);
    /* the attacker analysed (nearly) every push in both runs */
    cr_assert_geq(metric(e, "baseline", "privacy.readings_observed"), 1800);
    cr_assert_geq(metric(e, "protected", "privacy.readings_observed"), 1800);
    assert_all_reported(e);
    json_decref(e);
}

Test(metering_scenarios, third_party_infers_occupancy_from_raw_series_not_from_daily_totals)
{
    json_t *e = run_shipped_scenario("scenarios/metering/thirdparty-overcollection.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    double raw = metric(e, "baseline", "thirdparty.inference_accuracy"),
           daily = metric(e, "protected", "thirdparty.inference_accuracy");
    cr_assert_gt(raw, 0.9);
    cr_assert(daily >= 0.4 && daily <= 0.6, "accuracy from daily totals %g", daily);
    cr_assert_gt(raw, daily + 0.3);
    cr_assert_gt(metric(e, "protected", "mdm.tp_customers_served"), 0, "it did get daily data");
    assert_all_reported(e);
    json_decref(e);
}

Test(metering_scenarios, small_under_reports_go_unbilled_with_the_detector_on)
{
    json_t *e = run_shipped_scenario(
        "scenarios/metering/false-data-sweep-small.yaml"); /* first point: factor 0.95 */
    cr_assert_str_eq(verdict(e), "fails", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_gt(metric(e, "baseline", "mdm.unbilled_kwh"), 1);
    cr_assert_eq(metric(e, "protected", "mdm.detection_rate"), 0);
    cr_assert_float_eq(metric(e, "protected", "mdm.unbilled_kwh"),
                       metric(e, "baseline", "mdm.unbilled_kwh"), 1e-9);
    json_decref(e);
}

Test(metering_scenarios, same_seed_gives_same_metrics)
{
    json_t *a = run_shipped_scenario("scenarios/metering/mass-disconnect.yaml"),
           *b = run_shipped_scenario("scenarios/metering/mass-disconnect.yaml");
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

/* ---- counts: validated at parse time against the declared ranges, clamped to the fleet ---- */

#define COUNT_HEAD                                                                              \
    "id: metering/counts\ntitle: counts are whole numbers\nmodule: metering\n"                  \
    "requirements: [X1332-R-AUTHZ-03]\nseed: 1\nduration: 2h\n"                                 \
    "topology: {meter: 3, hes: 1, mdm: 1, operator: 1}\nmitigations: [mass_disconnect_limit]\n" \
    "adversary: {capabilities: [observe, forge_command, rogue_hes, inject_reading]}\n"          \
    "success: [ledger.accepted.injected > 0]\n"
/* An adversary that only watches, for the tests about configuration counts. */
#define COUNT_OBSERVER "actions: [{at: 0, observe: {}}]\n"

/* The parse error of a scenario text ("" when it parses). */
static const char *parse_error(const char *yaml, sg17_err_t *err)
{
    sg17_registry_t reg = sg17_loader_registry();
    sg17_scenario_t *list = NULL;
    size_t count = 0;
    err->msg[0] = '\0';
    if (sg17_scenario_parse(yaml, strlen(yaml), "counts.yaml", &reg, &list, &count, err) == 0) {
        sg17_scenarios_free(list, count);
        err->msg[0] = '\0';
    }
    return err->msg;
}

Test(metering_config, negative_batch_is_refused_at_parse_time)
{
    sg17_err_t err;
    const char *msg = parse_error(COUNT_HEAD COUNT_OBSERVER "config: {ondemand_batch: -1}\n", &err);
    cr_assert(strstr(msg, "counts.yaml:12:")
                  && strstr(msg, "config.ondemand_batch: -1 is out of range"),
              "%s", msg);
    static const char *const count_keys[] = {"dr_batch", "disconnect_limit", "transformer_size"};
    for (size_t k = 0; k < 3; k++) {
        char yaml[1024], want[128];
        snprintf(yaml, sizeof yaml, COUNT_HEAD COUNT_OBSERVER "config: {%s: -1}\n", count_keys[k]);
        snprintf(want, sizeof want, "config.%s: -1 is out of range", count_keys[k]);
        cr_assert(strstr(parse_error(yaml, &err), want), "%s: %s", count_keys[k], err.msg);
        snprintf(yaml, sizeof yaml, COUNT_HEAD COUNT_OBSERVER "config: {%s: 2.5}\n", count_keys[k]);
        cr_assert(strstr(parse_error(yaml, &err), "is not a whole number"), "%s: %s", count_keys[k],
                  err.msg);
    }
    cr_assert_str_eq(parse_error(COUNT_HEAD COUNT_OBSERVER "config: {ondemand_batch: 5}\n", &err),
                     "");
}

Test(metering_config, negative_attack_counts_and_indexes_are_refused_at_parse_time)
{
    sg17_err_t err;
    cr_assert(strstr(parse_error(COUNT_HEAD "actions:\n  - {at: 1h, forge_command: {meters: -1}}\n",
                                 &err),
                     "actions[0].forge_command.meters: -1 is out of range"),
              "%s", err.msg);
    cr_assert(
        strstr(parse_error(COUNT_HEAD "actions:\n  - {at: 1h, forge_command: {first: -2}}\n", &err),
               "actions[0].forge_command.first: -2 is out of range"),
        "%s", err.msg);
    cr_assert(
        strstr(parse_error(COUNT_HEAD "actions:\n  - {at: 1h, rogue_hes: {meters: 5000000000}}\n",
                           &err),
               "actions[0].rogue_hes.meters: 5000000000 is out of range"),
        "%s", err.msg);
    cr_assert(
        strstr(parse_error(COUNT_HEAD
                           "actions:\n  - {at: 1h, inject_reading: {meter: meter-1, count: -1}}\n",
                           &err),
               "actions[0].inject_reading.count: -1 is out of range"),
        "%s", err.msg);
}

Test(metering_config, batches_up_to_the_largest_fleet_are_clamped_to_this_fleet)
{
    static const char yaml[] =
        COUNT_HEAD COUNT_OBSERVER "config: {ondemand_batch: 20000, dr_batch: 20000, "
                                  "transformer_size: 20000, ondemand_interval: 1min, "
                                  "dr_interval: 30min}\n";
    json_t *e = run_scenario_yaml(yaml, sizeof yaml - 1, "counts.yaml");
    cr_assert_str_eq(verdict(e), "vacuous", "%s", json_string_value(json_object_get(e, "reason")));
    /* each on-demand round reads the three meters once: 120 rounds in 2 h */
    cr_assert_eq(metric(e, "baseline", "hes.commands_sent")
                     - metric(e, "baseline", "hes.op_requests_relayed"),
                 120 * 3);
    /* each demand-response event limits the three meters once: 4 events */
    cr_assert_eq(metric(e, "baseline", "ledger.sent.genuine.metering.op_request"), 4 * 3);
    assert_all_reported(e);
    json_decref(e);
}

Test(metering_config, values_beyond_the_declared_ranges_are_refused_at_parse_time)
{
    sg17_err_t err;
    static const struct {
        const char *tail, *want;
    } cases[] = {
        {"config: {ondemand_batch: 20001}\n", "config.ondemand_batch: '20001' is out of range"},
        {"config: {transformer_size: 1000000000}\n", "config.transformer_size"},
        {"config: {disconnect_limit: 1000000001}\n", "config.disconnect_limit"},
        {"config: {reading_interval: 30s}\n", "config.reading_interval"},
        {"config: {consent_share: 1.5}\n", "config.consent_share"},
        {"actions:\n  - {at: 1h, inject_reading: {meter: meter-1, count: 10001}}\n",
         "actions[0].inject_reading.count"},
        {"actions:\n  - {at: 1h, forge_command: {meters: 20001}}\n",
         "actions[0].forge_command.meters"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char yaml[1024];
        snprintf(yaml, sizeof yaml, COUNT_HEAD "%s%s",
                 strncmp(cases[k].tail, "actions", 7) ? COUNT_OBSERVER : "", cases[k].tail);
        const char *msg = parse_error(yaml, &err);
        cr_assert(strstr(msg, cases[k].want) && strstr(msg, "out of range"), "%s: %s",
                  cases[k].tail, msg);
    }
    cr_assert_str_eq(
        parse_error(COUNT_HEAD COUNT_OBSERVER "config: {disconnect_limit: 1000000}\n", &err), "");
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
    msim_meter_t m;
    memset(&m, 0, sizeof m);
    memcpy(m.systitle, "MTR\0\0\0\0\7", 8);
    size_t n = 0;
    cr_assert_eq(msim_reading_frame(&m, NULL, &keys, 5, sc, 3, reg, 3600 * SG17_SEC, out, 128, &n),
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

Test(metering_privacy, traffic_analysis_follows_frame_length_and_timing_when_they_vary)
{
    /* longer frames while someone is active (a variable-length encoding) */
    uint32_t len[6] = {40, 40, 52, 52, 40, 52};
    sg17_time_t at[6];
    for (int i = 0; i < 6; i++)
        at[i] = (sg17_time_t)i * 15 * SG17_MIN;
    bool g[6], want[6] = {false, false, true, true, false, true};
    cr_assert_eq(msim_classify_traffic(len, at, 6, g), 0);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(g[i], want[i], "length, frame %d", i);
    /* pushes that come sooner while someone is active (event-driven reporting) */
    uint32_t same[6] = {40, 40, 40, 40, 40, 40};
    sg17_time_t ev[6] = {
        0, 15 * SG17_MIN, 16 * SG17_MIN, 31 * SG17_MIN, 46 * SG17_MIN, 47 * SG17_MIN};
    bool want2[6] = {false, false, true, false, false, true}; /* frame 0 takes frame 1's gap */
    cr_assert_eq(msim_classify_traffic(same, ev, 6, g), 0);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(g[i], want2[i], "timing, frame %d", i);
}

Test(metering_privacy, traffic_analysis_of_fixed_frames_on_a_fixed_schedule_is_chance)
{
    uint32_t len[8];
    sg17_time_t at[8];
    bool g[8];
    for (int i = 0; i < 8; i++) {
        len[i] = 57;
        at[i] = 300 * SG17_SEC + (sg17_time_t)i * 15 * SG17_MIN;
    }
    cr_assert_eq(msim_classify_traffic(len, at, 8, g), 0);
    double c1 = 0, t1 = 0, c0 = 0, t0 = 0;
    for (int i = 0; i < 8; i++) {
        cr_assert_eq(g[i], g[0], "every frame looks alike");
        msim_score(&c1, &t1, &c0, &t0, i % 3 == 0, g[i]);
    }
    cr_assert_float_eq(0.5 * (c1 / t1 + c0 / t0), 0.5, 1e-12);
}

Test(metering_privacy, balanced_accuracy_tallies_each_class_separately)
{
    double c1 = 0, t1 = 0, c0 = 0, t0 = 0;
    for (int i = 0; i < 9; i++)
        msim_score(&c1, &t1, &c0, &t0, true, true); /* constant guess "home" */
    msim_score(&c1, &t1, &c0, &t0, false, true);
    cr_assert_float_eq(0.5 * (c1 / t1 + c0 / t0), 0.5, 1e-12, "a constant guess is chance");
}
