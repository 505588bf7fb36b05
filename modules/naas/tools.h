/* tools.h — the naas command-line tools and the trace framing (tools.c). */
#ifndef NAAS_TOOLS_H
#define NAAS_TOOLS_H

#include <sg17tb/module.h>

extern const sg17_tool_t naas_tools[];

/* sg17_module_t.trace_frame: data-plane messages are written as the Ethernet frames they are
 * (link type 1); the control plane gets the core's generic framing (0). */
size_t naas_trace_frame(const sg17_msg_t *msg, const char *src_name, const char *dst_name,
                        uint8_t *buf, size_t cap, uint32_t *linktype);

#endif
