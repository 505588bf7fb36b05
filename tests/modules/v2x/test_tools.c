/* test_tools.c — `sg17tb v2x verify|sign|hashedid8|decode`: the real CAM verifies at the vector's
 * time with the known PSID, SSP, signer and generation time; a message the sign tool makes
 * verifies, with --cert for a digest signer and "unknown signer" without; refusals exit 1 with
 * a reason; bad arguments exit 2. */
#include <stdarg.h>

#include "tools.h"
#include "v2x_test.h"

static char out_buf[16384], err_buf[4096];

/* Runs tool `name` with a NULL-terminated argument list; captures out/err; returns its code. */
static int run(const char *name, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)name;
    va_list ap;
    va_start(ap, name);
    for (char *a; (a = va_arg(ap, char *));)
        argv[argc++] = a;
    va_end(ap);
    FILE *out = tmpfile(), *err = tmpfile();
    cr_assert(out && err);
    int rc = -1;
    for (const sg17_tool_t *t = v2x_tools; t->name; t++)
        if (strcmp(t->name, name) == 0)
            rc = t->run(argc, argv, out, err);
    cr_assert_neq(rc, -1, "no tool %s", name);
    rewind(out);
    rewind(err);
    size_t n = fread(out_buf, 1, sizeof out_buf - 1, out);
    out_buf[n] = '\0';
    n = fread(err_buf, 1, sizeof err_buf - 1, err);
    err_buf[n] = '\0';
    fclose(out);
    fclose(err);
    return rc;
}

/* The value of NAME= in the last output (static copy), or NULL. */
static const char *field(const char *name)
{
    static char v[8192];
    size_t nl = strlen(name);
    for (const char *p = out_buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t n = strcspn(p + nl + 1, "\n");
            memcpy(v, p + nl + 1, n);
            v[n] = '\0';
            return v;
        }
    }
    return NULL;
}

