/* tools.h — the ibc command-line tools (`sg17tb ibc <tool> ...`): ECCSI and SAKKE key derivation,
 * signing/verification, encapsulation/decapsulation on hex arguments. */
#ifndef IBC_TOOLS_H
#define IBC_TOOLS_H

#include <sg17tb/module.h>

/* eccsi-keys, eccsi-sign, eccsi-verify, sakke-keys, sakke-encap, sakke-decap; {NULL}-terminated.
 * Output: NAME=HEX lines (upper-case) on the tool's out. Exit codes: 0 done/valid, 1 invalid
 * signature or failed decapsulation check, 2 bad arguments or invalid key material (message on its
 * err). */
extern const sg17_tool_t ibc_tools[];

#endif
