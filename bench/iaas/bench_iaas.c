/* bench_iaas.c — iaas speed with baselines measured in the same run:
 * - volume I/O: a volume written and read through the module's block layer (per-volume key
 *   unwrapped, AES-256-XTS per sector, the extents of the storage node's scratch file) against
 *   raw AES-256-XTS through one EVP context keyed once, on the same buffers in memory;
 * - API requests/s: users calling the management API through the bus, with IAM evaluation
 *   against the same run with api_authorize off (every authenticated call allowed);
 * - scale: one virtual hour of 1 000 VMs of 100 tenants on 50 compute nodes, every mitigation on
 *   (protected) against every mitigation off (baseline).
 * The scenario runs use a 50 ms network latency: it is the bus's lookahead, so the number of
 * batches the broker and the host exchange, which dominates the wall time of a run.
 */
#include <czmq.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "bench_scenario.h"
#include "mock_ctx.h"
#include "scenario/scenario.h"
#include "sim/iaas_sim.h"

extern const sg17_module_t sg17_module;

#define BENCH_SECONDS 1.0
#define IO_BYTES      (64 * 1024) /* one request: 16 extents of 4 KiB */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint8_t buf[IO_BYTES];

/* MB/s of write + read of one 64 KiB volume region through the block layer. */
static double bench_volume(void)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_mitigation(m, "volume_encryption", true);
    sg17_mock_config(m, "extents_per_node", "64");
    if (sg17_mock_create(m) != 0)
        return 0;
    iaas_t *s = sg17_mock_instance(m);
    int vol = iaas_volume_create(s, sg17_mock_ctx(m), 1, 16);
    double t0 = now(), el;
    long n = 0;
    int ok = vol >= 0;
    do {
        ok &= iaas_volume_write(s, (uint32_t)vol, 0, buf, sizeof buf) == 0;
        ok &= iaas_volume_read(s, (uint32_t)vol, 0, buf, sizeof buf) == 0;
        n++;
    } while ((el = now() - t0) < BENCH_SECONDS);
    sg17_mock_free(m);
    return ok ? 2.0 * (double)n * IO_BYTES / el / 1e6 : 0;
}

/* MB/s of encrypting then decrypting the same 64 KiB, sector by sector, with one context keyed
 * once per direction: the fastest plain way to do the same cryptographic work. */
static double bench_raw_xts(void)
{
    uint8_t key[64];
    for (int i = 0; i < 64; i++)
        key[i] = (uint8_t)(i * 13 + 1);
    EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new(), *d = EVP_CIPHER_CTX_new();
    int ok = e && d && EVP_EncryptInit_ex(e, EVP_aes_256_xts(), NULL, key, NULL) == 1
             && EVP_DecryptInit_ex(d, EVP_aes_256_xts(), NULL, key, NULL) == 1;
    double t0 = now(), el;
    long n = 0;
    do {
        for (int dir = 0; dir < 2 && ok; dir++)
            for (size_t off = 0; off < sizeof buf; off += 512) {
                uint8_t tweak[16] = {0};
                tweak[0] = (uint8_t)(off / 512);
                int len = 0;
                ok &= EVP_CipherInit_ex(dir ? d : e, NULL, NULL, NULL, tweak, -1) == 1
                      && EVP_CipherUpdate(dir ? d : e, buf + off, &len, buf + off, 512) == 1;
            }
        n++;
    } while ((el = now() - t0) < BENCH_SECONDS);
    EVP_CIPHER_CTX_free(e);
    EVP_CIPHER_CTX_free(d);
    return ok ? 2.0 * (double)n * IO_BYTES / el / 1e6 : 0;
}

