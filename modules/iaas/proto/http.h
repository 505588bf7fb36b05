/* http.h — the management API's messages framed as what a real control plane puts on the wire, for
 * `sg17tb run --trace`: an IPv4 packet carrying one TCP segment (port 80) with an HTTP/1.1 request
 * or response whose body is JSON, so that Wireshark's own dissectors decode it. Pure: the request
 * or response octets of api.h in, a raw IPv4 packet (pcapng link type 101) out. */
#ifndef IAAS_PROTO_HTTP_H
#define IAAS_PROTO_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_LINKTYPE_RAW 101
#define HTTP_FRAME_MAX    (40 + 1024 + 2 * 4096 + 2 * 64 + 512)

/* Frames an api.h request (response = false) or response from src to dst (IPv4 addresses, host
 * order); seq is the TCP sequence number. Returns the frame's length (0 when payload does not
 * decode), writing at most cap octets. */
size_t http_frame_api(const uint8_t *payload, size_t len, bool response, uint32_t src, uint32_t dst,
                      uint32_t seq, uint8_t *buf, size_t cap);

/* The IPv4 address an entity ("api-0", "vm-17") has in the trace: 10.<kind>.<index>. */
uint32_t http_address(const char *entity);

#endif
