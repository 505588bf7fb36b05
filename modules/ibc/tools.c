/* tools.c — `sg17tb ibc <tool>`: ECCSI (RFC 6507) and SAKKE (RFC 6508) operations on hex
 * arguments, printing NAME=HEX lines, for known-answer checks and interoperability tests. */
#include "tools.h"

#include <stdio.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "crypto/eccsi.h"
#include "crypto/ibc_error.h"
#include "crypto/sakke.h"

#define TOOL_MAX_OPTS 6

/* One parsed option: its name without "--", whether it is required, and its decoded value. */
typedef struct {
    const char *name;
    int required;
    uint8_t *val;
    size_t len;
} tool_opt_t;

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Strict hex decoding (even length, no separators); an empty string is a 0-octet value. */
static uint8_t *hex_decode(const char *s, size_t *len)
{
    size_t n = strlen(s);
    if (n % 2)
        return NULL;
    uint8_t *out = OPENSSL_malloc(n / 2 + 1);
    for (size_t i = 0; out && i < n / 2; i++) {
        int hi = hex_nibble(s[2 * i]), lo = hex_nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            OPENSSL_clear_free(out, n / 2 + 1);
            return NULL;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return out;
}

static void print_hex(const char *name, const uint8_t *b, size_t n)
{
    printf("%s=", name);
    for (size_t i = 0; i < n; i++)
        printf("%02X", b[i]);
    printf("\n");
}

static void tool_opts_free(tool_opt_t *opts)
{
    for (size_t i = 0; opts[i].name; i++) {
        if (opts[i].val)
            OPENSSL_clear_free(opts[i].val, opts[i].len + 1);
        opts[i].val = NULL;
    }
}

/* Parses "--name HEX" pairs into opts (terminated by a NULL name). 0, or -1 after a message. */
static int tool_parse(int argc, char **argv, tool_opt_t *opts)
{
    for (int i = 1; i < argc; i += 2) {
        tool_opt_t *o = NULL;
        if (strncmp(argv[i], "--", 2) == 0)
            for (size_t k = 0; opts[k].name; k++)
                if (strcmp(argv[i] + 2, opts[k].name) == 0)
                    o = &opts[k];
        if (!o) {
            fprintf(stderr, "%s: unknown option '%s'\n", argv[0], argv[i]);
            return -1;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "%s: %s needs a hex value\n", argv[0], argv[i]);
            return -1;
        }
        if (o->val) {
            fprintf(stderr, "%s: %s given twice\n", argv[0], argv[i]);
            return -1;
        }
        if (!(o->val = hex_decode(argv[i + 1], &o->len))) {
            fprintf(stderr, "%s: %s: '%s' is not an even-length hex string\n", argv[0], argv[i],
                    argv[i + 1]);
            return -1;
        }
    }
    for (size_t k = 0; opts[k].name; k++)
        if (opts[k].required && !opts[k].val) {
            fprintf(stderr, "%s: --%s is required\n", argv[0], opts[k].name);
            return -1;
        }
    return 0;
}

/* Checks that an option has exactly n octets. */
static int tool_len(const char *tool, const tool_opt_t *o, size_t n)
{
    if (o->val && o->len != n) {
        fprintf(stderr, "%s: --%s must be %zu octets, got %zu\n", tool, o->name, n, o->len);
        return -1;
    }
    return 0;
}

static int tool_fail(const char *tool, int code)
{
    fprintf(stderr, "%s: %s\n", tool, ibc_last_error());
    return code;
}

