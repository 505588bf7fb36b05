/* text.c — durations, hex, strict numbers, nearest-name suggestions, globs. */
#include "util/text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *suffix;
    sg17_time_t scale;
} duration_units[] = {
    /* longest suffixes first so "ms" is not read as "m" + "s" */
    {"min", SG17_MIN}, {"us", SG17_USEC}, {"ms", SG17_MSEC}, {"d", 24 * SG17_HOUR},
    {"h", SG17_HOUR},  {"m", SG17_MIN},   {"s", SG17_SEC},
};

int sg17_duration_parse(const char *text, sg17_time_t *out)
{
    if (!text || !*text)
        return -1;
    const char *p = text;
    sg17_time_t total = 0;
    bool any = false;
    while (*p) {
        if (!isdigit((unsigned char)*p) && *p != '.')
            return -1;
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno || !isfinite(v) || v < 0)
            return -1;
        p = end;
        sg17_time_t scale = 0;
        if (!*p && !any) {
            scale = SG17_SEC; /* bare number: seconds */
        } else {
            for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++) {
                size_t n = strlen(duration_units[i].suffix);
                if (strncmp(p, duration_units[i].suffix, n) == 0) {
                    scale = duration_units[i].scale;
                    p += n;
                    break;
                }
            }
            if (!scale)
                return -1;
        }
        double us = v * (double)scale;
        if (us > 1e18 || (double)total + us > 1e18)
            return -1;
        total += (sg17_time_t)llround(us);
        any = true;
    }
    *out = total;
    return 0;
}

const char *sg17_duration_format(sg17_time_t t, char *buf, size_t size)
{
    static const struct {
        const char *suffix;
        sg17_time_t scale;
    } units[] = {{"d", 24 * SG17_HOUR}, {"h", SG17_HOUR},  {"min", SG17_MIN},
                 {"s", SG17_SEC},       {"ms", SG17_MSEC}, {"us", SG17_USEC}};
    if (t == 0) {
        snprintf(buf, size, "0s");
        return buf;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof units / sizeof units[0] && t; i++) {
        sg17_time_t n = t / units[i].scale;
        if (n) {
            int w =
                snprintf(buf + used, size - used, "%llu%s", (unsigned long long)n, units[i].suffix);
            if (w < 0 || (size_t)w >= size - used)
                break;
            used += (size_t)w;
            t -= n * units[i].scale;
        }
    }
    return buf;
}

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int hex_into(const char *hex, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

uint8_t *sg17_hex_decode(const char *hex, size_t *len)
{
    if (!hex)
        return NULL;
    size_t n = strlen(hex);
    if (n % 2)
        return NULL;
    uint8_t *out = malloc(n / 2 + 1);
    if (!out)
        return NULL;
    if (hex_into(hex, n / 2, out) < 0) {
        free(out);
        return NULL;
    }
    *len = n / 2;
    return out;
}

int sg17_hex_decode_exact(const char *hex, uint8_t *out, size_t want)
{
    if (!hex || strlen(hex) != 2 * want)
        return -1;
    return hex_into(hex, want, out);
}

char *sg17_hex_encode(const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789ABCDEF";
    char *s = malloc(2 * len + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = digits[data[i] >> 4];
        s[2 * i + 1] = digits[data[i] & 15];
    }
    s[2 * len] = '\0';
    return s;
}

int sg17_parse_int(const char *text, long long *out)
{
    if (!text || !*text)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (*end || errno)
        return -1;
    *out = v;
    return 0;
}

int sg17_parse_number(const char *text, double *out)
{
    if (!text || !*text || isspace((unsigned char)*text))
        return -1;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (*end || errno || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int sg17_parse_bool(const char *text, bool *out)
{
    if (!text)
        return -1;
    if (!strcmp(text, "true") || !strcmp(text, "on") || !strcmp(text, "yes")) {
        *out = true;
        return 0;
    }
    if (!strcmp(text, "false") || !strcmp(text, "off") || !strcmp(text, "no")) {
        *out = false;
        return 0;
    }
    return -1;
}

/* Levenshtein distance, capped: long inputs are not plausible typos of short names. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return (size_t)-1;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *sg17_nearest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (!candidates[i])
            continue;
        size_t d = edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    size_t limit = strlen(word) / 3;
    if (limit < 2)
        limit = 2;
    return best_d <= limit ? best : NULL;
}

bool sg17_glob(const char *pattern, const char *text)
{
    const char *star = NULL, *resume = NULL;
    while (*text) {
        if (*pattern == '*') {
            star = pattern++;
            resume = text;
        } else if (*pattern == '?' || *pattern == *text) {
            pattern++;
            text++;
        } else if (star) {
            pattern = star + 1;
            text = ++resume;
        } else {
            return false;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}
