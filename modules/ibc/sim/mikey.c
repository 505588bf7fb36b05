/* mikey.c — the D.1 one-pass message as the packet a deployment of RFC 6509 puts on the wire: the
 * MIKEY-SAKKE I_MESSAGE the bus carried (proto/mikey.h), byte for byte, in UDP to port 2269 over
 * IPv4, for `sg17tb run --trace` (the descriptor's trace_frame). Pure: it reads only the message
 * and the two entity names. */
#include <stdio.h>
#include <string.h>

#include <sg17tb/wire.h>

#include "proto/mikey.h"
#include "sim/ibc_sim.h"

#define IPV4_HEADER 20
#define UDP_HEADER  8

/* "<kind>-<n>" to 10.<kind>.<n / 256>.<n % 256>: devices 1, gateway 2, KMSs 3, anything else 9. */
static uint32_t entity_address(const char *name)
{
    char kind[16] = "";
    unsigned n = 0;
    if (!name || sscanf(name, "%15[a-z]-%u", kind, &n) != 2)
        n = 0;
    uint32_t k = strcmp(kind, "device") == 0    ? 1
                 : strcmp(kind, "gateway") == 0 ? 2
                 : strcmp(kind, "kms") == 0     ? 3
                                                : 9;
    return (10u << 24) | (k << 16) | (n & 0xffffu);
}

/* The Internet checksum (RFC 1071) of len octets, added to sum. */
static uint32_t checksum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

static uint16_t checksum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

size_t ibc_trace_frame(const sg17_msg_t *msg, const char *src_name, const char *dst_name,
                       uint8_t *buf, size_t cap, uint32_t *linktype)
{
    mikey_sakke_t m;
    if (!msg || strcmp(msg->type, "ibc.d1_auth") != 0
        || mikey_sakke_decode(msg->payload, msg->len, &m) != 0)
        return 0; /* the core's generic exported PDU */
    size_t mlen = msg->len, total = IPV4_HEADER + UDP_HEADER + mlen;
    if (total > 0xffff)
        return 0;
    *linktype = 101; /* raw IPv4 */
    if (total > cap || !buf)
        return total;
    memcpy(buf + IPV4_HEADER + UDP_HEADER, msg->payload, mlen);
    uint32_t src = entity_address(src_name), dst = entity_address(dst_name);
    uint8_t *ip = buf, *udp = buf + IPV4_HEADER;
    memset(ip, 0, IPV4_HEADER);
    ip[0] = 0x45; /* IPv4, 5 words of header */
    sg17_store_be16(ip + 2, (uint16_t)total);
    sg17_store_be16(ip + 4, (uint16_t)msg->id);
    sg17_store_be16(ip + 6, 0x4000); /* don't fragment */
    ip[8] = 64;
    ip[9] = 17; /* UDP */
    sg17_store_be32(ip + 12, src);
    sg17_store_be32(ip + 16, dst);
    sg17_store_be16(ip + 10, checksum_fold(checksum_add(0, ip, IPV4_HEADER)));
    sg17_store_be16(udp, 2269);
    sg17_store_be16(udp + 2, 2269);
    sg17_store_be16(udp + 4, (uint16_t)(UDP_HEADER + mlen));
    sg17_store_be16(udp + 6, 0);
    /* RFC 768: the checksum over the pseudo-header (addresses, protocol, length) and the datagram
     */
    uint32_t sum = checksum_add(0, ip + 12, 8) + 17 + (uint32_t)(UDP_HEADER + mlen);
    uint16_t c = checksum_fold(checksum_add(sum, udp, UDP_HEADER + mlen));
    sg17_store_be16(udp + 6, c ? c : 0xffff);
    return total;
}
