/* expr.h — condition expressions over metrics:
 *     ledger.accepted.replayed > 0
 *     hes.readings.accepted >= 0.99 * meter.readings.sent
 *     (a + b) / 2 < 3 and not c == 0
 * Grammar: or-expr := and-expr ("or" and-expr)*; and-expr := not-expr ("and" not-expr)*;
 * not-expr := "not" not-expr | cmp; cmp := sum (("<"|"<="|">"|">="|"=="|"!=") sum)?;
 * sum := term (("+"|"-") term)*; term := unary (("*"|"/") unary)*; unary := "-" unary | atom;
 * atom := number | metric-name | "(" or-expr ")". A metric name is letters, digits, '_', '-'
 * and '.', starting with a letter. A condition's top level must be a comparison or a logical
 * combination of comparisons. x / 0 is NaN, and every comparison with NaN is false. */
#ifndef SG17_SCENARIO_EXPR_H
#define SG17_SCENARIO_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

typedef struct sg17_expr sg17_expr_t;

/* On error returns NULL, sets err and *err_offset (0-based column in text) if not NULL. A
 * condition whose value cannot depend on any metric (`1 > 0`, `not (x > 0 / 0)`, `x > 0 or 2 > 1`)
 * is an error: it would judge every run alike. The offset then points at the part that fixes
 * the value. */
sg17_expr_t *sg17_expr_parse(const char *text, size_t *err_offset, sg17_err_t *err);
void sg17_expr_destroy(sg17_expr_t **self_p);

typedef double (*sg17_expr_lookup_fn)(void *arg, const char *metric);

/* Evaluates a condition. If the top node is a comparison, *lhs and *rhs (may be NULL) receive
 * the values of its two sides; otherwise they receive 1/0 for the truth of the whole. */
bool sg17_expr_eval(const sg17_expr_t *self, sg17_expr_lookup_fn lookup, void *arg, double *lhs,
                    double *rhs);

/* Calls fn for each metric name in the expression, in order; stops at and returns the first
 * non-zero return of fn. */
int sg17_expr_each_metric(const sg17_expr_t *self, int (*fn)(void *arg, const char *metric),
                          void *arg);

#endif
