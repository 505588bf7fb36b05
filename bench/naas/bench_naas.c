/* bench_naas.c — probe throughput of the reachability truth table on the sim backend: a scenario
 * of T tenants x E endpoints x 3 ports run through the engine (broker, module host, ledger), every
 * cell a probe frame that crosses the vswitches (and the overlay for half of them) to a responder.
 * Baseline, same run: the same cells decided from the tenants' configuration alone
 * (naas_expected), the plain way a config checker answers the question without sending a packet.
 * RESULT lines give cells per second and the ratio. The 50 x 1000 point is the "50 tenants
 * x 20 endpoints" table, which must finish in under a minute.
 * On the linux backend (root only; skipped with the reason otherwise): the same table on 4 x 12
 * against the sim backend on the same size, and the frame rate through a kernel bridge with the
 * module's nftables rules for a 64-port host against the same bridge without rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/engine.h"
#include "engine/loader.h"
#include "linux/lx.h"
#include "linux/sys.h"
#include "scenario/scenario.h"
#include "sim/naas_sim.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs the probe scenario once (its three runs); returns the cells of one run and sets *secs to
 * the wall time of the protected run, or returns 0. */
static double sim_cells(unsigned tenants, unsigned endpoints, const char *backend, double *secs)
{
    char yaml[2048];
    int n = snprintf(yaml, sizeof yaml,
                     "id: naas/bench\ntitle: bench\nmodule: naas\n"
                     "requirements: [X1604-R-CON-ISOLATION]\nseed: 1\nduration: 8s\n"
                     "timeout: 300s\n"
                     "topology: {tenant: %u, endpoint: %u, vswitch: 2, vtep: 2, sf: 0}\n"
                     "config: {probe_at: 5s, backend: %s}\nmitigations: [tenant_isolation]\n"
                     "adversary: {capabilities: [observe]}\n"
                     "actions:\n  - at: 1s\n    observe: {match: {type: naas.anchor}, count: 1}\n"
                     "success:\n  - truth.incorrect > 0\n",
                     tenants, endpoints, backend);
    sg17_registry_t reg = sg17_loader_registry();
    sg17_scenario_t *list = NULL;
    size_t count = 0;
    sg17_err_t err = {{0}};
    if (n <= 0
        || sg17_scenario_parse(yaml, (size_t)n, "bench.yaml", &reg, &list, &count, &err) != 0) {
        fprintf(stderr, "bench_naas: %s\n", err.msg);
        return 0;
    }
    json_t *e = sg17_engine_run_scenario(&list[0], NULL);
    sg17_scenarios_free(list, count);
    json_t *run = json_object_get(json_object_get(e, "runs"), "protected");
    double cells =
        json_number_value(json_object_get(json_object_get(run, "metrics"), "truth.cells"));
    *secs = json_number_value(json_object_get(run, "wall_ms")) / 1000.0;
    if (!run || cells <= 0)
        fprintf(stderr, "bench_naas: the run failed: %s\n",
                json_string_value(json_object_get(e, "error")));
    json_decref(e);
    return run ? cells : 0;
}

/* The same cells from the configuration: the tenants' intent, evaluated in a loop. */
static double config_cells_per_s(unsigned tenants, unsigned endpoints)
{
    naas_t n;
    memset(&n, 0, sizeof n);
    n.n_tenants = tenants;
    n.n_endpoints = endpoints;
    n.n_table_ports = 3;
    n.table_ports[0] = 22, n.table_ports[1] = 80, n.table_ports[2] = 5432;
    n.n_open_ports = 2;
    n.open_ports[0] = 22, n.open_ports[1] = 80;
    n.peer_d = n.peer_s = n.peer_p = -1;
    n.cfg.db_endpoint = n.cfg.chain_endpoint = -1;
    n.endpoints = calloc(endpoints, sizeof *n.endpoints);
    if (!n.endpoints)
        return 0;
    for (unsigned i = 0; i < endpoints; i++)
        n.endpoints[i].tenant = (unsigned)((uint64_t)i * tenants / endpoints);
    double t0 = now(), cells = 0;
    volatile unsigned reach = 0;
    do {
        for (unsigned t = 0; t < tenants; t++)
            for (unsigned d = 0; d < endpoints; d++)
                for (unsigned p = 0; p < 3; p++)
                    reach += naas_expected(&n, t, 0, d, n.table_ports[p]);
        cells += (double)tenants * endpoints * 3;
    } while (now() - t0 < 0.5);
    double rate = cells / (now() - t0);
    free(n.endpoints);
    return rate;
}

