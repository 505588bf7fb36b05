/* test_expr.c — condition expressions: precedence, parentheses, and/or/not, NaN semantics,
 * the lhs/rhs values reported for verdicts, and error columns. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/expr.h"

/* Metrics of the tests: a=2, b=3, c=0, ledger.sent.genuine=1000, anything else 0. */
static double lookup(void *arg, const char *metric)
{
    (void)arg;
    if (!strcmp(metric, "a"))
        return 2;
    if (!strcmp(metric, "b"))
        return 3;
    if (!strcmp(metric, "ledger.sent.genuine"))
        return 1000;
    if (!strcmp(metric, "hes.readings-ok"))
        return 7;
    return 0;
}

static bool eval(const char *text, double *lhs, double *rhs)
{
    sg17_err_t err = {{0}};
    sg17_expr_t *e = sg17_expr_parse(text, NULL, &err);
    cr_assert_not_null(e, "%s: %s", text, err.msg);
    bool r = sg17_expr_eval(e, lookup, NULL, lhs, rhs);
    sg17_expr_destroy(&e);
    cr_assert_null(e);
    return r;
}

static size_t parse_error(const char *text, char *msg, size_t size)
{
    sg17_err_t err = {{0}};
    size_t off = 999;
    sg17_expr_t *e = sg17_expr_parse(text, &off, &err);
    cr_assert_null(e, "'%s' should not parse", text);
    strncpy(msg, err.msg, size - 1);
    msg[size - 1] = '\0';
    return off;
}

Test(expr, multiplication_binds_tighter_than_addition)
{
    double l, r;
    cr_assert(eval("a + b * 2 == 8", &l, &r));
    cr_assert_float_eq(l, 8, 1e-12);
    cr_assert_float_eq(r, 8, 1e-12);
    cr_assert(eval("(a + b) * 2 == 10", &l, &r));
    cr_assert_float_eq(l, 10, 1e-12);
    cr_assert(eval("a - b - 1 == -2", &l, &r)); /* left associative */
    cr_assert(eval("12 / a / b == 2", &l, &r));
    cr_assert(eval("- - a == 2", &l, &r));
    cr_assert(eval("-a * b == -6", &l, &r));
}

Test(expr, lhs_and_rhs_are_the_two_sides_of_the_top_comparison)
{
    double l = -1, r = -1;
    cr_assert_not(eval("c >= 0.99 * ledger.sent.genuine", &l, &r));
    cr_assert_float_eq(l, 0, 1e-12);
    cr_assert_float_eq(r, 990, 1e-9);
    cr_assert(eval("hes.readings-ok > 1.5e0", &l, &r));
    cr_assert_float_eq(l, 7, 1e-12);
    cr_assert_float_eq(r, 1.5, 1e-12);
}

Test(expr, logical_operators_and_their_precedence)
{
    double l, r;
    /* not > and > or: "a > 0 or b > 5 and c > 0" is a>0 or (b>5 and c>0) */
    cr_assert(eval("a > 0 or b > 5 and c > 0", &l, &r));
    cr_assert_float_eq(l, 1, 1e-12);
    cr_assert_float_eq(r, 0, 1e-12);
    cr_assert_not(eval("(a > 0 or b > 5) and c > 0", &l, &r));
    cr_assert_float_eq(l, 0, 1e-12);
    cr_assert(eval("not c > 0", NULL, NULL));
    cr_assert_not(eval("not not c > 0", NULL, NULL));
    cr_assert(eval("not a < 1 and not (b != 3)", NULL, NULL));
    cr_assert(eval("a <= 2 and a >= 2 and a < 2.5 and a != 3", NULL, NULL));
}

Test(expr, division_by_zero_is_nan_and_every_comparison_with_nan_is_false)
{
    double l, r;
    cr_assert_not(eval("a / c > 0", &l, &r));
    cr_assert(isnan(l));
    cr_assert_not(eval("a / c < 0", NULL, NULL));
    cr_assert_not(eval("a / c == a / c", NULL, NULL));
    cr_assert_not(eval("a / c != 1", NULL, NULL));
    cr_assert(eval("not a / c != 1", NULL, NULL));
    cr_assert_not(eval("(a + 0 / c) * 5 >= 0", NULL, NULL));
}

static int visit(void *arg, const char *metric)
{
    strcat(arg, metric);
    strcat(arg, ",");
    return 0;
}

Test(expr, metrics_are_visited_in_order)
{
    sg17_err_t err;
    sg17_expr_t *e = sg17_expr_parse("x.y + b > 0 and not (zz < x.y)", NULL, &err);
    cr_assert_not_null(e, "%s", err.msg);
    char seen[128] = "";
    cr_assert_eq(sg17_expr_each_metric(e, visit, seen), 0);
    cr_assert_str_eq(seen, "x.y,b,zz,x.y,");
    sg17_expr_destroy(&e);
}

