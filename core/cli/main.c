/* main.c — the sg17tb command: dispatch to the subcommands (docs/architecture.md §10). */
#include <czmq.h>
#include <stdio.h>
#include <string.h>

#include "bus/frame.h"
#include "cli.h"

static void usage(FILE *out)
{
    fprintf(
        out,
        "sg17tb %s — security testbed for ITU-T SG17 Recommendations\n"
        "\n"
        "usage:\n"
        "  sg17tb run [--seed N] [--jobs N] [--out DIR] [--format json,junit,html,md,sarif]\n"
        "             [--filter GLOB] [--shard I/N] [--no-control] [--trace DIR]\n"
        "             [--seeds K] [--backend NAME] PATH...\n"
        "  sg17tb validate PATH...\n"
        "  sg17tb list modules|mitigations|attacks|requirements|scenarios|metrics [--module M]\n"
        "  sg17tb coverage [--module M] [PATH...]\n"
        "  sg17tb broker --bind ENDPOINT [--curve-cert F --curve-allow DIR] [run options] PATH...\n"
        "  sg17tb host --connect ENDPOINT --module NAME [--curve-cert F --curve-server F]\n"
        "  sg17tb keygen DIR NAME          (CURVE certificate pair for broker/host)\n"
        "  sg17tb merge REPORT.json... [--out DIR] [--format ...]\n"
        "  sg17tb report --from REPORT.json [--format ...] [--out DIR]   (re-render)\n"
        "  sg17tb diff OLD.json NEW.json [--tolerance X] [--all-metrics] (exit 1: regression)\n"
        "  sg17tb <module> <tool> ARGS...     (sg17tb <module> --help lists its tools)\n"
        "\n"
        "exit codes of run: 0 every verdict matches its expect, 1 some does not,\n"
        "2 invalid input, 3 internal error, 128+N stopped by signal N (130 Ctrl-C,\n"
        "143 SIGTERM, 129 SIGHUP: the report holds what finished, marked incomplete)\n",
        SG17TB_VERSION);
}

int main(int argc, char **argv)
{
    sg17_bus_plan_memory();
    zsys_handler_set(NULL); /* signals are ours: Ctrl-C writes a partial report */
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("sg17tb %s (%s)\n", SG17TB_VERSION, SG17TB_GIT_DESCRIBE);
        return 0;
    }
    static const struct {
        const char *name;
        int (*fn)(int argc, char **argv);
    } commands[] = {
        {"run", cmd_run},     {"broker", cmd_broker},     {"validate", cmd_validate},
        {"list", cmd_list},   {"coverage", cmd_coverage}, {"host", cmd_host},
        {"merge", cmd_merge}, {"keygen", cmd_keygen},     {"report", cmd_report},
        {"diff", cmd_diff},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    return cmd_module_tool(argc - 1, argv + 1);
}
