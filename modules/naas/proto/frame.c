/* frame.c — Ethernet, ARP, IPv4/UDP, VXLAN, the ESP-style overlay and NSH: builders and bounded
 * parsers (frame.h). */
#include "proto/frame.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sg17tb/wire.h>

#define IP_HDR          20
#define UDP_HDR         8
#define VXLAN_HDR       8
#define ESP_HDR         8
#define ESP_IV          8
#define PROTO_UDP       17
#define PROTO_ESP       50
#define NSH_MD_CLASS    0x0000 /* the IETF base class */
#define NSH_MD_TYPE_MAC 0x02   /* this testbed's code for the RFC 9145-style MAC TLV */

int naasp_eth_parse(const uint8_t *f, size_t len, naasp_eth_t *out)
{
    if (!f || len < NAASP_ETH_HDR || len > NAASP_MAX_FRAME)
        return -1;
    memcpy(out->dst, f, 6);
    memcpy(out->src, f + 6, 6);
    out->ethertype = sg17_load_be16(f + 12);
    out->body = f + NAASP_ETH_HDR;
    out->body_len = len - NAASP_ETH_HDR;
    return 0;
}

static void put_eth(sg17_writer_t *w, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
    sg17_put_bytes(w, dst, 6);
    sg17_put_bytes(w, src, 6);
    sg17_put_u16(w, type);
}

/* Pads a frame to the 60-octet Ethernet minimum (without FCS), as a NIC would. */
static size_t finish_min60(sg17_writer_t *w)
{
    size_t n = 0;
    if (sg17_writer_finish(w, &n) != 0)
        return 0;
    if (n < 60) {
        sg17_put_zeros(w, 60 - n);
        if (sg17_writer_finish(w, &n) != 0)
            return 0;
    }
    return n;
}

size_t naasp_arp_build(uint8_t *out, size_t cap, const uint8_t dst[6], const uint8_t src[6],
                       const naasp_arp_t *a)
{
    sg17_writer_t w = sg17_writer(out, cap);
    put_eth(&w, dst, src, NAASP_ETHERTYPE_ARP);
    sg17_put_u16(&w, 1);      /* hardware: Ethernet */
    sg17_put_u16(&w, 0x0800); /* protocol: IPv4 */
    sg17_put_u8(&w, 6);
    sg17_put_u8(&w, 4);
    sg17_put_u16(&w, a->op);
    sg17_put_bytes(&w, a->sha, 6);
    sg17_put_u32(&w, a->spa);
    sg17_put_bytes(&w, a->tha, 6);
    sg17_put_u32(&w, a->tpa);
    return finish_min60(&w);
}

int naasp_arp_parse(const naasp_eth_t *e, naasp_arp_t *out)
{
    if (e->ethertype != NAASP_ETHERTYPE_ARP)
        return -1;
    sg17_reader_t r = sg17_reader(e->body, e->body_len);
    uint16_t htype = sg17_get_u16(&r), ptype = sg17_get_u16(&r);
    uint8_t hlen = sg17_get_u8(&r), plen = sg17_get_u8(&r);
    out->op = sg17_get_u16(&r);
    const uint8_t *sha = sg17_get_bytes(&r, 6);
    out->spa = sg17_get_u32(&r);
    const uint8_t *tha = sg17_get_bytes(&r, 6);
    out->tpa = sg17_get_u32(&r);
    if (!sg17_reader_ok(&r) || htype != 1 || ptype != 0x0800 || hlen != 6 || plen != 4
        || (out->op != 1 && out->op != 2))
        return -1;
    memcpy(out->sha, sha, 6);
    memcpy(out->tha, tha, 6);
    return 0; /* trailing octets are Ethernet padding */
}

/* RFC 1071 one's-complement sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)sg17_load_be16(p + i);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}
static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Writes a 20-octet IPv4 header with its checksum at p. */
static void ip_header(uint8_t *p, uint16_t total, uint8_t ttl, uint8_t proto, uint32_t src,
                      uint32_t dst, uint16_t ident)
{
    p[0] = 0x45;
    p[1] = 0;
    sg17_store_be16(p + 2, total);
    sg17_store_be16(p + 4, ident);
    sg17_store_be16(p + 6, 0x4000); /* DF */
    p[8] = ttl;
    p[9] = proto;
    sg17_store_be16(p + 10, 0);
    sg17_store_be32(p + 12, src);
    sg17_store_be32(p + 16, dst);
    sg17_store_be16(p + 10, csum_fold(csum_add(0, p, IP_HDR)));
}

