/* test_seeds_run.c — `sg17tb run --seeds K` end to end on a shipped scenario: the report carries
 * the verdict distribution and the judged metrics' statistics, report.html and summary.md show
 * them, and --trace writes the runs of the scenario's own seed only. */
#include "scratch.h"
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

SG17_SCRATCH_SUITE(seeds_run, "seeds", .timeout = 600);

Test(seeds_run, three_seeds_give_a_distribution_statistics_and_one_trace_per_run)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "SG17TB_MODULE_PATH='%s' '%s' run --seeds 3 --jobs 2 --trace '%s/t' --out '%s/r' "
             "'%s/scenarios/metering/replay-readings.yaml' >'%s/log' 2>&1",
             SG17TB_BUILD_MODULE_DIR, SG17TB_CLI, tmpdir, tmpdir, SG17TB_SOURCE_DIR, tmpdir);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "run failed: see %s/log", tmpdir);
    char path[600];
    snprintf(path, sizeof path, "%s/r/report.json", tmpdir);
    json_error_t jerr;
    json_t *r = json_load_file(path, 0, &jerr);
    cr_assert_not_null(r, "%s", jerr.text);
    json_t *s = json_array_get(json_object_get(r, "scenarios"), 0);
    json_t *seeds = json_object_get(s, "seeds");
    cr_assert_eq(json_integer_value(json_object_get(seeds, "count")), 3);
    cr_assert_eq(json_integer_value(json_array_get(json_object_get(seeds, "list"), 0)), 42,
                 "the scenario's own seed first");
    cr_assert(json_is_true(json_object_get(seeds, "unanimous")));
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(seeds, "verdicts"), "holds")),
                 3);
    cr_assert_str_eq(json_string_value(json_object_get(s, "verdict")), "holds");
    json_t *replayed =
        json_object_get(json_object_get(json_object_get(seeds, "metrics"), "baseline"),
                        "ledger.accepted.replayed.metering.reading");
    cr_assert(json_number_value(json_object_get(replayed, "mean")) > 0,
              "the attack succeeds in every baseline run");
    cr_assert_eq(json_integer_value(json_object_get(replayed, "n")), 3);
    json_decref(r);
    snprintf(path, sizeof path, "%s/r/report.html", tmpdir);
    char *html = slurp(path);
    cr_assert_not_null(strstr(html, "<span class=\"seeds\" title=\"verdicts over 3 seeds\">holds "
                                    "3/3</span>"));
    cr_assert_not_null(strstr(html, "over 3 seeds: mean [95 % interval]"));
    free(html);
    snprintf(path, sizeof path, "%s/r/summary.md", tmpdir);
    char *md = slurp(path);
    cr_assert_not_null(strstr(md, "| holds (holds 3/3) |"), "%s", md);
    cr_assert_not_null(strstr(md, "## Over several seeds"));
    free(md);
    /* the traces: the scenario's own seed, three runs */
    snprintf(path, sizeof path, "%s/t", tmpdir);
    DIR *d = opendir(path);
    cr_assert_not_null(d);
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        files += strstr(e->d_name, ".pcapng") != NULL;
    closedir(d);
    cr_assert_eq(files, 3);
}