static int run_eccsi_keys(int argc, char **argv)
{
    tool_opt_t o[] = {
        {"ksak", 1, NULL, 0}, {"v", 1, NULL, 0}, {"id", 1, NULL, 0}, {NULL, 0, NULL, 0}};
    uint8_t kpak[ECCSI_POINT_BYTES], pvt[ECCSI_POINT_BYTES], hs[ECCSI_N], ssk[ECCSI_N];
    int rc = 2;
    if (tool_parse(argc, argv, o) != 0 || tool_len(argv[0], &o[0], ECCSI_N) != 0
        || tool_len(argv[0], &o[1], ECCSI_N) != 0)
        goto done;
    if (eccsi_kms_kpak(o[0].val, kpak) != 0
        || eccsi_kms_issue(o[0].val, o[2].val, o[2].len, o[1].val, ssk, pvt, hs) != 0) {
        rc = tool_fail(argv[0], 2);
        goto done;
    }
    print_hex("KPAK", kpak, sizeof kpak);
    print_hex("PVT", pvt, sizeof pvt);
    print_hex("HS", hs, sizeof hs);
    print_hex("SSK", ssk, sizeof ssk);
    rc = 0;
done:
    OPENSSL_cleanse(ssk, sizeof ssk);
    tool_opts_free(o);
    return rc;
}

static int run_eccsi_sign(int argc, char **argv)
{
    tool_opt_t o[] = {{"kpak", 1, NULL, 0}, {"id", 1, NULL, 0},  {"ssk", 1, NULL, 0},
                      {"pvt", 1, NULL, 0},  {"msg", 1, NULL, 0}, {"j", 0, NULL, 0},
                      {NULL, 0, NULL, 0}};
    uint8_t sig[ECCSI_SIG_BYTES];
    int rc = 2;
    if (tool_parse(argc, argv, o) != 0 || tool_len(argv[0], &o[0], ECCSI_POINT_BYTES) != 0
        || tool_len(argv[0], &o[2], ECCSI_N) != 0
        || tool_len(argv[0], &o[3], ECCSI_POINT_BYTES) != 0
        || tool_len(argv[0], &o[5], ECCSI_N) != 0)
        goto done;
    if (eccsi_sign(o[0].val, o[1].val, o[1].len, o[2].val, o[3].val, o[4].val, o[4].len, o[5].val,
                   sig)
        != 0) {
        rc = tool_fail(argv[0], 2);
        goto done;
    }
    print_hex("SIG", sig, sizeof sig);
    rc = 0;
done:
    tool_opts_free(o);
    return rc;
}

static int run_eccsi_verify(int argc, char **argv)
{
    tool_opt_t o[] = {{"kpak", 1, NULL, 0},
                      {"id", 1, NULL, 0},
                      {"msg", 1, NULL, 0},
                      {"sig", 1, NULL, 0},
                      {NULL, 0, NULL, 0}};
    int rc = 2;
    eccsi_verifier_t *v = NULL;
    if (tool_parse(argc, argv, o) != 0 || tool_len(argv[0], &o[0], ECCSI_POINT_BYTES) != 0)
        goto done;
    if (!(v = eccsi_verifier_new(o[0].val))) {
        rc = tool_fail(argv[0], 2);
        goto done;
    }
    rc = eccsi_verifier_verify(v, o[1].val, o[1].len, o[2].val, o[2].len, o[3].val, o[3].len) == 0
             ? 0
             : 1;
    printf("VALID=%d\n", rc == 0);
    if (rc)
        fprintf(stderr, "%s: %s\n", argv[0], ibc_last_error());
done:
    eccsi_verifier_destroy(&v);
    tool_opts_free(o);
    return rc;
}

static int run_sakke_keys(int argc, char **argv)
{
    tool_opt_t o[] = {{"z", 1, NULL, 0}, {"id", 1, NULL, 0}, {NULL, 0, NULL, 0}};
    uint8_t z[SAKKE_POINT_BYTES], rsk[SAKKE_POINT_BYTES];
    int rc = 2;
    if (tool_parse(argc, argv, o) != 0)
        goto done;
    if (sakke_kms_public_key(o[0].val, o[0].len, z) != 0
        || sakke_kms_rsk(o[0].val, o[0].len, o[1].val, o[1].len, rsk) != 0) {
        rc = tool_fail(argv[0], 2);
        goto done;
    }
    print_hex("Z", z, sizeof z);
    print_hex("RSK", rsk, sizeof rsk);
    rc = 0;
done:
    OPENSSL_cleanse(rsk, sizeof rsk);
    tool_opts_free(o);
    return rc;
}