static uint16_t udp_checksum(uint32_t src, uint32_t dst, const uint8_t *udp, size_t n)
{
    uint8_t pseudo[12];
    sg17_store_be32(pseudo, src);
    sg17_store_be32(pseudo + 4, dst);
    pseudo[8] = 0;
    pseudo[9] = PROTO_UDP;
    sg17_store_be16(pseudo + 10, (uint16_t)n);
    uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, sizeof pseudo), udp, n));
    return c ? c : 0xffff;
}

/* Ethernet + IPv4 + UDP header + payload at out; returns the length or 0. */
static size_t udp_packet(uint8_t *out, size_t cap, const uint8_t dst[6], const uint8_t src[6],
                         uint32_t sip, uint32_t dip, uint8_t ttl, uint16_t sport, uint16_t dport,
                         const uint8_t *data, size_t n, bool checksum)
{
    size_t total = NAASP_ETH_HDR + IP_HDR + UDP_HDR + n;
    if (total > cap || total > NAASP_MAX_FRAME)
        return 0;
    sg17_writer_t w = sg17_writer(out, cap);
    put_eth(&w, dst, src, NAASP_ETHERTYPE_IP);
    uint8_t *ip = sg17_put_space(&w, IP_HDR);
    uint8_t *udp = sg17_put_space(&w, UDP_HDR);
    sg17_put_bytes(&w, data, n);
    size_t len = 0;
    if (!ip || !udp || sg17_writer_finish(&w, &len) != 0)
        return 0;
    ip_header(ip, (uint16_t)(IP_HDR + UDP_HDR + n), ttl, PROTO_UDP, sip, dip, sport ^ dport);
    sg17_store_be16(udp, sport);
    sg17_store_be16(udp + 2, dport);
    sg17_store_be16(udp + 4, (uint16_t)(UDP_HDR + n));
    sg17_store_be16(udp + 6, 0);
    if (checksum)
        sg17_store_be16(udp + 6, udp_checksum(sip, dip, udp, UDP_HDR + n));
    if (len < 60) { /* pad short frames as a NIC does (the IP length keeps the true size) */
        memset(out + len, 0, 60 - len <= cap - len ? 60 - len : 0);
        len = 60 <= cap ? 60 : len;
    }
    return len;
}

size_t naasp_udp_build(uint8_t *out, size_t cap, const uint8_t dst[6], const uint8_t src[6],
                       const naasp_udp_t *u)
{
    return udp_packet(out, cap, dst, src, u->src, u->dst, u->ttl ? u->ttl : 64, u->sport, u->dport,
                      u->data, u->data_len, true);
}

/* Checks an IPv4 header at p (len octets available): version 4, IHL 5, no fragment, checksum,
 * total length within len. Returns the total length or 0. */
static size_t ip_check(const uint8_t *p, size_t len, uint8_t proto)
{
    if (len < IP_HDR || p[0] != 0x45 || p[9] != proto)
        return 0;
    size_t total = sg17_load_be16(p + 2);
    if (total < IP_HDR || total > len || (sg17_load_be16(p + 6) & 0x3fff) != 0)
        return 0;
    if (csum_fold(csum_add(0, p, IP_HDR)) != 0)
        return 0;
    return total;
}

int naasp_ipv4_forward(uint8_t *f, size_t len, const uint8_t dst[6], const uint8_t src[6])
{
    if (len < NAASP_ETH_HDR + IP_HDR || sg17_load_be16(f + 12) != NAASP_ETHERTYPE_IP)
        return -1;
    uint8_t *ip = f + NAASP_ETH_HDR;
    if (ip[0] != 0x45 || sg17_load_be16(ip + 2) < IP_HDR
        || sg17_load_be16(ip + 2) > len - NAASP_ETH_HDR || csum_fold(csum_add(0, ip, IP_HDR)) != 0)
        return -1;
    if (ip[8] <= 1)
        return NAASP_TTL_EXPIRED;
    ip[8]--;
    sg17_store_be16(ip + 10, 0);
    sg17_store_be16(ip + 10, csum_fold(csum_add(0, ip, IP_HDR)));
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    return 0;
}

