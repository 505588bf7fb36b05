/* scratch.h — a scratch directory per test (made before, removed after) and reading a file whole,
 * for tests that write reports and traces:
 *     SG17_SCRATCH_SUITE(formats, "formats");   then tmpdir holds "/tmp/sg17-formats-test-XXXXXX"
 *     char *text = slurp(path);                  NUL-terminated, free() it */
#ifndef SG17_TEST_SCRATCH_H
#define SG17_TEST_SCRATCH_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static char tmpdir[256];

static inline void scratch_make(const char *what)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sg17-%s-test-XXXXXX", what);
    cr_assert_not_null(mkdtemp(tmpdir));
}

static inline void scratch_remove(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

/* A criterion suite whose tests each get a fresh tmpdir; the extra arguments are TestSuite's. */
#define SG17_SCRATCH_SUITE(suite, what, ...) \
    static void suite##_scratch_make(void)   \
    {                                        \
        scratch_make(what);                  \
    }                                        \
    TestSuite(suite, .init = suite##_scratch_make, .fini = scratch_remove, ##__VA_ARGS__)

static inline char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s should exist", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

#endif