/* ---- linux backend ---- */

/* The linux backend's table on a small topology; baseline: the sim backend, same size, same run. */
static int linux_cells(void)
{
    double ls = 0, ss = 0;
    double lc = sim_cells(4, 12, "linux", &ls), sc = sim_cells(4, 12, "sim", &ss);
    if (lc <= 0 || ls <= 0 || sc <= 0 || ss <= 0)
        return 1;
    printf("RESULT name=naas.linux.truth_table.4x12 value=%.4g unit=cells/s baseline=%.4g "
           "ratio=%.4g\n",
           lc / ls, sc / ss, (lc / ls) / (sc / ss));
    return 0;
}

#define NS_MAX 40

/* Frames per second from one endpoint namespace to another through a bridge in a host
 * namespace: blasts for 0.5 s, counting what the receiver's packet socket got. */
static double bridge_pps(int tx, int rx, const uint8_t *f, size_t len)
{
    uint8_t buf[2048];
    double t0 = now(), got = 0;
    while (now() - t0 < 0.5) {
        for (int k = 0; k < 64; k++)
            (void)send(tx, f, len, 0);
        while (recv(rx, buf, sizeof buf, MSG_DONTWAIT) > 0)
            got++;
    }
    usleep(2000);
    while (recv(rx, buf, sizeof buf, MSG_DONTWAIT) > 0)
        got++;
    return got / (now() - t0);
}

/* nftables rules as a host of 64 ports carries them (the module's guards and groups): the two
 * live ports' own, and 62 other ports' that the frames must be checked past. */
static void ruleset(char *out, size_t cap, const char *P)
{
    size_t k = (size_t)snprintf(
        out, cap,
        "add table bridge naas\nadd counter bridge naas spoof_mac\nadd counter bridge naas "
        "spoof_ip\nadd counter bridge naas security_group\n"
        "add chain bridge naas pre { type filter hook prerouting priority 0; policy accept; }\n"
        "add chain bridge naas toport { type filter hook forward priority 0; policy accept; }\n");
    for (int i = 0; i < 64 && k < cap; i++) {
        char in[24], o[24];
        if (i == 0)
            snprintf(in, sizeof in, "%spa", P), snprintf(o, sizeof o, "%spb", P);
        else
            snprintf(in, sizeof in, "%sx%d", P, i), snprintf(o, sizeof o, "%sy%d", P, i);
        k += (size_t)snprintf(
            out + k, cap - k,
            "add rule bridge naas pre iifname \"%s\" ether saddr != 02:4e:41:00:00:%02x counter "
            "name \"spoof_mac\" drop\n"
            "add rule bridge naas pre iifname \"%s\" ether type ip ip saddr != 10.0.0.%d counter "
            "name \"spoof_ip\" drop\n"
            "add rule bridge naas toport oifname \"%s\" ether type ip udp dport 22 accept\n"
            "add rule bridge naas toport oifname \"%s\" ether type ip udp dport 80 accept\n"
            "add rule bridge naas toport oifname \"%s\" ether type ip counter name "
            "\"security_group\" drop\n",
            in, i, in, 10 + i, o, o, o);
    }
}