static int udp_of(const uint8_t *p, size_t len, naasp_udp_t *out)
{
    size_t total = ip_check(p, len, PROTO_UDP);
    if (total < IP_HDR + UDP_HDR)
        return -1;
    const uint8_t *udp = p + IP_HDR;
    size_t ulen = sg17_load_be16(udp + 4);
    if (ulen < UDP_HDR || ulen != total - IP_HDR)
        return -1;
    uint16_t sum = sg17_load_be16(udp + 6);
    out->src = sg17_load_be32(p + 12);
    out->dst = sg17_load_be32(p + 16);
    out->ttl = p[8];
    if (sum != 0) { /* 0: the sender computed none (RFC 768) */
        uint8_t tmp[NAASP_MAX_FRAME];
        memcpy(tmp, udp, ulen);
        sg17_store_be16(tmp + 6, 0);
        if (udp_checksum(out->src, out->dst, tmp, ulen) != sum)
            return -1;
    }
    out->sport = sg17_load_be16(udp);
    out->dport = sg17_load_be16(udp + 2);
    out->data = udp + UDP_HDR;
    out->data_len = ulen - UDP_HDR;
    return 0;
}

int naasp_udp_parse(const naasp_eth_t *e, naasp_udp_t *out)
{
    if (e->ethertype != NAASP_ETHERTYPE_IP)
        return -1;
    return udp_of(e->body, e->body_len, out);
}

/* ---- overlay ---- */

static int gcm(bool seal, const uint8_t *key, const uint8_t nonce[12], const uint8_t *aad,
               size_t aad_len, const uint8_t *in, size_t n, uint8_t *out, uint8_t tag[16])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int ok = c != NULL, len = 0;
    ok = ok && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, seal ? 1 : 0) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1;
    ok = ok && EVP_CipherInit_ex(c, NULL, NULL, key, nonce, seal ? 1 : 0) == 1;
    ok = ok && EVP_CipherUpdate(c, NULL, &len, aad, (int)aad_len) == 1;
    ok = ok && (n == 0 || EVP_CipherUpdate(c, out, &len, in, (int)n) == 1);
    if (ok && !seal)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1;
    ok = ok && EVP_CipherFinal_ex(c, out + (n ? (size_t)len : 0), &len) == 1;
    if (ok && seal)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

size_t naasp_tunnel_build(uint8_t *out, size_t cap, const naasp_tunnel_t *t, const uint8_t *inner,
                          size_t inner_len, const uint8_t *key, const uint8_t iv[8])
{
    uint8_t vx[NAASP_MAX_FRAME];
    if (inner_len + VXLAN_HDR + 2 > sizeof vx)
        return 0;
    vx[0] = 0x08; /* I flag: the VNI is valid */
    memset(vx + 1, 0, 3);
    sg17_store_be32(vx + 4, t->vni << 8);
    memcpy(vx + VXLAN_HDR, inner, inner_len);
    size_t n = VXLAN_HDR + inner_len;
    if (!key) /* source port from the inner frame's hash, as RFC 7348 §5 suggests */
        return udp_packet(out, cap, t->outer_dst_mac, t->outer_src_mac, t->outer_src, t->outer_dst,
                          64, (uint16_t)(49152 | (t->vni & 0x3fff)), NAASP_VXLAN_PORT, vx, n,
                          false);
    vx[n++] = 0;  /* ESP trailer: pad length */
    vx[n++] = 97; /* next header: Ethernet-within-IP, carrying the VXLAN-framed frame */
    size_t total = NAASP_ETH_HDR + IP_HDR + ESP_HDR + ESP_IV + n + NAASP_ESP_ICV;
    if (total > cap || total > NAASP_MAX_FRAME + 64)
        return 0;
    sg17_writer_t w = sg17_writer(out, cap);
    put_eth(&w, t->outer_dst_mac, t->outer_src_mac, NAASP_ETHERTYPE_IP);
    uint8_t *ip = sg17_put_space(&w, IP_HDR);
    uint8_t *esp = sg17_put_space(&w, ESP_HDR);
    sg17_put_bytes(&w, iv, ESP_IV);
    uint8_t *ct = sg17_put_space(&w, n);
    uint8_t *icv = sg17_put_space(&w, NAASP_ESP_ICV);
    size_t len = 0;
    if (!ip || !esp || !ct || !icv || sg17_writer_finish(&w, &len) != 0)
        return 0;
    ip_header(ip, (uint16_t)(total - NAASP_ETH_HDR), 64, PROTO_ESP, t->outer_src, t->outer_dst,
              (uint16_t)t->seq);
    sg17_store_be32(esp, t->vni);
    sg17_store_be32(esp + 4, t->seq);
    uint8_t nonce[12];
    memcpy(nonce, key + NAASP_OVERLAY_KEY - 4, 4); /* salt, RFC 4106 §4 */
    memcpy(nonce + 4, iv, ESP_IV);
    int rc = gcm(true, key, nonce, esp, ESP_HDR, vx, n, ct, icv);
    OPENSSL_cleanse(vx, sizeof vx);
    return rc == 0 ? len : 0;
}

