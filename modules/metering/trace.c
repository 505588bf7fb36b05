/* trace.c — metering's packet framing for `sg17tb run --trace` (trace.h). The IPv4 addresses are
 * labels derived from the entity names (meter-N 10.1.N/256.N%256, hes-N 10.2.x.y, the
 * adversary 10.255.255.254): the simulation has no addresses. The wrapper's wPorts are those of
 * IEC 62056-47 for a management association: the meter's management logical device (server
 * wPort 1) and the head-end as management client (client wPort 1). */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

#define DLMS_WRAPPER_PORT    4059 /* IANA "dlms-cosem", UDP and TCP */
#define DLMS_WRAPPER_VERSION 0x0001
#define WPORT_MANAGEMENT     0x0001
#define LINKTYPE_RAW         101
#define IPV4_HEADER          20
#define UDP_HEADER           8
#define WRAPPER_HEADER       8

/* The messages that are xDLMS APDUs between a meter and its head-end. */
static bool is_dlms(const char *type)
{
    static const char *const dlms[] = {
        "metering.reading", "metering.aarq",     "metering.aare",     "metering.hls",
        "metering.command", "metering.firmware", "metering.response",
    };
    for (size_t i = 0; i < sizeof dlms / sizeof dlms[0]; i++)
        if (type && !strcmp(type, dlms[i]))
            return true;
    return false;
}

/* "kind-N" → 10.<kind>.<N/256>.<N%256>. */
static void address_of(const char *name, uint8_t out[4])
{
    static const char *const kinds[] = {"meter", "hes", "mdm", "thirdparty", "operator"};
    out[0] = 10;
    out[1] = out[2] = 255;
    out[3] = 254; /* the adversary, or a name of no known kind */
    const char *dash = name ? strrchr(name, '-') : NULL;
    if (!dash)
        return;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t n = strlen(kinds[k]);
        if ((size_t)(dash - name) != n || strncmp(name, kinds[k], n) != 0)
            continue;
        unsigned long i = strtoul(dash + 1, NULL, 10);
        out[1] = (uint8_t)(k + 1);
        out[2] = (uint8_t)(i >> 8);
        out[3] = (uint8_t)i;
        return;
    }
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* The Internet checksum (RFC 1071) of data, continuing from sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(data[i] << 8 | data[i + 1]);
    if (len & 1)
        sum += (uint32_t)(data[len - 1] << 8);
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

size_t metering_trace_frame(const sg17_msg_t *msg, const char *src_name, const char *dst_name,
                            uint8_t *buf, size_t cap, uint32_t *linktype)
{
    if (!msg || !is_dlms(msg->type))
        return 0;
    size_t udp_len = UDP_HEADER + WRAPPER_HEADER + msg->len;
    size_t total = IPV4_HEADER + udp_len;
    if (msg->len > 0xFFFF || total > 0xFFFF)
        return 0; /* larger than one datagram: the generic frame */
    *linktype = LINKTYPE_RAW;
    if (total > cap)
        return total; /* the core calls again with a buffer this big */
    uint8_t *ip = buf, *udp = buf + IPV4_HEADER, *wrap = udp + UDP_HEADER;
    memset(buf, 0, IPV4_HEADER + UDP_HEADER + WRAPPER_HEADER);
    ip[0] = 0x45; /* IPv4, 5 words of header */
    put16(ip + 2, (uint32_t)total);
    put16(ip + 4, (uint32_t)(msg->id & 0xFFFF)); /* identification: the message id */
    put16(ip + 6, 0x4000);                       /* don't fragment */
    ip[8] = 64;                                  /* TTL */
    ip[9] = 17;                                  /* UDP */
    address_of(src_name, ip + 12);
    address_of(dst_name, ip + 16);
    put16(ip + 10, csum_fold(csum_add(0, ip, IPV4_HEADER)));

    put16(udp, DLMS_WRAPPER_PORT);
    put16(udp + 2, DLMS_WRAPPER_PORT);
    put16(udp + 4, (uint32_t)udp_len);
    put16(wrap, DLMS_WRAPPER_VERSION);
    put16(wrap + 2, WPORT_MANAGEMENT); /* source wPort */
    put16(wrap + 4, WPORT_MANAGEMENT); /* destination wPort */
    put16(wrap + 6, (uint32_t)msg->len);
    if (msg->len)
        memcpy(wrap + WRAPPER_HEADER, msg->payload, msg->len);
    /* UDP checksum over the pseudo header (addresses, protocol, length) and the datagram */
    uint8_t pseudo[12];
    memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = 17;
    put16(pseudo + 10, (uint32_t)udp_len);
    uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, sizeof pseudo), udp, udp_len));
    put16(udp + 6, c ? c : 0xFFFF); /* 0 means "no checksum" in UDP over IPv4 */
    return total;
}
