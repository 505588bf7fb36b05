/* tools.h — the iaas command-line tools (`sg17tb iaas <tool> ...`): the image inspector, image
 * signing and verification, the metadata request parser and the API request decoder, on hex
 * arguments. */
#ifndef IAAS_TOOLS_H
#define IAAS_TOOLS_H

#include <sg17tb/module.h>

/* inspect-image, sign-image, verify-image, imds-parse, api-decode; {NULL}-terminated. Exit codes:
 * 0 accepted / valid, 1 refused (a backing file outside the image, a signature or MAC that does not
 * verify, a malformed request), 2 bad arguments. */
extern const sg17_tool_t iaas_tools[];

#endif
