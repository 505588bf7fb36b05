/* values.c — typed values of config keys and attack parameters: normal forms, the host's check
 * that a text is one, declared ranges, entity names and the descriptions messages use. */
#include "module/values.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module/descriptor.h"
#include "util/text.h"

/* One row per type: how a scenario writes it, and its normal form. */
static const struct {
    const char *describe, *normal_form;
} type_text[] = {
    [SG17_TYPE_INT] = {"an integer", "a decimal integer"},
    [SG17_TYPE_NUMBER] = {"a number", "a finite number printed as %.17g"},
    [SG17_TYPE_BOOL] = {"true or false", "true or false"},
    [SG17_TYPE_STRING] = {"a text value", "a string"},
    [SG17_TYPE_DURATION] = {"a duration such as 250ms, 15min or 6h",
                            "a duration in whole microseconds"},
    [SG17_TYPE_HEX] = {"at least one byte, as two hex digits per byte",
                       "lower-case hex of even length"},
    [SG17_TYPE_ENTITY] = {"an entity name such as <kind>-0",
                          "an entity <kind>-<index> of this run"},
    [SG17_TYPE_COUNT] = {"a whole number from 0 to 1000000000",
                         "a whole number from 0 to 1000000000"},
};

static bool type_known(sg17_type_t type)
{
    return type >= SG17_TYPE_INT && type <= SG17_TYPE_COUNT;
}

const char *sg17_type_describe(sg17_type_t type)
{
    return type_known(type) ? type_text[type].describe : "a value";
}

const char *sg17_type_normal_form(sg17_type_t type)
{
    return type_known(type) ? type_text[type].normal_form
                            : "a value of a type the core does not know";
}

int sg17_entity_name_split(const char *text, size_t *kind_len, unsigned long long *index,
                           const char **why)
{
    const char *dash = strrchr(text, '-');
    if (!dash || dash == text || !dash[1]) {
        *why = "is not an entity name";
        return -1;
    }
    for (const char *d = dash + 1; *d; d++)
        if (!isdigit((unsigned char)*d)) {
            *why = "is not an entity name (the index is not a number)";
            return -1;
        }
    if (strlen(dash + 1) > 10) {
        *why = "is not an entity name (the index has more than 10 digits)";
        return -1;
    }
    *kind_len = (size_t)(dash - text);
    *index = strtoull(dash + 1, NULL, 10);
    return 0;
}

/* Checks an entity name against the topology; 0, or -1 with e filled. */
static int entity_check(const char *text, const sg17_topology_view_t *topo, const sg17_module_t *m,
                        sg17_value_error_t *e)
{
    size_t klen;
    unsigned long long index;
    const char *why;
    if (sg17_entity_name_split(text, &klen, &index, &why) < 0) {
        snprintf(e->what, sizeof e->what, "'%.100s' %s", text, why);
        return -1;
    }
    if (!topo)
        return 0;
    unsigned count;
    if (!topo->count(topo->arg, text, klen, &count)) {
        char kname[128];
        snprintf(kname, sizeof kname, "%.*s", (int)(klen < 100 ? klen : 100), text);
        size_t n;
        const char **kinds =
            m ? sg17_table_names(m->entity_kinds, sizeof *m->entity_kinds, &n) : NULL;
        e->near = kinds ? sg17_nearest(kname, kinds, n) : NULL;
        free(kinds);
        snprintf(e->what, sizeof e->what, "'%.100s' names no entity kind of module %s", text,
                 m ? m->name : "?");
        return -1;
    }
    if (index >= count) {
        snprintf(e->what, sizeof e->what,
                 "'%.100s' is out of range: the topology has %u %.*s entities", text, count,
                 (int)(klen < 100 ? klen : 100), text);
        if (count)
            snprintf(e->expected, sizeof e->expected, "%.*s-0 .. %.*s-%u",
                     (int)(klen < 100 ? klen : 100), text, (int)(klen < 100 ? klen : 100), text,
                     count - 1);
        else
            snprintf(e->expected, sizeof e->expected, "a %.*s count above 0 in topology",
                     (int)(klen < 100 ? klen : 100), text);
        return -1;
    }
    return 0;
}

