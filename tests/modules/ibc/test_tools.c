/* test_tools.c — the `sg17tb ibc <tool>` commands: NAME=HEX output on the RFC 6507/6508
 * known-answer inputs, exit codes for invalid signatures, failed checks and bad arguments. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "ibc_vectors.h"
#include "tools.h"

/* Runs tool `name` with a NULL-terminated argument list; returns its exit code. */
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
    for (const sg17_tool_t *t = ibc_tools; t->name; t++)
        if (strcmp(t->name, name) == 0) {
            int rc = t->run(argc, argv, stdout, stderr); /* both redirected by the suite */
            fflush(stdout);
            return rc;
        }
    cr_assert_fail("no tool %s", name);
    return -1;
}

/* Strings handed to the tools live until the end of the test (freed by cleanup). */
static char *pool[64];
static size_t npool;

static char *keep(char *s)
{
    cr_assert_lt(npool, sizeof pool / sizeof *pool);
    return pool[npool++] = s;
}

static char *E(const char *n)
{
    return keep(ibc_vec_hex(IBC_VEC_ECCSI, n));
}
static char *S(const char *n)
{
    return keep(ibc_vec_hex(IBC_VEC_SAKKE, n));
}

/* "04" || X || Y of the SAKKE file. */
static char *spoint(const char *x, const char *y)
{
    char *hx = S(x), *hy = S(y), *out = malloc(2 + strlen(hx) + strlen(hy) + 1);
    sprintf(out, "04%s%s", hx, hy);
    return keep(out);
}

static void redirect(void)
{
    cr_redirect_stdout();
    cr_redirect_stderr();
}

static void cleanup(void)
{
    while (npool)
        free(pool[--npool]);
}

TestSuite(tools, .init = redirect, .fini = cleanup);

Test(tools, table_lists_the_six_tools_with_usage)
{
    const char *want[] = {"eccsi-keys", "eccsi-sign",  "eccsi-verify",
                          "sakke-keys", "sakke-encap", "sakke-decap"};
    size_t n = 0;
    for (const sg17_tool_t *t = ibc_tools; t->name; t++, n++) {
        cr_assert_str_eq(t->name, want[n]);
        cr_assert(t->usage && t->usage[0] == '-' && t->run);
    }
    cr_assert_eq(n, 6);
}

Test(tools, eccsi_keys_prints_kpak_pvt_hs_ssk_of_the_rfc)
{
    char *ksak = E("KSAK"), *v = E("v"), *id = E("ID"), want[2048];
    char *kpak = E("KPAK"), *pvt = E("PVT"), *hs = E("HS"), *ssk = E("SSK");
    cr_assert_eq(run("eccsi-keys", "--ksak", ksak, "--v", v, "--id", id, NULL), 0);
    snprintf(want, sizeof want, "KPAK=%s\nPVT=%s\nHS=%s\nSSK=%s\n", kpak, pvt, hs, ssk);
    cr_assert_stdout_eq_str(want);
}

Test(tools, eccsi_sign_with_j_prints_the_rfc_signature)
{
    char want[1024], *sig = E("SIG");
    cr_assert_eq(run("eccsi-sign", "--kpak", E("KPAK"), "--id", E("ID"), "--ssk", E("SSK"), "--pvt",
                     E("PVT"), "--msg", E("M"), "--j", E("j"), NULL),
                 0);
    snprintf(want, sizeof want, "SIG=%s\n", sig);
    cr_assert_stdout_eq_str(want);
}

Test(tools, eccsi_verify_says_valid_with_exit_0)
{
    cr_assert_eq(run("eccsi-verify", "--kpak", E("KPAK"), "--id", E("ID"), "--msg", E("M"), "--sig",
                     E("SIG"), NULL),
                 0);
    cr_assert_stdout_eq_str("VALID=1\n");
}

Test(tools, eccsi_verify_of_another_message_says_invalid_with_exit_1)
{
    /* "message" without its 0x00 terminator */
    cr_assert_eq(run("eccsi-verify", "--kpak", E("KPAK"), "--id", E("ID"), "--msg",
                     "6D657373616765", "--sig", E("SIG"), NULL),
                 1);
    cr_assert_stdout_eq_str("VALID=0\n");
}

