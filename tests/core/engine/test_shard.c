/* test_shard.c — `--shard auto`: the index and count each scheduler hands a process (Kubernetes
 * Indexed Jobs, Slurm arrays, GitLab `parallel`, a GitHub Actions matrix through the explicit
 * variables), the errors when they are missing or out of range; and the deal by cost: every job
 * in exactly one shard, the same deal every time, and loads no worse than the longest-processing-
 * time rule's bound. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "engine/shard.h"
#include "scenario/yaml.h"

/* A fake environment: "NAME=value" strings, NULL-terminated, set per test. */
static const char *const *fake_env;

static const char *fake_get(const char *name)
{
    size_t n = strlen(name);
    for (const char *const *e = fake_env; e && *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

static int slice(const char *const *env, unsigned *i, unsigned *n, const char **source,
                 sg17_err_t *err)
{
    fake_env = env;
    return sg17_shard_from_env(fake_get, i, n, source, err);
}

#define EXPECT_SLICE(env, want_i, want_n, want_source)                           \
    do {                                                                         \
        unsigned i_ = 0, n_ = 0;                                                 \
        const char *src_ = NULL;                                                 \
        sg17_err_t err_ = {{0}};                                                 \
        cr_assert_eq(slice(env, &i_, &n_, &src_, &err_), 0, "%s", err_.msg);     \
        cr_assert_eq(i_, (want_i), "index %u, want %u", i_, (unsigned)(want_i)); \
        cr_assert_eq(n_, (want_n), "count %u, want %u", n_, (unsigned)(want_n)); \
        cr_assert_str_eq(src_, (want_source));                                   \
    } while (0)

#define EXPECT_REFUSED(env, needle)                                                          \
    do {                                                                                     \
        unsigned i_ = 0, n_ = 0;                                                             \
        const char *src_ = NULL;                                                             \
        sg17_err_t err_ = {{0}};                                                             \
        cr_assert_eq(slice(env, &i_, &n_, &src_, &err_), -1);                                \
        cr_assert(strstr(err_.msg, (needle)), "'%s' does not say '%s'", err_.msg, (needle)); \
    } while (0)

Test(shard, kubernetes_indexed_job_is_zero_based_with_the_completions_passed_in)
{
    EXPECT_SLICE(((const char *[]){"JOB_COMPLETION_INDEX=0", "JOB_COMPLETIONS=4", NULL}), 1, 4,
                 "Kubernetes Indexed Job");
    EXPECT_SLICE(((const char *[]){"JOB_COMPLETION_INDEX=3", "JOB_COMPLETIONS=4", NULL}), 4, 4,
                 "Kubernetes Indexed Job");
    EXPECT_SLICE(((const char *[]){"JOB_COMPLETION_INDEX=2", "SG17TB_SHARD_COUNT=3", NULL}), 3, 3,
                 "Kubernetes Indexed Job");
    EXPECT_REFUSED(((const char *[]){"JOB_COMPLETION_INDEX=2", NULL}), "JOB_COMPLETIONS");
    EXPECT_REFUSED(((const char *[]){"JOB_COMPLETION_INDEX=4", "JOB_COMPLETIONS=4", NULL}), "0..3");
}

Test(shard, slurm_array_counts_from_its_minimum)
{
    EXPECT_SLICE(((const char *[]){"SLURM_ARRAY_TASK_ID=0", "SLURM_ARRAY_TASK_COUNT=4",
                                   "SLURM_ARRAY_TASK_MIN=0", NULL}),
                 1, 4, "Slurm job array");
    /* --array=1-4 */
    EXPECT_SLICE(((const char *[]){"SLURM_ARRAY_TASK_ID=4", "SLURM_ARRAY_TASK_COUNT=4",
                                   "SLURM_ARRAY_TASK_MIN=1", NULL}),
                 4, 4, "Slurm job array");
    EXPECT_SLICE(((const char *[]){"SLURM_ARRAY_TASK_ID=11", "SLURM_ARRAY_TASK_COUNT=3",
                                   "SLURM_ARRAY_TASK_MIN=10", NULL}),
                 2, 3, "Slurm job array");
    /* --array=0-6:2 has 4 tasks with ids 0, 2, 4, 6: 6 lies outside 0..3 */
    EXPECT_REFUSED(((const char *[]){"SLURM_ARRAY_TASK_ID=6", "SLURM_ARRAY_TASK_COUNT=4",
                                     "SLURM_ARRAY_TASK_MIN=0", NULL}),
                   "without a step");
    EXPECT_REFUSED(((const char *[]){"SLURM_ARRAY_TASK_ID=1", NULL}), "SLURM_ARRAY_TASK_COUNT");
}

Test(shard, gitlab_parallel_is_one_based)
{
    EXPECT_SLICE(((const char *[]){"CI_NODE_INDEX=1", "CI_NODE_TOTAL=5", NULL}), 1, 5,
                 "GitLab CI parallel");
    EXPECT_SLICE(((const char *[]){"CI_NODE_INDEX=5", "CI_NODE_TOTAL=5", NULL}), 5, 5,
                 "GitLab CI parallel");
    EXPECT_REFUSED(((const char *[]){"CI_NODE_INDEX=0", "CI_NODE_TOTAL=5", NULL}), "1..5");
    EXPECT_REFUSED(((const char *[]){"CI_NODE_INDEX=2", NULL}), "CI_NODE_TOTAL");
}

Test(shard, explicit_variables_serve_a_github_matrix_and_win_over_the_rest)
{
    /* a GitHub Actions job: SG17TB_SHARD_INDEX: ${{ strategy.job-index }} (0-based) */
    EXPECT_SLICE(((const char *[]){"SG17TB_SHARD_INDEX=1", "SG17TB_SHARD_COUNT=2", NULL}), 2, 2,
                 "SG17TB_SHARD_INDEX/SG17TB_SHARD_COUNT");
    EXPECT_SLICE(((const char *[]){"CI_NODE_INDEX=1", "CI_NODE_TOTAL=5", "SG17TB_SHARD_INDEX=0",
                                   "SG17TB_SHARD_COUNT=2", NULL}),
                 1, 2, "SG17TB_SHARD_INDEX/SG17TB_SHARD_COUNT");
    EXPECT_REFUSED(((const char *[]){"SG17TB_SHARD_INDEX=x", "SG17TB_SHARD_COUNT=2", NULL}),
                   "whole number");
    EXPECT_REFUSED(((const char *[]){"SG17TB_SHARD_INDEX=0", NULL}), "SG17TB_SHARD_COUNT");
}

Test(shard, nothing_in_the_environment_is_refused_with_what_was_looked_for)
{
    EXPECT_REFUSED(((const char *[]){"PATH=/usr/bin", NULL}), "--shard I/N");
    EXPECT_REFUSED(((const char *[]){"CI_NODE_INDEX=", NULL}), "CI_NODE_INDEX");
}

Test(shard, the_deal_puts_every_job_in_one_shard_and_balances_cost)
{
    /* one heavy scenario and many light ones, as the shipped set is (the fleet scenario) */
    double cost[40];
    for (size_t i = 0; i < 40; i++)
        cost[i] = 1 + (double)(i % 7);
    cost[5] = 60;
    unsigned a[40], b[40];
    for (unsigned count = 1; count <= 6; count++) {
        sg17_shard_deal(cost, 40, count, a);
        sg17_shard_deal(cost, 40, count, b);
        double load[6] = {0}, total = 0, biggest = 0;
        for (size_t i = 0; i < 40; i++) {
            cr_assert_lt(a[i], count);
            cr_assert_eq(a[i], b[i], "the deal must be the same every time");
            load[a[i]] += cost[i];
            total += cost[i];
            biggest = cost[i] > biggest ? cost[i] : biggest;
        }
        /* LPT: no shard exceeds the mean load plus the largest single job */
        for (unsigned s = 0; s < count; s++)
            cr_assert_leq(load[s], total / count + biggest, "shard %u of %u: %g", s, count,
                          load[s]);
        /* the heavy job (60) is alone once the rest (149) spread over the other shards stays
         * below it: from 4 shards on */
        if (count >= 4)
            for (size_t i = 0; i < 40; i++)
                cr_assert(i == 5 || a[i] != a[5], "job %zu shares the heavy job's shard", i);
    }
}

Test(shard, by_count_the_deal_is_worse_than_by_cost)
{
    /* what dealing by position (i % N) does to the same list: the heavy job's shard also gets
     * its share of the light ones */
    double cost[12] = {30, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    unsigned by_cost[12];
    sg17_shard_deal(cost, 12, 2, by_cost);
    double load_cost[2] = {0}, load_pos[2] = {0};
    for (size_t i = 0; i < 12; i++) {
        load_cost[by_cost[i]] += cost[i];
        load_pos[i % 2] += cost[i];
    }
    double worst_cost = load_cost[0] > load_cost[1] ? load_cost[0] : load_cost[1];
    double worst_pos = load_pos[0] > load_pos[1] ? load_pos[0] : load_pos[1];
    cr_assert_eq(worst_cost, 30);
    cr_assert_eq(worst_pos, 35);
}

/* The shipped examples in deploy/ use the variables this file tests, and their YAML parses. */
static char *slurp_deploy(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/../../deploy/%s", SG17TB_TEST_DATA_DIR, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s is missing", path);
    static char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (strstr(name, ".yml") || strstr(name, ".yaml")) {
        sg17_err_t err = {{0}};
        sg17_yaml_node_t *doc = sg17_yaml_parse(buf, n, name, &err);
        cr_assert_not_null(doc, "%s does not parse: %s", name, err.msg);
        sg17_yaml_destroy(&doc);
    }
    return buf;
}

Test(shard, the_deploy_examples_hand_sg17tb_the_variables_it_reads)
{
    struct {
        const char *file;
        const char *needs[3];
    } ex[] = {
        {"kubernetes/shards-job.yaml",
         {"completionMode: Indexed", "JOB_COMPLETIONS", "--shard auto"}},
        {"kubernetes/merge-job.yaml", {"sg17tb merge", "/reports/shard-", "/reports/last"}},
        {"slurm/shards.sbatch", {"#SBATCH --array=0-3", "--shard auto", "reports/last"}},
        {"slurm/submit.sh", {"--dependency=\"afterany:", "shards.sbatch", "merge.sbatch"}},
        {"gitlab/.gitlab-ci.yml", {"parallel: 4", "--shard auto", "sg17tb merge"}},
        {"github/sg17tb.yml",
         {"SG17TB_SHARD_INDEX: ${{ strategy.job-index }}",
          "SG17TB_SHARD_COUNT: ${{ strategy.job-total }}", "--shard auto"}},
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        const char *text = slurp_deploy(ex[i].file);
        for (size_t k = 0; k < 3; k++)
            cr_assert(strstr(text, ex[i].needs[k]), "%s lacks '%s'", ex[i].file, ex[i].needs[k]);
    }
}
