/* tools.c — `sg17tb ibc <tool>`: ECCSI (RFC 6507) and SAKKE (RFC 6508) operations on hex
 * arguments, printing NAME=HEX lines, for known-answer checks and interoperability tests. Option
 * parsing, hex decoding and output follow sg17tb/tool.h. */
#include "tools.h"

#include <stdio.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sg17tb/tool.h>

#include "crypto/eccsi.h"
#include "crypto/ibccrypto.h"
#include "crypto/sakke.h"

#define TOOL_MAX_ID  SAKKE_MAX_ID /* octets of an identity */
#define TOOL_MAX_MSG 16384        /* octets of a message to sign or verify */

/* A message to sign or verify: RFC 6507 signs any octet string, the empty one included, so an
 * empty value is 0 octets here (sg17_tool_hex refuses empty values). */
static int message_arg(const char *tool, const char *hex, uint8_t *buf, size_t *len, FILE *err)
{
    if (hex && !*hex) {
        *len = 0;
        return 0;
    }
    return sg17_tool_hex(tool, "msg", hex, buf, TOOL_MAX_MSG, len, err);
}

/* A crypto-layer refusal: the reason on err, the given exit code. */
static int crypto_refused(const char *tool, FILE *err, int code)
{
    fprintf(err, "%s: %s\n", tool, ibccrypto_last_error());
    return code;
}

static int run_eccsi_keys(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    sg17_tool_opt_t o[] = {
        {"ksak", true, NULL}, {"v", true, NULL}, {"id", true, NULL}, {NULL, false, NULL}};
    uint8_t ksak[ECCSI_N], v[ECCSI_N], id[TOOL_MAX_ID];
    uint8_t kpak[ECCSI_POINT_BYTES], pvt[ECCSI_POINT_BYTES], hs[ECCSI_N], ssk[ECCSI_N];
    size_t id_len;
    int rc = SG17_TOOL_USAGE;
    if (sg17_tool_parse(tool, argc, argv, o, err) != 0
        || sg17_tool_hex_exact(tool, "ksak", sg17_tool_opt(o, "ksak"), ksak, ECCSI_N, err) != 0
        || sg17_tool_hex_exact(tool, "v", sg17_tool_opt(o, "v"), v, ECCSI_N, err) != 0
        || sg17_tool_hex(tool, "id", sg17_tool_opt(o, "id"), id, sizeof id, &id_len, err) != 0)
        goto done;
    if (eccsi_kms_kpak(ksak, kpak) != 0
        || eccsi_kms_issue(ksak, id, id_len, v, ssk, pvt, hs) != 0) {
        rc = crypto_refused(tool, err, SG17_TOOL_USAGE);
        goto done;
    }
    sg17_tool_print_hex(out, "KPAK", kpak, sizeof kpak);
    sg17_tool_print_hex(out, "PVT", pvt, sizeof pvt);
    sg17_tool_print_hex(out, "HS", hs, sizeof hs);
    sg17_tool_print_hex(out, "SSK", ssk, sizeof ssk);
    rc = SG17_TOOL_OK;
done:
    OPENSSL_cleanse(ksak, sizeof ksak);
    OPENSSL_cleanse(v, sizeof v);
    OPENSSL_cleanse(ssk, sizeof ssk);
    return rc;
}

static int run_eccsi_sign(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    sg17_tool_opt_t o[] = {{"kpak", true, NULL}, {"id", true, NULL},  {"ssk", true, NULL},
                           {"pvt", true, NULL},  {"msg", true, NULL}, {"j", false, NULL},
                           {NULL, false, NULL}};
    uint8_t kpak[ECCSI_POINT_BYTES], id[TOOL_MAX_ID], ssk[ECCSI_N], pvt[ECCSI_POINT_BYTES];
    uint8_t msg[TOOL_MAX_MSG], j[ECCSI_N], sig[ECCSI_SIG_BYTES];
    size_t id_len, msg_len;
    const char *j_hex = NULL;
    int rc = SG17_TOOL_USAGE;
    if (sg17_tool_parse(tool, argc, argv, o, err) != 0
        || sg17_tool_hex_exact(tool, "kpak", sg17_tool_opt(o, "kpak"), kpak, sizeof kpak, err)
        || sg17_tool_hex(tool, "id", sg17_tool_opt(o, "id"), id, sizeof id, &id_len, err)
        || sg17_tool_hex_exact(tool, "ssk", sg17_tool_opt(o, "ssk"), ssk, sizeof ssk, err)
        || sg17_tool_hex_exact(tool, "pvt", sg17_tool_opt(o, "pvt"), pvt, sizeof pvt, err)
        || message_arg(tool, sg17_tool_opt(o, "msg"), msg, &msg_len, err)
        || ((j_hex = sg17_tool_opt(o, "j"))
            && sg17_tool_hex_exact(tool, "j", j_hex, j, sizeof j, err)))
        goto done;
    if (eccsi_sign(kpak, id, id_len, ssk, pvt, msg, msg_len, j_hex ? j : NULL, sig) != 0) {
        rc = crypto_refused(tool, err, SG17_TOOL_USAGE);
        goto done;
    }
    sg17_tool_print_hex(out, "SIG", sig, sizeof sig);
    rc = SG17_TOOL_OK;
done:
    OPENSSL_cleanse(ssk, sizeof ssk);
    OPENSSL_cleanse(j, sizeof j);
    return rc;
}

