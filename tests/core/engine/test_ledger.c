/* test_ledger.c — the ledger's compact form (engine/ledger.c): ids found across gaps, provenance
 * and send time kept per group, claimed sources kept apart, runs across column growth, and the
 * ground truth of every field after fates and reports, against what was recorded. */
#include <criterion/criterion.h>

#include "engine/ledger.h"

/* What one message should read back as. */
typedef struct {
    uint64_t id;
    sg17_entity_t true_src, claimed_src, dst;
    const char *type;
    sg17_prov_t prov;
    sg17_time_t sent_at;
    sg17_fate_t fate;
    sg17_outcome_t outcome;
    const char *reason;
} want_t;

static void assert_truth(sg17_ledger_t *l, const want_t *w)
{
    sg17_ledger_truth_t t;
    cr_assert_eq(sg17_ledger_truth(l, w->id, &t), 0, "id %lu", (unsigned long)w->id);
    cr_assert_eq(t.true_src, w->true_src, "id %lu", (unsigned long)w->id);
    cr_assert_eq(t.claimed_src, w->claimed_src, "id %lu", (unsigned long)w->id);
    cr_assert_eq(t.dst, w->dst, "id %lu", (unsigned long)w->id);
    cr_assert_str_eq(t.type, w->type, "id %lu", (unsigned long)w->id);
    cr_assert_eq(t.prov, w->prov, "id %lu", (unsigned long)w->id);
    cr_assert_eq(t.sent_at, w->sent_at, "id %lu", (unsigned long)w->id);
    cr_assert_eq(t.fate, w->fate, "id %lu", (unsigned long)w->id);
    cr_assert_eq(t.outcome, w->outcome, "id %lu", (unsigned long)w->id);
    if (w->reason)
        cr_assert_str_eq(t.reason, w->reason, "id %lu", (unsigned long)w->id);
    else
        cr_assert_null(t.reason, "id %lu", (unsigned long)w->id);
}