static bool decimal_chars(const char *s)
{
    for (; *s; s++)
        if (!isdigit((unsigned char)*s) && !strchr("+-.eE", *s))
            return false;
    return true;
}

/* True for an optionally signed run of decimal digits (an integer literal, whatever its size). */
static bool integer_literal(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

int sg17_value_normalise(sg17_type_t type, const char *text, bool quoted,
                         const sg17_topology_view_t *topo, const sg17_module_t *m, char **out,
                         sg17_value_error_t *e)
{
    char buf[64];
    *out = NULL;
    e->near = NULL;
    e->what[0] = '\0';
    snprintf(e->expected, sizeof e->expected, "%s", sg17_type_describe(type));
    if (quoted && type != SG17_TYPE_STRING && type != SG17_TYPE_HEX && type != SG17_TYPE_ENTITY) {
        snprintf(e->what, sizeof e->what, "\"%.100s\" is quoted, which makes it text", text);
        snprintf(e->expected, sizeof e->expected, "%s, written without quotes",
                 sg17_type_describe(type));
        return -1;
    }
    switch (type) {
    case SG17_TYPE_INT:
    case SG17_TYPE_COUNT: {
        long long x;
        if (sg17_parse_int(text, &x) < 0 || !decimal_chars(text)) {
            if (integer_literal(text))
                snprintf(e->what, sizeof e->what, "'%.100s' is out of range: at %s %lld", text,
                         *text == '-' ? "least" : "most",
                         type == SG17_TYPE_COUNT ? (*text == '-' ? 0 : SG17_COUNT_MAX)
                         : *text == '-'          ? LLONG_MIN
                                                 : LLONG_MAX);
            else
                snprintf(e->what, sizeof e->what, "'%.100s' is not %s", text,
                         type == SG17_TYPE_INT ? "an integer" : "a whole number");
            return -1;
        }
        if (type == SG17_TYPE_COUNT && (x < 0 || x > SG17_COUNT_MAX)) {
            snprintf(e->what, sizeof e->what, "%lld is out of range: at %s", x,
                     x < 0 ? "least 0" : "most 1000000000");
            return -1;
        }
        snprintf(buf, sizeof buf, "%lld", x);
        *out = strdup(buf);
        break;
    }
    case SG17_TYPE_NUMBER: {
        double x;
        if (!decimal_chars(text) || sg17_parse_number(text, &x) < 0) {
            snprintf(e->what, sizeof e->what, "'%.100s' is not a number", text);
            return -1;
        }
        snprintf(buf, sizeof buf, "%.17g", x);
        *out = strdup(buf);
        break;
    }
    case SG17_TYPE_BOOL: {
        bool x;
        if (sg17_parse_bool(text, &x) < 0) {
            snprintf(e->what, sizeof e->what, "'%.100s' is not a truth value", text);
            snprintf(e->expected, sizeof e->expected, "true, false, on, off, yes or no");
            return -1;
        }
        *out = strdup(x ? "true" : "false");
        break;
    }
    case SG17_TYPE_DURATION: {
        sg17_time_t t;
        if (sg17_duration_parse(text, &t) < 0) {
            snprintf(e->what, sizeof e->what, "'%.100s' is not a duration", text);
            return -1;
        }
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)t);
        *out = strdup(buf);
        break;
    }
    case SG17_TYPE_HEX: {
        size_t n = strlen(text);
        if (n == 0) {
            snprintf(e->what, sizeof e->what, "the hex value is empty");
            snprintf(e->expected, sizeof e->expected, "at least one byte (two hex digits)");
            return -1;
        }
        bool hex = true;
        for (size_t i = 0; hex && i < n; i++)
            hex = isxdigit((unsigned char)text[i]);
        if (!hex || n % 2) {
            snprintf(e->what, sizeof e->what,
                     hex ? "'%.100s' has an odd number of hex digits" : "'%.100s' is not hex",
                     text);
            snprintf(e->expected, sizeof e->expected, "%s", sg17_type_describe(type));
            return -1;
        }
        *out = strdup(text);
        for (char *c = *out; c && *c; c++)
            *c = (char)tolower((unsigned char)*c);
        break;
    }
    case SG17_TYPE_STRING:
        *out = strdup(text);
        break;
    case SG17_TYPE_ENTITY:
        if (entity_check(text, topo, m, e) < 0)
            return -1;
        *out = strdup(text);
        break;
    default:
        snprintf(e->what, sizeof e->what, "the module declares an unknown type %d", (int)type);
        return -1;
    }
    if (!*out) {
        snprintf(e->what, sizeof e->what, "out of memory");
        return -1;
    }
    return 0;
}