Test(expr, error_column_and_expectation)
{
    char msg[512];
    cr_assert_eq(parse_error("a > ", msg, sizeof msg), 4);
    cr_assert_str_eq(msg, "column 5: found the end of the expression; expected a number, a metric "
                          "name or '('");
    cr_assert_eq(parse_error("a > > 1", msg, sizeof msg), 4);
    cr_assert_str_eq(msg, "column 5: found '>'; expected a number, a metric name or '('");
    cr_assert_eq(parse_error("(a > 1", msg, sizeof msg), 6);
    cr_assert_str_eq(msg, "column 7: found the end of the expression; expected ')'");
    cr_assert_eq(parse_error("a > 1 b", msg, sizeof msg), 6);
    cr_assert_str_eq(msg, "column 7: found 'b'; expected an operator or the end of the condition");
    cr_assert_eq(parse_error("a = 1", msg, sizeof msg), 2);
    cr_assert_str_eq(msg, "column 3: found '='; expected '==' or '!='");
    cr_assert_eq(parse_error("a > 5min", msg, sizeof msg), 5);
    cr_assert_eq(parse_error("a > 1 ; b", msg, sizeof msg), 6);
    cr_assert(strstr(msg, "unexpected character ';'"), "%s", msg);
}

Test(expr, top_level_must_be_a_comparison)
{
    char msg[512];
    cr_assert_eq(parse_error("a + b", msg, sizeof msg), 0);
    cr_assert_str_eq(msg, "column 1: found a number; expected a comparison such as 'x > 0'");
    cr_assert_eq(parse_error("a > 0 and b", msg, sizeof msg), 10);
    cr_assert_eq(parse_error("(a > 0) + 1 > 0", msg, sizeof msg), 1);
    cr_assert_str_eq(msg, "column 2: found a comparison; expected a number or a metric, not a "
                          "truth value");
    cr_assert_eq(parse_error("a > 0 > 1", msg, sizeof msg), 6);
}

Test(expr, a_condition_whose_value_no_metric_can_change_is_refused_at_the_part_that_fixes_it)
{
    char msg[512];
    cr_assert_eq(parse_error("1 > 0", msg, sizeof msg), 0);
    cr_assert_str_eq(msg, "column 1: the condition is always true, whatever the metrics read; "
                          "expected a condition whose value depends on a metric");
    cr_assert_eq(parse_error("2 * 3 == 7", msg, sizeof msg), 0);
    cr_assert(strstr(msg, "always false"), "%s", msg);
    /* x > NaN is false for every x: the 0 that makes the division NaN is to blame */
    cr_assert_eq(parse_error("not (x > 0 / 0)", msg, sizeof msg), 13);
    cr_assert(strstr(msg, "always true"), "%s", msg);
    cr_assert_eq(parse_error("x / 0 < 1", msg, sizeof msg), 4);
    cr_assert_eq(parse_error("0 / 0 != x", msg, sizeof msg), 4);
    cr_assert_eq(parse_error("x + 0 / 0 * y >= 1", msg, sizeof msg), 8);
    cr_assert_eq(parse_error("x > 0 or 1 > 0", msg, sizeof msg), 9);
    cr_assert_eq(parse_error("1 < 0 and x > 0", msg, sizeof msg), 0);
    cr_assert_eq(parse_error("x > 0 and not (y > 1 or 2 > 1)", msg, sizeof msg), 24);
    cr_assert(strstr(msg, "always false"), "%s", msg);
    cr_assert_eq(parse_error("-(-3) > 2", msg, sizeof msg), 0);
}

Test(expr, a_constant_part_that_does_not_decide_the_condition_is_fine)
{
    cr_assert(eval("a > 1 + 0.5 and b > 0", NULL, NULL));
    cr_assert(eval("a > 0 or 1 > 2", NULL, NULL), "false or-branch: a decides");
    cr_assert_not(eval("c > 0 and 2 > 1", NULL, NULL), "true and-branch: c decides");
    cr_assert_not(eval("a / c > 0", NULL, NULL), "c is 0 here, but it is a metric");
    cr_assert(eval("a * 0 == 0", NULL, NULL), "not folded: an infinite metric times 0 is NaN");
}

Test(expr, nesting_is_limited_so_hostile_input_cannot_overflow_the_stack)
{
    char msg[512];
    char *deep = malloc(100001);
    memset(deep, '(', 100000);
    deep[100000] = '\0';
    cr_assert_eq(parse_error(deep, msg, sizeof msg), 64);
    cr_assert(strstr(msg, "nested more than 64 levels deep"), "%s", msg);
    memset(deep, '-', 100000);
    cr_assert_eq(parse_error(deep, msg, sizeof msg), 64);
    free(deep);
    /* a long flat chain is built iteratively and refused by height */
    size_t n = 20000;
    char *chain = malloc(4 * n + 8);
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        used += (size_t)sprintf(chain + used, i ? "+a" : "a");
    sprintf(chain + used, " > 0");
    cr_assert_gt(parse_error(chain, msg, sizeof msg), 0);
    cr_assert(strstr(msg, "nested more than 256 levels deep"), "%s", msg);
    free(chain);
    /* 64 levels of parentheses still parse */
    char ok[200];
    memset(ok, '(', 64);
    strcpy(ok + 64, "a");
    memset(ok + 65, ')', 64);
    strcpy(ok + 129, " > 1");
    cr_assert(eval(ok, NULL, NULL));
}