Test(ledger, ids_with_gaps_are_found_in_their_segment_and_gaps_are_unknown)
{
    sg17_ledger_t *l = sg17_ledger_new();
    cr_assert_not_null(sg17_ledger_record(l, 3, 1, 1, 2, "t.a", SG17_PROV_GENUINE, 5));
    cr_assert_not_null(sg17_ledger_record(l, 4, 1, 1, 2, "t.a", SG17_PROV_GENUINE, 5));
    cr_assert_not_null(sg17_ledger_record(l, 10, 2, 2, 1, "t.a", SG17_PROV_GENUINE, 5));
    uint16_t type_of[1] = {sg17_ledger_type(l, "t.b", 3)};
    sg17_entity_t src[3] = {7, 8, 9}, dst[3] = {1, 2, 3}, more[2] = {4, 5};
    uint32_t type_index[3] = {0, 0, 0};
    cr_assert_eq(
        sg17_ledger_record_run(l, 20, 3, src, dst, type_index, type_of, SG17_PROV_GENUINE, 6), 0);
    cr_assert_not_null(sg17_ledger_record(l, 30, 6, 6, 1, "t.c", SG17_PROV_GENUINE, 6));
    cr_assert_eq(sg17_ledger_record_copy(l, 32, 4), -1, "a copy takes the next id");
    cr_assert_eq(sg17_ledger_record_copies(l, more, 2), 0);
    cr_assert_eq(sg17_ledger_size(l), 9);
    static const uint64_t known[] = {3, 4, 10, 20, 21, 22, 30, 31, 32};
    static const uint64_t unknown[] = {0, 1, 2, 5, 9, 11, 19, 23, 29, 33, UINT64_MAX};
    sg17_ledger_truth_t t;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        cr_assert_eq(sg17_ledger_truth(l, known[i], &t), 0, "id %lu", (unsigned long)known[i]);
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++) {
        uint64_t id = unknown[i];
        cr_assert_eq(sg17_ledger_truth(l, id, &t), -1, "id %lu", (unsigned long)id);
        cr_assert_null(sg17_ledger_find(l, id));
        sg17_ledger_set_fate(l, id, SG17_FATE_DELIVERED); /* changes nothing */
        cr_assert_eq(sg17_ledger_report(l, id, true, NULL), -1);
    }
    cr_assert_eq(sg17_ledger_anomalies(l), sizeof unknown / sizeof *unknown);
    /* lookups start from the segment of the last one: every order finds the same (backwards,
     * forwards, and jumping over a segment both ways, gaps between) */
    static const sg17_entity_t known_dst[] = {2, 2, 1, 1, 2, 3, 1, 4, 5};
    static const uint64_t order[] = {32, 31, 30, 29, 22, 3,  33, 4, 21, 10, 5, 20, 32, 2,
                                     22, 11, 10, 31, 3,  23, 30, 4, 19, 20, 9, 21, 0,  32};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        size_t k = 0;
        while (k < sizeof known / sizeof *known && known[k] != order[i])
            k++;
        int rc = sg17_ledger_truth(l, order[i], &t);
        if (k == sizeof known / sizeof *known) {
            cr_assert_eq(rc, -1, "id %lu after %zu lookups", (unsigned long)order[i], i);
        } else {
            cr_assert_eq(rc, 0, "id %lu after %zu lookups", (unsigned long)order[i], i);
            cr_assert_eq(t.dst, known_dst[k], "id %lu", (unsigned long)order[i]);
        }
    }
    assert_truth(l, &(want_t){10, 2, 2, 1, "t.a", SG17_PROV_GENUINE, 5, SG17_FATE_IN_FLIGHT,
                              SG17_OUTCOME_NONE, NULL});
    assert_truth(l, &(want_t){22, 9, 9, 3, "t.b", SG17_PROV_GENUINE, 6, SG17_FATE_IN_FLIGHT,
                              SG17_OUTCOME_NONE, NULL});
    assert_truth(l, &(want_t){32, 6, 6, 5, "t.c", SG17_PROV_GENUINE, 6, SG17_FATE_IN_FLIGHT,
                              SG17_OUTCOME_NONE, NULL});
    const sg17_ledger_record_t *r = sg17_ledger_find(l, 30);
    cr_assert_not_null(r);
    cr_assert(r->id == 30 && r->n_copies == 2 && r->dst == 1 && r->sent_at == 6);
    sg17_ledger_destroy(&l);
}

Test(ledger, a_run_without_type_indexes_is_all_of_the_first_type)
{
    sg17_ledger_t *l = sg17_ledger_new();
    uint16_t type_of[2] = {sg17_ledger_type(l, "t.one", 5), sg17_ledger_type(l, "t.two", 5)};
    enum { N = 37 }; /* past any width the fill is done in */
    sg17_entity_t src[N], dst[N];
    for (size_t i = 0; i < N; i++)
        src[i] = (sg17_entity_t)i, dst[i] = (sg17_entity_t)(100 + i);
    cr_assert_eq(sg17_ledger_record_run(l, 1, N, src, dst, NULL, type_of + 1, SG17_PROV_GENUINE, 3),
                 0);
    for (uint64_t id = 1; id <= N; id++) {
        sg17_ledger_truth_t t;
        cr_assert_eq(sg17_ledger_truth(l, id, &t), 0);
        cr_assert_str_eq(t.type, "t.two", "id %lu", (unsigned long)id);
        cr_assert(t.true_src == id - 1 && t.dst == 99 + id && t.sent_at == 3);
    }
    sg17_ledger_destroy(&l);
}

