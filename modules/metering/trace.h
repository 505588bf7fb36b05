/* trace.h — metering's trace_frame (SDK minor 1, `sg17tb run --trace`). */
#ifndef METERING_TRACE_H
#define METERING_TRACE_H

#include <sg17tb/module.h>

/* Frames a meter <-> head-end message (an xDLMS APDU or AARQ/AARE) as the packet a DLMS/COSEM
 * network would carry: IPv4, UDP port 4059 at both ends, the DLMS wrapper (IEC 62056-47:
 * version 0x0001, source wPort, destination wPort, APDU length), the APDU. Link type 101 (raw
 * IP). Other messages (MDM, third-party, operator, audit traffic): 0, the core's generic frame. */
size_t metering_trace_frame(const sg17_msg_t *msg, const char *src_name, const char *dst_name,
                            uint8_t *buf, size_t cap, uint32_t *linktype);

#endif
