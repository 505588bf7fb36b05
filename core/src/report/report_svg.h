/* report_svg.h — the inline SVG line chart of a sweep (internal to core/src/report). */
#ifndef SG17_REPORT_SVG_H
#define SG17_REPORT_SVG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "report/report_text.h"

/* One point of a sweep: its scenario, its x label (the matrix value as written) and, when every
 * label of the sweep parses as a number, its numeric x. */
typedef struct {
    const json_t *scenario;
    const char *label;
    double x;
    size_t index;  /* in report.scenarios (the page's anchor s-<index>) */
    size_t number; /* column number S<n> in the module's matrix */
} sg17_sweep_point_t;

/* Appends an <svg> line chart of metric over the points (already in x order). x is the matrix
 * value: linear when numeric, logarithmic when positive and spanning two decades or more, else
 * evenly spaced categories. y is the metric in the protected run (solid, markers coloured by
 * the point's verdict) and in the baseline run (dashed). Missing values leave gaps. Axis
 * labels name xname and the metric. */
void sg17_report_svg_sweep(sg17_rbuf_t *b, const sg17_sweep_point_t *points, size_t n, bool numeric,
                           const char *xname, const char *metric);

#endif