Test(ledger, runs_and_multicasts_given_as_bytes_are_recorded_as_words_would_be)
{
    sg17_ledger_t *l = sg17_ledger_new();
    uint16_t type_of[3] = {sg17_ledger_type(l, "t.a", 3), sg17_ledger_type(l, "t.b", 3),
                           sg17_ledger_type(l, "t.c", 3)};
    enum { N = 21 }; /* past the sixteen the widening takes at a time */
    uint8_t src[N], dst[N], type_index[N], more[N];
    for (size_t i = 0; i < N; i++) {
        src[i] = (uint8_t)(200 + i);
        dst[i] = (uint8_t)i;
        type_index[i] = (uint8_t)(i % 3);
        more[i] = (uint8_t)(255 - i);
    }
    cr_assert_eq(
        sg17_ledger_record_run_bytes(l, 1, N, src, dst, type_index, type_of, SG17_PROV_GENUINE, 4),
        0);
    cr_assert_eq(sg17_ledger_record_multicast(l, N + 1, src[0], dst[0], type_of[2],
                                              SG17_PROV_GENUINE, 4, more, N),
                 0);
    static const char *const names[] = {"t.a", "t.b", "t.c"};
    sg17_ledger_truth_t t;
    for (size_t i = 0; i < N; i++) {
        cr_assert_eq(sg17_ledger_truth(l, 1 + i, &t), 0);
        cr_assert(t.true_src == 200 + i && t.dst == i, "id %zu", 1 + i);
        cr_assert_str_eq(t.type, names[i % 3]);
    }
    cr_assert_eq(sg17_ledger_truth(l, N + 1, &t), 0); /* the multicast's send */
    cr_assert(t.true_src == 200 && t.claimed_src == 200 && t.dst == 0 && t.sent_at == 4);
    cr_assert_str_eq(t.type, "t.c");
    for (size_t k = 0; k < N; k++) { /* the multicast's copies: its source and type */
        cr_assert_eq(sg17_ledger_truth(l, N + 2 + k, &t), 0);
        cr_assert(t.dst == 255 - k && t.true_src == 200, "copy %zu", k);
        cr_assert_str_eq(t.type, "t.c");
    }
    cr_assert_eq(sg17_ledger_size(l), 2 * N + 1);
    cr_assert_eq(
        sg17_ledger_record_multicast(l, 2 * N + 1, 7, 8, type_of[1], SG17_PROV_GENUINE, 9, more, 3),
        -1, "not past the last id");
    cr_assert_eq(sg17_ledger_size(l), 2 * N + 1);
    sg17_ledger_destroy(&l);
}

Test(ledger, ids_at_or_below_the_last_are_refused)
{
    sg17_ledger_t *l = sg17_ledger_new();
    cr_assert_not_null(sg17_ledger_record(l, 5, 1, 1, 2, "t.a", SG17_PROV_GENUINE, 0));
    cr_assert_null(sg17_ledger_record(l, 5, 1, 1, 2, "t.a", SG17_PROV_GENUINE, 0));
    cr_assert_null(sg17_ledger_record(l, 4, 1, 1, 2, "t.a", SG17_PROV_REPLAYED, 0));
    uint16_t type_of[1] = {0};
    sg17_entity_t e[2] = {1, 2};
    uint32_t type_index[2] = {0, 0};
    cr_assert_eq(sg17_ledger_record_run(l, 5, 2, e, e, type_index, type_of, SG17_PROV_GENUINE, 0),
                 -1);
    cr_assert_eq(sg17_ledger_record_run(l, 9, 0, e, e, type_index, type_of, SG17_PROV_GENUINE, 0),
                 0, "an empty run records nothing");
    cr_assert_eq(sg17_ledger_size(l), 1);
    cr_assert_eq(sg17_ledger_record_copy(l, 6, 3), 0, "the copy of 5 is 6");
    cr_assert_null(sg17_ledger_record(l, 6, 1, 1, 2, "t.a", SG17_PROV_GENUINE, 0));
    cr_assert_not_null(sg17_ledger_record(l, 7, 1, 1, 2, "t.a", SG17_PROV_GENUINE, 0));
    cr_assert_eq(sg17_ledger_size(l), 3);
    sg17_ledger_destroy(&l);
}

/* Every field of every kind of message, read back after the host's fates and the receivers'
 * reports: genuine runs, injected and modified messages (a claimed source apart from the true
 * one), a replayed message with an old send time between two of one group's, an injected
 * multicast whose copies share its claim. */
