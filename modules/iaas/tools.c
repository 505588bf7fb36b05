/* tools.c — `sg17tb iaas <tool>`: the module's parsers and signatures on hex arguments, printing
 * NAME=VALUE lines, for checking an image or a request by hand. Option parsing, hex decoding and
 * output follow sg17tb/tool.h. */
#include "tools.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sg17tb/tool.h>

#include "proto/api.h"
#include "proto/image.h"
#include "proto/imds.h"
#include "proto/sign.h"

static int run_inspect_image(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    sg17_tool_opt_t o[] = {{"image", true, NULL}, {NULL, false, NULL}};
    uint8_t img[IMAGE_MAX_BYTES];
    size_t len = 0;
    if (sg17_tool_parse(tool, argc, argv, o, err) != 0
        || sg17_tool_hex(tool, "image", sg17_tool_opt(o, "image"), img, sizeof img, &len, err) != 0)
        return SG17_TOOL_USAGE;
    image_header_t h;
    image_verdict_t v = image_inspect(img, len);
    fprintf(out, "VERDICT=%s\n",
            v == IMAGE_OK                ? "ok"
            : v == IMAGE_BACKING_OUTSIDE ? "backing-outside"
                                         : "malformed");
    if (image_parse(img, len, &h) == 0) {
        fprintf(out, "VIRTUAL_SIZE=%u\nDATA_LEN=%u\n", (unsigned)h.virtual_size,
                (unsigned)h.data_len);
        if (h.backing)
            fprintf(out, "BACKING=%.*s\n", (int)h.backing_len, (const char *)h.backing);
    }
    return v == IMAGE_OK ? SG17_TOOL_OK : SG17_TOOL_REFUSED;
}

static int run_sign_image(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    sg17_tool_opt_t o[] = {{"priv", true, NULL}, {"image", true, NULL}, {NULL, false, NULL}};
    uint8_t priv[SIGN_PRIV_BYTES], pub[SIGN_PUB_BYTES], sig[SIGN_SIG_BYTES], img[IMAGE_MAX_BYTES];
    size_t len = 0;
    int rc = SG17_TOOL_USAGE;
    if (sg17_tool_parse(tool, argc, argv, o, err) != 0
        || sg17_tool_hex_exact(tool, "priv", sg17_tool_opt(o, "priv"), priv, sizeof priv, err) != 0
        || sg17_tool_hex(tool, "image", sg17_tool_opt(o, "image"), img, sizeof img, &len, err) != 0)
        goto done;
    if (sign_public(priv, pub) != 0) {
        rc = sg17_tool_usage(err, tool, "--priv must be a P-256 scalar in [1, n-1]");
        goto done;
    }
    if (image_sign(priv, img, len, sig) != 0) {
        fprintf(err, "%s: signing failed\n", tool);
        goto done;
    }
    sg17_tool_print_hex(out, "PUB", pub, sizeof pub);
    sg17_tool_print_hex(out, "SIG", sig, sizeof sig);
    rc = SG17_TOOL_OK;
done:
    OPENSSL_cleanse(priv, sizeof priv);
    return rc;
}

static int run_verify_image(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    sg17_tool_opt_t o[] = {
        {"pub", true, NULL}, {"sig", true, NULL}, {"image", true, NULL}, {NULL, false, NULL}};
    uint8_t pub[SIGN_PUB_BYTES], sig[SIGN_SIG_BYTES], img[IMAGE_MAX_BYTES];
    size_t len = 0;
    if (sg17_tool_parse(tool, argc, argv, o, err) != 0
        || sg17_tool_hex_exact(tool, "pub", sg17_tool_opt(o, "pub"), pub, sizeof pub, err) != 0
        || sg17_tool_hex_exact(tool, "sig", sg17_tool_opt(o, "sig"), sig, sizeof sig, err) != 0
        || sg17_tool_hex(tool, "image", sg17_tool_opt(o, "image"), img, sizeof img, &len, err) != 0)
        return SG17_TOOL_USAGE;
    bool ok = image_signature_ok(pub, img, len, sig);
    fprintf(out, "VALID=%s\n", ok ? "yes" : "no");
    return ok ? SG17_TOOL_OK : SG17_TOOL_REFUSED;
}

