/* fuzz_report.c — report.json is untrusted input to `sg17tb merge`, `report --from` and `diff`:
 * arbitrary JSON goes through the loader's checks, the merge, every writer and the diff (of the
 * report against itself and against the merge). Never a crash, never a hang. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "report/report.h"
#include "report/report_diff.h"

static char dir[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/sg17-fuzz-report-XXXXXX");
        if (!mkdtemp(dir))
            return 0;
    }
    char path[128];
    snprintf(path, sizeof path, "%s/in.json", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    sg17_err_t err;
    json_t *r = sg17_report_load(path, &err);
    if (!r)
        return 0;
    json_t *merged = sg17_report_merge(&r, 1, &err);
    json_t *target = merged ? merged : r;
    sg17_report_summarize(target);
    snprintf(path, sizeof path, "%s/out", dir);
    sg17_report_write(target, path, "html,junit,md,sarif", &err);
    sg17_rbuf_t text = {0};
    sg17_diff_counts_t counts;
    sg17_diff_opts_t opts = {.tolerance = 0.01, .all_metrics = true};
    sg17_report_diff(r, target, &opts, &text, &counts);
    sg17_rbuf_free(&text);
    json_decref(merged);
    json_decref(r);
    return 0;
}