int naasp_tunnel_parse(const uint8_t *f, size_t len, naasp_tunnel_t *out)
{
    naasp_eth_t e;
    if (naasp_eth_parse(f, len, &e) != 0 || e.ethertype != NAASP_ETHERTYPE_IP)
        return -1;
    memset(out, 0, sizeof *out);
    memcpy(out->outer_dst_mac, e.dst, 6);
    memcpy(out->outer_src_mac, e.src, 6);
    if (e.body_len >= IP_HDR && e.body[9] == PROTO_ESP) {
        size_t total = ip_check(e.body, e.body_len, PROTO_ESP);
        if (total < IP_HDR + ESP_HDR + ESP_IV + VXLAN_HDR + 2 + NAASP_ESP_ICV)
            return -1;
        out->outer_src = sg17_load_be32(e.body + 12);
        out->outer_dst = sg17_load_be32(e.body + 16);
        out->esp = true;
        out->vni = sg17_load_be32(e.body + IP_HDR);
        out->seq = sg17_load_be32(e.body + IP_HDR + 4);
        out->esp_body = e.body + IP_HDR + ESP_HDR;
        out->esp_len = total - IP_HDR - ESP_HDR;
        return out->vni < (1u << 24) ? 0 : -1;
    }
    naasp_udp_t u;
    if (udp_of(e.body, e.body_len, &u) != 0 || u.dport != NAASP_VXLAN_PORT
        || u.data_len < VXLAN_HDR + NAASP_ETH_HDR || u.data[0] != 0x08)
        return -1;
    out->outer_src = u.src;
    out->outer_dst = u.dst;
    out->vni = sg17_load_be32(u.data + 4) >> 8;
    out->inner = u.data + VXLAN_HDR;
    out->inner_len = u.data_len - VXLAN_HDR;
    return 0;
}

int naasp_tunnel_open(const naasp_tunnel_t *t, const uint8_t *key, uint8_t *out, size_t cap,
                      size_t *out_len)
{
    if (!t->esp || t->esp_len < ESP_IV + VXLAN_HDR + 2 + NAASP_ESP_ICV)
        return -1;
    size_t n = t->esp_len - ESP_IV - NAASP_ESP_ICV;
    uint8_t pt[NAASP_MAX_FRAME + 16], aad[ESP_HDR], nonce[12], tag[16];
    if (n > sizeof pt)
        return -1;
    sg17_store_be32(aad, t->vni);
    sg17_store_be32(aad + 4, t->seq);
    memcpy(nonce, key + NAASP_OVERLAY_KEY - 4, 4);
    memcpy(nonce + 4, t->esp_body, ESP_IV);
    memcpy(tag, t->esp_body + ESP_IV + n, 16);
    int rc = gcm(false, key, nonce, aad, sizeof aad, t->esp_body + ESP_IV, n, pt, tag);
    size_t inner = n - VXLAN_HDR - 2;
    if (rc != 0 || pt[0] != 0x08 || (sg17_load_be32(pt + 4) >> 8) != t->vni || inner > cap) {
        OPENSSL_cleanse(pt, sizeof pt);
        return -1;
    }
    memcpy(out, pt + VXLAN_HDR, inner);
    *out_len = inner;
    OPENSSL_cleanse(pt, sizeof pt);
    return 0;
}

/* ---- NSH ---- */

/* HMAC-SHA-256/128 over the service path header and the inner frame (RFC 9145 §7 computes its
 * MAC over the NSH without its mutable TTL, then the payload). */
static int nsh_mac(const uint8_t *key, const uint8_t sph[4], const uint8_t *inner, size_t n,
                   uint8_t out[NAASP_NSH_MAC])
{
    uint8_t full[32];
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
                           OSSL_PARAM_construct_end()};
    size_t outl = 0;
    int ok = c && EVP_MAC_init(c, key, NAASP_NSH_KEY, params) == 1 && EVP_MAC_update(c, sph, 4) == 1
             && EVP_MAC_update(c, inner, n) == 1 && EVP_MAC_final(c, full, &outl, sizeof full) == 1
             && outl == sizeof full;
    EVP_MAC_CTX_free(c);
    EVP_MAC_free(mac);
    if (ok)
        memcpy(out, full, NAASP_NSH_MAC);
    OPENSSL_cleanse(full, sizeof full);
    return ok ? 0 : -1;
}

