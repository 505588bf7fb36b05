/* tools.h — the v2x command-line tools (`sg17tb v2x <tool> ...`): verify, sign, hashedid8 and
 * decode IEEE 1609.2 / ETSI TS 103 097 secured messages given in hex. */
#ifndef V2X_TOOLS_H
#define V2X_TOOLS_H

#include <sg17tb/module.h>

/* verify, sign, hashedid8, decode; {NULL}-terminated. Output: NAME=VALUE lines on the tool's
 * out. Exit codes: 0 done / verified, 1 the input was refused (signature, unknown signer,
 * certificate not valid at the time, malformed message; the reason on err), 2 bad arguments. */
extern const sg17_tool_t v2x_tools[];

#endif
