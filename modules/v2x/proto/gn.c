/* gn.c — GeoNetworking (ETSI EN 302 636-4-1 V1.4.1 §9) common header + single-hop broadcast or
 * multi-hop topologically-scoped broadcast extended header, BTP-B (EN 302 636-5-1 §7.3), and the
 * Ethernet framing (ethertype 0x8947, GN basic header) of the trace: the packet a sniffer on an
 * ITS-G5 link would capture, so Wireshark's gnw/btpb/ieee1609dot2/its dissectors decode it. */
#include <string.h>

#include <openssl/evp.h>
#include <sg17tb/wire.h>

#include "v2x_proto.h"

#define GN_VERSION     1
#define BH_NH_COMMON   1 /* basic header next header: common header */
#define BH_NH_SECURED  2 /* secured packet */
#define CH_NH_BTP_B    2
#define HT_TSB         5
#define HST_SINGLE_HOP 0
#define HST_MULTI_HOP  1
#define COMMON_LEN     8
#define EXT_LEN        28 /* SHB: SO PV + 4 media-dependent octets; TSB: SN + reserved + SO PV */
#define BTP_LEN        4
#define LIFETIME_60S   ((6u << 2) | 2u) /* multiplier 6, base 10 s */

/* The long position vector (§9.5.2): GN_ADDR, TST, latitude, longitude, PAI + speed, heading. */
static void put_lpv(sg17_writer_t *w, const v2x_gn_t *g)
{
    uint16_t head =
        (uint16_t)((g->manual_addr ? 0x8000u : 0) | (g->addr_station_type & 0x1fu) << 10);
    sg17_put_u16(w, head);
    sg17_put_bytes(w, g->mid, 6);
    sg17_put_u32(w, g->timestamp);
    sg17_put_u32(w, (uint32_t)g->lat);
    sg17_put_u32(w, (uint32_t)g->lon);
    sg17_put_u16(w, (uint16_t)((g->pai ? 0x8000u : 0) | ((uint16_t)g->speed & 0x7fffu)));
    sg17_put_u16(w, g->heading);
}

static void get_lpv(sg17_reader_t *r, v2x_gn_t *g)
{
    uint16_t head = sg17_get_u16(r);
    g->manual_addr = head & 0x8000u;
    g->addr_station_type = (uint8_t)((head >> 10) & 0x1fu);
    if (head & 0x03ffu) /* reserved (EN 302 636-4-1 V1.4.1; a country code before) */
        sg17_reader_fail(r);
    sg17_get_copy(r, g->mid, 6);
    g->timestamp = sg17_get_u32(r);
    g->lat = (int32_t)sg17_get_u32(r);
    g->lon = (int32_t)sg17_get_u32(r);
    uint16_t ps = sg17_get_u16(r);
    g->pai = ps & 0x8000u;
    /* 15-bit two's complement speed */
    g->speed = (int16_t)((ps & 0x4000u) ? (int)(ps & 0x7fffu) - 0x8000 : (int)(ps & 0x7fffu));
    g->heading = sg17_get_u16(r);
    if (g->heading > 3599 || g->lat < -900000000 || g->lat > 900000000 || g->lon < -1800000000
        || g->lon > 1800000000)
        sg17_reader_fail(r);
}

int v2x_gn_encode(const v2x_gn_t *g, const uint8_t *payload, size_t payload_len, uint8_t *out,
                  size_t cap, size_t *out_len)
{
    if (!g || (!payload && payload_len) || !out_len || payload_len + BTP_LEN > 0xffff
        || g->speed < -16384 || g->speed > 16383 || g->heading > 3599
        || (g->kind != V2X_GN_SHB && g->kind != V2X_GN_TSB))
        return V2X_EARG;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, CH_NH_BTP_B << 4);
    sg17_put_u8(&w, HT_TSB << 4 | (g->kind == V2X_GN_SHB ? HST_SINGLE_HOP : HST_MULTI_HOP));
    sg17_put_u8(&w, g->traffic_class);
    sg17_put_u8(&w, g->mobile ? 0x80 : 0x00);
    sg17_put_u16(&w, (uint16_t)(payload_len + BTP_LEN));
    sg17_put_u8(&w, g->kind == V2X_GN_SHB ? 1 : g->max_hop_limit);
    sg17_put_u8(&w, 0);
    if (g->kind == V2X_GN_TSB) {
        sg17_put_u16(&w, g->sequence_number);
        sg17_put_u16(&w, 0);
        put_lpv(&w, g);
    } else {
        put_lpv(&w, g);
        sg17_put_u32(&w, 0); /* media-dependent data (ITS-G5: DCC fields, zero here) */
    }
    sg17_put_u16(&w, g->btp_port);
    sg17_put_u16(&w, g->btp_port_info);
    sg17_put_bytes(&w, payload, payload_len);
    return sg17_writer_finish(&w, out_len) == 0 ? V2X_OK : V2X_ESPACE;
}

