/* report_text.c — text buffer, escapers and JSON accessors for the report writers. */
#include "report/report_text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const sg17_report_verdicts[5] = {"error", "vacuous", "fails", "degraded", "holds"};

void sg17_rbuf_free(sg17_rbuf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void sg17_rbuf_reset(sg17_rbuf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static bool rbuf_reserve(sg17_rbuf_t *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *d = realloc(b->data, cap);
    if (!d) {
        b->failed = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void sg17_rbuf_putn(sg17_rbuf_t *b, const char *s, size_t n)
{
    if (!rbuf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sg17_rbuf_puts(sg17_rbuf_t *b, const char *s)
{
    if (s)
        sg17_rbuf_putn(b, s, strlen(s));
}

void sg17_rbuf_printf(sg17_rbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !rbuf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Decodes one UTF-8 sequence at s (RFC 3629 §3: shortest form, no surrogates, <= U+10FFFF).
 * Returns the code point and sets *adv, or -1 with *adv = 1 for an invalid byte. */
static long utf8_next(const unsigned char *s, size_t *adv)
{
    unsigned char c = s[0];
    *adv = 1;
    if (c < 0x80)
        return c;
    int n;
    long cp, min;
    if ((c & 0xE0) == 0xC0) {
        n = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 3, cp = c & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *adv = (size_t)n + 1;
    return cp;
}

enum esc_mode { ESC_XML_TEXT, ESC_XML_ATTR, ESC_HTML, ESC_MD };

/* The one escaping loop: copies runs of safe bytes, replaces the rest per mode. */
static void rbuf_escape(sg17_rbuf_t *b, const char *str, enum esc_mode mode)
{
    if (!str)
        return;
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        size_t adv;
        long cp = utf8_next(s, &adv);
        const char *rep = NULL;
        char tmp[24];
        if (cp < 0) {
            rep = "\xEF\xBF\xBD"; /* U+FFFD */
        } else if (mode == ESC_MD) {
            if (cp == '\n' || cp == '\r' || cp == '\t' || cp < 0x20 || cp == 0x7F) {
                rep = " ";
            } else if (cp < 0x80 && strchr("\\`*_[]<>|&~#", (int)cp)) {
                tmp[0] = '\\', tmp[1] = (char)cp, tmp[2] = '\0';
                rep = tmp;
            }
        } else {
            switch (cp) {
            case '&':
                rep = "&amp;";
                break;
            case '<':
                rep = "&lt;";
                break;
            case '>':
                rep = "&gt;";
                break;
            case '"':
                rep = mode == ESC_XML_TEXT ? NULL : "&quot;";
                break;
            case '\'':
                rep = mode == ESC_XML_TEXT ? NULL : "&#39;";
                break;
            case '\t':
                rep = mode == ESC_XML_ATTR ? "&#9;" : NULL;
                break;
            case '\n':
                rep = mode == ESC_XML_ATTR ? "&#10;" : NULL;
                break;
            case '\r':
                rep = mode == ESC_XML_ATTR ? "&#13;" : NULL;
                break;
            default:
                if (cp < 0x20 || cp == 0x7F) {
                    snprintf(tmp, sizeof tmp, "\\x%02X", (unsigned)cp);
                    rep = tmp;
                } else if (cp == 0xFFFE || cp == 0xFFFF) {
                    snprintf(tmp, sizeof tmp, "\\u%04X", (unsigned)(cp & 0xFFFF));
                    rep = tmp;
                }
                break;
            }
        }
        if (rep)
            sg17_rbuf_puts(b, rep);
        else
            sg17_rbuf_putn(b, (const char *)s, adv);
        s += adv;
    }
}

void sg17_rbuf_xml(sg17_rbuf_t *b, const char *s, bool attr)
{
    rbuf_escape(b, s, attr ? ESC_XML_ATTR : ESC_XML_TEXT);
}

void sg17_rbuf_html(sg17_rbuf_t *b, const char *s)
{
    rbuf_escape(b, s, ESC_HTML);
}

void sg17_rbuf_md(sg17_rbuf_t *b, const char *s)
{
    rbuf_escape(b, s, ESC_MD);
}

void sg17_rbuf_num(sg17_rbuf_t *b, const json_t *v, const char *none)
{
    if (json_is_integer(v)) {
        sg17_rbuf_printf(b, "%lld", (long long)json_integer_value(v));
        return;
    }
    if (!json_is_real(v)) {
        sg17_rbuf_puts(b, none);
        return;
    }
    double d = json_real_value(v);
    if (d == floor(d) && fabs(d) < 9007199254740992.0)
        sg17_rbuf_printf(b, "%.0f", d);
    else
        sg17_rbuf_printf(b, "%.6g", d);
}

const char *sg17_rj_str(const json_t *obj, const char *key, const char *dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : dflt;
}

double sg17_rj_num(const json_t *obj, const char *key, double dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

bool sg17_rj_bool(const json_t *obj, const char *key, bool dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

json_t *sg17_rj_array(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_array(v) ? v : NULL;
}

json_t *sg17_rj_object(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_object(v) ? v : NULL;
}

bool sg17_report_verdict_known(const char *v)
{
    for (size_t i = 0; v && i < 5; i++)
        if (strcmp(v, sg17_report_verdicts[i]) == 0)
            return true;
    return false;
}

bool sg17_report_scenario_matched(const json_t *scenario)
{
    json_t *m = json_object_get(scenario, "matches_expect");
    if (json_is_boolean(m))
        return json_is_true(m);
    const char *verdict = sg17_rj_str(scenario, "verdict", "error");
    const char *expect = sg17_rj_str(scenario, "expect", "holds");
    return strcmp(verdict, expect) == 0;
}

const json_t *sg17_report_run_metric(const json_t *scenario, const char *run, const char *metric)
{
    json_t *runs = sg17_rj_object(scenario, "runs");
    json_t *r = sg17_rj_object(runs, run);
    json_t *metrics = sg17_rj_object(r, "metrics");
    return json_object_get(metrics, metric);
}

bool sg17_report_has_control(const json_t *scenario)
{
    return sg17_rj_object(sg17_rj_object(scenario, "runs"), "control") != NULL;
}

bool sg17_report_controlled(const json_t *report)
{
    return sg17_rj_bool(report, "control", false);
}

const char sg17_report_no_control_note[] =
    "No control run (--no-control): the verdict is weaker, since a success condition that holds "
    "without any attack (no adversary, mitigations off) is not noticed and can give holds";

/* The result of a condition as text: true/false, or "n/a" when it could not be evaluated. */
static const char *condition_result(const json_t *c)
{
    json_t *r = json_object_get(c, "result");
    return json_is_true(r) ? "true" : json_is_false(r) ? "false" : "n/a";
}

void sg17_report_explain(sg17_rbuf_t *b, const json_t *scenario)
{
    const char *verdict = sg17_rj_str(scenario, "verdict", "error");
    const char *expect = sg17_rj_str(scenario, "expect", "holds");
    sg17_rbuf_printf(b, "verdict: %s (expected %s)\n", verdict, expect);
    const char *s = sg17_rj_str(scenario, "reason", NULL);
    if (s)
        sg17_rbuf_printf(b, "reason: %s\n", s);
    if ((s = sg17_rj_str(scenario, "expect_reason", NULL)))
        sg17_rbuf_printf(b, "expected because: %s\n", s);
    if ((s = sg17_rj_str(scenario, "error", NULL)))
        sg17_rbuf_printf(b, "error: %s\n", s);
    bool control = sg17_report_has_control(scenario);
    if (!control && sg17_rj_object(sg17_rj_object(scenario, "runs"), "baseline"))
        sg17_rbuf_printf(b, "%s.\n", sg17_report_no_control_note);
    json_t *conds = sg17_rj_array(scenario, "conditions");
    if (json_array_size(conds) == 0)
        return;
    sg17_rbuf_puts(b, "conditions:\n");
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c)
    {
        sg17_rbuf_printf(b, "  [%s/%s] %s -> %s (lhs ", sg17_rj_str(c, "set", "?"),
                         sg17_rj_str(c, "run", "?"), sg17_rj_str(c, "expr", "?"),
                         condition_result(c));
        sg17_rbuf_num(b, json_object_get(c, "lhs"), "n/a");
        sg17_rbuf_puts(b, ", rhs ");
        sg17_rbuf_num(b, json_object_get(c, "rhs"), "n/a");
        sg17_rbuf_puts(b, ")\n");
        size_t j;
        json_t *m;
        json_array_foreach(sg17_rj_array(c, "metrics"), j, m)
        {
            const char *name = json_string_value(m);
            if (!name)
                continue;
            sg17_rbuf_printf(b, "      %s: ", name);
            if (control) {
                sg17_rbuf_puts(b, "control ");
                sg17_rbuf_num(b, sg17_report_run_metric(scenario, "control", name), "n/a");
                sg17_rbuf_puts(b, ", ");
            }
            sg17_rbuf_puts(b, "baseline ");
            sg17_rbuf_num(b, sg17_report_run_metric(scenario, "baseline", name), "n/a");
            sg17_rbuf_puts(b, ", protected ");
            sg17_rbuf_num(b, sg17_report_run_metric(scenario, "protected", name), "n/a");
            sg17_rbuf_puts(b, "\n");
        }
    }
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *sg17_report_modules(const json_t *report, bool with_catalogues)
{
    json_t *set = json_object();
    size_t i;
    json_t *s;
    json_array_foreach(sg17_rj_array(report, "scenarios"), i, s)
    {
        const char *m = sg17_rj_str(s, "module", NULL);
        if (m)
            json_object_set_new(set, m, json_true());
    }
    const char *key;
    json_t *v;
    if (with_catalogues)
        json_object_foreach(sg17_rj_object(report, "catalogues"), key, v)
            json_object_set_new(set, key, json_true());
    size_t n = json_object_size(set);
    const char **names = calloc(n ? n : 1, sizeof *names);
    json_t *out = json_array();
    if (!names || !out) {
        free(names);
        json_decref(out);
        json_decref(set);
        return NULL;
    }
    i = 0;
    json_object_foreach(set, key, v) names[i++] = key;
    qsort(names, n, sizeof *names, cmp_cstr);
    for (i = 0; i < n; i++)
        json_array_append_new(out, json_string(names[i]));
    free(names);
    json_decref(set);
    return out;
}