/* The SED is a function of the SSV (RFC 6508 §6.2.1: r is derived from SSV || b), so there is
 * no separate randomness to fix: --ssv is the known-answer input, and without it a fresh random
 * SSV is drawn and printed. --r-rand is refused rather than silently ignored. */
static int run_sakke_encap(int argc, char **argv)
{
    tool_opt_t o[] = {{"zpub", 1, NULL, 0},
                      {"id", 1, NULL, 0},
                      {"ssv", 0, NULL, 0},
                      {"r-rand", 0, NULL, 0},
                      {NULL, 0, NULL, 0}};
    uint8_t ssv[SAKKE_SSV_BYTES], sed[SAKKE_SED_BYTES];
    int rc = 2;
    if (tool_parse(argc, argv, o) != 0 || tool_len(argv[0], &o[2], SAKKE_SSV_BYTES) != 0)
        goto done;
    if (o[3].val) {
        fprintf(stderr,
                "%s: --r-rand: r is derived from SSV || b (RFC 6508 §6.2.1); fix the "
                "SSV with --ssv instead\n",
                argv[0]);
        goto done;
    }
    if (o[2].val)
        memcpy(ssv, o[2].val, SAKKE_SSV_BYTES);
    else if (RAND_priv_bytes(ssv, sizeof ssv) != 1) {
        fprintf(stderr, "%s: no randomness for the SSV\n", argv[0]);
        goto done;
    }
    if (sakke_encapsulate(o[0].val, o[0].len, o[1].val, o[1].len, ssv, sed) != 0) {
        rc = tool_fail(argv[0], 2);
        goto done;
    }
    if (!o[2].val)
        print_hex("SSV", ssv, sizeof ssv);
    print_hex("SED", sed, sizeof sed);
    rc = 0;
done:
    OPENSSL_cleanse(ssv, sizeof ssv);
    tool_opts_free(o);
    return rc;
}

static int run_sakke_decap(int argc, char **argv)
{
    tool_opt_t o[] = {{"zpub", 1, NULL, 0},
                      {"id", 1, NULL, 0},
                      {"rsk", 1, NULL, 0},
                      {"sed", 1, NULL, 0},
                      {NULL, 0, NULL, 0}};
    uint8_t ssv[SAKKE_SSV_BYTES];
    int rc = 2;
    sakke_receiver_t *r = NULL;
    if (tool_parse(argc, argv, o) != 0)
        goto done;
    if (!(r = sakke_receiver_new(o[0].val, o[0].len, o[1].val, o[1].len, o[2].val, o[2].len))) {
        rc = tool_fail(argv[0], 2);
        goto done;
    }
    if (sakke_receiver_decapsulate(r, o[3].val, o[3].len, ssv) != 0) {
        rc = tool_fail(argv[0], 1);
        goto done;
    }
    print_hex("SSV", ssv, sizeof ssv);
    rc = 0;
done:
    OPENSSL_cleanse(ssv, sizeof ssv);
    sakke_receiver_destroy(&r);
    tool_opts_free(o);
    return rc;
}

const sg17_tool_t ibc_tools[] = {
    {"eccsi-keys", "--ksak HEX --v HEX --id HEX  -> KPAK= PVT= HS= SSK=", run_eccsi_keys},
    {"eccsi-sign",
     "--kpak HEX --id HEX --ssk HEX --pvt HEX --msg HEX [--j HEX]  -> SIG=", run_eccsi_sign},
    {"eccsi-verify",
     "--kpak HEX --id HEX --msg HEX --sig HEX  -> VALID=1 (exit 0) / VALID=0 (exit 1)",
     run_eccsi_verify},
    {"sakke-keys", "--z HEX --id HEX  -> Z= RSK=", run_sakke_keys},
    {"sakke-encap", "--zpub HEX --id HEX [--ssv HEX]  -> [SSV=] SED= (r is derived from the SSV)",
     run_sakke_encap},
    {"sakke-decap", "--zpub HEX --id HEX --rsk HEX --sed HEX  -> SSV= (exit 1 if the check fails)",
     run_sakke_decap},
    {NULL, NULL, NULL},
};
