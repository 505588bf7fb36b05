/* report_text.h — shared by the report writers (internal to core/src/report): a growable text
 * buffer, escapers for XML, HTML and Markdown, number formatting, and tolerant accessors into
 * the report's jansson tree. */
#ifndef SG17_REPORT_TEXT_H
#define SG17_REPORT_TEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* A growable NUL-terminated buffer. After an allocation failure `failed` is set and further
 * appends are ignored, so writers check once at the end. */
typedef struct {
    char *data;
    size_t len, cap;
    bool failed;
} sg17_rbuf_t;

void sg17_rbuf_free(sg17_rbuf_t *b);
/* Empties the buffer, keeping its memory. */
void sg17_rbuf_reset(sg17_rbuf_t *b);
void sg17_rbuf_putn(sg17_rbuf_t *b, const char *s, size_t n);
void sg17_rbuf_puts(sg17_rbuf_t *b, const char *s);
void sg17_rbuf_printf(sg17_rbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* XML 1.0 escaping. Text: & < > escaped. Attribute (attr=true): also " ' and tab/CR/LF as
 * character references so they survive attribute normalisation. Characters XML 1.0 cannot carry
 * at all (C0 controls other than tab/CR/LF, U+FFFE, U+FFFF) are written visibly as "\xNN" /
 * "\uFFFE"; bytes that are not UTF-8 become U+FFFD. NULL writes nothing. */
void sg17_rbuf_xml(sg17_rbuf_t *b, const char *s, bool attr);

/* HTML escaping for text and double- or single-quoted attributes: & < > " ' escaped; control
 * characters and invalid UTF-8 handled as for XML. */
void sg17_rbuf_html(sg17_rbuf_t *b, const char *s);

/* Markdown (GFM table-safe) escaping: ASCII punctuation that could start markup or end a table
 * cell (\ ` * _ [ ] < > | & ~ #) backslash-escaped, line breaks and control characters become
 * spaces. */
void sg17_rbuf_md(sg17_rbuf_t *b, const char *s);

/* A number as a human reads it: integers exactly (up to 2^53), others with 6 significant
 * digits. A non-number JSON value (null, missing) as `none`. */
void sg17_rbuf_num(sg17_rbuf_t *b, const json_t *v, const char *none);

/* Tolerant accessors: the member as a string / number / bool, or the default when it is missing
 * or of another type. */
const char *sg17_rj_str(const json_t *obj, const char *key, const char *dflt);
double sg17_rj_num(const json_t *obj, const char *key, double dflt);
bool sg17_rj_bool(const json_t *obj, const char *key, bool dflt);
/* The member if it is an array / object, else NULL. */
json_t *sg17_rj_array(const json_t *obj, const char *key);
json_t *sg17_rj_object(const json_t *obj, const char *key);

/* The five verdicts in precedence order (docs/architecture.md §8): error, vacuous, fails, degraded,
 * holds. */
extern const char *const sg17_report_verdicts[5];
/* true if v is one of them. */
bool sg17_report_verdict_known(const char *v);
/* Whether a scenario's verdict matches its expect: "matches_expect" if given, else
 * verdict == expect (expect defaults to "holds"). */
bool sg17_report_scenario_matched(const json_t *scenario);
/* A scenario's run metric ("control"/"baseline"/"protected") as a JSON value, or NULL. */
const json_t *sg17_report_run_metric(const json_t *scenario, const char *run, const char *metric);
/* Whether a scenario has a control run (runs.control): a report written with --no-control, or
 * by an sg17tb from before control runs, has none. */
bool sg17_report_has_control(const json_t *scenario);
/* Whether a report's verdicts were all checked against control runs ("control": true). */
bool sg17_report_controlled(const json_t *report);
/* What a verdict reached without a control run does not rule out, for every writer. */
extern const char sg17_report_no_control_note[];

/* Plain-text explanation of a scenario's verdict for people reading CI logs: verdict vs expect,
 * reason, error, whether there was a control run, then every condition (set, run, expression,
 * result, lhs, rhs) with the values of the metrics it reads in each run. Unescaped. */
void sg17_report_explain(sg17_rbuf_t *b, const json_t *scenario);

/* The module names of a report, sorted, unique, as a new JSON array of strings: those of the
 * scenarios, plus those of the catalogues when with_catalogues. NULL only when out of memory. */
json_t *sg17_report_modules(const json_t *report, bool with_catalogues);

#endif
