/* test_tool.c — sg17tb/tool.h: `--name VALUE` options (unknown, repeated, value-less and missing
 * required ones are usage errors naming the tool and option), bounded hex decoding with one clear
 * reason per failure, and NAME=HEX output on the FILE it is given. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sg17tb/tool.h"

/* What a helper wrote to its FILE, as a string (freed by the caller). */
static char *written(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    char *s = calloc(1, (size_t)n + 1);
    rewind(f);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    return s;
}

/* Parses argv with the options key (required) and ic (optional); returns what err received. */
static char *parse(int argc, char **argv, int want_rc, sg17_tool_opt_t *opts)
{
    FILE *err = tmpfile();
    cr_assert_eq(sg17_tool_parse("protect", argc, argv, opts, err), want_rc);
    char *s = written(err);
    fclose(err);
    return s;
}

Test(tool, options_are_name_value_pairs_of_declared_names)
{
    sg17_tool_opt_t o[] = {{"key", true, NULL}, {"ic", false, NULL}, {NULL, false, NULL}};
    char *ok = parse(5, (char *[]){"protect", "--ic", "01", "--key", "aa", NULL}, 0, o);
    cr_assert_str_empty(ok);
    cr_assert_str_eq(sg17_tool_opt(o, "key"), "aa");
    cr_assert_str_eq(sg17_tool_opt(o, "ic"), "01");
    cr_assert_null(sg17_tool_opt(o, "undeclared"));
    free(ok);
}

Test(tool, each_bad_command_line_says_what_is_wrong_with_which_option)
{
    struct {
        int argc;
        char *argv[6];
        const char *says;
    } cases[] = {
        {3, {"protect", "--speed", "1"}, "protect: unknown option '--speed'\n"},
        {2, {"protect", "--key"}, "protect: option '--key' needs a value\n"},
        {5, {"protect", "--key", "a", "--key", "b"}, "protect: option '--key' given twice\n"},
        {3, {"protect", "--ic", "1"}, "protect: missing option '--key'\n"},
        {3, {"protect", "key", "1"}, "protect: unknown option 'key'\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sg17_tool_opt_t o[] = {{"key", true, NULL}, {"ic", false, NULL}, {NULL, false, NULL}};
        char *s = parse(cases[i].argc, cases[i].argv, -1, o);
        cr_assert_str_eq(s, cases[i].says);
        free(s);
    }
}

Test(tool, hex_is_decoded_into_a_bounded_buffer_with_one_reason_per_failure)
{
    struct {
        const char *hex;
        const char *says;
    } cases[] = {
        {"", "t: --data is empty (give at least one octet)\n"},
        {"abc", "t: --data has an odd number of hex digits\n"},
        {"zz", "t: --data is not hex (digits 0-9, a-f, A-F only)\n"},
        {"0011223344", "t: --data is too long: at most 4 octets (8 hex digits), got 10\n"},
        {NULL, "t: missing option '--data'\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[4] = {0};
        size_t len = 0;
        FILE *err = tmpfile();
        cr_assert_eq(sg17_tool_hex("t", "data", cases[i].hex, buf, sizeof buf, &len, err), -1);
        char *s = written(err);
        cr_assert_str_eq(s, cases[i].says);
        free(s);
        fclose(err);
    }
    uint8_t buf[4];
    size_t len = 0;
    cr_assert_eq(sg17_tool_hex("t", "data", "00aAfF", buf, sizeof buf, &len, stderr), 0);
    cr_assert_eq(len, 3);
    cr_assert_eq(memcmp(buf, "\x00\xaa\xff", 3), 0);
}

Test(tool, a_bad_digit_leaves_nothing_decoded_in_the_buffer)
{
    uint8_t buf[4] = {0};
    size_t len = 0;
    const char *why = NULL;
    cr_assert_eq(sg17_tool_hex_decode("a1b2zz", buf, sizeof buf, &len, &why), -1);
    cr_assert_str_eq(why, "is not hex (digits 0-9, a-f, A-F only)");
    cr_assert_eq(buf[0] | buf[1], 0);
}

Test(tool, an_exact_size_option_names_both_sizes)
{
    uint8_t key[16];
    FILE *err = tmpfile();
    cr_assert_eq(sg17_tool_hex_exact("t", "ek", "0011", key, sizeof key, err), -1);
    char *s = written(err);
    cr_assert_str_eq(s, "t: --ek must be 16 octets (32 hex digits), got 4 hex digits\n");
    free(s);
    fclose(err);
}

Test(tool, results_are_name_equals_upper_case_hex_on_the_given_file)
{
    FILE *out = tmpfile();
    sg17_tool_print_hex(out, "SECURED", (const uint8_t *)"\x01\xab", 2);
    cr_assert_eq(sg17_tool_usage(out, "t", "--sc must be 10, 20 or 30"), SG17_TOOL_USAGE);
    char *s = written(out);
    cr_assert_str_eq(s, "SECURED=01AB\nt: --sc must be 10, 20 or 30\n");
    free(s);
    fclose(out);
}