static int run_imds_parse(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    sg17_tool_opt_t o[] = {{"request", true, NULL}, {NULL, false, NULL}};
    uint8_t buf[IMDS_REQUEST_MAX];
    size_t len = 0;
    if (sg17_tool_parse(tool, argc, argv, o, err) != 0
        || sg17_tool_hex(tool, "request", sg17_tool_opt(o, "request"), buf, sizeof buf, &len, err)
               != 0)
        return SG17_TOOL_USAGE;
    imds_request_t rq;
    const char *why = NULL;
    if (imds_request_parse(buf, len, &rq, &why) != 0) {
        fprintf(out, "VERDICT=refused\nWHY=%s\n", why);
        return SG17_TOOL_REFUSED;
    }
    fprintf(out, "VERDICT=ok\nTTL=%u\nMETHOD=%s\nPATH=%d\nTOKEN=%s\nINSTANCE_ID=%s\n",
            (unsigned)rq.ttl, rq.put ? "PUT" : "GET", (int)rq.path, rq.has_token ? "yes" : "no",
            rq.instance_id);
    return SG17_TOOL_OK;
}

static int run_api_decode(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    sg17_tool_opt_t o[] = {{"request", true, NULL}, {"secret", false, NULL}, {NULL, false, NULL}};
    uint8_t buf[API_REQUEST_MAX], secret[API_SECRET_BYTES];
    size_t len = 0;
    const char *sec = NULL;
    if (sg17_tool_parse(tool, argc, argv, o, err) != 0
        || sg17_tool_hex(tool, "request", sg17_tool_opt(o, "request"), buf, sizeof buf, &len, err)
               != 0
        || ((sec = sg17_tool_opt(o, "secret"))
            && sg17_tool_hex_exact(tool, "secret", sec, secret, sizeof secret, err) != 0))
        return SG17_TOOL_USAGE;
    api_request_t rq;
    int rc = SG17_TOOL_OK;
    if (api_request_decode(buf, len, &rq) != 0) {
        fprintf(out, "VERDICT=malformed\n");
        rc = SG17_TOOL_REFUSED;
    } else {
        fprintf(out, "OP=%s\nKEY_ID=%u\nTARGET=%u\nVALUE=%u\nFLAGS=%u\nBLOB_LEN=%u\n",
                api_op_name(rq.op), (unsigned)rq.key_id, (unsigned)rq.target, (unsigned)rq.value,
                (unsigned)rq.flags, (unsigned)rq.blob_len);
        sg17_tool_print_hex(out, "CORR", rq.corr, API_CORR_BYTES);
        if (sec) {
            bool ok = api_request_verify(buf, len, secret) == 0;
            fprintf(out, "MAC=%s\n", ok ? "valid" : "invalid");
            rc = ok ? SG17_TOOL_OK : SG17_TOOL_REFUSED;
        }
    }
    OPENSSL_cleanse(secret, sizeof secret);
    return rc;
}

const sg17_tool_t iaas_tools[] = {
    {"inspect-image", "--image HEX: parse a container and judge its backing reference",
     run_inspect_image},
    {"sign-image", "--priv HEX32 --image HEX: ECDSA P-256 signature of a container",
     run_sign_image},
    {"verify-image", "--pub HEX65 --sig HEX64 --image HEX: verify a container's signature",
     run_verify_image},
    {"imds-parse", "--request HEX: parse a metadata request (TTL octet + HTTP/1.1)",
     run_imds_parse},
    {"api-decode", "--request HEX [--secret HEX32]: decode an API request, verify its MAC",
     run_api_decode},
    {NULL, NULL, NULL},
};