int v2x_gn_decode(const uint8_t *buf, size_t len, v2x_gn_t *g, const uint8_t **payload,
                  size_t *payload_len)
{
    if (!buf || !g || !payload || !payload_len)
        return V2X_EARG;
    memset(g, 0, sizeof *g);
    sg17_reader_t r = sg17_reader(buf, len);
    uint8_t nh = sg17_get_u8(&r);
    uint8_t ht = sg17_get_u8(&r);
    g->traffic_class = sg17_get_u8(&r);
    uint8_t flags = sg17_get_u8(&r);
    uint16_t pl = sg17_get_u16(&r);
    g->max_hop_limit = sg17_get_u8(&r);
    uint8_t reserved = sg17_get_u8(&r);
    if (!sg17_reader_ok(&r))
        return V2X_EMALFORMED;
    if (nh != CH_NH_BTP_B << 4 || (ht >> 4) != HT_TSB || (ht & 0x0f) > HST_MULTI_HOP)
        return (nh & 0x0f) || (ht >> 4) == 0 ? V2X_EMALFORMED : V2X_EUNSUPPORTED;
    if ((flags & 0x7f) || reserved)
        return V2X_EMALFORMED;
    g->mobile = flags & 0x80;
    g->kind = (ht & 0x0f) == HST_SINGLE_HOP ? V2X_GN_SHB : V2X_GN_TSB;
    if (g->kind == V2X_GN_SHB && g->max_hop_limit != 1) /* §10.3.10: an SHB travels one hop */
        return V2X_EMALFORMED;
    if (g->kind == V2X_GN_TSB) {
        g->sequence_number = sg17_get_u16(&r);
        if (sg17_get_u16(&r) != 0) /* reserved */
            sg17_reader_fail(&r);
        get_lpv(&r, g);
    } else {
        get_lpv(&r, g);
        sg17_get_u32(&r);
    }
    if (sg17_reader_remaining(&r) != pl || pl < BTP_LEN)
        return V2X_EMALFORMED;
    g->btp_port = sg17_get_u16(&r);
    g->btp_port_info = sg17_get_u16(&r);
    *payload = sg17_get_rest(&r, payload_len);
    return sg17_reader_done(&r) ? V2X_OK : V2X_EMALFORMED;
}

size_t v2x_frame_ethernet(const uint8_t src_mac[6], const uint8_t *spdu, size_t len, bool secured,
                          uint8_t *buf, size_t cap)
{
    size_t total = 14 + 4 + len;
    if (!buf || total > cap)
        return total;
    memset(buf, 0xff, 6);
    memcpy(buf + 6, src_mac, 6);
    sg17_store_be16(buf + 12, V2X_ETHERTYPE_GN);
    buf[14] = (uint8_t)(GN_VERSION << 4 | (secured ? BH_NH_SECURED : BH_NH_COMMON));
    buf[15] = 0;
    buf[16] = LIFETIME_60S;
    buf[17] = 1; /* remaining hop limit */
    memcpy(buf + 18, spdu, len);
    return total;
}

size_t v2x_trace_frame(const sg17_msg_t *msg, const char *src_name, const char *dst_name,
                       uint8_t *buf, size_t cap, uint32_t *linktype)
{
    (void)dst_name; /* radio broadcast: the frame goes to ff:ff:ff:ff:ff:ff */
    if (!msg || !msg->payload || !linktype)
        return 0;
    v2x_spdu_t s;
    v2x_gn_t g;
    const uint8_t *app;
    size_t app_len;
    bool secured;
    if (v2x_spdu_decode(msg->payload, msg->len, &s) == V2X_OK) {
        /* a signed or unsecured SPDU must carry a GN packet to be dissected past the header */
        if (s.content != V2X_CONTENT_ENCRYPTED
            && v2x_gn_decode(s.payload, s.payload_len, &g, &app, &app_len) != V2X_OK)
            return 0;
        secured = true;
    } else if (v2x_gn_decode(msg->payload, msg->len, &g, &app, &app_len) == V2X_OK) {
        secured = false;
    } else {
        return 0;
    }
    /* a locally administered unicast MAC from the sender's name */
    uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0}, h[32];
    const char *name = src_name ? src_name : "";
    if (EVP_Digest(name, strlen(name), h, NULL, EVP_sha256(), NULL) == 1) {
        memcpy(mac, h, 6);
        mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
    }
    *linktype = 1;
    return v2x_frame_ethernet(mac, msg->payload, msg->len, secured, buf, cap);
}
