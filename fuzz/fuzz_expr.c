/* fuzz_expr.c — libFuzzer target: condition expressions parsed, evaluated and walked. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/expr.h"

static double lookup(void *arg, const char *metric)
{
    (void)arg;
    return (double)(strlen(metric) % 5); /* includes 0, so division by zero is exercised */
}

static int count(void *arg, const char *metric)
{
    (void)metric;
    ++*(size_t *)arg;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    sg17_err_t err;
    size_t off = 0, n = 0;
    sg17_expr_t *e = sg17_expr_parse(text, &off, &err);
    if (e) {
        double l, r;
        sg17_expr_eval(e, lookup, NULL, &l, &r);
        sg17_expr_each_metric(e, count, &n);
        sg17_expr_destroy(&e);
    } else if (off > size) {
        abort(); /* the error offset must point into the input */
    }
    free(text);
    return 0;
}
