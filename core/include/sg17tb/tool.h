/* sg17tb/tool.h — option parsing, hex decoding and NAME=HEX output for module command-line tools.
 *
 * Header-only and libc-only. A module tool (sg17_tool_t.run) receives argv and the FILE *out, *err
 * it must write to. The conventions every tool follows, which these helpers implement:
 * - options are `--name VALUE` pairs in any order; an unknown, repeated or value-less option, or a
 *   missing required one, is a usage error: one line "<tool>: ..." on err and exit code 2
 *   (SG17_TOOL_USAGE);
 * - binary values are hex (either case, no separators, never empty), decoded into a bounded
 *   caller buffer; a bad value is a usage error naming the option;
 * - results are printed as `NAME=HEX` lines (upper-case hex) on out; exit 0 (SG17_TOOL_OK);
 * - an operation that ran but refused its input (a tag that does not verify) exits 1
 *   (SG17_TOOL_REFUSED) with its reason on err.
 *
 *     sg17_tool_opt_t opts[] = {{"key", true, NULL}, {"data", true, NULL}, {NULL, false, NULL}};
 *     uint8_t key[16], data[4096];
 *     size_t data_len;
 *     if (sg17_tool_parse(argv[0], argc, argv, opts, err) != 0
 *         || sg17_tool_hex_exact(argv[0], "key", sg17_tool_opt(opts, "key"), key, sizeof key, err)
 *         || sg17_tool_hex(argv[0], "data", sg17_tool_opt(opts, "data"), data, sizeof data,
 *                          &data_len, err))
 *         return SG17_TOOL_USAGE;
 *     ...
 *     sg17_tool_print_hex(out, "SECURED", secured, secured_len);
 *     return SG17_TOOL_OK;
 *
 * Buffers holding key material are the caller's: wipe them (OPENSSL_cleanse, or sg17_tool_wipe)
 * before returning. A failed decode already wipes what it had written. */
#ifndef SG17TB_TOOL_H
#define SG17TB_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exit codes of a module tool. */
#define SG17_TOOL_OK      0 /* done; results on out */
#define SG17_TOOL_REFUSED 1 /* the operation ran and refused its input (verification failed) */
#define SG17_TOOL_USAGE   2 /* bad command line or bad option value */

/* One `--name VALUE` option a tool accepts. Declare an array ending with {NULL}; value is NULL
 * until sg17_tool_parse sees the option. */
typedef struct {
    const char *name; /* without the leading "--" */
    bool required;
    const char *value; /* borrowed from argv */
} sg17_tool_opt_t;

/* Fills opts from argv[1 .. argc): every argument pair is `--name VALUE` of a declared option.
 * Returns 0, or -1 after one line "<tool>: ..." on err (unknown option, option without a value,
 * option given twice, required option missing). */
static inline int sg17_tool_parse(const char *tool, int argc, char **argv, sg17_tool_opt_t *opts,
                                  FILE *err)
{
    for (int i = 1; i < argc; i += 2) {
        const char *arg = argv[i];
        sg17_tool_opt_t *o = NULL;
        if (strncmp(arg, "--", 2) == 0)
            for (sg17_tool_opt_t *p = opts; p->name; p++)
                if (strcmp(arg + 2, p->name) == 0)
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
    for (const sg17_tool_opt_t *p = opts; p->name; p++)
        if (p->required && !p->value) {
            fprintf(err, "%s: missing option '--%s'\n", tool, p->name);
            return -1;
        }
    return 0;
}

/* The value given for option `name` (NULL when it was not given or is not declared). */
static inline const char *sg17_tool_opt(const sg17_tool_opt_t *opts, const char *name)
{
    for (const sg17_tool_opt_t *p = opts; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p->value;
    return NULL;
}

/* Overwrites n bytes at p with zeros in a way the compiler may not elide (for key material in a
 * tool that does not link OpenSSL; one that does uses OPENSSL_cleanse). */
static inline void sg17_tool_wipe(void *p, size_t n)
{
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (n--)
        *v++ = 0;
}

/* The value of one hex digit, or -1. */
static inline int sg17_tool_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the hex string `hex` into buf (at most cap bytes): 0 and *len, or -1 with *why set to
 * a static phrase that follows the value's name ("is empty ...", "has an odd number of hex
 * digits", "is too long", "is not hex ..."). On failure nothing decoded is left in buf. */
static inline int sg17_tool_hex_decode(const char *hex, uint8_t *buf, size_t cap, size_t *len,
                                       const char **why)
{
    size_t n = hex ? strlen(hex) : 0;
    const char *reason = NULL;
    if (n == 0)
        reason = "is empty (give at least one octet)";
    else if (n % 2)
        reason = "has an odd number of hex digits";
    else if (n / 2 > cap)
        reason = "is too long";
    for (size_t i = 0; !reason && i < n / 2; i++) {
        int hi = sg17_tool_hex_digit(hex[2 * i]), lo = sg17_tool_hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            sg17_tool_wipe(buf, i);
            reason = "is not hex (digits 0-9, a-f, A-F only)";
            break;
        }
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    if (reason) {
        if (why)
            *why = reason;
        return -1;
    }
    *len = n / 2;
    return 0;
}

/* Decodes the value of option `--name` into buf (1 .. cap octets): 0 and *len, or -1 after one
 * line "<tool>: --<name> ..." on err saying why (empty, odd length, not hex, longer than cap). */
static inline int sg17_tool_hex(const char *tool, const char *name, const char *hex, uint8_t *buf,
                                size_t cap, size_t *len, FILE *err)
{
    const char *why = NULL;
    if (!hex) {
        fprintf(err, "%s: missing option '--%s'\n", tool, name);
        return -1;
    }
    if (strlen(hex) % 2 == 0 && strlen(hex) / 2 > cap) {
        fprintf(err, "%s: --%s is too long: at most %zu octets (%zu hex digits), got %zu\n", tool,
                name, cap, 2 * cap, strlen(hex));
        return -1;
    }
    if (sg17_tool_hex_decode(hex, buf, cap, len, &why) != 0) {
        fprintf(err, "%s: --%s %s\n", tool, name, why);
        return -1;
    }
    return 0;
}

/* Decodes the value of option `--name` into exactly `want` octets at buf (a key, a system title, a
 * fixed-width counter): 0, or -1 after one line on err giving the expected and actual sizes. */
static inline int sg17_tool_hex_exact(const char *tool, const char *name, const char *hex,
                                      uint8_t *buf, size_t want, FILE *err)
{
    if (hex && strlen(hex) != 2 * want) {
        fprintf(err, "%s: --%s must be %zu octets (%zu hex digits), got %zu hex digits\n", tool,
                name, want, 2 * want, strlen(hex));
        return -1;
    }
    size_t len;
    return sg17_tool_hex(tool, name, hex, buf, want, &len, err);
}

/* Prints `NAME=HEX` (upper-case hex of the n bytes at p) and a newline on out. */
static inline void sg17_tool_print_hex(FILE *out, const char *name, const uint8_t *p, size_t n)
{
    fprintf(out, "%s=", name);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%02X", p[i]);
    fputc('\n', out);
}

/* Prints a usage error "<tool>: <message>" on err and returns SG17_TOOL_USAGE, for checks of an
 * option's meaning after parsing: `return sg17_tool_usage(err, tool, "--sc must be 10, 20 or
 * 30");`. */
static inline int sg17_tool_usage(FILE *err, const char *tool, const char *message)
{
    fprintf(err, "%s: %s\n", tool, message);
    return SG17_TOOL_USAGE;
}

#ifdef __cplusplus
}
#endif
#endif
