/* ibc_vectors.h — reads the known-answer files of tests/vectors (NAME = HEX lines) for the
 * ibc tests, so every expected value comes from the file and none is retyped in a test. */
#ifndef IBC_TEST_VECTORS_H
#define IBC_TEST_VECTORS_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#define IBC_VEC_ECCSI SG17TB_VECTOR_DIR "/rfc6507-eccsi.txt"
#define IBC_VEC_SAKKE SG17TB_VECTOR_DIR "/rfc6508-sakke.txt"

/* The value of NAME in file as octets (caller frees); fails the test if absent or not hex. */
static inline uint8_t *ibc_vec(const char *file, const char *name, size_t *len)
{
    FILE *f = fopen(file, "r");
    cr_assert_not_null(f, "cannot open %s", file);
    char line[4096];
    uint8_t *out = NULL;
    while (!out && fgets(line, sizeof line, f)) {
        char *eq = strchr(line, '=');
        if (line[0] == '#' || !eq)
            continue;
        char *end = eq;
        while (end > line && isspace((unsigned char)end[-1]))
            end--;
        if ((size_t)(end - line) != strlen(name) || strncmp(line, name, strlen(name)) != 0)
            continue;
        char *hex = eq + 1;
        while (isspace((unsigned char)*hex))
            hex++;
        size_t n = strcspn(hex, " \t\r\n");
        cr_assert(n % 2 == 0, "%s: odd-length value for %s", file, name);
        out = malloc(n / 2 + 1);
        for (size_t i = 0; i < n / 2; i++) {
            unsigned v;
            cr_assert(sscanf(hex + 2 * i, "%2x", &v) == 1, "%s: bad hex in %s", file, name);
            out[i] = (uint8_t)v;
        }
        *len = n / 2;
    }
    fclose(f);
    cr_assert_not_null(out, "%s has no value %s", file, name);
    return out;
}

/* The value as upper-case hex, as the tools print it (caller frees). */
static inline char *ibc_vec_hex(const char *file, const char *name)
{
    size_t n;
    uint8_t *b = ibc_vec(file, name, &n);
    char *s = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02X", b[i]);
    s[2 * n] = '\0';
    free(b);
    return s;
}

#endif
