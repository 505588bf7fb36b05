/* test_yaml.c — the bounded YAML tree: positions, quoting, and every kind of hostile input
 * refused quickly with a precise file:line:col message. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scenario/yaml.h"

static sg17_yaml_node_t *parse(const char *text, sg17_err_t *err)
{
    return sg17_yaml_parse(text, strlen(text), "t.yaml", err);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

Test(yaml, tree_has_kinds_positions_and_quoting)
{
    sg17_err_t err = {{0}};
    sg17_yaml_node_t *root = parse("a: 1\nb:\n  - x\n  - 'y'\nc: {d: \"5\"}\n", &err);
    cr_assert_not_null(root, "%s", err.msg);
    cr_assert_eq(root->kind, SG17_YAML_MAP);
    cr_assert_eq(root->n, 3);
    sg17_yaml_node_t *a = sg17_yaml_get(root, "a");
    cr_assert_str_eq(a->scalar, "1");
    cr_assert_eq(a->line, 1);
    cr_assert_eq(a->col, 4);
    cr_assert_not(a->quoted);
    sg17_yaml_node_t *b = sg17_yaml_get(root, "b");
    cr_assert_eq(b->kind, SG17_YAML_SEQ);
    cr_assert_eq(b->n, 2);
    cr_assert_eq(b->items[1]->line, 4);
    cr_assert_eq(b->items[1]->col, 5);
    cr_assert(b->items[1]->quoted);
    cr_assert_str_eq(b->items[1]->scalar, "y");
    sg17_yaml_node_t *d = sg17_yaml_get(sg17_yaml_get(root, "c"), "d");
    cr_assert(d->quoted);
    cr_assert_str_eq(d->scalar, "5");
    cr_assert_null(sg17_yaml_get(root, "zz"));
    cr_assert_str_eq(sg17_yaml_kind_name(SG17_YAML_SEQ), "a list");
    sg17_yaml_destroy(&root);
    cr_assert_null(root);
    sg17_yaml_destroy(&root); /* safe twice */
}

Test(yaml, syntax_error_reports_problem_line_and_column)
{
    sg17_err_t err = {{0}};
    cr_assert_null(parse("a: 1\nb: [1, 2\nc: 3\n", &err));
    cr_assert(strstr(err.msg, "t.yaml:3:2: did not find expected ',' or ']'"), "%s", err.msg);
}

Test(yaml, aliases_and_anchors_are_refused_at_the_anchor)
{
    sg17_err_t err = {{0}};
    cr_assert_null(parse("a: &x 1\nb: *x\n", &err));
    cr_assert_str_eq(err.msg, "t.yaml:1:4: anchors and aliases are not supported; expected plain "
                              "values");
}

Test(yaml, billion_laughs_file_is_refused_quickly)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sg17_err_t err = {{0}};
    sg17_yaml_node_t *root =
        sg17_yaml_load(SG17TB_TEST_DATA_DIR "/scenarios/billion-laughs.yaml", &err);
    cr_assert_null(root);
    cr_assert(strstr(err.msg, "billion-laughs.yaml:1:4: anchors and aliases are not supported"),
              "%s", err.msg);
    cr_assert_lt(seconds_since(&t0), 0.5);
}

Test(yaml, explicit_tags_are_refused)
{
    sg17_err_t err = {{0}};
    cr_assert_null(parse("a: !!str 5\n", &err));
    cr_assert_str_eq(err.msg, "t.yaml:1:4: explicit tags are not supported (found "
                              "'tag:yaml.org,2002:str'); expected an untagged value");
    cr_assert_null(parse("- !custom {a: 1}\n", &err));
    cr_assert(strstr(err.msg, "t.yaml:1:3: explicit tags are not supported (found '!custom')"),
              "%s", err.msg);
}

Test(yaml, second_document_is_refused)
{
    sg17_err_t err = {{0}};
    cr_assert_null(parse("a: 1\n---\nb: 2\n", &err));
    cr_assert_str_eq(err.msg, "t.yaml:2:1: more than one document; expected one scenario per file");
}