static int run_eccsi_verify(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    sg17_tool_opt_t o[] = {{"kpak", true, NULL},
                           {"id", true, NULL},
                           {"msg", true, NULL},
                           {"sig", true, NULL},
                           {NULL, false, NULL}};
    uint8_t kpak[ECCSI_POINT_BYTES], id[TOOL_MAX_ID], msg[TOOL_MAX_MSG], sig[ECCSI_SIG_BYTES];
    size_t id_len, msg_len, sig_len;
    eccsi_verifier_t *v = NULL;
    int rc = SG17_TOOL_USAGE;
    if (sg17_tool_parse(tool, argc, argv, o, err) != 0
        || sg17_tool_hex_exact(tool, "kpak", sg17_tool_opt(o, "kpak"), kpak, sizeof kpak, err)
        || sg17_tool_hex(tool, "id", sg17_tool_opt(o, "id"), id, sizeof id, &id_len, err)
        || message_arg(tool, sg17_tool_opt(o, "msg"), msg, &msg_len, err)
        || sg17_tool_hex(tool, "sig", sg17_tool_opt(o, "sig"), sig, sizeof sig, &sig_len, err))
        goto done;
    if (!(v = eccsi_verifier_new(kpak))) {
        rc = crypto_refused(tool, err, SG17_TOOL_USAGE);
        goto done;
    }
    rc = eccsi_verifier_verify(v, id, id_len, msg, msg_len, sig, sig_len) == 0 ? SG17_TOOL_OK
                                                                               : SG17_TOOL_REFUSED;
    fprintf(out, "VALID=%d\n", rc == SG17_TOOL_OK);
    if (rc != SG17_TOOL_OK)
        crypto_refused(tool, err, rc);
done:
    eccsi_verifier_destroy(&v);
    return rc;
}

static int run_sakke_keys(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    sg17_tool_opt_t o[] = {{"z", true, NULL}, {"id", true, NULL}, {NULL, false, NULL}};
    uint8_t z[SAKKE_FP_BYTES], id[TOOL_MAX_ID], zpub[SAKKE_POINT_BYTES], rsk[SAKKE_POINT_BYTES];
    size_t z_len = 0, id_len;
    int rc = SG17_TOOL_USAGE;
    if (sg17_tool_parse(tool, argc, argv, o, err) != 0
        || sg17_tool_hex(tool, "z", sg17_tool_opt(o, "z"), z, sizeof z, &z_len, err)
        || sg17_tool_hex(tool, "id", sg17_tool_opt(o, "id"), id, sizeof id, &id_len, err))
        goto done;
    if (sakke_kms_public_key(z, z_len, zpub) != 0
        || sakke_kms_rsk(z, z_len, id, id_len, rsk) != 0) {
        rc = crypto_refused(tool, err, SG17_TOOL_USAGE);
        goto done;
    }
    sg17_tool_print_hex(out, "Z", zpub, sizeof zpub);
    sg17_tool_print_hex(out, "RSK", rsk, sizeof rsk);
    rc = SG17_TOOL_OK;
done:
    OPENSSL_cleanse(z, sizeof z);
    OPENSSL_cleanse(rsk, sizeof rsk);
    return rc;
}

