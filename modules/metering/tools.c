/* tools.c — `sg17tb metering protect|unprotect|hls-gmac`: DLMS suite-0 operations on hex, with
 * the SDK's option and hex conventions (sg17tb/tool.h). */
#include "tools.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sg17tb/tool.h>
#include <sg17tb/wire.h>

#include "dlms/security.h"

#define METERING_TOOL_MAX_OCTETS 65536 /* largest APDU, frame or challenge a tool accepts */

/* The options every tool starts with: the keys and the system title. */
#define METERING_TOOL_KEY_OPTS              \
    {"ek", true, NULL}, {"ak", true, NULL}, \
    {                                       \
        "systitle", true, NULL              \
    }

static int read_keys(const char *tool, const sg17_tool_opt_t *opts, dlms_keys_t *keys,
                     uint8_t *systitle, FILE *err)
{
    return sg17_tool_hex_exact(tool, "ek", sg17_tool_opt(opts, "ek"), keys->ek, DLMS_KEY_LEN, err)
                   || sg17_tool_hex_exact(tool, "ak", sg17_tool_opt(opts, "ak"), keys->ak,
                                          DLMS_KEY_LEN, err)
                   || sg17_tool_hex_exact(tool, "systitle", sg17_tool_opt(opts, "systitle"),
                                          systitle, DLMS_SYSTITLE_LEN, err)
               ? -1
               : 0;
}

/* A 4-octet big-endian counter given as exactly 8 hex digits. */
static int read_counter(const char *tool, const char *name, const char *hex, uint32_t *v, FILE *err)
{
    uint8_t b[4];
    if (sg17_tool_hex_exact(tool, name, hex, b, sizeof b, err))
        return -1;
    *v = sg17_load_be32(b);
    return 0;
}

/* A variable-length hex option into a new buffer of METERING_TOOL_MAX_OCTETS (caller frees). */
static uint8_t *read_octets(const char *tool, const char *name, const char *hex, size_t *len,
                            FILE *err)
{
    uint8_t *buf = malloc(METERING_TOOL_MAX_OCTETS);
    if (!buf) {
        fprintf(err, "%s: out of memory\n", tool);
        return NULL;
    }
    if (sg17_tool_hex(tool, name, hex, buf, METERING_TOOL_MAX_OCTETS, len, err)) {
        free(buf);
        return NULL;
    }
    return buf;
}

int metering_tool_protect(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = "protect";
    sg17_tool_opt_t opts[] = {METERING_TOOL_KEY_OPTS,
                              {"ic", true, NULL},
                              {"sc", true, NULL},
                              {"apdu", true, NULL},
                              {NULL, false, NULL}};
    dlms_keys_t keys;
    uint8_t systitle[DLMS_SYSTITLE_LEN], sc;
    uint32_t ic;
    uint8_t *apdu = NULL, *secured = NULL;
    size_t len = 0, outlen = 0;
    int rc = SG17_TOOL_USAGE;
    if (sg17_tool_parse(tool, argc, argv, opts, err) || read_keys(tool, opts, &keys, systitle, err)
        || read_counter(tool, "ic", sg17_tool_opt(opts, "ic"), &ic, err)
        || sg17_tool_hex_exact(tool, "sc", sg17_tool_opt(opts, "sc"), &sc, 1, err)
        || !(apdu = read_octets(tool, "apdu", sg17_tool_opt(opts, "apdu"), &len, err)))
        goto done;
    if (dlms_protected_len(sc, len) == 0) {
        sg17_tool_usage(err, tool,
                        "--sc must be 10 (authentication), 20 (encryption) or 30 (both)");
        goto done;
    }
    size_t cap = dlms_protected_len(sc, len);
    if (!(secured = malloc(cap))
        || dlms_protect(&keys, systitle, ic, sc, apdu, len, secured, cap, &outlen)) {
        fprintf(err, "%s: protection failed\n", tool);
        rc = SG17_TOOL_REFUSED;
        goto done;
    }
    sg17_tool_print_hex(out, "SECURED", secured, outlen);
    rc = SG17_TOOL_OK;
done:
    dlms_keys_cleanse(&keys);
    free(apdu);
    free(secured);
    return rc;
}

