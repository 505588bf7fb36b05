/* tools.c — `sg17tb metering protect|unprotect|hls-gmac`: DLMS suite-0 operations on hex. */
#include "tools.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "dlms/security.h"

#define MAX_OPTS      6
#define MAX_HEX_BYTES 65536

/* One "--name VALUE" option a tool accepts; value is NULL until given. */
typedef struct {
    const char *name;
    int required;
    const char *value;
} opt_t;

/* Fills opts from argv[1..]; every option takes one value, unknown or repeated names are errors.
 * Returns 0, or -1 after printing why on err. */
static int parse_opts(const char *tool, int argc, char **argv, opt_t *opts, FILE *err)
{
    for (int i = 1; i < argc; i += 2) {
        const char *arg = argv[i];
        opt_t *o = NULL;
        for (opt_t *p = opts; p->name; p++)
            if (strncmp(arg, "--", 2) == 0 && strcmp(arg + 2, p->name) == 0)
                o = p;
        if (!o) {
            fprintf(err, "%s: unknown option '%s'\n", tool, arg);
            return -1;
        }
        if (i + 1 >= argc) {
            fprintf(err, "%s: option '--%s' needs a value\n", tool, o->name);
            return -1;
        }
        if (o->value) {
            fprintf(err, "%s: option '--%s' given twice\n", tool, o->name);
            return -1;
        }
        o->value = argv[i + 1];
    }
    for (opt_t *p = opts; p->name; p++)
        if (p->required && !p->value) {
            fprintf(err, "%s: missing option '--%s'\n", tool, p->name);
            return -1;
        }
    return 0;
}

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

/* Decodes a non-empty even-length hex string into a new buffer (caller frees). When want is not
 * 0, exactly want octets are required. NULL after printing why on err. */
static uint8_t *hex_decode(const char *tool, const char *name, const char *hex, size_t want,
                           size_t *outlen, FILE *err)
{
    size_t n = strlen(hex);
    if (want && n != 2 * want) {
        fprintf(err, "%s: --%s must be %zu octets (%zu hex digits), got %zu hex digits\n", tool,
                name, want, want * 2, n);
        return NULL;
    }
    if (n == 0 || n % 2 || n / 2 > MAX_HEX_BYTES) {
        fprintf(err, "%s: --%s must be a non-empty even-length hex string of at most %d octets\n",
                tool, name, MAX_HEX_BYTES);
        return NULL;
    }
    uint8_t *buf = malloc(n / 2);
    if (!buf) {
        fprintf(err, "%s: out of memory\n", tool);
        return NULL;
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fprintf(err, "%s: --%s is not hex at position %zu\n", tool, name, 2 * i);
            free(buf);
            return NULL;
        }
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    *outlen = n / 2;
    return buf;
}

/* Copies an exactly-sized hex option into dst (a key: the temporary is cleansed). */
static int hex_fixed(const char *tool, const char *name, const char *hex, uint8_t *dst, size_t want,
                     FILE *err)
{
    size_t n;
    uint8_t *buf = hex_decode(tool, name, hex, want, &n, err);
    if (!buf)
        return -1;
    memcpy(dst, buf, want);
    OPENSSL_cleanse(buf, n);
    free(buf);
    return 0;
}

/* A 4-octet big-endian counter given as exactly 8 hex digits. */
static int hex_u32(const char *tool, const char *name, const char *hex, uint32_t *v, FILE *err)
{
    uint8_t b[4];
    if (hex_fixed(tool, name, hex, b, sizeof b, err))
        return -1;
    *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    return 0;
}

static void print_hex(FILE *out, const char *name, const uint8_t *p, size_t n)
{
    fprintf(out, "%s=", name);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%02X", p[i]);
    fputc('\n', out);
}

/* The options every tool shares: the keys and the system title. */
static int read_keys(const char *tool, const opt_t *opts, dlms_keys_t *keys, uint8_t *systitle,
                     FILE *err)
{
    if (hex_fixed(tool, "ek", opts[0].value, keys->ek, DLMS_KEY_LEN, err)
        || hex_fixed(tool, "ak", opts[1].value, keys->ak, DLMS_KEY_LEN, err)
        || hex_fixed(tool, "systitle", opts[2].value, systitle, DLMS_SYSTITLE_LEN, err))
        return -1;
    return 0;
}