static char *hex(const uint8_t *p, size_t n)
{
    static char buf[4][8192];
    static int k;
    char *s = buf[k++ % 4];
    for (size_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02X", p[i]);
    s[2 * n] = '\0';
    return s;
}

Test(tools, the_real_cam_verifies_with_the_known_values)
{
    char spdu[1024];
    cr_assert_lt(snprintf(spdu, sizeof spdu, "%s", v2x_vec_text("SPDU")), (int)sizeof spdu);
    cr_assert_eq(run("verify", "--spdu", spdu, "--time", "2019-11-21T11:30:00Z", NULL), 0, "%s",
                 err_buf);
    cr_assert_str_eq(field("RESULT"), v2x_vec_text("RESULT"));
    cr_assert_str_eq(field("PSID"), v2x_vec_text("PSID"));
    cr_assert_str_eq(field("SSP"), v2x_vec_text("SSP"));
    cr_assert_str_eq(field("SIGNER"), v2x_vec_text("SIGNER_HASHEDID8"));
    cr_assert_str_eq(field("GENERATION_TIME"), v2x_vec_text("GENERATION_TIME"));
    /* the authorization ticket was valid for 168 hours from 2019-11-19T03:00:00Z */
    cr_assert_eq(run("verify", "--spdu", spdu, "--time", "2019-11-27T12:00:00Z", NULL), 1);
    cr_assert_str_eq(field("RESULT"), "failure");
    cr_assert_not_null(strstr(err_buf, "not valid at that time"), "%s", err_buf);
    /* a flipped bit in the signature */
    spdu[strlen(spdu) - 1] ^= 1;
    cr_assert_eq(run("verify", "--spdu", spdu, "--time", "2019-11-21T11:30:00Z", NULL), 1);
    cr_assert_not_null(strstr(err_buf, "signature"), "%s", err_buf);
}

Test(tools, decode_and_hashedid8_of_the_real_cam)
{
    char spdu[1024];
    cr_assert_lt(snprintf(spdu, sizeof spdu, "%s", v2x_vec_text("SPDU")), (int)sizeof spdu);
    cr_assert_eq(run("decode", "--spdu", spdu, NULL), 0, "%s", err_buf);
    cr_assert_str_eq(field("CONTENT"), "signedData");
    cr_assert_str_eq(field("PSID"), v2x_vec_text("PSID"));
    cr_assert_str_eq(field("SIGNER_TYPE"), "certificate");
    cr_assert_str_eq(field("SIGNER"), v2x_vec_text("SIGNER_HASHEDID8"));
    cr_assert_str_eq(field("CERT_ISSUER"), v2x_vec_text("ISSUER_HASHEDID8"));
    cr_assert_str_eq(field("GENERATION_TIME"), v2x_vec_text("GENERATION_TIME"));
    cr_assert_str_eq(field("BTP_PORT"), "2001");
    cr_assert_not_null(field("CAM_STATION_ID"));
    /* the certificate alone: octets 107..254 of the SPDU (the vector's own description) */
    uint8_t raw[1024];
    size_t n = v2x_vec_hex("SPDU", raw, sizeof raw);
    cr_assert_gt(n, 255);
    cr_assert_eq(run("hashedid8", "--cert", hex(raw + 107, 148), NULL), 0, "%s", err_buf);
    cr_assert_str_eq(field("HASHEDID8"), v2x_vec_text("SIGNER_HASHEDID8"));
}

Test(tools, sign_then_verify_with_certificate_and_digest_signers)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    uint8_t d[32];
    size_t dl;
    cr_assert_eq(v2x_key_private_bytes(k.at_key, d, sizeof d, &dl), V2X_OK);
    char key[65], at[2 * V2X_CERT_MAX + 1], aa[2 * V2X_CERT_MAX + 1], root[2 * V2X_CERT_MAX + 1];
    snprintf(key, sizeof key, "%s", hex(d, dl));
    snprintf(at, sizeof at, "%s", hex(k.at, k.at_len));
    snprintf(aa, sizeof aa, "%s", hex(k.aa, k.aa_len));
    snprintf(root, sizeof root, "%s", hex(k.root, k.root_len));
    cr_assert_eq(run("sign", "--key", key, "--cert", at, "--psid", "36", "--time",
                     "2020-05-01T10:00:00Z", "--payload", "0102030405", NULL),
                 0, "%s", err_buf);
    char spdu[4096];
    snprintf(spdu, sizeof spdu, "%s", field("SPDU"));
    cr_assert_eq(run("verify", "--spdu", spdu, "--time", "2020-05-01T10:00:01Z", "--cert", aa,
                     "--cert", root, NULL),
                 0, "%s", err_buf);
    cr_assert_str_eq(field("PSID"), "36");
    cr_assert_str_eq(field("SSP"), "010000");
    cr_assert_str_eq(field("SIGNER"), hex(k.at_c->hashedid8, 8));
    cr_assert_str_eq(field("GENERATION_TIME"), "2020-05-01T10:00:00.000000Z");
    /* the certificate the message carries is enough for the signature */
    cr_assert_eq(run("verify", "--spdu", spdu, "--time", "2020-05-01T10:00:01Z", NULL), 0);

    cr_assert_eq(run("sign", "--key", key, "--cert", at, "--psid", "37", "--time",
                     "2020-05-01T10:00:00Z", "--payload", "AA", "--digest", NULL),
                 0, "%s", err_buf);
    snprintf(spdu, sizeof spdu, "%s", field("SPDU"));
    cr_assert_eq(run("verify", "--spdu", spdu, "--time", "2020-05-01T10:00:00Z", NULL), 1);
    cr_assert_not_null(strstr(err_buf, "unknown signer"), "%s", err_buf);
    cr_assert_eq(
        run("verify", "--spdu", spdu, "--time", "2020-05-01T10:00:00Z", "--cert", aa, NULL), 1);
    cr_assert_eq(run("verify", "--spdu", spdu, "--time", "2020-05-01T10:00:00Z", "--cert", at,
                     "--cert", aa, NULL),
                 0, "%s", err_buf);
    cr_assert_str_eq(field("PSID"), "37");
    cr_assert_str_eq(field("SSP"), "");
    /* a PSID the ticket does not carry */
    cr_assert_eq(run("sign", "--key", key, "--cert", at, "--psid", "622", "--time",
                     "2020-05-01T10:00:00Z", "--payload", "AA", NULL),
                 0);
    snprintf(spdu, sizeof spdu, "%s", field("SPDU"));
    cr_assert_eq(run("verify", "--spdu", spdu, "--time", "2020-05-01T10:00:00Z", NULL), 1);
    cr_assert_not_null(strstr(err_buf, "PSID"), "%s", err_buf);
    v2x_test_pki_free(&k);
}

