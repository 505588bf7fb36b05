/* cmd_host.c — `sg17tb host` (a module host in its own process), `sg17tb merge` (shard reports
 * into one) and `sg17tb <module> <tool>` (a module's protocol and crypto tools). */
#include <czmq.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bus/host.h"
#include "cli.h"
#include "engine/loader.h"
#include "report/report.h"

int cmd_host(int argc, char **argv)
{
    const char *endpoint = NULL, *module = NULL, *cert = NULL, *server = NULL;
    static const struct option longopts[] = {{"connect", required_argument, NULL, 'c'},
                                             {"module", required_argument, NULL, 'm'},
                                             {"curve-cert", required_argument, NULL, 'C'},
                                             {"curve-server", required_argument, NULL, 'S'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:m:C:S:", longopts, NULL)) != -1) {
        if (c == 'c')
            endpoint = optarg;
        else if (c == 'm')
            module = optarg;
        else if (c == 'C')
            cert = optarg;
        else if (c == 'S')
            server = optarg;
        else
            return 2;
    }
    if (!endpoint || !module || !cert != !server) {
        fprintf(stderr, "usage: sg17tb host --connect ENDPOINT --module NAME "
                        "[--curve-cert MY.cert --curve-server BROKER.cert]\n");
        return 2;
    }
    sg17_err_t err;
    const sg17_module_t *m = sg17_loader_get(module, &err);
    if (!m) {
        fprintf(stderr, "sg17tb host: %s\n", err.msg);
        return 2;
    }
    zsock_t *dealer = zsock_new(ZMQ_DEALER);
    if (dealer)
        sg17_bus_heartbeat(dealer); /* a broker that vanished is noticed, and we are */
    if (dealer && cert && sg17_host_curve(dealer, cert, server, &err) < 0) {
        fprintf(stderr, "sg17tb host: %s\n", err.msg);
        zsock_destroy(&dealer);
        return 2;
    }
    if (!dealer || zsock_connect(dealer, "%s", endpoint) < 0) {
        fprintf(stderr, "sg17tb host: cannot connect to %s\n", endpoint);
        zsock_destroy(&dealer);
        return 2;
    }
    zsock_set_sndhwm(dealer, 0);
    zsock_set_rcvhwm(dealer, 0);
    int rc = sg17_host_serve(dealer, m, &err);
    if (rc < 0)
        fprintf(stderr, "sg17tb host: %s\n", err.msg);
    zsock_destroy(&dealer);
    return rc < 0 ? 3 : 0;
}

int cmd_merge(int argc, char **argv)
{
    const char *out = "sg17tb-report", *formats = NULL;
    static const struct option longopts[] = {{"out", required_argument, NULL, 'o'},
                                             {"format", required_argument, NULL, 'f'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:f:", longopts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else if (c == 'f')
            formats = optarg;
        else
            return 2;
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: sg17tb merge REPORT.json... [--out DIR] [--format ...]\n");
        return 2;
    }
    size_t n = (size_t)(argc - optind);
    json_t **reports = calloc(n, sizeof *reports);
    sg17_err_t err;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (!(reports[i] = sg17_report_load(argv[optind + (int)i], &err))) {
            fprintf(stderr, "sg17tb merge: %s\n", err.msg);
            rc = 2;
        }
    json_t *merged = rc ? NULL : sg17_report_merge(reports, n, &err);
    if (!rc && !merged) {
        fprintf(stderr, "sg17tb merge: %s\n", err.msg);
        rc = 2;
    }
    if (merged && sg17_report_write(merged, out, formats, &err) < 0) {
        fprintf(stderr, "sg17tb merge: %s\n", err.msg);
        rc = 3;
    }
    if (merged) {
        json_t *sum = json_object_get(merged, "summary");
        printf("merged %zu reports: %lld scenarios, %lld mismatched. Report: %s/\n", n,
               json_integer_value(json_object_get(sum, "total")),
               json_integer_value(json_object_get(sum, "mismatched")), out);
        if (!rc && json_integer_value(json_object_get(sum, "mismatched")) > 0)
            rc = 1;
    }
    json_decref(merged);
    for (size_t i = 0; i < n; i++)
        json_decref(reports[i]);
    free(reports);
    return rc;
}

int cmd_module_tool(int argc, char **argv)
{
    sg17_err_t err;
    const sg17_module_t *m = sg17_loader_get(argv[0], &err);
    if (!m) {
        fprintf(stderr, "sg17tb: '%s' is neither a command nor a module (%s)\ntry: sg17tb --help\n",
                argv[0], err.msg);
        return 2;
    }
    bool help = argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h");
    for (const sg17_tool_t *t = m->tools; !help && t && t->name; t++)
        if (!strcmp(t->name, argv[1]))
            return t->run(argc - 1, argv + 1, stdout, stderr);
    FILE *out = help ? stdout : stderr;
    if (!help)
        fprintf(out, "sg17tb %s: unknown tool '%s'\n", m->name, argv[1]);
    fprintf(out, "tools of module %s (%s):\n", m->name, m->recommendation);
    for (const sg17_tool_t *t = m->tools; t && t->name; t++)
        fprintf(out, "  sg17tb %s %s %s\n", m->name, t->name, t->usage ? t->usage : "");
    return help ? 0 : 2;
}

/* `sg17tb keygen DIR NAME`: a CURVE certificate pair DIR/NAME.cert (public, to hand out) and
 * DIR/NAME.cert_secret (kept private: mode 0600). */
int cmd_keygen(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: sg17tb keygen DIR NAME\n");
        return 2;
    }
    if (zsys_dir_create("%s", argv[1]) < 0) {
        fprintf(stderr, "sg17tb keygen: cannot create %s\n", argv[1]);
        return 2;
    }
    zcert_t *cert = zcert_new();
    if (!cert)
        return 3;
    zcert_set_meta(cert, "name", "%s", argv[2]);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.cert", argv[1], argv[2]);
    int rc = zcert_save(cert, path);
    zcert_destroy(&cert);
    char secret[4200];
    snprintf(secret, sizeof secret, "%s_secret", path);
    if (rc < 0 || chmod(secret, 0600) < 0) {
        fprintf(stderr, "sg17tb keygen: cannot write %s\n", path);
        return 3;
    }
    printf("CERT=%s\nSECRET=%s\n", path, secret);
    return 0;
}
