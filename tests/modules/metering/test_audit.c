/* test_audit.c — the HES command audit log (audit_log, X1332-R-NREP-01): the shipped tamper
 * scenario in process (erased disconnects go unnoticed in a plain log, the anchored chain
 * catches them), and the auditor's check of hand-built logs: chain, anchors, numbering. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/loader.h"
#include "scenario/scenario.h"
#include "scenario_run.h"
#include "sim/metering_sim.h"

Test(metering_audit, erased_disconnects_unnoticed_in_plain_log_caught_by_anchored_chain)
{
    json_t *e = run_shipped_scenario("scenarios/metering/audit-log-tamper.yaml");
    cr_assert_str_eq(json_string_value(json_object_get(e, "verdict")), "holds", "%s",
                     json_string_value(json_object_get(e, "reason")));
    /* the compromised operator's three disconnects are what the insider erases */
    cr_assert_eq(metric(e, "baseline", "audit.tampered_entries"), 3);
    cr_assert_eq(metric(e, "protected", "audit.tampered_entries"), 3);
    cr_assert_eq(metric(e, "baseline", "audit.undetected_tampered"), 3);
    cr_assert_eq(metric(e, "baseline", "audit.tamper_detected"), 0);
    cr_assert_eq(metric(e, "baseline", "audit.clean_audits"), 3);
    cr_assert_eq(metric(e, "baseline", "audit.anchors"), 0);
    /* protected: hourly anchors, the 3h audit verifies, the 6h and 9h audits refuse the log */
    cr_assert_eq(metric(e, "protected", "audit.anchors"), 11);
    cr_assert_eq(metric(e, "protected", "audit.clean_audits"), 1);
    cr_assert_eq(metric(e, "protected", "audit.tamper_detected"), 2);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.audit_chain"), 2);
    cr_assert_eq(metric(e, "protected", "audit.undetected_tampered"), 0);
    cr_assert_eq(metric(e, "protected", "audit.false_alarms"), 0);
    /* the same commands were issued and logged either way */
    cr_assert_eq(metric(e, "baseline", "audit.entries"), metric(e, "protected", "audit.entries"));
    cr_assert_eq(metric(e, "protected", "meter.commands_executed"),
                 metric(e, "baseline", "meter.commands_executed"));
    cr_assert_eq(metric(e, "protected", "ledger.unreported.all"), 0);
    cr_assert_eq(metric(e, "baseline", "ledger.unreported.all"), 0);
    json_decref(e);
}

/* ---- the auditor on hand-built logs ---- */

#define N 6

/* N records: seq, time 60 s apart, meter i, origin HES, kind read, a digest; chained if asked. */
static void build(uint8_t log[N][MSIM_AUDIT_REC], bool chained)
{
    static const uint8_t zero[MSIM_AUDIT_HASH_LEN];
    memset(log, 0, N * MSIM_AUDIT_REC);
    for (uint32_t i = 0; i < N; i++) {
        sg17_store_be32(log[i], i);
        sg17_store_be32(log[i] + 4, 60 * i);
        sg17_store_be32(log[i] + 8, i);
        sg17_store_be32(log[i] + 12, MSIM_AUDIT_ORIGIN_HES);
        memset(log[i] + 17, (int)(0x10 + i), MSIM_AUDIT_HASH_LEN);
        if (chained)
            cr_assert_eq(msim_audit_link(i ? log[i - 1] + 17 + MSIM_AUDIT_HASH_LEN : zero, log[i],
                                         log[i] + 17 + MSIM_AUDIT_HASH_LEN),
                         0);
    }
}

static void rechain(uint8_t log[N][MSIM_AUDIT_REC], size_t n)
{
    static const uint8_t zero[MSIM_AUDIT_HASH_LEN];
    for (size_t i = 0; i < n; i++) {
        sg17_store_be32(log[i], (uint32_t)i);
        msim_audit_link(i ? log[i - 1] + 17 + MSIM_AUDIT_HASH_LEN : zero, log[i],
                        log[i] + 17 + MSIM_AUDIT_HASH_LEN);
    }
}

/* Deletes record k, as the insider does. */
static void delete_at(uint8_t log[N][MSIM_AUDIT_REC], size_t k)
{
    memmove(log[k], log[k + 1], (N - 1 - k) * MSIM_AUDIT_REC);
}

Test(metering_audit, anchored_chain_verifies_and_locates_edits_before_the_last_anchor)
{
    uint8_t log[N][MSIM_AUDIT_REC];
    msim_audit_anchor_t anchors[2];
    msim_t s = {.cfg.audit_log = true, .anchors = anchors, .n_anchors = 2};
    build(log, true);
    anchors[0].count = 2;
    memcpy(anchors[0].head, log[1] + 17 + MSIM_AUDIT_HASH_LEN, MSIM_AUDIT_HASH_LEN);
    anchors[1].count = 4;
    memcpy(anchors[1].head, log[3] + 17 + MSIM_AUDIT_HASH_LEN, MSIM_AUDIT_HASH_LEN);
    cr_assert_eq(msim_audit_verify(&s, log[0], N, true), -1, "the genuine log audits clean");

    /* a naive edit breaks the chain at the record itself; the auditor vouches for what the
     * last matching anchor covers, the first two records */
    log[3][16] = MSIM_AUDIT_DISCONNECT;
    cr_assert_eq(msim_audit_verify(&s, log[0], N, true), 2);
    s.n_anchors = 0; /* without anchors the stored chain still shows where it breaks */
    cr_assert_eq(msim_audit_verify(&s, log[0], N, true), 3);
    s.n_anchors = 2;
    /* re-chained by the insider: consistent, but the 4-record anchor no longer matches; the
     * auditor vouches for the first two records only */
    rechain(log, N);
    cr_assert_eq(msim_audit_verify(&s, log[0], N, true), 2);

    /* deletion before an anchor, renumbered and re-chained: caught */
    build(log, true);
    delete_at(log, 2);
    rechain(log, N - 1);
    cr_assert_eq(msim_audit_verify(&s, log[0], N - 1, true), 2);
    /* truncation below an anchored count: caught */
    build(log, true);
    cr_assert_eq(msim_audit_verify(&s, log[0], 3, true), 2);
    /* an edit after the last anchor cannot be caught yet (honest limit of periodic anchoring) */
    build(log, true);
    log[5][16] = MSIM_AUDIT_SETTING;
    rechain(log, N);
    cr_assert_eq(msim_audit_verify(&s, log[0], N, true), -1);
}

Test(metering_audit, plain_log_only_checks_numbering)
{
    uint8_t log[N][MSIM_AUDIT_REC];
    msim_t s = {.cfg.audit_log = false};
    build(log, false);
    cr_assert_eq(msim_audit_verify(&s, log[0], N, false), -1);
    delete_at(log, 2);
    cr_assert_eq(msim_audit_verify(&s, log[0], N - 1, false), 2, "a gap in the numbering shows");
    for (uint32_t i = 0; i < N - 1; i++)
        sg17_store_be32(log[i], i); /* the insider renumbers */
    cr_assert_eq(msim_audit_verify(&s, log[0], N - 1, false), -1, "a renumbered deletion does not");
}

Test(metering_audit, chained_auditor_refuses_a_plain_log)
{
    uint8_t log[N][MSIM_AUDIT_REC];
    msim_t s = {.cfg.audit_log = true};
    build(log, false);
    cr_assert_eq(msim_audit_verify(&s, log[0], N, false), 0);
}
