/* fuzz_frame.c — the data-plane decoders (proto/frame.h) on arbitrary bytes: Ethernet, ARP,
 * IPv4/UDP, the vRouter's IPv4 forwarding, the VXLAN/ESP tunnel (and opening it), NSH (and
 * verifying its MAC). Octet 0 picks nothing: every decoder sees every input. */
#include <stdint.h>
#include <string.h>

#include "proto/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t key[NAASP_OVERLAY_KEY] = {1, 2, 3};
    naasp_eth_t e;
    naasp_arp_t a;
    naasp_udp_t u;
    naasp_nsh_t s;
    naasp_tunnel_t t;
    if (naasp_eth_parse(data, size, &e) == 0) {
        (void)naasp_arp_parse(&e, &a);
        (void)naasp_udp_parse(&e, &u);
        if (naasp_nsh_parse(&e, &s) == 0)
            (void)naasp_nsh_verify(&s, key);
    }
    if (size <= NAASP_MAX_FRAME) { /* the vRouter's forwarding rewrites a copy in place */
        uint8_t copy[NAASP_MAX_FRAME];
        memcpy(copy, data, size);
        (void)naasp_ipv4_forward(copy, size, key, key + 6);
    }
    if (naasp_tunnel_parse(data, size, &t) == 0 && t.esp) {
        uint8_t out[NAASP_MAX_FRAME];
        size_t len;
        (void)naasp_tunnel_open(&t, key, out, sizeof out, &len);
    }
    return 0;
}
