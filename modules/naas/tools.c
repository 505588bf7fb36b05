/* tools.c — `sg17tb naas <tool>`: encode an API request (for flood payloads and tests), decode a
 * data-plane frame; and the trace framing of data-plane messages. */
#include "tools.h"

#include <stdlib.h>
#include <string.h>

#include <sg17tb/tool.h>

#include "proto/api.h"
#include "proto/frame.h"

static int api_encode(int argc, char **argv, FILE *out, FILE *err)
{
    sg17_tool_opt_t opts[] = {{"op", true, NULL},
                              {"tenant", true, NULL},
                              {"token", false, NULL},
                              {"port", false, NULL},
                              {NULL, false, NULL}};
    if (sg17_tool_parse(argv[0], argc, argv, opts, err) != 0)
        return SG17_TOOL_USAGE;
    naasp_req_t q = {0};
    int op = naasp_op_parse(sg17_tool_opt(opts, "op"));
    char *end;
    long t = strtol(sg17_tool_opt(opts, "tenant"), &end, 10);
    if (op < 0)
        return sg17_tool_usage(err, argv[0],
                               "--op must be login, show, sg_add, sg_del, aap_set, "
                               "share or attach");
    if (*end || t < 0 || t > 65535)
        return sg17_tool_usage(err, argv[0], "--tenant must be 0 .. 65535");
    const char *tok = sg17_tool_opt(opts, "token");
    if (tok && sg17_tool_hex_exact(argv[0], "token", tok, q.token, NAASP_TOKEN, err) != 0)
        return SG17_TOOL_USAGE;
    const char *port = sg17_tool_opt(opts, "port");
    q.a = port ? (uint32_t)strtoul(port, NULL, 10) : 0;
    q.op = (uint8_t)op;
    q.tenant = (uint16_t)t;
    q.nonce = 1;
    uint8_t buf[NAASP_REQ_LEN];
    if (naasp_req_encode(&q, NULL, buf, sizeof buf) != 0)
        return SG17_TOOL_REFUSED;
    sg17_tool_print_hex(out, "REQ", buf, sizeof buf);
    return SG17_TOOL_OK;
}

static void print_mac(FILE *out, const char *name, const uint8_t m[6])
{
    fprintf(out, "%s=%02x:%02x:%02x:%02x:%02x:%02x\n", name, m[0], m[1], m[2], m[3], m[4], m[5]);
}

static int frame_decode(int argc, char **argv, FILE *out, FILE *err)
{
    sg17_tool_opt_t opts[] = {{"frame", true, NULL}, {NULL, false, NULL}};
    if (sg17_tool_parse(argv[0], argc, argv, opts, err) != 0)
        return SG17_TOOL_USAGE;
    uint8_t f[NAASP_MAX_FRAME + 128];
    size_t len = 0;
    if (sg17_tool_hex(argv[0], "frame", sg17_tool_opt(opts, "frame"), f, sizeof f, &len, err) != 0)
        return SG17_TOOL_USAGE;
    naasp_eth_t e;
    naasp_tunnel_t t;
    naasp_arp_t a;
    naasp_udp_t u;
    naasp_nsh_t s;
    char x[16], y[16];
    if (naasp_tunnel_parse(f, len, &t) == 0) {
        naasp_ip_str(t.outer_src, x), naasp_ip_str(t.outer_dst, y);
        fprintf(out, "TUNNEL=%s\nOUTER=%s>%s\nVNI=%u\n", t.esp ? "esp" : "vxlan", x, y, t.vni);
        if (t.esp || naasp_eth_parse(t.inner, t.inner_len, &e) != 0)
            return SG17_TOOL_OK;
    } else if (naasp_eth_parse(f, len, &e) != 0) {
        fprintf(err, "%s: not an Ethernet frame\n", argv[0]);
        return SG17_TOOL_REFUSED;
    }
    print_mac(out, "DST", e.dst);
    print_mac(out, "SRC", e.src);
    if (naasp_arp_parse(&e, &a) == 0) {
        naasp_ip_str(a.spa, x), naasp_ip_str(a.tpa, y);
        fprintf(out, "ARP=%s\nSENDER=%s\nTARGET=%s\n", a.op == 1 ? "request" : "reply", x, y);
    } else if (naasp_udp_parse(&e, &u) == 0) {
        naasp_ip_str(u.src, x), naasp_ip_str(u.dst, y);
        fprintf(out, "UDP=%s:%u>%s:%u\nDATA_LEN=%zu\n", x, u.sport, y, u.dport, u.data_len);
    } else if (naasp_nsh_parse(&e, &s) == 0) {
        fprintf(out, "NSH_SPI=%u\nNSH_SI=%u\nNSH_MAC=%s\n", s.spi, s.si, s.has_mac ? "yes" : "no");
    } else {
        fprintf(err, "%s: ethertype 0x%04x with a malformed body\n", argv[0], e.ethertype);
        return SG17_TOOL_REFUSED;
    }
    return SG17_TOOL_OK;
}

const sg17_tool_t naas_tools[] = {
    {"api-encode", "--op OP --tenant N [--token HEX16] [--port ID]: an unsigned API request",
     api_encode},
    {"frame-decode", "--frame HEX: an Ethernet, ARP, IPv4/UDP, NSH or VXLAN/ESP frame",
     frame_decode},
    {NULL, NULL, NULL},
};

size_t naas_trace_frame(const sg17_msg_t *msg, const char *src_name, const char *dst_name,
                        uint8_t *buf, size_t cap, uint32_t *linktype)
{
    (void)src_name, (void)dst_name;
    static const char *const framed[] = {"naas.frame", "naas.vxlan", "naas.nsh", "naas.delivery"};
    bool data_plane = false;
    for (size_t i = 0; i < sizeof framed / sizeof framed[0]; i++)
        data_plane = data_plane || strcmp(msg->type, framed[i]) == 0;
    naasp_eth_t e;
    if (!data_plane || naasp_eth_parse(msg->payload, msg->len, &e) != 0)
        return 0; /* the control plane, or bytes that are not a frame: the generic PDU */
    *linktype = 1;
    if (msg->len <= cap)
        memcpy(buf, msg->payload, msg->len);
    return msg->len;
}