int metering_tool_unprotect(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = "unprotect";
    sg17_tool_opt_t opts[] = {METERING_TOOL_KEY_OPTS,
                              {"data", true, NULL},
                              {"min-ic", false, NULL},
                              {"policy", false, NULL},
                              {NULL, false, NULL}};
    dlms_keys_t keys;
    uint8_t systitle[DLMS_SYSTITLE_LEN], policy = 0;
    uint32_t min_ic = 0, ic = 0;
    int64_t last = DLMS_IC_NONE;
    uint8_t *data = NULL, *apdu = NULL;
    size_t len = 0, outlen = 0;
    int rc = SG17_TOOL_USAGE;
    if (sg17_tool_parse(tool, argc, argv, opts, err) || read_keys(tool, opts, &keys, systitle, err)
        || !(data = read_octets(tool, "data", sg17_tool_opt(opts, "data"), &len, err)))
        goto done;
    if (sg17_tool_opt(opts, "min-ic")) {
        if (read_counter(tool, "min-ic", sg17_tool_opt(opts, "min-ic"), &min_ic, err))
            goto done;
        last = min_ic;
    }
    if (sg17_tool_opt(opts, "policy")) {
        if (sg17_tool_hex_exact(tool, "policy", sg17_tool_opt(opts, "policy"), &policy, 1, err))
            goto done;
        if (policy & ~DLMS_SC_AUTH_ENC) {
            sg17_tool_usage(err, tool, "--policy must be 00, 10, 20 or 30");
            goto done;
        }
    }
    if (!(apdu = malloc(len))) {
        fprintf(err, "%s: out of memory\n", tool);
        goto done;
    }
    dlms_sec_status_t st =
        dlms_unprotect(&keys, systitle, policy, data, len, last, apdu, len, &outlen, &ic);
    if (st != DLMS_SEC_OK) {
        rc = SG17_TOOL_REFUSED;
        if (st == DLMS_SEC_REPLAY)
            fprintf(err,
                    "%s: rejected (replay): invocation counter %08X is not above the last "
                    "accepted %08X\n",
                    tool, sg17_load_be32(data + 1), min_ic);
        else
            fprintf(err, "%s: rejected (%s)\n", tool, dlms_sec_status_name(st));
        goto done;
    }
    sg17_tool_print_hex(out, "APDU", apdu, outlen);
    fprintf(out, "IC=%08X\n", ic);
    rc = SG17_TOOL_OK;
done:
    dlms_keys_cleanse(&keys);
    free(data);
    if (apdu)
        OPENSSL_cleanse(apdu, len);
    free(apdu);
    return rc;
}

int metering_tool_hls_gmac(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = "hls-gmac";
    sg17_tool_opt_t opts[] = {
        METERING_TOOL_KEY_OPTS, {"ic", true, NULL}, {"challenge", true, NULL}, {NULL, false, NULL}};
    dlms_keys_t keys;
    uint8_t systitle[DLMS_SYSTITLE_LEN], tag[DLMS_HLS_GMAC_LEN];
    uint32_t ic;
    uint8_t *challenge = NULL;
    size_t len = 0;
    int rc = SG17_TOOL_USAGE;
    if (sg17_tool_parse(tool, argc, argv, opts, err) || read_keys(tool, opts, &keys, systitle, err)
        || read_counter(tool, "ic", sg17_tool_opt(opts, "ic"), &ic, err)
        || !(challenge =
                 read_octets(tool, "challenge", sg17_tool_opt(opts, "challenge"), &len, err)))
        goto done;
    if (dlms_hls_gmac(&keys, systitle, ic, challenge, len, tag)) {
        fprintf(err, "%s: GMAC computation failed\n", tool);
        rc = SG17_TOOL_REFUSED;
        goto done;
    }
    sg17_tool_print_hex(out, "TAG", tag, sizeof tag);
    rc = SG17_TOOL_OK;
done:
    dlms_keys_cleanse(&keys);
    free(challenge);
    return rc;
}

const sg17_tool_t metering_tools[] = {
    {"protect",
     "--ek HEX --ak HEX --systitle HEX --ic HEX8 --sc 10|20|30 --apdu HEX  "
     "-> SECURED=SC||IC||ciphertext||tag",
     metering_tool_protect},
    {"unprotect",
     "--ek HEX --ak HEX --systitle HEX --data HEX [--min-ic HEX8] [--policy 30]  "
     "-> APDU=... IC=... (exit 1 and the reason on stderr if rejected)",
     metering_tool_unprotect},
    {"hls-gmac", "--ek HEX --ak HEX --systitle HEX --ic HEX8 --challenge HEX  -> TAG=10||IC||GMAC",
     metering_tool_hls_gmac},
    {NULL, NULL, NULL},
};
