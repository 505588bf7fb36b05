/* report_svg.c — a small, dependency-free SVG line chart for sweeps in report.html: linear axes
 * with "nice" ticks (1, 2, 5 × 10^k), a solid protected-run line, a dashed baseline line. */
#include "report/report_svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHART_W 540.0
#define CHART_H 260.0
#define PAD_L   70.0
#define PAD_R   16.0
#define PAD_T   30.0
#define PAD_B   48.0

/* The verdict colours of report.html (kept in step with its CSS). */
static const char *verdict_colour(const char *v)
{
    if (!v)
        return "#8250df";
    if (strcmp(v, "holds") == 0)
        return "#1a7f37";
    if (strcmp(v, "fails") == 0)
        return "#cf222e";
    if (strcmp(v, "degraded") == 0)
        return "#b35900";
    if (strcmp(v, "vacuous") == 0)
        return "#6e7781";
    return "#8250df";
}

/* A step of 1, 2 or 5 × 10^k close to range/target; 0 when the range is not usable. */
static double nice_step(double range, int target)
{
    double raw = range / target;
    if (!isfinite(raw) || raw <= 0)
        return 0;
    double mag = pow(10.0, floor(log10(raw)));
    if (!(mag > 0) || !isfinite(mag))
        return 0;
    double f = raw / mag;
    return (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * mag;
}

/* Widens [*lo, *hi] to whole steps and returns the step (0 when the values are too extreme for
 * nice ticks; the range is then only made non-empty). A flat range becomes one unit wide. */
static double nice_range(double *lo, double *hi)
{
    if (!(*hi > *lo)) {
        double pad = fabs(*lo) > 0 ? fabs(*lo) * 0.5 : 1.0;
        *lo -= pad;
        *hi += pad;
        if (*lo < 0 && *hi - pad * 2 >= 0)
            *lo = 0;
    }
    double step = nice_step(*hi - *lo, 4);
    if (step > 0) {
        double l = floor(*lo / step + 1e-9) * step, h = ceil(*hi / step - 1e-9) * step;
        if (isfinite(l) && isfinite(h) && h > l)
            *lo = l, *hi = h;
    }
    if (!(*hi > *lo) || !isfinite(*hi - *lo)) {
        /* beyond double precision or range: a fixed, finite frame */
        *lo = isfinite(*lo) ? *lo : -1e300;
        *hi = *lo + fmax(fabs(*lo) * 1e-6, 1.0);
        if (!isfinite(*hi) || !(*hi > *lo))
            *lo = 0, *hi = 1;
        step = 0;
    }
    return step;
}

/* Number of ticks from lo to hi at step (at most 40; 1 = only the two ends when step is 0). */
static int tick_count(double lo, double hi, double step)
{
    if (!(step > 0))
        return 1;
    double k = floor((hi - lo) / step + 1e-6);
    return k < 1 ? 1 : k > 40 ? 40 : (int)k;
}

static void tick_label(char *buf, size_t n, double v, double step)
{
    if (fabs(v) < step * 1e-9)
        v = 0;
    snprintf(buf, n, "%.6g", v);
}

/* Keeps a coordinate finite and near the canvas whatever the data (inf - inf, 1e308). */
static double clamp_coord(double v)
{
    return isnan(v) ? 0 : v < -1e4 ? -1e4 : v > 1e4 ? 1e4 : v;
}

/* The metric of a point's run as a double; false when absent or not a number. */
static bool point_value(const sg17_sweep_point_t *p, const char *run, const char *metric,
                        double *out)
{
    const json_t *v = sg17_report_run_metric(p->scenario, run, metric);
    if (!json_is_number(v))
        return false;
    *out = json_number_value(v);
    return isfinite(*out);
}

/* A point run over several seeds (docs/report.md, "Verdicts over seeds"): the metric's mean and
 * 95 % interval in that run. False when the point has no such statistics. */
static bool point_interval(const sg17_sweep_point_t *p, const char *run, const char *metric,
                           double *mean, double *lo, double *hi)
{
    const json_t *st = sg17_rj_object(
        sg17_rj_object(sg17_rj_object(sg17_rj_object(p->scenario, "seeds"), "metrics"), run),
        metric);
    const json_t *ci = sg17_rj_array(st, "ci95");
    if (!st || json_array_size(ci) != 2 || !json_is_number(json_object_get(st, "mean")))
        return false;
    *mean = json_number_value(json_object_get(st, "mean"));
    *lo = json_number_value(json_array_get(ci, 0));
    *hi = json_number_value(json_array_get(ci, 1));
    return isfinite(*mean) && isfinite(*lo) && isfinite(*hi);
}

/* An error bar (the 95 % interval) at x from y1 to y2, with caps. */
static void error_bar(sg17_rbuf_t *b, double x, double y1, double y2, const char *colour)
{
    sg17_rbuf_printf(b,
                     "<path class=\"errbar\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
                     "d=\"M%.1f %.1f V%.1f M%.1f %.1f H%.1f M%.1f %.1f H%.1f\"/>\n",
                     colour, x, y1, y2, x - 4, y1, x + 4, x - 4, y2, x + 4);
}

/* One run's line as a path, restarting after a missing value. */
static void series_path(sg17_rbuf_t *b, const double *xs, const double *ys, const bool *have,
                        size_t n, const char *attrs)
{
    sg17_rbuf_puts(b, "<path fill=\"none\" d=\"");
    bool pen = false;
    for (size_t i = 0; i < n; i++) {
        if (!have[i]) {
            pen = false;
            continue;
        }
        sg17_rbuf_printf(b, "%s%.1f %.1f ", pen ? "L" : "M", xs[i], ys[i]);
        pen = true;
    }
    sg17_rbuf_printf(b, "\" %s/>\n", attrs);
}

void sg17_report_svg_sweep(sg17_rbuf_t *b, const sg17_sweep_point_t *points, size_t n, bool numeric,
                           const char *xname, const char *metric)
{
    if (n == 0)
        return;
    double *px = calloc(n, sizeof *px), *pyb = calloc(n, sizeof *pyb),
           *pyp = calloc(n, sizeof *pyp), *vb = calloc(n, sizeof *vb), *vp = calloc(n, sizeof *vp);
    bool *hb = calloc(n, sizeof *hb), *hp = calloc(n, sizeof *hp);
    /* over several seeds: the intervals (lo, hi per run) and whether a point has them */
    double *ib = calloc(2 * n, sizeof *ib), *ip = calloc(2 * n, sizeof *ip);
    bool *eb = calloc(n, sizeof *eb), *ep = calloc(n, sizeof *ep);
    if (!px || !pyb || !pyp || !vb || !vp || !hb || !hp || !ib || !ip || !eb || !ep) {
        b->failed = true;
        goto done;
    }
    double ylo = INFINITY, yhi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        hb[i] = point_value(&points[i], "baseline", metric, &vb[i]);
        hp[i] = point_value(&points[i], "protected", metric, &vp[i]);
        /* a point over several seeds plots its mean, with its interval as an error bar */
        if ((eb[i] = point_interval(&points[i], "baseline", metric, &vb[i], &ib[2 * i],
                                    &ib[2 * i + 1]))) {
            hb[i] = true;
            ylo = fmin(ylo, ib[2 * i]), yhi = fmax(yhi, ib[2 * i + 1]);
        }
        if ((ep[i] = point_interval(&points[i], "protected", metric, &vp[i], &ip[2 * i],
                                    &ip[2 * i + 1]))) {
            hp[i] = true;
            ylo = fmin(ylo, ip[2 * i]), yhi = fmax(yhi, ip[2 * i + 1]);
        }
        if (hb[i])
            ylo = fmin(ylo, vb[i]), yhi = fmax(yhi, vb[i]);
        if (hp[i])
            ylo = fmin(ylo, vp[i]), yhi = fmax(yhi, vp[i]);
    }
    if (!isfinite(ylo))
        ylo = 0, yhi = 1;
    if (ylo > 0 && ylo < yhi * 0.5)
        ylo = 0; /* counts and rates read best from zero */
    double ystep = nice_range(&ylo, &yhi);

    /* A positive numeric sweep spanning two decades or more (0.01 … 10) reads best on a log
     * axis with a tick per decade; anything else is linear. */
    double xlo = 0, xhi = 1, xstep = 1;
    bool logx = false;
    if (numeric) {
        xlo = points[0].x, xhi = points[0].x;
        for (size_t i = 1; i < n; i++)
            xlo = fmin(xlo, points[i].x), xhi = fmax(xhi, points[i].x);
        logx = xlo > 0 && xhi / xlo >= 100;
        if (logx) {
            xlo = floor(log10(xlo) + 1e-9);
            xhi = ceil(log10(xhi) - 1e-9);
            xstep = 1;
        } else {
            xstep = nice_range(&xlo, &xhi);
        }
    }
    const double pw = CHART_W - PAD_L - PAD_R, ph = CHART_H - PAD_T - PAD_B;
    for (size_t i = 0; i < n; i++) {
        if (numeric)
            px[i] = PAD_L + ((logx ? log10(points[i].x) : points[i].x) - xlo) / (xhi - xlo) * pw;
        else
            px[i] = PAD_L + (n == 1 ? pw / 2 : pw * ((double)i + 0.5) / (double)n);
        pyb[i] = clamp_coord(PAD_T + ph - (vb[i] - ylo) / (yhi - ylo) * ph);
        pyp[i] = clamp_coord(PAD_T + ph - (vp[i] - ylo) / (yhi - ylo) * ph);
        px[i] = clamp_coord(px[i]);
    }

    sg17_rbuf_printf(b,
                     "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "
                     "%.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"",
                     CHART_W, CHART_H, CHART_W, CHART_H);
    sg17_rbuf_html(b, metric);
    sg17_rbuf_puts(b, " vs ");
    sg17_rbuf_html(b, xname);
    sg17_rbuf_puts(b, "\">\n<title>");
    sg17_rbuf_html(b, metric);
    sg17_rbuf_puts(b, " vs ");
    sg17_rbuf_html(b, xname);
    sg17_rbuf_puts(b, "</title>\n");
    /* grid and y ticks */
    char lab[64];
    int ny = tick_count(ylo, yhi, ystep);
    for (int k = 0; k <= ny; k++) {
        double y = ystep > 0 ? ylo + k * ystep : (k ? yhi : ylo);
        double yy = PAD_T + ph - (y - ylo) / (yhi - ylo) * ph;
        tick_label(lab, sizeof lab, y, ystep);
        sg17_rbuf_printf(b,
                         "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                         "stroke=\"#e6e9ed\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                         "class=\"tick\">%s</text>\n",
                         PAD_L, yy, PAD_L + pw, yy, PAD_L - 6, yy + 4, lab);
    }
    /* x ticks */
    if (numeric) {
        int nx = tick_count(xlo, xhi, xstep);
        for (int k = 0; k <= nx; k++) {
            double x = xstep > 0 ? xlo + k * xstep : (k ? xhi : xlo);
            double xx = PAD_L + (x - xlo) / (xhi - xlo) * pw;
            tick_label(lab, sizeof lab, logx ? pow(10.0, x) : x, logx ? 1e-300 : xstep);
            sg17_rbuf_printf(b,
                             "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                             "stroke=\"#59636e\"/><text x=\"%.1f\" y=\"%.1f\" "
                             "text-anchor=\"middle\" class=\"tick\">%s</text>\n",
                             xx, PAD_T + ph, xx, PAD_T + ph + 4, xx, PAD_T + ph + 16, lab);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            sg17_rbuf_printf(b,
                             "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                             "stroke=\"#59636e\"/><text x=\"%.1f\" y=\"%.1f\" "
                             "text-anchor=\"middle\" class=\"tick\">",
                             px[i], PAD_T + ph, px[i], PAD_T + ph + 4, px[i], PAD_T + ph + 16);
            sg17_rbuf_html(b, points[i].label);
            sg17_rbuf_puts(b, "</text>\n");
        }
    }
    /* axes and their labels */
    sg17_rbuf_printf(b, "<path d=\"M%.1f %.1f V%.1f H%.1f\" fill=\"none\" stroke=\"#59636e\"/>\n",
                     PAD_L, PAD_T, PAD_T + ph, PAD_L + pw);
    sg17_rbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"axis\">",
                     PAD_L + pw / 2, CHART_H - 8);
    sg17_rbuf_html(b, xname);
    if (logx)
        sg17_rbuf_puts(b, " (log scale)");
    sg17_rbuf_printf(b,
                     "</text>\n<text transform=\"translate(14 %.1f) rotate(-90)\" "
                     "text-anchor=\"middle\" class=\"axis\">",
                     PAD_T + ph / 2);
    sg17_rbuf_html(b, metric);
    sg17_rbuf_puts(b, "</text>\n");
    /* series */
    series_path(b, px, pyb, hb, n,
                "stroke=\"#57606a\" stroke-width=\"2\" "
                "stroke-dasharray=\"6 4\"");
    series_path(b, px, pyp, hp, n, "stroke=\"#0969da\" stroke-width=\"2.5\"");
    for (size_t i = 0; i < n; i++) {
        double y1, y2;
        if (eb[i]) {
            y1 = clamp_coord(PAD_T + ph - (ib[2 * i] - ylo) / (yhi - ylo) * ph);
            y2 = clamp_coord(PAD_T + ph - (ib[2 * i + 1] - ylo) / (yhi - ylo) * ph);
            error_bar(b, px[i] - 2, y1, y2, "#57606a");
        }
        if (ep[i]) {
            y1 = clamp_coord(PAD_T + ph - (ip[2 * i] - ylo) / (yhi - ylo) * ph);
            y2 = clamp_coord(PAD_T + ph - (ip[2 * i + 1] - ylo) / (yhi - ylo) * ph);
            error_bar(b, px[i] + 2, y1, y2, "#0969da");
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (hb[i])
            sg17_rbuf_printf(b,
                             "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#fff\" "
                             "stroke=\"#57606a\" stroke-width=\"1.5\"/>\n",
                             px[i], pyb[i]);
        if (!hp[i])
            continue;
        const char *v = sg17_rj_str(points[i].scenario, "verdict", "error");
        sg17_rbuf_printf(b,
                         "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\" stroke=\"#fff\" "
                         "stroke-width=\"1.5\"><title>",
                         px[i], pyp[i], verdict_colour(v));
        sg17_rbuf_html(b, xname);
        sg17_rbuf_puts(b, "=");
        sg17_rbuf_html(b, points[i].label);
        sg17_rbuf_printf(b, ": protected %.6g, %s</title></circle>\n", vp[i], v);
    }
    /* legend */
    double lx = PAD_L + pw - 190;
    sg17_rbuf_printf(b,
                     "<g class=\"legend\"><line x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"14\" "
                     "stroke=\"#0969da\" stroke-width=\"2.5\"/><text x=\"%.1f\" y=\"18\">"
                     "protected</text><line x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"14\" "
                     "stroke=\"#57606a\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
                     "<text x=\"%.1f\" y=\"18\">baseline</text></g>\n",
                     lx, lx + 24, lx + 30, lx + 100, lx + 124, lx + 130);
    sg17_rbuf_puts(b, "</svg>\n");
done:
    free(px), free(pyb), free(pyp), free(vb), free(vp), free(hb), free(hp);
    free(ib), free(ip), free(eb), free(ep);
}