Test(yaml, duplicate_keys_name_the_later_one)
{
    sg17_err_t err = {{0}};
    cr_assert_null(parse("a: 1\nb: 2\nc:\n  x: 1\n  x: 2\n", &err));
    cr_assert_str_eq(err.msg, "t.yaml:5:3: duplicate key 'x' (first at line 4); expected each key "
                              "once");
}

Test(yaml, non_scalar_keys_are_refused)
{
    sg17_err_t err = {{0}};
    cr_assert_null(parse("? [a, b]\n: 1\n", &err));
    cr_assert(strstr(err.msg, "t.yaml:1:3: a mapping key must be a scalar"), "%s", err.msg);
}

Test(yaml, ten_thousand_deep_nesting_is_refused_at_depth_33)
{
    size_t n = 10000;
    char *text = malloc(2 * n + 1);
    memset(text, '[', n);
    memset(text + n, ']', n);
    text[2 * n] = '\0';
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sg17_err_t err = {{0}};
    cr_assert_null(sg17_yaml_parse(text, 2 * n, "deep.yaml", &err));
    cr_assert_lt(seconds_since(&t0), 0.5);
    cr_assert_str_eq(err.msg, "deep.yaml:1:33: nesting deeper than 32 levels; expected a flatter "
                              "document");
    free(text);
}

Test(yaml, depth_32_is_accepted)
{
    char text[80];
    memset(text, '[', 32);
    memset(text + 32, ']', 32);
    text[64] = '\0';
    sg17_err_t err = {{0}};
    sg17_yaml_node_t *root = parse(text, &err);
    cr_assert_not_null(root, "%s", err.msg);
    sg17_yaml_destroy(&root);
}

Test(yaml, five_megabyte_file_is_refused_before_parsing)
{
    const char *path = "/tmp/sg17-test-yaml-5mb.yaml";
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    char line[160];
    size_t written = 0;
    for (int i = 0; written < 5u << 20; i++)
        written += (size_t)fprintf(f, "k%07d: value\n", i);
    fclose(f);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sg17_err_t err = {{0}};
    cr_assert_null(sg17_yaml_load(path, &err));
    cr_assert_lt(seconds_since(&t0), 0.5);
    snprintf(line, sizeof line, "%s:1:1: the file is larger than 4194304 bytes", path);
    cr_assert(strstr(err.msg, line), "%s", err.msg);
    remove(path);
}

Test(yaml, node_count_limit)
{
    /* 200 001 one-character items in a flow list: over SG17_YAML_MAX_NODES with the list itself */
    size_t n = SG17_YAML_MAX_NODES + 1;
    char *text = malloc(2 * n + 2);
    text[0] = '[';
    for (size_t i = 0; i < n; i++) {
        text[1 + 2 * i] = '1';
        text[2 + 2 * i] = i + 1 < n ? ',' : ']';
    }
    text[2 * n + 1] = '\0';
    sg17_err_t err = {{0}};
    cr_assert_null(sg17_yaml_parse(text, 2 * n + 1, "many.yaml", &err));
    cr_assert(strstr(err.msg, "more than 200000 nodes"), "%s", err.msg);
    free(text);
}

Test(yaml, empty_document_is_an_error)
{
    sg17_err_t err = {{0}};
    cr_assert_null(parse("", &err));
    cr_assert_str_eq(err.msg, "t.yaml:1:1: the document is empty; expected a mapping");
    cr_assert_null(parse("# only a comment\n", &err));
    cr_assert_null(parse("---\n...\n", &err));
}

Test(yaml, nul_in_scalar_is_refused)
{
    sg17_err_t err = {{0}};
    cr_assert_null(parse("a: \"x\\0y\"\n", &err));
    cr_assert(strstr(err.msg, "t.yaml:1:4: a scalar contains a NUL character"), "%s", err.msg);
}

Test(yaml, missing_file_names_the_path)
{
    sg17_err_t err = {{0}};
    cr_assert_null(sg17_yaml_load("/nonexistent/x.yaml", &err));
    cr_assert_str_eq(err.msg, "/nonexistent/x.yaml: cannot open: No such file or directory");
}