/* API calls served per second of wall time (the baseline run of the scenario). */
static double bench_api(bool authorize)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "id: iaas/bench-api\ntitle: API load\nmodule: iaas\nrequirements: [IAAS-R-MGT-IAM]\n"
             "seed: 1\nduration: 20s\ntimeout: 600s\n"
             "topology: {user: 200, vm: 4, compute: 1, metadata: 1}\n"
             "config: {tenants: 100, api_interval: 100ms, tick: 60s, api_authorize: %s}\n"
             "network: {latency: 50ms}\nmitigations: []\nadversary: {capabilities: [observe]}\n"
             "actions: [{at: 0, observe: {}}]\nsuccess: [leak.canary_reads > 0]\n",
             authorize ? "true" : "false");
    json_t *e = bench_run_yaml("bench_iaas", yaml);
    if (!e)
        return 0;
    double served = bench_run_value(e, "baseline", "api.served"),
           ms = bench_run_value(e, "baseline", NULL);
    json_decref(e);
    return ms > 0 ? served / (ms / 1000) : 0;
}

static int all_mitigations(char *out, size_t cap)
{
    size_t len = 0;
    for (const sg17_mitigation_t *m = sg17_module.mitigations; m && m->name; m++) {
        int n = snprintf(out + len, cap - len, "%s%s", len ? ", " : "[", m->name);
        if (n < 0 || (size_t)n >= cap - len)
            return -1;
        len += (size_t)n;
    }
    int n = snprintf(out + len, cap - len, "]");
    return n < 0 || (size_t)n >= cap - len ? -1 : 0;
}

static int bench_hour(void)
{
    const char *env = getenv("SG17_BENCH_VMS");
    long vms = env ? strtol(env, NULL, 10) : 1000;
    char yaml[4096], mits[1024];
    if (all_mitigations(mits, sizeof mits) != 0)
        return -1;
    snprintf(yaml, sizeof yaml,
             "id: iaas/bench-hour\ntitle: one hour of a region\nmodule: iaas\n"
             "requirements: [IAAS-R-CMP-ISOLATION]\nseed: 1\nduration: 1h\ntimeout: 1200s\n"
             "topology: {vm: %ld, user: 400, compute: 50, metadata: 50, block: 4}\n"
             "config: {tenants: 100, api_interval: 1min, imds_interval: 5min, tick: 1s}\n"
             "network: {latency: 50ms}\nmitigations: %s\nadversary: {capabilities: [observe]}\n"
             "actions: [{at: 0, observe: {}}]\nsuccess: [leak.canary_reads > 0]\n",
             vms, mits);
    json_t *e = bench_run_yaml("bench_iaas", yaml);
    if (!e)
        return -1;
    double base = bench_run_value(e, "baseline", NULL) / 1000,
           prot = bench_run_value(e, "protected", NULL) / 1000;
    printf("RESULT name=iaas.hour_%ld_vms value=%.2f unit=s baseline=%.2f ratio=%.3f\n", vms, prot,
           base, base > 0 ? prot / base : 0);
    printf("# %ld VMs, 100 tenants, 50 nodes, 1 virtual hour: %.0f events, %.0f API calls served "
           "(protected: every mitigation on; baseline: every mitigation off)\n",
           vms, bench_run_value(e, "protected", "sim.events"),
           bench_run_value(e, "protected", "api.served"));
    json_decref(e);
    return 0;
}

int main(void)
{
    zsys_handler_set(NULL);
    memset(buf, 0xa5, sizeof buf);
    double raw = bench_raw_xts(), vol = bench_volume();
    printf("RESULT name=iaas.volume_io value=%.1f unit=MB/s baseline=%.1f ratio=%.3f\n", vol, raw,
           raw > 0 ? vol / raw : 0);
    printf("# 64 KiB write+read through the block layer (key unwrap, XTS per sector, pread/pwrite "
           "on the scratch file) vs raw AES-256-XTS, one EVP context keyed once, in memory\n");
    double without = bench_api(false), with = bench_api(true);
    printf("RESULT name=iaas.api_requests value=%.0f unit=req/s baseline=%.0f ratio=%.3f\n", with,
           without, without > 0 ? with / without : 0);
    printf("# 200 users calling every 100 ms for 20 virtual seconds through the bus; baseline: "
           "api_authorize off\n");
    return bench_hour() == 0 && vol > 0 && with > 0 ? 0 : 1;
}
