/* green_book.h — reads the DLMS known-answer values of tests/vectors/dlms-green-book.txt
 * ("[section]" headers, "NAME = HEX" lines, '#' comments) for the metering tests. */
#ifndef METERING_TEST_GREEN_BOOK_H
#define METERING_TEST_GREEN_BOOK_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#define GREEN_BOOK_FILE SG17TB_VECTOR_DIR "/dlms-green-book.txt"

/* The value of name in [section] as an upper-case hex string (caller frees); fails the test when
 * the file or the entry is missing. */
static inline char *gb_hex(const char *section, const char *name)
{
    FILE *f = fopen(GREEN_BOOK_FILE, "r");
    cr_assert_not_null(f, "cannot open %s", GREEN_BOOK_FILE);
    char line[512], cur[64] = "";
    char *found = NULL;
    while (!found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '#' || line[0] == 0)
            continue;
        if (line[0] == '[') {
            snprintf(cur, sizeof cur, "%.*s", (int)strcspn(line + 1, "]"), line + 1);
            continue;
        }
        char *eq = strchr(line, '=');
        if (!eq || strcmp(cur, section) != 0)
            continue;
        size_t klen = (size_t)(eq - line);
        while (klen && isspace((unsigned char)line[klen - 1]))
            klen--;
        if (klen != strlen(name) || strncmp(line, name, klen) != 0)
            continue;
        char *v = eq + 1;
        while (isspace((unsigned char)*v))
            v++;
        size_t vlen = strlen(v);
        while (vlen && isspace((unsigned char)v[vlen - 1]))
            v[--vlen] = 0;
        found = strdup(v);
        for (char *p = found; *p; p++)
            *p = (char)toupper((unsigned char)*p);
    }
    fclose(f);
    cr_assert_not_null(found, "%s: no %s in [%s]", GREEN_BOOK_FILE, name, section);
    return found;
}

/* The value of name in [section] decoded into a new buffer (caller frees). */
static inline uint8_t *gb_bytes(const char *section, const char *name, size_t *len)
{
    char *hex = gb_hex(section, name);
    size_t n = strlen(hex);
    cr_assert_eq(n % 2, 0, "%s: odd-length hex", name);
    uint8_t *b = malloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1, "%s: not hex", name);
        b[i] = (uint8_t)v;
    }
    free(hex);
    *len = n / 2;
    return b;
}

/* Copies an exactly-sized value into dst. */
static inline void gb_fixed(const char *section, const char *name, uint8_t *dst, size_t want)
{
    size_t n;
    uint8_t *b = gb_bytes(section, name, &n);
    cr_assert_eq(n, want, "%s: %zu octets, want %zu", name, n, want);
    memcpy(dst, b, want);
    free(b);
}

/* A 4-octet big-endian value (IC). */
static inline uint32_t gb_u32(const char *section, const char *name)
{
    uint8_t b[4];
    gb_fixed(section, name, b, 4);
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Upper-case hex of a buffer (caller frees). */
static inline char *to_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02X", p[i]);
    s[2 * n] = 0;
    return s;
}

#endif
