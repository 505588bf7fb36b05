/* test_metrics.c — the named metric set: ids that stay valid as the set grows, updates by id and
 * by name on the same metric, name-ordered iteration. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "util/metrics.h"

Test(metrics, an_id_names_the_same_metric_while_the_set_grows)
{
    sg17_metrics_t *m = sg17_metrics_new();
    cr_assert_not_null(m);
    int first = sg17_metrics_id(m, "cost.handlers.us");
    cr_assert_geq(first, 0);
    cr_assert_eq(sg17_metrics_size(m), 1, "an id makes the metric exist");
    cr_assert_eq(sg17_metrics_value(m, "cost.handlers.us"), 0);
    char name[32];
    for (int i = 0; i < 1000; i++) { /* past several rehashes */
        snprintf(name, sizeof name, "m.%d", i);
        sg17_metrics_add(m, name, i);
        sg17_metrics_add_id(m, first, 1);
    }
    cr_assert_eq(sg17_metrics_id(m, "cost.handlers.us"), first);
    cr_assert_str_eq(sg17_metrics_name(m, first), "cost.handlers.us");
    cr_assert_eq(sg17_metrics_value(m, "cost.handlers.us"), 1000);
    sg17_metrics_add(m, "cost.handlers.us", 0.5);
    sg17_metrics_set_id(m, sg17_metrics_id(m, "m.7"), -3);
    cr_assert_eq(sg17_metrics_value(m, "cost.handlers.us"), 1000.5);
    cr_assert_eq(sg17_metrics_value(m, "m.7"), -3);
    cr_assert_eq(sg17_metrics_value(m, "m.999"), 999);
    cr_assert_eq(sg17_metrics_size(m), 1001);
    sg17_metrics_destroy(&m);
    cr_assert_null(m);
}

Test(metrics, ids_the_set_never_gave_are_ignored)
{
    sg17_metrics_t *m = sg17_metrics_new();
    cr_assert_not_null(m);
    sg17_metrics_add_id(m, -1, 5);
    sg17_metrics_add_id(m, 0, 5);
    sg17_metrics_set_id(m, 3, 5);
    cr_assert_eq(sg17_metrics_size(m), 0);
    cr_assert_null(sg17_metrics_name(m, 0));
    cr_assert_null(sg17_metrics_name(m, -1));
    sg17_metrics_destroy(&m);
}

static void join(const char *name, double value, void *arg)
{
    char *out = arg; /* 256 octets */
    size_t used = strlen(out);
    snprintf(out + used, 256 - used, "%s=%g;", name, value);
}

Test(metrics, iteration_and_merge_go_in_name_order_whatever_the_order_of_first_use)
{
    sg17_metrics_t *a = sg17_metrics_new(), *b = sg17_metrics_new();
    cr_assert(a && b);
    sg17_metrics_add(a, "zeta", 1);
    sg17_metrics_add(a, "alpha", 2);
    sg17_metrics_add(a, "mid", 3);
    sg17_metrics_add(b, "alpha", 10);
    sg17_metrics_merge(b, a);
    char out[256] = "";
    sg17_metrics_each(b, join, out);
    cr_assert_str_eq(out, "alpha=12;mid=3;zeta=1;");
    double v;
    cr_assert_not(sg17_metrics_get(b, "absent", &v));
    cr_assert(sg17_metrics_get(b, "zeta", &v) && v == 1);
    sg17_metrics_destroy(&a);
    sg17_metrics_destroy(&b);
}
