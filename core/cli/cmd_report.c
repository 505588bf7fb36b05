/* cmd_report.c — `sg17tb report --from report.json` (re-render a report in other formats) and
 * `sg17tb diff OLD.json NEW.json` (what changed between two runs; exit 1 on a regression). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report/report.h"
#include "report/report_diff.h"

int cmd_report(int argc, char **argv)
{
    const char *from = NULL, *out = NULL, *formats = NULL;
    static const struct option longopts[] = {{"from", required_argument, NULL, 'i'},
                                             {"out", required_argument, NULL, 'o'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "i:o:f:h", longopts, NULL)) != -1) {
        if (c == 'i')
            from = optarg;
        else if (c == 'o')
            out = optarg;
        else if (c == 'f')
            formats = optarg;
        else if (c == 'h') {
            printf("usage: sg17tb report --from REPORT.json [--format json,junit,html,md,sarif] "
                   "[--out DIR]\n(DIR defaults to the directory of REPORT.json)\n");
            return 0;
        } else
            return 2;
    }
    if (!from || optind < argc) {
        fprintf(stderr, "usage: sg17tb report --from REPORT.json [--format "
                        "json,junit,html,md,sarif] [--out DIR]\n");
        return 2;
    }
    sg17_err_t err;
    if (sg17_report_formats_check(formats, &err) < 0) {
        fprintf(stderr, "sg17tb report: %s\n", err.msg);
        return 2;
    }
    json_t *report = sg17_report_load(from, &err);
    if (!report) {
        fprintf(stderr, "sg17tb report: %s\n", err.msg);
        return 2;
    }
    char *dir = NULL;
    if (!out) {
        const char *slash = strrchr(from, '/');
        dir = slash ? strndup(from, (size_t)(slash - from + (slash == from))) : strdup(".");
        out = dir;
    }
    int rc = 0;
    if (!out || sg17_report_write(report, out, formats, &err) < 0) {
        fprintf(stderr, "sg17tb report: %s\n", out ? err.msg : "out of memory");
        rc = 3;
    } else {
        printf("rendered %s into %s/\n", from, out);
    }
    free(dir);
    json_decref(report);
    return rc;
}

int cmd_diff(int argc, char **argv)
{
    sg17_diff_opts_t opts = {.tolerance = 0};
    static const struct option longopts[] = {{"tolerance", required_argument, NULL, 't'},
                                             {"all-metrics", no_argument, NULL, 'a'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    static const char usage[] =
        "usage: sg17tb diff OLD.json NEW.json [--tolerance X] [--all-metrics]\n"
        "  lists verdict changes, added/removed scenarios and moves of the judged metrics\n"
        "  by more than X (relative, e.g. 0.05 = 5 %; default 0: any move).\n"
        "  exit 0 no regression, 1 a regression, 2 invalid input\n";
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "t:ah", longopts, NULL)) != -1) {
        if (c == 't') {
            char *end;
            opts.tolerance = strtod(optarg, &end);
            if (end == optarg || *end || !(opts.tolerance >= 0)) {
                fprintf(stderr, "sg17tb diff: --tolerance expects a number >= 0, got '%s'\n",
                        optarg);
                return 2;
            }
        } else if (c == 'a') {
            opts.all_metrics = true;
        } else if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        } else {
            return 2;
        }
    }
    if (argc - optind != 2) {
        fputs(usage, stderr);
        return 2;
    }
    sg17_err_t err;
    json_t *a = sg17_report_load(argv[optind], &err);
    if (!a) {
        fprintf(stderr, "sg17tb diff: %s\n", err.msg);
        return 2;
    }
    json_t *b = sg17_report_load(argv[optind + 1], &err);
    if (!b) {
        fprintf(stderr, "sg17tb diff: %s\n", err.msg);
        json_decref(a);
        return 2;
    }
    sg17_rbuf_t text = {0};
    sg17_diff_counts_t counts;
    sg17_report_diff(a, b, &opts, &text, &counts);
    json_decref(a);
    json_decref(b);
    if (text.failed) {
        sg17_rbuf_free(&text);
        fprintf(stderr, "sg17tb diff: out of memory\n");
        return 3;
    }
    fputs(text.data ? text.data : "", stdout);
    sg17_rbuf_free(&text);
    return counts.regressions ? 1 : 0;
}
