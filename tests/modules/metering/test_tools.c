/* test_tools.c — `sg17tb metering protect|unprotect|hls-gmac`: output lines, exit codes and
 * rejection messages, checked against the Green Book values. */
#include <criterion/criterion.h>

#include "green_book.h"
#include "tools.h"

#define AE  "authenticated-encryption"
#define HLS "hls-gmac-mechanism-5"

typedef int (*tool_fn)(int argc, char **argv, FILE *out, FILE *err);

typedef struct {
    int rc;
    char *out, *err; /* everything the tool printed */
} result_t;

/* Runs a tool on a NULL-terminated argument list (argv[0] included). */
static result_t run(tool_fn fn, const char **args)
{
    int argc = 0;
    while (args[argc])
        argc++;
    result_t r = {0};
    size_t on = 0, en = 0;
    FILE *out = open_memstream(&r.out, &on), *err = open_memstream(&r.err, &en);
    cr_assert(out && err);
    r.rc = fn(argc, (char **)args, out, err);
    fclose(out);
    fclose(err);
    return r;
}

static void result_free(result_t *r)
{
    free(r->out);
    free(r->err);
}

/* Frees the strings of the Green Book that an argument list borrowed. */
typedef struct {
    char *ek, *ak, *st;
} keys_hex_t;

static keys_hex_t keys_hex(const char *section, const char *systitle_name)
{
    keys_hex_t k = {gb_hex(section, "EK"), gb_hex(section, "AK"), gb_hex(section, systitle_name)};
    return k;
}

static void keys_hex_free(keys_hex_t *k)
{
    free(k->ek), free(k->ak), free(k->st);
}

Test(tools, protect_prints_green_book_secured)
{
    keys_hex_t k = keys_hex(AE, "SYSTITLE");
    char *ic = gb_hex(AE, "IC"), *sc = gb_hex(AE, "SC"), *pt = gb_hex(AE, "PLAINTEXT");
    const char *args[] = {"protect", "--ek", k.ek,   "--ak", k.ak,     "--systitle", k.st,
                          "--ic",    ic,     "--sc", sc,     "--apdu", pt,           NULL};
    result_t r = run(metering_tool_protect, args);
    char *secured = gb_hex(AE, "SECURED"), want[256];
    snprintf(want, sizeof want, "SECURED=%s\n", secured);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_str_eq(r.out, want);
    cr_assert_str_empty(r.err);
    result_free(&r), keys_hex_free(&k), free(ic), free(sc), free(pt), free(secured);
}

Test(tools, unprotect_prints_plaintext_and_counter)
{
    keys_hex_t k = keys_hex(AE, "SYSTITLE");
    char *data = gb_hex(AE, "SECURED"), *pt = gb_hex(AE, "PLAINTEXT"), want[256];
    const char *args[] = {"unprotect",  "--ek",     k.ek,     "--ak", k.ak,
                          "--systitle", k.st,       "--data", data,   "--min-ic",
                          "01234566",   "--policy", "30",     NULL};
    result_t r = run(metering_tool_unprotect, args);
    snprintf(want, sizeof want, "APDU=%s\nIC=01234567\n", pt);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_str_eq(r.out, want);
    result_free(&r), keys_hex_free(&k), free(data), free(pt);
}

Test(tools, unprotect_rejects_replay_with_exit_1_and_reason)
{
    keys_hex_t k = keys_hex(AE, "SYSTITLE");
    char *data = gb_hex(AE, "SECURED");
    const char *args[] = {"unprotect", "--ek",   k.ek, "--ak",     k.ak,       "--systitle",
                          k.st,        "--data", data, "--min-ic", "01234567", NULL};
    result_t r = run(metering_tool_unprotect, args);
    cr_assert_eq(r.rc, 1);
    cr_assert_str_empty(r.out);
    cr_assert_str_eq(r.err, "unprotect: rejected (replay): invocation counter 01234567 is not "
                            "above the last accepted 01234567\n");
    result_free(&r), keys_hex_free(&k), free(data);
}

Test(tools, unprotect_reports_auth_and_malformed)
{
    keys_hex_t k = keys_hex(AE, "SYSTITLE");
    char *data = gb_hex(AE, "SECURED");
    size_t n = strlen(data);
    data[n - 1] = data[n - 1] == '0' ? '1' : '0'; /* last tag nibble */
    const char *args[] = {"unprotect",  "--ek", k.ek,     "--ak", k.ak,
                          "--systitle", k.st,   "--data", data,   NULL};
    result_t r = run(metering_tool_unprotect, args);
    cr_assert_eq(r.rc, 1);
    cr_assert_str_eq(r.err, "unprotect: rejected (auth)\n");
    result_free(&r);
    args[8] = "3001234567"; /* SC || IC and nothing else */
    r = run(metering_tool_unprotect, args);
    cr_assert_eq(r.rc, 1);
    cr_assert_str_eq(r.err, "unprotect: rejected (malformed)\n");
    result_free(&r), keys_hex_free(&k), free(data);
}

