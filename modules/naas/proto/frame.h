/* frame.h — the NaaS data plane's wire formats: Ethernet II, ARP (RFC 826), IPv4 + UDP (RFC 791,
 * RFC 768), VXLAN (RFC 7348, UDP port 4789), an ESP-style authenticated overlay (RFC 4303 layout,
 * AES-256-GCM as in RFC 4106) and an NSH service-chain header (RFC 8300, MD type 2) carrying an
 * RFC 9145-style HMAC context header. Pure functions of bytes and keys: nothing here sees the
 * simulation. Every parser bounds every read and returns -1 on anything malformed. */
#ifndef NAAS_PROTO_FRAME_H
#define NAAS_PROTO_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NAASP_ETH_HDR       14
#define NAASP_ETHERTYPE_IP  0x0800
#define NAASP_ETHERTYPE_ARP 0x0806
#define NAASP_ETHERTYPE_NSH 0x894f
#define NAASP_VXLAN_PORT    4789
#define NAASP_MAX_FRAME     2048
#define NAASP_OVERLAY_KEY   32 /* AES-256-GCM key of the overlay */
#define NAASP_NSH_KEY       32 /* HMAC-SHA-256 key shared by forwarders and service functions */
#define NAASP_NSH_MAC       16 /* HMAC-SHA-256 truncated to 128 bits (RFC 9145 §6) */
#define NAASP_ESP_ICV       16

typedef struct {
    uint8_t dst[6], src[6];
    uint16_t ethertype;
    const uint8_t *body; /* points into the parsed frame */
    size_t body_len;
} naasp_eth_t;

typedef struct {
    uint16_t op; /* 1 request, 2 reply */
    uint8_t sha[6], tha[6];
    uint32_t spa, tpa; /* IPv4 addresses, host order */
} naasp_arp_t;

typedef struct {
    uint32_t src, dst; /* host order */
    uint8_t ttl;
    uint16_t sport, dport;
    const uint8_t *data; /* UDP payload, points into the parsed frame */
    size_t data_len;
} naasp_udp_t;

typedef struct {
    uint8_t outer_src_mac[6], outer_dst_mac[6];
    uint32_t outer_src, outer_dst; /* underlay IPv4 addresses */
    uint32_t vni;
    bool esp;             /* the ESP overlay, not plain VXLAN */
    uint32_t seq;         /* ESP sequence number */
    const uint8_t *inner; /* the inner Ethernet frame (plain VXLAN only) */
    size_t inner_len;
    const uint8_t *esp_body; /* IV || ciphertext || ICV (ESP only) */
    size_t esp_len;
} naasp_tunnel_t;

typedef struct {
    uint32_t spi; /* 24 bits */
    uint8_t si, ttl;
    bool has_mac;
    const uint8_t *mac;   /* NAASP_NSH_MAC octets when has_mac */
    const uint8_t *inner; /* the inner Ethernet frame */
    size_t inner_len;
} naasp_nsh_t;

/* Ethernet II. */
int naasp_eth_parse(const uint8_t *f, size_t len, naasp_eth_t *out);
/* An ARP frame (Ethernet + 28-octet IPv4-over-Ethernet ARP), padded to the 60-octet minimum.
 * Returns the length written, 0 if it does not fit. */
size_t naasp_arp_build(uint8_t *out, size_t cap, const uint8_t dst[6], const uint8_t src[6],
                       const naasp_arp_t *a);
int naasp_arp_parse(const naasp_eth_t *e, naasp_arp_t *out);
/* Ethernet + IPv4 (20-octet header, checksum) + UDP (checksum over the pseudo-header). */
size_t naasp_udp_build(uint8_t *out, size_t cap, const uint8_t dst[6], const uint8_t src[6],
                       const naasp_udp_t *u);
int naasp_udp_parse(const naasp_eth_t *e, naasp_udp_t *out);
/* A router's forwarding of an Ethernet + IPv4 frame, in place (RFC 791 §3.2, RFC 1812 §5.3.1):
 * checks the IPv4 header (version 4, IHL 5, length, checksum), decrements the TTL, recomputes the
 * header checksum and rewrites the MACs for the next hop. 0 when forwarded; NAASP_TTL_EXPIRED when
 * the TTL was 0 or 1 (the frame is left as it was); -1 when it is not a well-formed IPv4 frame. */
#define NAASP_TTL_EXPIRED 1
int naasp_ipv4_forward(uint8_t *f, size_t len, const uint8_t dst[6], const uint8_t src[6]);
/* The underlay packet of the overlay: Ethernet + IPv4 + UDP/4789 + VXLAN + inner frame, or, with
 * key != NULL, Ethernet + IPv4 (protocol 50) + ESP {SPI = VNI, seq} + IV + AES-256-GCM(VXLAN
 * header || inner frame || ESP trailer) + ICV. iv is 8 octets. */
size_t naasp_tunnel_build(uint8_t *out, size_t cap, const naasp_tunnel_t *t, const uint8_t *inner,
                          size_t inner_len, const uint8_t *key, const uint8_t iv[8]);
int naasp_tunnel_parse(const uint8_t *f, size_t len, naasp_tunnel_t *out);
/* Decrypts and authenticates an ESP tunnel packet: writes the inner frame to out (at most cap)
 * and its length; checks that the sealed VNI equals the SPI. -1 when the ICV does not verify. */
int naasp_tunnel_open(const naasp_tunnel_t *t, const uint8_t *key, uint8_t *out, size_t cap,
                      size_t *out_len);
/* Ethernet (ethertype 0x894F) + NSH base and service path headers, MD type 2; with key != NULL
 * a context TLV with HMAC-SHA-256/128 over the service path header and the inner frame. */
size_t naasp_nsh_build(uint8_t *out, size_t cap, const uint8_t dst[6], const uint8_t src[6],
                       uint32_t spi, uint8_t si, const uint8_t *key, const uint8_t *inner,
                       size_t inner_len);
int naasp_nsh_parse(const naasp_eth_t *e, naasp_nsh_t *out);
/* True when the NSH carries a MAC and it verifies under key (constant-time compare). */
bool naasp_nsh_verify(const naasp_nsh_t *n, const uint8_t *key);

/* "02:00:..." style helpers for names in tools and logs. */
void naasp_ip_str(uint32_t ip, char out[16]);
int naasp_ip_parse(const char *s, uint32_t *ip);

#endif
