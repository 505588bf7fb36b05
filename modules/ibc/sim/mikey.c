/* mikey.c — the D.1 one-pass message as the packet a deployment of RFC 6509 puts on the wire: a
 * MIKEY-SAKKE I_MESSAGE (HDR, T, RAND, IDRi, IDRr, SAKKE, SIGN; RFC 3830 §6, RFC 6043 §6.6,
 * RFC 6509 §4) in UDP to port 2269 over IPv4, for `sg17tb run --trace` (the descriptor's
 * trace_frame). Pure: it reads only the message and the two entity names. */
#include <stdio.h>
#include <string.h>

#include <sg17tb/wire.h>

#include "sim/ibc_sim.h"

/* RFC 3830 §6.1 / RFC 6509 §4.1: MIKEY version 1, data type SAKKE I_MESSAGE. */
#define MIKEY_VERSION       1
#define MIKEY_TYPE_SAKKE    26
#define MIKEY_PL_LAST       0
#define MIKEY_PL_SIGN       4  /* RFC 3830 §6.5 */
#define MIKEY_PL_T          5  /* RFC 3830 §6.6 */
#define MIKEY_PL_RAND       11 /* RFC 3830 §6.11 */
#define MIKEY_PL_IDR        14 /* RFC 6043 §6.6 */
#define MIKEY_PL_SAKKE      26 /* RFC 6509 §4.2 */
#define MIKEY_TS_NTP_UTC    0
#define MIKEY_IDR_I         1 /* ID role: initiator */
#define MIKEY_IDR_R         2 /* ID role: responder */
#define MIKEY_ID_URI        1
#define MIKEY_SAKKE_PARAMS1 1 /* RFC 6509 Appendix A parameter set 1 */
#define MIKEY_SAKKE_TEL_URI 1 /* ID scheme: URI with monthly keys (RFC 6509 §3.2) */
#define MIKEY_SIGN_ECCSI    2 /* S type (RFC 6509 §4.3) */

/* Virtual time 0 as NTP seconds (since 1900): 2026-01-01T00:00:00Z, the default start_period, so
 * that a trace shows dates in the months the identities are labelled with. */
#define IBC_TRACE_NTP_EPOCH (2208988800ULL + 1767225600ULL)

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

/* The URI of an identity "YYYY-MM" 0x00 uri 0x00 (X.1365 8.3 / RFC 6509 §3.2), or NULL. */
static const uint8_t *identity_uri(const uint8_t *id, size_t id_len, size_t *uri_len)
{
    if (id_len < 10 || id[7] != 0 || id[id_len - 1] != 0 || memchr(id + 8, 0, id_len - 9))
        return NULL;
    *uri_len = id_len - 9;
    return id + 8;
}