Test(tools, a_broken_chain_is_refused)
{
    v2x_test_pki_t k, other;
    v2x_test_pki(&k, V2X_CURVE_P256);
    v2x_test_pki(&other, V2X_CURVE_P256);
    uint8_t d[32];
    size_t dl;
    cr_assert_eq(v2x_key_private_bytes(k.at_key, d, sizeof d, &dl), V2X_OK);
    char key[65], at[2 * V2X_CERT_MAX + 1], aa[2 * V2X_CERT_MAX + 1], root[2 * V2X_CERT_MAX + 1];
    snprintf(key, sizeof key, "%s", hex(d, dl));
    snprintf(at, sizeof at, "%s", hex(k.at, k.at_len));
    snprintf(aa, sizeof aa, "%s", hex(k.aa, k.aa_len));
    /* a root with the same name but another key: the AA's issuer HashedId8 is not it */
    snprintf(root, sizeof root, "%s", hex(other.root, other.root_len));
    cr_assert_eq(run("sign", "--key", key, "--cert", at, "--psid", "36", "--time",
                     "2020-05-01T10:00:00Z", "--payload", "00", NULL),
                 0);
    char spdu[4096];
    snprintf(spdu, sizeof spdu, "%s", field("SPDU"));
    cr_assert_eq(run("verify", "--spdu", spdu, "--time", "2020-05-01T10:00:00Z", "--cert", aa,
                     "--cert", root, NULL),
                 1);
    cr_assert_not_null(strstr(err_buf, "not on the signer's chain"), "%s", err_buf);
    /* the AA given, its issuer not: checked as far as given */
    cr_assert_eq(
        run("verify", "--spdu", spdu, "--time", "2020-05-01T10:00:00Z", "--cert", aa, NULL), 0,
        "%s", err_buf);
    /* an AA certificate whose signature was tampered with: seen once its issuer is given */
    snprintf(root, sizeof root, "%s", hex(k.root, k.root_len));
    aa[2 * k.aa_len - 1] = aa[2 * k.aa_len - 1] == '0' ? '1' : '0';
    cr_assert_eq(run("verify", "--spdu", spdu, "--time", "2020-05-01T10:00:00Z", "--cert", aa,
                     "--cert", root, NULL),
                 1);
    cr_assert_not_null(strstr(err_buf, "chain"), "%s", err_buf);
    v2x_test_pki_free(&k);
    v2x_test_pki_free(&other);
}