/* protect then unprotect through the tools for each security control byte. */
Test(tools, protect_unprotect_round_trip_sc_10_20_30)
{
    keys_hex_t k = keys_hex(AE, "SYSTITLE");
    const char *scs[] = {"10", "20", "30"}, *apdu = "C001C100030100010800FF0200";
    for (int i = 0; i < 3; i++) {
        const char *pargs[] = {"protect", "--ek",     k.ek,   "--ak", k.ak,     "--systitle", k.st,
                               "--ic",    "0000002A", "--sc", scs[i], "--apdu", apdu,         NULL};
        result_t p = run(metering_tool_protect, pargs);
        cr_assert_eq(p.rc, 0, "%s", p.err);
        cr_assert_eq(strncmp(p.out, "SECURED=", 8), 0);
        cr_assert_eq(strncmp(p.out + 8, scs[i], 2), 0, "SC leads the secured octets");
        cr_assert_eq(strncmp(p.out + 10, "0000002A", 8), 0, "then the IC");
        p.out[strlen(p.out) - 1] = 0;
        const char *uargs[] = {"unprotect", "--ek",   k.ek,      "--ak",     k.ak,   "--systitle",
                               k.st,        "--data", p.out + 8, "--policy", scs[i], NULL};
        result_t u = run(metering_tool_unprotect, uargs);
        cr_assert_eq(u.rc, 0, "sc %s: %s", scs[i], u.err);
        cr_assert_str_eq(u.out, "APDU=C001C100030100010800FF0200\nIC=0000002A\n");
        result_free(&p), result_free(&u);
    }
    keys_hex_free(&k);
}

Test(tools, hls_gmac_prints_sc_ic_and_green_book_tags)
{
    const char *who[2][4] = {{"CLIENT_SYSTITLE", "CLIENT_IC", "StoC", "CLIENT_TAG"},
                             {"SERVER_SYSTITLE", "SERVER_IC", "CtoS", "SERVER_TAG"}};
    for (int i = 0; i < 2; i++) {
        keys_hex_t k = keys_hex(HLS, who[i][0]);
        char *ic = gb_hex(HLS, who[i][1]), *ch = gb_hex(HLS, who[i][2]),
             *tag = gb_hex(HLS, who[i][3]);
        const char *args[] = {"hls-gmac", "--ek", k.ek, "--ak",        k.ak, "--systitle",
                              k.st,       "--ic", ic,   "--challenge", ch,   NULL};
        result_t r = run(metering_tool_hls_gmac, args);
        char want[128];
        snprintf(want, sizeof want, "TAG=10%s%s\n", ic, tag);
        cr_assert_eq(r.rc, 0, "%s", r.err);
        cr_assert_str_eq(r.out, want);
        result_free(&r), keys_hex_free(&k), free(ic), free(ch), free(tag);
    }
}

Test(tools, bad_arguments_exit_2_with_a_message)
{
    const char *k16 = "000102030405060708090A0B0C0D0E0F", *st = "4D4D4D0000BC614E";
    const char *cases[][16] = {
        {"protect", NULL},
        {"protect", "--ek", k16, "--ak", k16, "--systitle", st, "--ic", "1", "--sc", "30", "--apdu",
         "C0", NULL},
        {"protect", "--ek", "0001", "--ak", k16, "--systitle", st, "--ic", "00000001", "--sc", "30",
         "--apdu", "C0", NULL},
        {"protect", "--ek", k16, "--ak", k16, "--systitle", st, "--ic", "00000001", "--sc", "31",
         "--apdu", "C0", NULL},
        {"protect", "--ek", k16, "--ak", k16, "--systitle", st, "--ic", "00000001", "--sc", "30",
         "--apdu", "C0Z", NULL},
        {"protect", "--ek", k16, "--ak", k16, "--systitle", st, "--ic", "00000001", "--sc", "30",
         "--apdu", "XY", NULL},
        {"protect", "--ek", k16, "--ak", k16, "--systitle", st, "--ic", "00000001", "--sc", "30",
         "--apdu", "C0", "--bogus", "1", NULL},
        {"protect", "--ek", k16, "--ek", k16, NULL},
        {"protect", "--ek", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        result_t r = run(metering_tool_protect, cases[i]);
        cr_assert_eq(r.rc, 2, "case %zu", i);
        cr_assert_str_empty(r.out, "case %zu", i);
        cr_assert_str_not_empty(r.err, "case %zu", i);
        result_free(&r);
    }
    const char *u[] = {"unprotect", "--ek",   k16,  "--ak",     k16,   "--systitle",
                       st,          "--data", "30", "--min-ic", "123", NULL};
    result_t r = run(metering_tool_unprotect, u);
    cr_assert_eq(r.rc, 2);
    cr_assert_str_eq(r.err,
                     "unprotect: --min-ic must be 4 octets (8 hex digits), got 3 hex digits\n");
    result_free(&r);
    const char *p[] = {"unprotect", "--ek",   k16,  "--ak",     k16,  "--systitle",
                       st,          "--data", "30", "--policy", "40", NULL};
    r = run(metering_tool_unprotect, p);
    cr_assert_eq(r.rc, 2);
    result_free(&r);
    const char *h[] = {"hls-gmac", "--ek", k16,        "--ak",        k16,  "--systitle",
                       "4D4D",     "--ic", "00000001", "--challenge", "00", NULL};
    r = run(metering_tool_hls_gmac, h);
    cr_assert_eq(r.rc, 2);
    cr_assert_str_eq(r.err,
                     "hls-gmac: --systitle must be 8 octets (16 hex digits), got 4 hex digits\n");
    result_free(&r);
}

Test(tools, descriptor_table_lists_the_three_tools)
{
    const char *names[] = {"protect", "unprotect", "hls-gmac"};
    for (int i = 0; i < 3; i++) {
        cr_assert_str_eq(metering_tools[i].name, names[i]);
        cr_assert_not_null(metering_tools[i].run);
        cr_assert_not_null(metering_tools[i].usage);
    }
    cr_assert_null(metering_tools[3].name);
}
