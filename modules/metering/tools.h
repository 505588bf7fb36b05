/* tools.h — the metering module's command-line tools (`sg17tb metering <tool> ...`).
 *
 * Each tool parses "--name HEX" options, prints NAME=HEX lines (upper-case hex) on out and
 * messages on err, and returns the exit code: 0 done, 1 input rejected (unprotect), 2 bad
 * arguments. metering_tools[] lists them for the core, which passes the streams to write to.
 */
#ifndef METERING_TOOLS_H
#define METERING_TOOLS_H

#include <stdio.h>

#include <sg17tb/module.h>

/* protect --ek HEX --ak HEX --systitle HEX --ic HEX8 --sc HEX --apdu HEX -> SECURED=... */
int metering_tool_protect(int argc, char **argv, FILE *out, FILE *err);
/* unprotect --ek HEX --ak HEX --systitle HEX --data HEX [--min-ic HEX8] [--policy 00|10|20|30]
 *   -> APDU=... IC=...  (--policy: SC bits the frame must have; default 00 accepts any) */
int metering_tool_unprotect(int argc, char **argv, FILE *out, FILE *err);
/* hls-gmac --ek HEX --ak HEX --systitle HEX --ic HEX8 --challenge HEX -> TAG=10||IC||GMAC */
int metering_tool_hls_gmac(int argc, char **argv, FILE *out, FILE *err);

/* The descriptor's tool table, ending with a {NULL} entry. */
extern const sg17_tool_t metering_tools[];

#endif