size_t naasp_nsh_build(uint8_t *out, size_t cap, const uint8_t dst[6], const uint8_t src[6],
                       uint32_t spi, uint8_t si, const uint8_t *key, const uint8_t *inner,
                       size_t inner_len)
{
    size_t words = 2 + (key ? 1 + NAASP_NSH_MAC / 4 : 0); /* base + SPH [+ TLV header + MAC] */
    sg17_writer_t w = sg17_writer(out, cap);
    put_eth(&w, dst, src, NAASP_ETHERTYPE_NSH);
    /* Ver 0, O 0, U 0, TTL 63, Length; U, MD type 2; next protocol 3 (Ethernet). */
    sg17_put_u16(&w, (uint16_t)((63u << 6) | (words & 0x3f)));
    sg17_put_u8(&w, 0x02);
    sg17_put_u8(&w, 0x03);
    uint8_t sph[4];
    sg17_store_be32(sph, (spi << 8) | si);
    sg17_put_bytes(&w, sph, 4);
    if (key) {
        uint8_t m[NAASP_NSH_MAC];
        if (nsh_mac(key, sph, inner, inner_len, m) != 0)
            return 0;
        sg17_put_u16(&w, NSH_MD_CLASS);
        sg17_put_u8(&w, NSH_MD_TYPE_MAC);
        sg17_put_u8(&w, NAASP_NSH_MAC);
        sg17_put_bytes(&w, m, NAASP_NSH_MAC);
    }
    sg17_put_bytes(&w, inner, inner_len);
    size_t n = 0;
    return sg17_writer_finish(&w, &n) == 0 ? n : 0;
}

int naasp_nsh_parse(const naasp_eth_t *e, naasp_nsh_t *out)
{
    if (e->ethertype != NAASP_ETHERTYPE_NSH)
        return -1;
    sg17_reader_t r = sg17_reader(e->body, e->body_len);
    uint16_t b0 = sg17_get_u16(&r);
    uint8_t md = sg17_get_u8(&r), np = sg17_get_u8(&r);
    uint32_t sph = sg17_get_u32(&r);
    size_t words = b0 & 0x3f;
    if (!sg17_reader_ok(&r) || (b0 >> 14) != 0 || (md & 0x0f) != 0x02 || np != 0x03 || words < 2
        || words * 4 > e->body_len)
        return -1;
    memset(out, 0, sizeof *out);
    out->ttl = (uint8_t)((b0 >> 6) & 0x3f);
    out->spi = sph >> 8;
    out->si = (uint8_t)sph;
    size_t ctx_len = words * 4 - 8;
    sg17_reader_t c = sg17_reader(e->body + 8, ctx_len);
    while (sg17_reader_remaining(&c) > 0) { /* MD type 2 TLVs, each padded to 4 octets */
        uint16_t cls = sg17_get_u16(&c);
        uint8_t type = sg17_get_u8(&c), vlen = sg17_get_u8(&c) & 0x7f;
        const uint8_t *v = sg17_get_bytes(&c, ((size_t)vlen + 3) & ~(size_t)3);
        if (!sg17_reader_ok(&c))
            return -1;
        if (cls == NSH_MD_CLASS && type == NSH_MD_TYPE_MAC && vlen == NAASP_NSH_MAC) {
            out->has_mac = true;
            out->mac = v;
        }
    }
    out->inner = e->body + words * 4;
    out->inner_len = e->body_len - words * 4;
    return out->inner_len >= NAASP_ETH_HDR ? 0 : -1;
}

bool naasp_nsh_verify(const naasp_nsh_t *n, const uint8_t *key)
{
    if (!n->has_mac)
        return false;
    uint8_t sph[4], m[NAASP_NSH_MAC];
    sg17_store_be32(sph, (n->spi << 8) | n->si);
    if (nsh_mac(key, sph, n->inner, n->inner_len, m) != 0)
        return false;
    return CRYPTO_memcmp(m, n->mac, NAASP_NSH_MAC) == 0;
}

void naasp_ip_str(uint32_t ip, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

int naasp_ip_parse(const char *s, uint32_t *ip)
{
    unsigned a, b, c, d;
    char tail;
    if (!s || sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255
        || c > 255 || d > 255)
        return -1;
    *ip = (a << 24) | (b << 16) | (c << 8) | d;
    return 0;
}