int metering_tool_protect(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = "protect";
    opt_t opts[MAX_OPTS + 1] = {{"ek", 1, NULL}, {"ak", 1, NULL}, {"systitle", 1, NULL},
                                {"ic", 1, NULL}, {"sc", 1, NULL}, {"apdu", 1, NULL},
                                {NULL, 0, NULL}};
    dlms_keys_t keys;
    uint8_t systitle[DLMS_SYSTITLE_LEN], sc;
    uint32_t ic;
    uint8_t *apdu = NULL, *secured = NULL;
    size_t len = 0, outlen = 0;
    int rc = 2;
    if (parse_opts(tool, argc, argv, opts, err) || read_keys(tool, opts, &keys, systitle, err)
        || hex_u32(tool, "ic", opts[3].value, &ic, err)
        || hex_fixed(tool, "sc", opts[4].value, &sc, 1, err)
        || !(apdu = hex_decode(tool, "apdu", opts[5].value, 0, &len, err)))
        goto done;
    if (dlms_protected_len(sc, len) == 0) {
        fprintf(err, "%s: --sc must be 10 (authentication), 20 (encryption) or 30 (both)\n", tool);
        goto done;
    }
    size_t cap = dlms_protected_len(sc, len);
    if (!(secured = malloc(cap))
        || dlms_protect(&keys, systitle, ic, sc, apdu, len, secured, cap, &outlen)) {
        fprintf(err, "%s: protection failed\n", tool);
        rc = 1;
        goto done;
    }
    print_hex(out, "SECURED", secured, outlen);
    rc = 0;
done:
    dlms_keys_cleanse(&keys);
    free(apdu);
    free(secured);
    return rc;
}

int metering_tool_unprotect(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = "unprotect";
    opt_t opts[MAX_OPTS + 1] = {{"ek", 1, NULL},   {"ak", 1, NULL},     {"systitle", 1, NULL},
                                {"data", 1, NULL}, {"min-ic", 0, NULL}, {"policy", 0, NULL},
                                {NULL, 0, NULL}};
    dlms_keys_t keys;
    uint8_t systitle[DLMS_SYSTITLE_LEN], policy = 0;
    uint32_t min_ic = 0, ic = 0;
    int64_t last = DLMS_IC_NONE;
    uint8_t *data = NULL, *apdu = NULL;
    size_t len = 0, outlen = 0;
    int rc = 2;
    if (parse_opts(tool, argc, argv, opts, err) || read_keys(tool, opts, &keys, systitle, err)
        || !(data = hex_decode(tool, "data", opts[3].value, 0, &len, err)))
        goto done;
    if (opts[4].value) {
        if (hex_u32(tool, "min-ic", opts[4].value, &min_ic, err))
            goto done;
        last = min_ic;
    }
    if (opts[5].value) {
        if (hex_fixed(tool, "policy", opts[5].value, &policy, 1, err))
            goto done;
        if (policy & ~DLMS_SC_AUTH_ENC) {
            fprintf(err, "%s: --policy must be 00, 10, 20 or 30\n", tool);
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
        rc = 1;
        if (st == DLMS_SEC_REPLAY)
            fprintf(err,
                    "%s: rejected (replay): invocation counter %02X%02X%02X%02X is not above "
                    "the last accepted %08X\n",
                    tool, data[1], data[2], data[3], data[4], min_ic);
        else
            fprintf(err, "%s: rejected (%s)\n", tool, dlms_sec_status_name(st));
        goto done;
    }
    print_hex(out, "APDU", apdu, outlen);
    fprintf(out, "IC=%08X\n", ic);
    rc = 0;
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
    opt_t opts[MAX_OPTS + 1] = {{"ek", 1, NULL}, {"ak", 1, NULL},        {"systitle", 1, NULL},
                                {"ic", 1, NULL}, {"challenge", 1, NULL}, {NULL, 0, NULL}};
    dlms_keys_t keys;
    uint8_t systitle[DLMS_SYSTITLE_LEN], tag[DLMS_HLS_GMAC_LEN];
    uint32_t ic;
    uint8_t *challenge = NULL;
    size_t len = 0;
    int rc = 2;
    if (parse_opts(tool, argc, argv, opts, err) || read_keys(tool, opts, &keys, systitle, err)
        || hex_u32(tool, "ic", opts[3].value, &ic, err)
        || !(challenge = hex_decode(tool, "challenge", opts[4].value, 0, &len, err)))
        goto done;
    if (dlms_hls_gmac(&keys, systitle, ic, challenge, len, tag)) {
        fprintf(err, "%s: GMAC computation failed\n", tool);
        rc = 1;
        goto done;
    }
    print_hex(out, "TAG", tag, sizeof tag);
    rc = 0;
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
