/* bench_metering.c — (1) head-end throughput for protected meter readings: general-glo-ciphering
 * decode + suite-0 unprotect with the meter's keyed cipher (policy 0x30, invocation-counter
 * check) + data-notification decode, against raw EVP AES-GCM-128 decrypt+verify of the same
 * frames with one context keyed once, measured in the same run; (2) the price of security at fleet
 * scale: wall time of one virtual day of 10 000 meters (15-min readings, HES, MDM, operator, third
 * party) with every mitigation of the module's descriptor on, against the same day with all of them
 * off (clear pushes, no checks), both runs of one scenario. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <sg17tb/module.h>

#include "bench_scenario.h"

#include "dlms/apdu.h"
#include "dlms/security.h"

extern const sg17_module_t sg17_module; /* the metering descriptor (sg17mod_metering) */

#define FRAMES      4096
#define FRAME_CAP   96
#define RUN_SECONDS 3.0

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const dlms_keys_t keys = {
    .ek = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
           0x0F},
    .ak = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE,
           0xDF},
};
static const uint8_t systitle[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};

static uint8_t frames[FRAMES][FRAME_CAP];
static size_t frame_len[FRAMES];
static uint8_t secured[FRAMES][FRAME_CAP]; /* the bare SC || IC || ct || tag, for the baseline */
static size_t plain_len;

/* One meter's readings, 15 minutes apart, each protected with the next invocation counter. */
static int make_frames(void)
{
    for (size_t i = 0; i < FRAMES; i++) {
        dlms_data_notification_t x = {.long_invoke_id = (uint32_t)i,
                                      .has_time = true,
                                      .reading = {.value = (uint32_t)(1000 + 7 * i)}};
        memcpy(x.reading.obis, DLMS_OBIS_ACTIVE_ENERGY_IMPORT, 6);
        dlms_datetime_from_unix(1700000000 + 900 * (int64_t)i, &x.time);
        uint8_t apdu[64];
        size_t n, sn;
        if (dlms_data_notification_encode(&x, apdu, sizeof apdu, &n)
            || dlms_protect(&keys, systitle, (uint32_t)i + 1, DLMS_SC_AUTH_ENC, apdu, n, secured[i],
                            FRAME_CAP, &sn)
            || dlms_general_glo_encode(systitle, secured[i], sn, frames[i], FRAME_CAP,
                                       &frame_len[i]))
            return -1;
        plain_len = n;
    }
    return 0;
}

/* The head-end path (sim/hes.c): the meter's cipher keyed once, then per frame the framing
 * decode, the checks and AES-GCM, the reading decode; returns readings accepted per second. */
static double bench_hes(void)
{
    size_t ops = 0;
    uint64_t sum = 0;
    double t0 = now_s(), t;
    int64_t last = DLMS_IC_NONE;
    dlms_cipher_t *cipher = dlms_cipher_new(&keys);
    if (!cipher) {
        fprintf(stderr, "bench_metering: cannot key the cipher\n");
        exit(1);
    }
    do {
        for (size_t i = 0; i < FRAMES; i++) {
            const uint8_t *st, *sec;
            size_t sl, pl;
            uint8_t plain[FRAME_CAP];
            uint32_t ic;
            dlms_data_notification_t dn;
            if (dlms_general_glo_decode(frames[i], frame_len[i], &st, &sec, &sl)
                || dlms_cipher_unprotect(cipher, st, DLMS_SC_AUTH_ENC, sec, sl, last, plain,
                                         sizeof plain, &pl, &ic)
                       != DLMS_SEC_OK
                || dlms_data_notification_decode(plain, pl, &dn)) {
                fprintf(stderr, "bench_metering: frame %zu rejected\n", i);
                exit(1);
            }
            last = ic;
            sum += dn.reading.value;
        }
        last = DLMS_IC_NONE; /* the next pass replays the same counters: a fresh meter state */
        ops += FRAMES;
        t = now_s();
    } while (t - t0 < RUN_SECONDS);
    dlms_cipher_free(&cipher);
    if (sum == 0)
        fprintf(stderr, "unexpected\n");
    return (double)ops / (t - t0);
}

/* Baseline: the fastest plain way to decrypt and verify the same frames with OpenSSL — one
 * EVP_CIPHER_CTX keyed once with EK before the loop; per frame only the IV (system title || IC)
 * is set, then AAD (SC || AK), ciphertext and tag as the HES path does. */
