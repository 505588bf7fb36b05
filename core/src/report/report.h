/* report.h — the run report: summary counts, the four output formats (report.json, junit.xml,
 * report.html, summary.md), loading a report.json back, and merging shard reports.
 *
 * The engine builds the report as one jansson object in the schema of docs/report.md
 * ("schema": "sg17tb-report/1") and hands it here. Every writer tolerates missing or mistyped
 * optional keys (it shows them as absent) and never modifies the report, except
 * sg17_report_summarize / sg17_report_write which (re)compute "summary". Every file is written
 * atomically: a reader never sees half a report. */
#ifndef SG17_REPORT_REPORT_H
#define SG17_REPORT_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "util/diag.h"

#define SG17_REPORT_SCHEMA "sg17tb-report/1"

/* File names inside the output directory. */
#define SG17_REPORT_JSON_NAME  "report.json"
#define SG17_REPORT_JUNIT_NAME "junit.xml"
#define SG17_REPORT_HTML_NAME  "report.html"
#define SG17_REPORT_MD_NAME    "summary.md"
#define SG17_REPORT_SARIF_NAME "report.sarif"

/* Fills report["summary"] from report["scenarios"] (replacing any previous summary): total, one
 * count per verdict, matched / mismatched against expect. */
void sg17_report_summarize(json_t *report);

/* Writes the requested formats into dir (created if missing), atomically (temp + rename), after
 * recomputing the summary. formats: comma list of json,junit,html,md,sarif (NULL = all). Unknown
 * format → -1 with a message and nothing written. Returns 0 / -1. */
int sg17_report_write(json_t *report, const char *dir, const char *formats, sg17_err_t *err);

/* One format to one file (the summary is used as found: call sg17_report_summarize first). */
int sg17_report_write_json(const json_t *report, const char *path, sg17_err_t *err);
int sg17_report_write_junit(const json_t *report, const char *path, sg17_err_t *err);
int sg17_report_write_html(const json_t *report, const char *path, sg17_err_t *err);
int sg17_report_write_md(const json_t *report, const char *path, sg17_err_t *err);
int sg17_report_write_sarif(const json_t *report, const char *path, sg17_err_t *err);

/* The report as a SARIF 2.1.0 log (docs/report.md): one rule per requirement, one result per
 * scenario that does not hold. A new reference, NULL only when out of memory. */
json_t *sg17_report_sarif(const json_t *report);

/* summary.md never grows beyond this many bytes (a GitHub/GitLab comment holds 65 536
 * characters): long tables fold into <details>, and what does not fit is left out with a note. */
#define SG17_REPORT_MD_MAX 65000

/* Loads and checks a report.json ("schema": "sg17tb-report/1", scenarios with id, module and a
 * known verdict, unique ids). Returns a new reference the caller json_decref's, or NULL. */
json_t *sg17_report_load(const char *path, sg17_err_t *err);

/* Merges shard reports (borrowed): scenarios concatenated and sorted by id (the same id twice →
 * error), catalogues united (the same module with different content → error), complete = all
 * complete (and false when the shards say "I/N" and some of 1..N are missing), control = all
 * had control runs (a report without the key had none), seed/tool from the first, started =
 * earliest, finished = latest, summary recomputed. Returns a new report. */
json_t *sg17_report_merge(json_t *const *reports, size_t n, sg17_err_t *err);

/* Validates a format list ("json,html") without writing anything. Returns 0 / -1. */
int sg17_report_formats_check(const char *formats, sg17_err_t *err);

#endif
