/* test_trace.c — `sg17tb run --trace DIR` checked by a tool nobody here wrote: tshark (Debian
 * package `tshark`) reads the pcapng of every run of shipped metering and ibc scenarios and must
 * find no malformed packet, no checksum error and exactly as many packets as the ledger says
 * were delivered; the packet comments carry the ledger's ground truth (the replayed copies of
 * the baseline run are the ledger's replayed deliveries). Skipped, with the install command,
 * when tshark is missing. */
#include "scratch.h"
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

SG17_SCRATCH_SUITE(trace, "trace", .timeout = 600);

/* What tshark makes of one capture, in one pass: packets, malformed ones, packets with an
 * expert item at error level (checksum errors included), and per packet comment substring. */
typedef struct {
    long packets, malformed, errors;
    long prov[5], rejected, dlms_wrapped;
} capture_t;

static const char *const provs[] = {"genuine", "injected", "replayed", "modified",
                                    "from_compromised"};

#define PI_ERROR 0x00800000L /* Wireshark's expert severity "error" */

static capture_t tshark_read(const char *file)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd,
             "tshark -n -r '%s' -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -T fields "
             "-E separator=/t -E occurrence=a -E aggregator=, -e frame.comment -e _ws.malformed "
             "-e _ws.expert.severity -e udp.dstport -e data.data 2>/dev/null",
             file);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    capture_t c = {0};
    static char line[1 << 20];
    while (fgets(line, sizeof line, p)) {
        c.packets++;
        char *f[5] = {line, NULL, NULL, NULL, NULL};
        for (int i = 1; i < 5 && f[i - 1]; i++) {
            char *tab = strchr(f[i - 1], '\t');
            if (tab) {
                *tab = '\0';
                f[i] = tab + 1;
            }
        }
        for (size_t k = 0; k < 5; k++) {
            char want[64];
            snprintf(want, sizeof want, "provenance=%s ", provs[k]);
            c.prov[k] += strstr(f[0], want) != NULL;
        }
        c.rejected += strstr(f[0], "outcome=rejected") != NULL;
        c.malformed += f[1] && *f[1] && *f[1] != '\n';
        for (char *sev = f[2]; sev && *sev && *sev != '\n';) {
            long v = strtol(sev, &sev, 10);
            if (v >= PI_ERROR) {
                c.errors++;
                break;
            }
            if (*sev != ',')
                break;
            sev++;
        }
        c.dlms_wrapped +=
            f[3] && strncmp(f[3], "4059", 4) == 0 && f[4] && strncmp(f[4], "0001", 4) == 0;
    }
    pclose(p);
    return c;
}

static double metric(const json_t *scenario, const char *run, const char *name)
{
    json_t *m = json_object_get(
        json_object_get(json_object_get(json_object_get(scenario, "runs"), run), "metrics"), name);
    return json_is_number(m) ? json_number_value(m) : 0;
}

/* Runs the scenarios with --trace and checks every run's capture against the ledger. */
static void check_traces(const char *const *scenarios, size_t n)
{
    char cmd[4096];
    int len = snprintf(cmd, sizeof cmd,
                       "SG17TB_MODULE_PATH='%s' '%s' run --jobs 2 --trace '%s/trace' --out '%s/r'",
                       SG17TB_BUILD_MODULE_DIR, SG17TB_CLI, tmpdir, tmpdir);
    for (size_t i = 0; i < n; i++)
        len += snprintf(cmd + len, sizeof cmd - (size_t)len, " '%s/scenarios/%s'",
                        SG17TB_SOURCE_DIR, scenarios[i]);
    snprintf(cmd + len, sizeof cmd - (size_t)len, " >'%s/run.log' 2>&1", tmpdir);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sg17tb run failed (see %s/run.log)", tmpdir);
    char path[600];
    snprintf(path, sizeof path, "%s/r/report.json", tmpdir);
    json_error_t jerr;
    json_t *report = json_load_file(path, 0, &jerr);
    cr_assert_not_null(report, "%s", jerr.text);
    size_t i, files = 0;
    json_t *s;
    json_array_foreach(json_object_get(report, "scenarios"), i, s)
    {
        static const char *const runs[] = {"control", "baseline", "protected"};
        for (size_t r = 0; r < 3; r++) {
            char name[512], file[900];
            snprintf(name, sizeof name, "%s.%s.pcapng", json_string_value(json_object_get(s, "id")),
                     runs[r]);
            for (char *c = name; *c; c++)
                if (*c == '/')
                    *c = '_';
            snprintf(file, sizeof file, "%s/trace/%s", tmpdir, name);
            long delivered = (long)metric(s, runs[r], "ledger.delivered.all");
            capture_t c = tshark_read(file);
            cr_assert_eq(c.packets, delivered, "%s: %ld packets, the ledger delivered %ld", name,
                         c.packets, delivered);
            cr_assert_gt(c.packets, 0, "%s: an empty trace", name);
            cr_assert_eq(c.malformed, 0, "%s: malformed packets", name);
            cr_assert_eq(c.errors, 0, "%s: packets with errors (checksums included)", name);
            /* the comments carry the ground truth: each provenance as often as the ledger says */
            for (size_t p = 0; p < 5; p++) {
                char m[64];
                snprintf(m, sizeof m, "ledger.delivered.%s", provs[p]);
                cr_assert_eq(c.prov[p], (long)metric(s, runs[r], m),
                             "%s: comments with provenance=%s", name, provs[p]);
            }
            cr_assert_eq(c.rejected, (long)metric(s, runs[r], "ledger.rejected.all"),
                         "%s: rejected packets", name);
            if (strncmp(name, "metering", 8) == 0)
                cr_assert_gt(c.dlms_wrapped, 0, "%s: DLMS wrapper (0x0001) over UDP 4059", name);
            files++;
        }
    }
    cr_assert_eq(files, 3 * n, "a trace per run of every scenario");
    json_decref(report);
}

Test(trace, metering_traces_read_cleanly_in_tshark_and_match_the_ledger)
{
    if (system("command -v tshark >/dev/null 2>&1") != 0)
        cr_skip_test("tshark missing: apt-get install tshark");
    static const char *const scenarios[] = {"metering/replay-readings.yaml",
                                            "metering/forged-disconnect.yaml"};
    check_traces(scenarios, 2);
}

Test(trace, ibc_traces_read_cleanly_in_tshark_and_match_the_ledger)
{
    if (system("command -v tshark >/dev/null 2>&1") != 0)
        cr_skip_test("tshark missing: apt-get install tshark");
    static const char *const scenarios[] = {"ibc/replay-one-pass.yaml",
                                            "ibc/forged-signature.yaml"};
    check_traces(scenarios, 2);
}