static double bench_raw_gcm(void)
{
    size_t ops = 0;
    double t0, t;
    uint8_t aad[17] = {DLMS_SC_AUTH_ENC};
    memcpy(aad + 1, keys.ak, 16);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx || EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, keys.ek, NULL) != 1) {
        fprintf(stderr, "bench_metering: baseline context failed\n");
        exit(1);
    }
    t0 = now_s();
    do {
        for (size_t i = 0; i < FRAMES; i++) {
            uint8_t iv[12], plain[FRAME_CAP], tag[12];
            memcpy(iv, systitle, 8);
            memcpy(iv + 8, secured[i] + 1, 4);
            memcpy(tag, secured[i] + 5 + plain_len, 12);
            int n;
            int ok = EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, iv) == 1
                     && EVP_DecryptUpdate(ctx, NULL, &n, aad, sizeof aad) == 1
                     && EVP_DecryptUpdate(ctx, plain, &n, secured[i] + 5, (int)plain_len) == 1
                     && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 12, tag) == 1
                     && EVP_DecryptFinal_ex(ctx, plain + n, &n) == 1;
            if (!ok) {
                fprintf(stderr, "bench_metering: baseline frame %zu failed\n", i);
                exit(1);
            }
        }
        ops += FRAMES;
        t = now_s();
    } while (t - t0 < RUN_SECONDS);
    EVP_CIPHER_CTX_free(ctx);
    return (double)ops / (t - t0);
}

/* Every mitigation of the module's descriptor as a YAML flow list "[a, b, ...]", so the day run
 * puts each one under test, including any added later. */
static int all_mitigations(char *out, size_t cap)
{
    size_t len = 0;
    for (const sg17_mitigation_t *m = sg17_module.mitigations; m && m->name; m++) {
        int n = snprintf(out + len, cap - len, "%s%s", len ? ", " : "[", m->name);
        if (n < 0 || (size_t)n >= cap - len)
            return -1;
        len += (size_t)n;
    }
    int n = snprintf(out + len, cap - len, "%s]", len ? "" : "[");
    return n < 0 || (size_t)n >= cap - len ? -1 : 0;
}

/* One virtual day of the fleet; SG17_BENCH_METERS overrides the size on slow machines. */
static int bench_day(void)
{
    const char *env = getenv("SG17_BENCH_METERS");
    long meters = env ? strtol(env, NULL, 10) : 10000;
    char yaml[4096], mits[2048];
    if (all_mitigations(mits, sizeof mits)) {
        fprintf(stderr, "bench_metering: the mitigation list does not fit\n");
        return -1;
    }
    int yl =
        snprintf(yaml, sizeof yaml,
                 "id: metering/bench-day\ntitle: one day of a fleet\nmodule: metering\n"
                 "requirements: [X1332-R-CONF-01]\nseed: 1\nduration: 1d\ntimeout: 600s\n"
                 "topology: {meter: %ld, hes: 1, mdm: 1, operator: 1, thirdparty: 1}\n"
                 "config: {plain_push_when_off: true, hes_capacity: 1e9, hes_source_rate: 1e9}\n"
                 "mitigations: %s\n"
                 "adversary: {capabilities: [observe]}\nactions: [{at: 0, observe: {}}]\n"
                 "success: [ledger.accepted.injected > 0]\n",
                 meters, mits);
    if (yl < 0 || (size_t)yl >= sizeof yaml) {
        fprintf(stderr, "bench_metering: the scenario text does not fit\n");
        return -1;
    }
    json_t *e = bench_run_yaml("bench_metering", yaml);
    if (!e)
        return -1;
    double ms[2] = {0, 0}, readings[2] = {0, 0};
    for (int p = 0; p < 2; p++) {
        const char *run = p ? "protected" : "baseline";
        ms[p] = bench_run_value(e, run, NULL);
        readings[p] = bench_run_value(e, run, "hes.readings_accepted");
    }
    int rc = 0;
    if (readings[1] < 0.99 * (double)meters * 95) {
        fprintf(stderr, "bench_metering: day run accepted %.0f readings\n", readings[1]);
        rc = -1;
    } else {
        printf("RESULT name=metering.day_10k_meters value=%.2f unit=s baseline=%.2f ratio=%.3f\n",
               ms[1] / 1000, ms[0] / 1000, ms[0] > 0 ? ms[1] / ms[0] : 0);
        printf(
            "# %ld meters, 1 virtual day, %.0f readings accepted (protected) / %.0f (baseline)\n",
            meters, readings[1], readings[0]);
    }
    json_decref(e);
    return rc;
}

int main(void)
{
    zsys_handler_set(NULL);
    if (make_frames()) {
        fprintf(stderr, "bench_metering: cannot build frames\n");
        return 1;
    }
    double baseline = bench_raw_gcm();
    double value = bench_hes();
    printf("RESULT name=metering.hes_unprotect value=%.0f unit=ops/s baseline=%.0f ratio=%.3f\n",
           value, baseline, value / baseline);
    printf("# %zu-octet data-notification, %zu-octet general-glo-ciphering frame, SC 0x30\n",
           plain_len, frame_len[0]);
    return bench_day() ? 1 : 0;
}