static int linux_bridge(void)
{
    char rid[9], P[10], ns_h[32], ns_a[32], ns_b[32], out[4096];
    snprintf(rid, sizeof rid, "%08x", (unsigned)(getpid() * 2654435761u));
    snprintf(P, sizeof P, "n%s", rid);
    snprintf(ns_h, sizeof ns_h, "%sh0", P), snprintf(ns_a, sizeof ns_a, "%se0", P);
    snprintf(ns_b, sizeof ns_b, "%se1", P);
    int keep = -1;
    pid_t guard = lx_guardian(rid, &keep);
    char script[2048];
    snprintf(script, sizeof script, "netns add %s\nnetns add %s\nnetns add %s\n", ns_h, ns_a, ns_b);
    char *ip[] = {"ip", "-batch", "-", NULL}, *nft[] = {"nft", "-f", "-", NULL};
    int bad = guard < 0 || lx_run(NULL, ip, script, out, sizeof out) != 0;
    snprintf(script, sizeof script,
             "link add %sbr type bridge\nlink set %sbr up\n"
             "link add %spa type veth peer name %sea address 02:4e:41:00:00:00 netns %s\n"
             "link add %spb type veth peer name %seb address 02:4e:41:00:00:01 netns %s\n"
             "link set %spa master %sbr up\nlink set %spb master %sbr up\n",
             P, P, P, P, ns_a, P, P, ns_b, P, P, P, P);
    bad = bad || lx_run(ns_h, ip, script, out, sizeof out) != 0;
    char ea[24], eb[24];
    snprintf(ea, sizeof ea, "%sea", P), snprintf(eb, sizeof eb, "%seb", P);
    int tx = bad ? -1 : lx_packet_socket(ns_a, ea, true);
    int rx = bad ? -1 : lx_packet_socket(ns_b, eb, true);
    static const uint8_t src[6] = {2, 0x4e, 0x41, 0, 0, 0}, dst[6] = {2, 0x4e, 0x41, 0, 0, 1};
    naasp_udp_t u = {.src = 0x0a00000a,
                     .dst = 0x0a00000b,
                     .sport = 40000,
                     .dport = 22,
                     .data = (const uint8_t *)"probe",
                     .data_len = 5};
    uint8_t f[128];
    size_t len = naasp_udp_build(f, sizeof f, dst, src, &u);
    double plain = 0, ruled = 0;
    if (tx >= 0 && rx >= 0 && len) {
        (void)bridge_pps(tx, rx, f, len); /* warm-up */
        plain = bridge_pps(tx, rx, f, len);
        static char rules[64 * 1024];
        ruleset(rules, sizeof rules, P);
        if (lx_run(ns_h, nft, rules, out, sizeof out) == 0)
            ruled = bridge_pps(tx, rx, f, len);
        else
            fprintf(stderr, "bench_naas: nft: %s\n", out);
    }
    if (tx >= 0)
        close(tx);
    if (rx >= 0)
        close(rx);
    naas_lx_sweep(rid);
    if (keep >= 0)
        close(keep);
    if (guard > 0)
        waitpid(guard, NULL, 0);
    if (plain <= 0 || ruled <= 0) {
        fprintf(stderr, "bench_naas: the bridge measurement failed\n");
        return 1;
    }
    printf("RESULT name=naas.linux.bridge_pps.nft_64_ports value=%.4g unit=frames/s "
           "baseline=%.4g ratio=%.4g\n",
           ruled, plain, ruled / plain);
    return 0;
}

int main(void)
{
    /* the linux backend first: it forks per namespace, and a fork of a process that has just run
     * the 50 x 1000 table copies its page tables */
    char why[160];
    if (naas_lx_available(why, sizeof why) != 0)
        printf("# naas.linux.*: skipped: %s\n", why);
    else if (linux_cells() || linux_bridge())
        return 1;
    static const unsigned sizes[][2] = {{4, 40}, {50, 1000}};
    for (size_t i = 0; i < 2; i++) {
        unsigned t = sizes[i][0], e = sizes[i][1];
        double secs = 0, t0 = now();
        double cells = sim_cells(t, e, "sim", &secs);
        double total = now() - t0;
        if (cells <= 0 || secs <= 0)
            return 1;
        double base = config_cells_per_s(t, e), rate = cells / secs;
        printf("RESULT name=naas.sim.truth_table.%ux%u value=%.4g unit=cells/s baseline=%.4g "
               "ratio=%.4g\n",
               t, e, rate, base, rate / base);
        printf("RESULT name=naas.sim.truth_table.%ux%u.scenario_wall value=%.3g unit=s "
               "baseline=60 ratio=%.3g\n",
               t, e, total, total / 60.0);
    }
    return 0;
}