Test(ledger, truth_of_every_field_after_fates_and_reports)
{
    sg17_ledger_t *l = sg17_ledger_new();
    uint16_t type_of[2] = {sg17_ledger_type(l, "t.a", 3), sg17_ledger_type(l, "t.b", 3)};
    sg17_entity_t src[4] = {1, 2, 3, 4}, dst[4] = {5, 6, 7, 8}, more[3] = {2, 3, 4};
    uint32_t type_index[4] = {0, 1, 1, 0};
    cr_assert_eq(
        sg17_ledger_record_run(l, 1, 4, src, dst, type_index, type_of, SG17_PROV_GENUINE, 100), 0);
    cr_assert_not_null(
        sg17_ledger_record(l, 5, SG17_NO_ENTITY, 3, 9, "t.a", SG17_PROV_REPLAYED, 40));
    cr_assert_not_null(sg17_ledger_record(l, 6, 2, 2, 9, "t.b", SG17_PROV_GENUINE, 100));
    cr_assert_not_null(
        sg17_ledger_record(l, 7, SG17_NO_ENTITY, 1, 2, "t.c", SG17_PROV_INJECTED, 110));
    cr_assert_eq(sg17_ledger_record_copies(l, more, 3), 0);
    cr_assert_not_null(
        sg17_ledger_record(l, 11, SG17_NO_ENTITY, 4, 5, "t.b", SG17_PROV_MODIFIED, 120));
    cr_assert_not_null(sg17_ledger_record(l, 12, 6, 6, 1, "t.a", SG17_PROV_FROM_COMPROMISED, 120));
    cr_assert_eq(sg17_ledger_record_copy(l, 13, 7), 0);
    cr_assert_eq(sg17_ledger_size(l), 13);

    sg17_ledger_set_fate(l, 1, SG17_FATE_DELIVERED);
    sg17_ledger_set_fate(l, 2, SG17_FATE_DELIVERED);
    sg17_ledger_set_fate(l, 3, SG17_FATE_DROPPED);
    sg17_ledger_set_fate(l, 4, SG17_FATE_REPLACED);
    sg17_ledger_set_fate(l, 5, SG17_FATE_DELIVERED);
    for (uint64_t id = 7; id <= 9; id++)
        sg17_ledger_set_fate(l, id, SG17_FATE_DELIVERED);
    sg17_ledger_set_fate(l, 10, SG17_FATE_DROPPED);
    sg17_ledger_set_fate(l, 11, SG17_FATE_DELIVERED);
    sg17_ledger_set_fate(l, 13, SG17_FATE_DELIVERED);
    cr_assert_eq(sg17_ledger_report(l, 1, true, NULL), 0);
    cr_assert_eq(sg17_ledger_report(l, 2, false, "bad-mac"), 0);
    cr_assert_eq(sg17_ledger_report(l, 5, false, "stale"), 0);
    cr_assert_eq(sg17_ledger_report(l, 7, true, NULL), 0);
    cr_assert_eq(sg17_ledger_report(l, 8, false, ""), 0);
    cr_assert_eq(sg17_ledger_report(l, 11, false, "bad-mac"), 0);
    cr_assert_eq(sg17_ledger_report(l, 13, true, NULL), 0);
    cr_assert_eq(sg17_ledger_report(l, 3, true, NULL), -1, "dropped");
    cr_assert_eq(sg17_ledger_report(l, 13, false, "x"), -1, "reported twice");
    cr_assert_eq(sg17_ledger_anomalies(l), 2);
    /* a fate set after the report keeps the outcome */
    sg17_ledger_set_fate(l, 11, SG17_FATE_DELIVERED);

    const sg17_fate_t D = SG17_FATE_DELIVERED, F = SG17_FATE_IN_FLIGHT;
    const sg17_outcome_t A = SG17_OUTCOME_ACCEPTED, R = SG17_OUTCOME_REJECTED,
                         N = SG17_OUTCOME_NONE;
    const sg17_entity_t X = SG17_NO_ENTITY;
    const want_t want[] = {
        {1, 1, 1, 5, "t.a", SG17_PROV_GENUINE, 100, D, A, NULL},
        {2, 2, 2, 6, "t.b", SG17_PROV_GENUINE, 100, D, R, "bad-mac"},
        {3, 3, 3, 7, "t.b", SG17_PROV_GENUINE, 100, SG17_FATE_DROPPED, N, NULL},
        {4, 4, 4, 8, "t.a", SG17_PROV_GENUINE, 100, SG17_FATE_REPLACED, N, NULL},
        {5, X, 3, 9, "t.a", SG17_PROV_REPLAYED, 40, D, R, "stale"},
        {6, 2, 2, 9, "t.b", SG17_PROV_GENUINE, 100, F, N, NULL},
        {7, X, 1, 2, "t.c", SG17_PROV_INJECTED, 110, D, A, NULL},
        {8, X, 1, 2, "t.c", SG17_PROV_INJECTED, 110, D, R, "unspecified"},
        {9, X, 1, 3, "t.c", SG17_PROV_INJECTED, 110, D, N, NULL},
        {10, X, 1, 4, "t.c", SG17_PROV_INJECTED, 110, SG17_FATE_DROPPED, N, NULL},
        {11, X, 4, 5, "t.b", SG17_PROV_MODIFIED, 120, D, R, "bad-mac"},
        {12, 6, 6, 1, "t.a", SG17_PROV_FROM_COMPROMISED, 120, F, N, NULL},
        {13, 6, 6, 7, "t.a", SG17_PROV_FROM_COMPROMISED, 120, D, A, NULL},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_truth(l, &want[i]);

    const sg17_ledger_record_t *r = sg17_ledger_find(l, 7);
    cr_assert_not_null(r);
    cr_assert(r->true_src == X && r->claimed_src == 1 && r->dst == 2 && r->n_copies == 3
              && r->prov == SG17_PROV_INJECTED && r->fate == D && r->outcome == A);
    r = sg17_ledger_find(l, 2);
    cr_assert(r && r->outcome == R && r->n_copies == 0 && r->sent_at == 100);
    cr_assert_null(sg17_ledger_find(l, 9), "a copy has no record of its own");

    sg17_metrics_t *m = sg17_metrics_new();
    sg17_ledger_metrics(l, m, NULL);
    static const struct {
        const char *name;
        double value;
    } counts[] = {{"ledger.sent.genuine", 5},
                  {"ledger.sent.injected", 1},
                  {"ledger.copies.injected", 4},
                  {"ledger.sent.all", 9},
                  {"ledger.copies.all", 13},
                  {"ledger.delivered.all", 8},
                  {"ledger.dropped.all", 2},
                  {"ledger.replaced.genuine", 1},
                  {"ledger.pending.all", 2},
                  {"ledger.accepted.all", 3},
                  {"ledger.rejected.all", 4},
                  {"ledger.unreported.injected", 1},
                  {"ledger.rejected.reason.bad-mac", 2},
                  {"ledger.rejected.reason.stale", 1},
                  {"ledger.rejected.reason.unspecified", 1},
                  {"ledger.rejected.modified.t.b", 1}};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
        cr_assert_eq(sg17_metrics_value(m, counts[i].name), counts[i].value, "%s", counts[i].name);
    sg17_metrics_destroy(&m);
    sg17_ledger_destroy(&l);
}

/* Runs that make the columns grow (and split a frame's group over the growth), then a second
 * ledger on the same thread, which reuses the first one's columns, starts empty. */
Test(ledger, runs_across_column_growth_and_a_reused_ledger_start_whole_and_empty)
{
    enum { RUN = 1000, RUNS = 37 };
    static sg17_entity_t src[RUN], dst[RUN];
    static uint32_t type_index[RUN];
    for (size_t i = 0; i < RUN; i++) {
        src[i] = (sg17_entity_t)i;
        dst[i] = (sg17_entity_t)(RUN + i);
        type_index[i] = (uint32_t)(i % 2);
    }
    for (int pass = 0; pass < 2; pass++) {
        sg17_ledger_t *l = sg17_ledger_new();
        cr_assert_eq(sg17_ledger_size(l), 0);
        sg17_ledger_truth_t t;
        cr_assert_eq(sg17_ledger_truth(l, 1, &t), -1, "a new ledger knows no id");
        uint16_t type_of[2] = {sg17_ledger_type(l, "t.even", 6), sg17_ledger_type(l, "t.odd", 5)};
        uint64_t id = 1;
        for (int k = 0; k < RUNS; k++) {
            /* runs 2k and 2k + 1 share a send time: one group */
            cr_assert_eq(sg17_ledger_record_run(l, id, RUN, src, dst, type_index, type_of,
                                                SG17_PROV_GENUINE, (sg17_time_t)(k / 2)),
                         0);
            id += RUN + (k == 10 ? 5 : 0); /* one gap */
        }
        cr_assert_eq(sg17_ledger_size(l), (size_t)RUN * RUNS);
        for (int k = 0; k < RUNS; k++) {
            uint64_t first = 1 + (uint64_t)k * RUN + (k > 10 ? 5 : 0);
            for (size_t i = 0; i < RUN; i += 333) {
                cr_assert_eq(sg17_ledger_truth(l, first + i, &t), 0);
                cr_assert(t.true_src == i && t.claimed_src == i && t.dst == RUN + i
                              && t.sent_at == (sg17_time_t)(k / 2) && t.fate == SG17_FATE_IN_FLIGHT,
                          "run %d, envelope %zu", k, i);
                cr_assert_str_eq(t.type, i % 2 ? "t.odd" : "t.even");
            }
        }
        cr_assert_eq(sg17_ledger_truth(l, 1 + 11 * RUN, &t), -1, "the gap");
        sg17_ledger_set_fate(l, 1 + 36 * RUN + 5 + 999, SG17_FATE_DELIVERED);
        sg17_metrics_t *m = sg17_metrics_new();
        sg17_ledger_metrics(l, m, NULL);
        cr_assert_eq(sg17_metrics_value(m, "ledger.sent.genuine.t.odd"), RUN * RUNS / 2.0);
        cr_assert_eq(sg17_metrics_value(m, "ledger.delivered.all"), 1);
        cr_assert_eq(sg17_metrics_value(m, "ledger.pending.all"), RUN * RUNS - 1);
        sg17_metrics_destroy(&m);
        sg17_ledger_destroy(&l);
        cr_assert_null(l);
    }
}

/* An injected multicast to many receivers: every copy keeps the send's claimed source, also
 * when noting the copies' claims makes the claim table grow. */
Test(ledger, a_large_injected_multicast_keeps_its_claim_on_every_copy)
{
    enum { COPIES = 1000 };
    static sg17_entity_t more[COPIES];
    for (size_t i = 0; i < COPIES; i++)
        more[i] = (sg17_entity_t)(100 + i);
    sg17_ledger_t *l = sg17_ledger_new();
    cr_assert_not_null(
        sg17_ledger_record(l, 1, SG17_NO_ENTITY, 3, 99, "t.a", SG17_PROV_INJECTED, 7));
    cr_assert_eq(sg17_ledger_record_copies(l, more, COPIES / 2), 0);
    for (size_t i = COPIES / 2; i < COPIES; i++)
        cr_assert_eq(sg17_ledger_record_copy(l, 2 + i, more[i]), 0);
    cr_assert_not_null(sg17_ledger_record(l, 2 + COPIES, 4, 4, 5, "t.a", SG17_PROV_GENUINE, 8));
    for (uint64_t id = 1; id <= 1 + COPIES; id += 37)
        assert_truth(l, &(want_t){id, SG17_NO_ENTITY, 3, id == 1 ? 99 : (sg17_entity_t)(98 + id),
                                  "t.a", SG17_PROV_INJECTED, 7, SG17_FATE_IN_FLIGHT,
                                  SG17_OUTCOME_NONE, NULL});
    assert_truth(l, &(want_t){1 + COPIES, SG17_NO_ENTITY, 3, 99 + COPIES, "t.a", SG17_PROV_INJECTED,
                              7, SG17_FATE_IN_FLIGHT, SG17_OUTCOME_NONE, NULL});
    assert_truth(l, &(want_t){2 + COPIES, 4, 4, 5, "t.a", SG17_PROV_GENUINE, 8, SG17_FATE_IN_FLIGHT,
                              SG17_OUTCOME_NONE, NULL});
    const sg17_ledger_record_t *r = sg17_ledger_find(l, 1);
    cr_assert(r && r->n_copies == COPIES && r->claimed_src == 3);
    sg17_ledger_destroy(&l);
}
