/* report_diff.h — comparing two reports (`sg17tb diff`, docs/report.md). */
#ifndef SG17_REPORT_DIFF_H
#define SG17_REPORT_DIFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "report/report_text.h"

typedef struct {
    double tolerance; /* relative: 0.05 lists moves of more than 5 % (any move from 0) */
    bool all_metrics; /* every metric but cost.*, not only those the conditions read */
} sg17_diff_opts_t;

typedef struct {
    size_t regressions;     /* verdict ranks lower (holds > degraded > vacuous > fails > error)
                               or the scenario no longer matches its expect */
    size_t verdict_changes; /* verdict or its match with expect changed */
    size_t metric_moves, added, removed;
} sg17_diff_counts_t;

/* Appends one line per change (verdict, metric, added, removed) and a summary line to out, and
 * counts them. Both reports as loaded by sg17_report_load (borrowed). */
void sg17_report_diff(const json_t *old_report, const json_t *new_report,
                      const sg17_diff_opts_t *opts, sg17_rbuf_t *out, sg17_diff_counts_t *counts);

#endif