Test(tools, sakke_keys_prints_z_and_rsk_of_the_rfc)
{
    char want[2048], *z = spoint("Zx", "Zy"), *rsk = spoint("RSKx", "RSKy");
    cr_assert_eq(run("sakke-keys", "--z", S("z"), "--id", S("b"), NULL), 0);
    snprintf(want, sizeof want, "Z=%s\nRSK=%s\n", z, rsk);
    cr_assert_stdout_eq_str(want);
}

Test(tools, sakke_encap_prints_the_rfc_sed)
{
    char want[1024];
    cr_assert_eq(
        run("sakke-encap", "--zpub", spoint("Zx", "Zy"), "--id", S("b"), "--ssv", S("SSV"), NULL),
        0);
    snprintf(want, sizeof want, "SED=%s\n", S("SED"));
    cr_assert_stdout_eq_str(want);
}

Test(tools, sakke_decap_prints_the_rfc_ssv, .timeout = 60)
{
    char want[256];
    cr_assert_eq(run("sakke-decap", "--zpub", spoint("Zx", "Zy"), "--id", S("b"), "--rsk",
                     spoint("RSKx", "RSKy"), "--sed", S("SED"), NULL),
                 0);
    snprintf(want, sizeof want, "SSV=%s\n", S("SSV"));
    cr_assert_stdout_eq_str(want);
}

Test(tools, sakke_decap_of_a_tampered_sed_exits_1_and_prints_nothing, .timeout = 60)
{
    char *sed = S("SED");
    sed[strlen(sed) - 1] = sed[strlen(sed) - 1] == '7' ? '6' : '7'; /* flip a bit of H */
    cr_assert_eq(run("sakke-decap", "--zpub", spoint("Zx", "Zy"), "--id", S("b"), "--rsk",
                     spoint("RSKx", "RSKy"), "--sed", sed, NULL),
                 1);
    cr_assert_stdout_eq_str("");
}

Test(tools, an_empty_message_is_signed_as_zero_octets)
{
    /* RFC 6507 signs any octet string: --msg "" is the empty message, not a usage error */
    cr_assert_eq(run("eccsi-sign", "--kpak", E("KPAK"), "--id", E("ID"), "--ssk", E("SSK"), "--pvt",
                     E("PVT"), "--msg", "", "--j", E("j"), NULL),
                 0);
    cr_assert_eq(run("eccsi-verify", "--kpak", E("KPAK"), "--id", E("ID"), "--msg", "", "--sig",
                     E("SIG"), NULL),
                 1, "the RFC's signature is of another message");
}

Test(tools, bad_arguments_exit_2)
{
    cr_assert_eq(run("eccsi-keys", "--ksak", "00", NULL), 2, "missing --v/--id");
    cr_assert_eq(run("eccsi-keys", "--bogus", "00", NULL), 2, "unknown option");
    cr_assert_eq(run("eccsi-verify", "--kpak", "ABC", NULL), 2, "odd-length hex");
    cr_assert_eq(
        run("eccsi-verify", "--kpak", "0400", "--id", "00", "--msg", "", "--sig", "00", NULL), 2,
        "KPAK of the wrong length");
    cr_assert_eq(run("sakke-encap", "--zpub", "04", "--id", "00", "--ssv", "00", NULL), 2,
                 "SSV of the wrong length");
    cr_assert_eq(run("sakke-encap", "--zpub", spoint("Zx", "Zy"), "--id", S("b"), "--ssv", S("SSV"),
                     "--r-rand", "01", NULL),
                 2, "r cannot be chosen");
    cr_assert_eq(
        run("sakke-decap", "--zpub", "04", "--id", "00", "--rsk", "04", "--sed", "04", NULL), 2,
        "invalid Z");
    cr_assert_eq(run("eccsi-sign", "--kpak", NULL), 2, "option without value");
    cr_assert_eq(run("eccsi-keys", "--ksak", E("KSAK"), "--v", E("v"), "--id", "", NULL), 2,
                 "empty identity");
    cr_assert_eq(run("sakke-keys", "--z", "zz", "--id", "00", NULL), 2, "not hex");
    cr_assert_stdout_eq_str("");
}