Test(tools, bad_arguments_exit_2)
{
    cr_assert_eq(run("verify", "--spdu", "0381", NULL), 2);
    cr_assert_not_null(strstr(err_buf, "missing option '--time'"), "%s", err_buf);
    cr_assert_eq(run("verify", "--spdu", "zz", "--time", "2019-11-21T11:30:00Z", NULL), 2);
    cr_assert_eq(run("verify", "--spdu", "0381", "--time", "noon", NULL), 2);
    cr_assert_eq(
        run("verify", "--spdu", "0381", "--time", "2019-11-21T11:30:00Z", "--bogus", "1", NULL), 2);
    cr_assert_eq(run("hashedid8", NULL), 2);
    cr_assert_eq(run("decode", "--spdu", "03", "--spdu", "03", NULL), 2);
    cr_assert_eq(run("sign", "--key", "00", "--cert", "00", "--psid", "x", "--time",
                     "2019-11-21T11:30:00Z", "--payload", "00", NULL),
                 2);
    /* well-formed arguments, malformed message: refused, exit 1 */
    cr_assert_eq(run("verify", "--spdu", "0381", "--time", "2019-11-21T11:30:00Z", NULL), 1);
    cr_assert_eq(run("decode", "--spdu", "0381", NULL), 1);
    cr_assert_not_null(strstr(err_buf, "malformed"), "%s", err_buf);
    cr_assert_eq(run("decode", "--spdu", "0399", NULL), 1);
    cr_assert_not_null(strstr(err_buf, "unsupported"), "%s", err_buf);
    cr_assert_eq(run("hashedid8", "--cert", "80030080", NULL), 1);
}

Test(tools, implicit_certificates_verify_with_their_issuer)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    EVP_PKEY *req = v2x_key_generate(V2X_CURVE_P256);
    v2x_cert_params_t p;
    v2x_test_params(&p, NULL, false);
    p.type = V2X_CERT_IMPLICIT;
    uint8_t cert[V2X_CERT_MAX], r[32], d[32];
    size_t n, dl;
    cr_assert_eq(
        v2x_cert_issue_implicit(&p, req, k.aa_key, k.aa, k.aa_len, cert, sizeof cert, &n, r),
        V2X_OK);
    EVP_PKEY *du = v2x_cert_implicit_private(req, r, cert, n, k.aa, k.aa_len);
    cr_assert_not_null(du);
    cr_assert_eq(v2x_key_private_bytes(du, d, sizeof d, &dl), V2X_OK);
    char key[65], ic[2 * V2X_CERT_MAX + 1], aa[2 * V2X_CERT_MAX + 1], root[2 * V2X_CERT_MAX + 1];
    snprintf(key, sizeof key, "%s", hex(d, dl));
    snprintf(ic, sizeof ic, "%s", hex(cert, n));
    snprintf(aa, sizeof aa, "%s", hex(k.aa, k.aa_len));
    snprintf(root, sizeof root, "%s", hex(k.root, k.root_len));
    cr_assert_eq(run("sign", "--key", key, "--cert", ic, "--psid", "36", "--time",
                     "2020-05-01T10:00:00Z", "--payload", "0102", NULL),
                 0, "%s", err_buf);
    char spdu[4096];
    snprintf(spdu, sizeof spdu, "%s", field("SPDU"));
    cr_assert_eq(run("verify", "--spdu", spdu, "--time", "2020-05-01T10:00:00Z", NULL), 1);
    cr_assert_not_null(strstr(err_buf, "give its issuer"), "%s", err_buf);
    cr_assert_eq(run("verify", "--spdu", spdu, "--time", "2020-05-01T10:00:00Z", "--cert", aa,
                     "--cert", root, NULL),
                 0, "%s", err_buf);
    uint8_t id[8];
    cr_assert_eq(v2x_cert_hashedid8(cert, n, id), V2X_OK);
    cr_assert_str_eq(field("SIGNER"), hex(id, 8));
    /* another key for the same certificate: the reconstructed key does not match */
    key[10] = key[10] == '1' ? '2' : '1';
    cr_assert_eq(run("sign", "--key", key, "--cert", ic, "--psid", "36", "--time",
                     "2020-05-01T10:00:00Z", "--payload", "0102", NULL),
                 0, "%s", err_buf);
    snprintf(spdu, sizeof spdu, "%s", field("SPDU"));
    cr_assert_eq(
        run("verify", "--spdu", spdu, "--time", "2020-05-01T10:00:00Z", "--cert", aa, NULL), 1);
    cr_assert_not_null(strstr(err_buf, "signature"), "%s", err_buf);
    EVP_PKEY_free(du);
    EVP_PKEY_free(req);
    v2x_test_pki_free(&k);
}