size_t ibc_mikey_i_message(const ibc_d1_t *d1, const uint8_t *responder_uri, size_t responder_len,
                           uint8_t *out, size_t cap)
{
    size_t uri_len = 0;
    const uint8_t *uri = identity_uri(d1->id, d1->id_len, &uri_len);
    if (!uri || responder_len > 0xffff)
        return 0;
    size_t need = 10 + 10 + (2 + IBC_NONCE_BYTES) + (5 + uri_len) + (5 + responder_len)
                  + (5 + SAKKE_SED_BYTES) + (d1->sig ? 2 + ECCSI_SIG_BYTES : 0);
    if (need > cap)
        return need;
    sg17_writer_t w = sg17_writer(out, cap);
    /* HDR (RFC 3830 §6.1): no crypto sessions yet, the CSB ID from the nonce */
    sg17_put_u8(&w, MIKEY_VERSION);
    sg17_put_u8(&w, MIKEY_TYPE_SAKKE);
    sg17_put_u8(&w, MIKEY_PL_T);
    sg17_put_u8(&w, 0); /* V = 0, PRF = MIKEY-1 */
    sg17_put_bytes(&w, d1->nonce, 4);
    sg17_put_u8(&w, 0); /* #CS */
    sg17_put_u8(&w, 0); /* CS ID map type */
    /* T: NTP-UTC of the D.1 timestamp (virtual microseconds; the fraction rounded up, so that
     * reading it back to the nanosecond by truncation gives the microsecond exactly) */
    uint64_t secs = d1->ts / SG17_SEC;
    uint64_t frac = (((d1->ts % SG17_SEC) << 32) + SG17_SEC - 1) / SG17_SEC;
    sg17_put_u8(&w, MIKEY_PL_RAND);
    sg17_put_u8(&w, MIKEY_TS_NTP_UTC);
    sg17_put_u32(&w, (uint32_t)(IBC_TRACE_NTP_EPOCH + secs));
    sg17_put_u32(&w, (uint32_t)frac);
    /* RAND: the D.1 nonce */
    sg17_put_u8(&w, MIKEY_PL_IDR);
    sg17_put_u8(&w, IBC_NONCE_BYTES);
    sg17_put_bytes(&w, d1->nonce, IBC_NONCE_BYTES);
    /* IDRi, IDRr (RFC 6043 §6.6): the URIs; the month comes from T */
    sg17_put_u8(&w, MIKEY_PL_IDR);
    sg17_put_u8(&w, MIKEY_IDR_I);
    sg17_put_u8(&w, MIKEY_ID_URI);
    sg17_put_u16(&w, (uint16_t)uri_len);
    sg17_put_bytes(&w, uri, uri_len);
    sg17_put_u8(&w, MIKEY_PL_SAKKE);
    sg17_put_u8(&w, MIKEY_IDR_R);
    sg17_put_u8(&w, MIKEY_ID_URI);
    sg17_put_u16(&w, (uint16_t)responder_len);
    sg17_put_bytes(&w, responder_uri, responder_len);
    /* SAKKE (RFC 6509 §4.2): the SED */
    sg17_put_u8(&w, d1->sig ? MIKEY_PL_SIGN : MIKEY_PL_LAST);
    sg17_put_u8(&w, MIKEY_SAKKE_PARAMS1);
    sg17_put_u8(&w, MIKEY_SAKKE_TEL_URI);
    sg17_put_u16(&w, SAKKE_SED_BYTES);
    sg17_put_bytes(&w, d1->sed, SAKKE_SED_BYTES);
    /* SIGN (RFC 3830 §6.5, last): S type in the top 4 bits, then the 12-bit length */
    if (d1->sig) {
        sg17_put_u16(&w, (uint16_t)(MIKEY_SIGN_ECCSI << 12 | ECCSI_SIG_BYTES));
        sg17_put_bytes(&w, d1->sig, ECCSI_SIG_BYTES);
    }
    size_t n = 0;
    return sg17_writer_finish(&w, &n) == 0 && n == need ? n : 0;
}

size_t ibc_trace_frame(const sg17_msg_t *msg, const char *src_name, const char *dst_name,
                       uint8_t *buf, size_t cap, uint32_t *linktype)
{
    ibc_d1_t d1;
    if (!msg || strcmp(msg->type, "ibc.d1_auth") != 0
        || (ibc_d1_decode(msg->payload, msg->len, true, &d1) != 0
            && ibc_d1_decode(msg->payload, msg->len, false, &d1) != 0))
        return 0; /* the core's generic exported PDU */
    char responder[64];
    int rn = snprintf(responder, sizeof responder, "urn:dev:sg17tb:%s", dst_name ? dst_name : "");
    if (rn <= 0 || (size_t)rn >= sizeof responder)
        return 0;
    size_t room = cap > IPV4_HEADER + UDP_HEADER ? cap - IPV4_HEADER - UDP_HEADER : 0;
    size_t m = ibc_mikey_i_message(&d1, (const uint8_t *)responder, (size_t)rn,
                                   buf ? buf + IPV4_HEADER + UDP_HEADER : NULL, buf ? room : 0);
    size_t total = IPV4_HEADER + UDP_HEADER + m;
    if (m == 0 || total > 0xffff)
        return 0;
    *linktype = 101; /* raw IPv4 */
    if (total > cap || !buf)
        return total;
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
    sg17_store_be16(udp + 4, (uint16_t)(UDP_HEADER + m));
    sg17_store_be16(udp + 6, 0);
    /* RFC 768: the checksum over the pseudo-header (addresses, protocol, length) and the datagram
     */
    uint32_t sum = checksum_add(0, ip + 12, 8) + 17 + (uint32_t)(UDP_HEADER + m);
    uint16_t c = checksum_fold(checksum_add(sum, udp, UDP_HEADER + m));
    sg17_store_be16(udp + 6, c ? c : 0xffff);
    return total;
}
