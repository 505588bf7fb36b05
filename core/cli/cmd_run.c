/* cmd_run.c — `sg17tb run` and `sg17tb broker` (the same engine; broker binds an endpoint and
 * waits for module hosts from other processes instead of running them in-process). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine/runner.h"
#include "scenario/scenario.h"
#include "util/text.h"

static int parse_u64(const char *flag, const char *v, uint64_t *out)
{
    long long x;
    if (sg17_parse_int(v, &x) < 0 || x < 0) {
        fprintf(stderr, "sg17tb: %s expects a non-negative integer, got '%s'\n", flag, v);
        return -1;
    }
    *out = (uint64_t)x;
    return 0;
}

static int run_common(int argc, char **argv, bool broker)
{
    sg17_runner_opts_t o = {.jobs = 1, .out_dir = "sg17tb-report"};
    static const struct option longopts[] = {
        {"seed", required_argument, NULL, 's'},
        {"jobs", required_argument, NULL, 'j'},
        {"out", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"filter", required_argument, NULL, 'F'},
        {"shard", required_argument, NULL, 'S'},
        {"shard-costs", required_argument, NULL, 'c'},
        {"bind", required_argument, NULL, 'b'},
        {"host-wait", required_argument, NULL, 'w'},
        {"no-mitigations", no_argument, NULL, 'N'},
        {"no-control", no_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},
        {"curve-cert", required_argument, NULL, 'C'},
        {"curve-allow", required_argument, NULL, 'A'},
        {"trace", required_argument, NULL, 'T'},
        {"seeds", required_argument, NULL, 'k'},
        {"backend", required_argument, NULL, 'B'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    uint64_t v;
    while ((c = getopt_long(argc, argv, "s:j:o:f:F:S:c:b:w:NKhC:A:T:k:B:", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (parse_u64("--seed", optarg, &o.seed) < 0)
                return 2;
            o.have_seed = true;
            break;
        case 'j':
            if (parse_u64("--jobs", optarg, &v) < 0 || v < 1 || v > 256) {
                fprintf(stderr, "sg17tb: --jobs expects 1..256\n");
                return 2;
            }
            o.jobs = (int)v;
            break;
        case 'o':
            o.out_dir = optarg;
            break;
        case 'f':
            o.formats = optarg;
            break;
        case 'F':
            o.filter = optarg;
            break;
        case 'S':
            if (strcmp(optarg, "auto") == 0) {
                o.shard_auto = true;
                break;
            }
            if (sscanf(optarg, "%u/%u", &o.shard_index, &o.shard_count) != 2 || !o.shard_count
                || !o.shard_index || o.shard_index > o.shard_count) {
                fprintf(stderr, "sg17tb: --shard expects I/N with 1 <= I <= N, or auto, got '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'c':
            o.shard_costs = optarg;
            break;
        case 'b':
            o.bind = optarg;
            break;
        case 'w':
            if (parse_u64("--host-wait", optarg, &v) < 0)
                return 2;
            o.host_wait_ms = (int)(v * 1000);
            break;
        case 'N':
            o.clear_mitigations = true;
            break;
        case 'K':
            o.no_control = true;
            break;
        case 'C':
            o.curve_cert = optarg;
            break;
        case 'A':
            o.curve_allow = optarg;
            break;
        case 'T':
            o.trace_dir = optarg;
            break;
        case 'k':
            if (parse_u64("--seeds", optarg, &v) < 0 || v < 1 || v > SG17_MAX_REPEAT) {
                fprintf(stderr, "sg17tb: --seeds expects 1..%d\n", SG17_MAX_REPEAT);
                return 2;
            }
            o.seeds = (unsigned)v;
            break;
        case 'B':
            o.backend = optarg;
            break;
        case 'h':
            printf(
                "usage: sg17tb %s [--seed N] [--jobs N] [--out DIR] [--format "
                "json,junit,html,md,sarif] [--filter GLOB] [--shard I/N|auto [--shard-costs "
                "REPORT.json]] [--no-control] [--trace DIR] [--seeds K] [--backend NAME]%s "
                "PATH...\n",
                argv[0],
                broker
                    ? " --bind ENDPOINT [--host-wait SECONDS] [--curve-cert FILE --curve-allow DIR]"
                    : "");
            return 0;
        default:
            return 2;
        }
    }
    if (o.shard_costs && !o.shard_count && !o.shard_auto) {
        fprintf(stderr, "sg17tb: --shard-costs goes with --shard I/N or --shard auto\n");
        return 2;
    }
    if (broker && !o.bind) {
        fprintf(stderr, "sg17tb broker: --bind ENDPOINT is required (e.g. ipc:///tmp/sg17.sock)\n");
        return 2;
    }
    if (broker && (!o.curve_cert != !o.curve_allow)) {
        fprintf(stderr, "sg17tb broker: --curve-cert and --curve-allow go together\n");
        return 2;
    }
    if (broker && !o.curve_cert && strncmp(o.bind, "tcp://", 6) == 0)
        fprintf(stderr,
                "sg17tb broker: warning: %s without --curve-cert/--curve-allow: any peer that "
                "reaches it can act as a module host and report its metrics\n",
                o.bind);
    if (!broker && (o.bind || o.curve_cert || o.curve_allow)) {
        fprintf(stderr, "sg17tb run: --bind and --curve-* belong to `sg17tb broker`\n");
        return 2;
    }
    if (optind >= argc) {
        fprintf(stderr, "sg17tb %s: no scenario paths given (try: sg17tb %s scenarios/)\n", argv[0],
                argv[0]);
        return 2;
    }
    return sg17_runner_run(argv + optind, (size_t)(argc - optind), &o);
}

int cmd_run(int argc, char **argv)
{
    return run_common(argc, argv, false);
}
int cmd_broker(int argc, char **argv)
{
    return run_common(argc, argv, true);
}