/* The SED is a function of the SSV (RFC 6508 §6.2.1: r is derived from SSV || b), so there is
 * no separate randomness to fix: --ssv is the known-answer input, and without it a fresh random
 * SSV is drawn and printed. --r-rand is refused rather than silently ignored. */
static int run_sakke_encap(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    sg17_tool_opt_t o[] = {{"zpub", true, NULL},
                           {"id", true, NULL},
                           {"ssv", false, NULL},
                           {"r-rand", false, NULL},
                           {NULL, false, NULL}};
    uint8_t zpub[SAKKE_POINT_BYTES], id[TOOL_MAX_ID], ssv[SAKKE_SSV_BYTES], sed[SAKKE_SED_BYTES];
    size_t zpub_len, id_len;
    const char *ssv_hex = NULL;
    int rc = SG17_TOOL_USAGE;
    if (sg17_tool_parse(tool, argc, argv, o, err) != 0
        || sg17_tool_hex(tool, "zpub", sg17_tool_opt(o, "zpub"), zpub, sizeof zpub, &zpub_len, err)
        || sg17_tool_hex(tool, "id", sg17_tool_opt(o, "id"), id, sizeof id, &id_len, err)
        || ((ssv_hex = sg17_tool_opt(o, "ssv"))
            && sg17_tool_hex_exact(tool, "ssv", ssv_hex, ssv, sizeof ssv, err)))
        goto done;
    if (sg17_tool_opt(o, "r-rand")) {
        rc = sg17_tool_usage(err, tool,
                             "--r-rand: r is derived from SSV || b (RFC 6508 §6.2.1); fix the SSV "
                             "with --ssv instead");
        goto done;
    }
    if (!ssv_hex && RAND_priv_bytes(ssv, sizeof ssv) != 1) {
        fprintf(err, "%s: no randomness for the SSV\n", tool);
        goto done;
    }
    if (sakke_encapsulate(zpub, zpub_len, id, id_len, ssv, sed) != 0) {
        rc = crypto_refused(tool, err, SG17_TOOL_USAGE);
        goto done;
    }
    if (!ssv_hex)
        sg17_tool_print_hex(out, "SSV", ssv, sizeof ssv);
    sg17_tool_print_hex(out, "SED", sed, sizeof sed);
    rc = SG17_TOOL_OK;
done:
    OPENSSL_cleanse(ssv, sizeof ssv);
    return rc;
}

static int run_sakke_decap(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    sg17_tool_opt_t o[] = {{"zpub", true, NULL},
                           {"id", true, NULL},
                           {"rsk", true, NULL},
                           {"sed", true, NULL},
                           {NULL, false, NULL}};
    uint8_t zpub[SAKKE_POINT_BYTES], id[TOOL_MAX_ID], rsk[SAKKE_POINT_BYTES], sed[SAKKE_SED_BYTES];
    uint8_t ssv[SAKKE_SSV_BYTES];
    size_t zpub_len, id_len, rsk_len = 0, sed_len;
    sakke_receiver_t *r = NULL;
    int rc = SG17_TOOL_USAGE;
    if (sg17_tool_parse(tool, argc, argv, o, err) != 0
        || sg17_tool_hex(tool, "zpub", sg17_tool_opt(o, "zpub"), zpub, sizeof zpub, &zpub_len, err)
        || sg17_tool_hex(tool, "id", sg17_tool_opt(o, "id"), id, sizeof id, &id_len, err)
        || sg17_tool_hex(tool, "rsk", sg17_tool_opt(o, "rsk"), rsk, sizeof rsk, &rsk_len, err)
        || sg17_tool_hex(tool, "sed", sg17_tool_opt(o, "sed"), sed, sizeof sed, &sed_len, err))
        goto done;
    if (!(r = sakke_receiver_new(zpub, zpub_len, id, id_len, rsk, rsk_len))) {
        rc = crypto_refused(tool, err, SG17_TOOL_USAGE);
        goto done;
    }
    if (sakke_receiver_decapsulate(r, sed, sed_len, ssv) != 0) {
        rc = crypto_refused(tool, err, SG17_TOOL_REFUSED);
        goto done;
    }
    sg17_tool_print_hex(out, "SSV", ssv, sizeof ssv);
    rc = SG17_TOOL_OK;
done:
    OPENSSL_cleanse(rsk, sizeof rsk);
    OPENSSL_cleanse(ssv, sizeof ssv);
    sakke_receiver_destroy(&r);
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