bool sg17_value_is_normal(sg17_type_t type, const char *text, const sg17_topology_view_t *topo)
{
    char buf[64], *end;
    errno = 0;
    switch (type) {
    case SG17_TYPE_INT:
    case SG17_TYPE_COUNT: {
        long long x = strtoll(text, &end, 10);
        if (errno || end == text || *end)
            return false;
        snprintf(buf, sizeof buf, "%lld", x);
        return strcmp(buf, text) == 0 && (type == SG17_TYPE_INT || (x >= 0 && x <= SG17_COUNT_MAX));
    }
    case SG17_TYPE_DURATION: {
        unsigned long long x = strtoull(text, &end, 10);
        if (errno || end == text || *end)
            return false;
        snprintf(buf, sizeof buf, "%llu", x);
        return strcmp(buf, text) == 0; /* also refuses a sign, which strtoull accepts */
    }
    case SG17_TYPE_NUMBER: {
        double x = strtod(text, &end);
        if (end == text || *end || !isfinite(x))
            return false;
        snprintf(buf, sizeof buf, "%.17g", x);
        return strcmp(buf, text) == 0;
    }
    case SG17_TYPE_BOOL:
        return strcmp(text, "true") == 0 || strcmp(text, "false") == 0;
    case SG17_TYPE_STRING:
        return true;
    case SG17_TYPE_HEX: {
        size_t n = strlen(text);
        if (n == 0 || n % 2)
            return false;
        for (size_t i = 0; i < n; i++)
            if (!strchr("0123456789abcdef", text[i]))
                return false;
        return true;
    }
    case SG17_TYPE_ENTITY: {
        sg17_value_error_t e;
        return entity_check(text, topo, NULL, &e) == 0;
    }
    }
    return false;
}

bool sg17_range_declared(sg17_range_t r)
{
    return r.max > r.min;
}

int sg17_value_in_range(sg17_type_t type, sg17_range_t range, const char *normal,
                        sg17_value_error_t *e)
{
    if (!sg17_range_declared(range))
        return 0;
    double x;
    const char *unit = "";
    switch (type) {
    case SG17_TYPE_INT:
    case SG17_TYPE_NUMBER:
    case SG17_TYPE_COUNT:
        x = strtod(normal, NULL);
        break;
    case SG17_TYPE_DURATION:
        x = strtod(normal, NULL) / (double)SG17_SEC;
        unit = "s";
        break;
    default:
        return 0;
    }
    e->near = NULL;
    snprintf(e->expected, sizeof e->expected, "a value from %.15g%s to %.15g%s", range.min, unit,
             range.max, unit);
    if (x < range.min) {
        snprintf(e->what, sizeof e->what, "'%.15g%s' is out of range: at least %.15g%s", x, unit,
                 range.min, unit);
        return -1;
    }
    if (x > range.max) {
        snprintf(e->what, sizeof e->what, "'%.15g%s' is out of range: at most %.15g%s", x, unit,
                 range.max, unit);
        return -1;
    }
    return 0;
}
