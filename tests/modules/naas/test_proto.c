/* test_proto.c — the naas codecs: frames built and parsed back, checksums, ARP, the VXLAN and
 * sealed (ESP layout, AES-256-GCM) overlay, NSH with its RFC 9145-style MAC, the API request and
 * its holder proof, the audit hash chain, the programming records. */
#include <criterion/criterion.h>
#include <string.h>

#include "proto/api.h"
#include "proto/frame.h"

static const uint8_t A[6] = {0x02, 0x4e, 0x41, 0, 0, 1}, B[6] = {0x02, 0x4e, 0x41, 0, 0, 2};

static size_t udp_frame(uint8_t *f, size_t cap)
{
    static const uint8_t data[] = "hello";
    naasp_udp_t u = {.src = 0x0a000001,
                     .dst = 0x0a000002,
                     .sport = 1234,
                     .dport = 80,
                     .data = data,
                     .data_len = 5};
    return naasp_udp_build(f, cap, B, A, &u);
}

Test(naas_proto, udp_frame_round_trips_and_a_flipped_bit_breaks_its_checksum)
{
    uint8_t f[128];
    size_t n = udp_frame(f, sizeof f);
    cr_assert_eq(n, 60); /* padded to the Ethernet minimum */
    naasp_eth_t e;
    naasp_udp_t u;
    cr_assert_eq(naasp_eth_parse(f, n, &e), 0);
    cr_assert_eq(naasp_udp_parse(&e, &u), 0);
    cr_assert_eq(u.dport, 80);
    cr_assert_eq(u.data_len, 5);
    cr_assert_eq(memcmp(u.data, "hello", 5), 0);
    f[14 + 20 + 8] ^= 1; /* payload: the UDP checksum no longer matches */
    cr_assert_eq(naasp_eth_parse(f, n, &e), 0);
    cr_assert_eq(naasp_udp_parse(&e, &u), -1);
    f[14 + 20 + 8] ^= 1;
    f[14 + 12] ^= 1; /* source address: the IPv4 header checksum no longer matches */
    cr_assert_eq(naasp_eth_parse(f, n, &e), 0);
    cr_assert_eq(naasp_udp_parse(&e, &u), -1);
}

Test(naas_proto, arp_round_trips_and_rejects_other_hardware)
{
    naasp_arp_t a = {.op = 2, .spa = 0x0a000001, .tpa = 0x0a000001}, b;
    memcpy(a.sha, A, 6);
    uint8_t f[64];
    size_t n = naasp_arp_build(f, sizeof f, B, A, &a);
    naasp_eth_t e;
    cr_assert_eq(n, 60);
    cr_assert_eq(naasp_eth_parse(f, n, &e), 0);
    cr_assert_eq(naasp_arp_parse(&e, &b), 0);
    cr_assert_eq(b.op, 2);
    cr_assert_eq(b.spa, 0x0a000001);
    cr_assert_eq(memcmp(b.sha, A, 6), 0);
    f[15] = 6; /* hardware type 6 (IEEE 802) */
    cr_assert_eq(naasp_arp_parse(&e, &b), -1);
}

Test(naas_proto, plain_vxlan_carries_the_vni_and_the_inner_frame)
{
    uint8_t inner[128], out[256];
    size_t k = udp_frame(inner, sizeof inner);
    naasp_tunnel_t t = {.outer_src = 0xc0000201, .outer_dst = 0xc0000202, .vni = 5001}, p;
    size_t n = naasp_tunnel_build(out, sizeof out, &t, inner, k, NULL, NULL);
    cr_assert_gt(n, k + 50 - 1);
    cr_assert_eq(naasp_tunnel_parse(out, n, &p), 0);
    cr_assert_not(p.esp);
    cr_assert_eq(p.vni, 5001);
    cr_assert_eq(p.outer_src, 0xc0000201);
    cr_assert_eq(p.inner_len, k);
    cr_assert_eq(memcmp(p.inner, inner, k), 0);
}

Test(naas_proto, sealed_overlay_opens_with_its_key_only_and_hides_the_frame)
{
    uint8_t key[NAASP_OVERLAY_KEY], wrong[NAASP_OVERLAY_KEY], iv[8] = {1};
    memset(key, 0x11, sizeof key);
    memset(wrong, 0x22, sizeof wrong);
    uint8_t inner[128], out[256], back[NAASP_MAX_FRAME];
    size_t k = udp_frame(inner, sizeof inner), len = 0;
    naasp_tunnel_t t = {.outer_src = 1, .outer_dst = 2, .vni = 77, .seq = 9}, p;
    size_t n = naasp_tunnel_build(out, sizeof out, &t, inner, k, key, iv);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i + 5 <= n; i++)
        cr_assert_neq(memcmp(out + i, "hello", 5), 0, "plaintext at %zu", i);
    cr_assert_eq(naasp_tunnel_parse(out, n, &p), 0);
    cr_assert(p.esp);
    cr_assert_eq(naasp_tunnel_open(&p, key, back, sizeof back, &len), 0);
    cr_assert_eq(len, k);
    cr_assert_eq(memcmp(back, inner, k), 0);
    cr_assert_eq(naasp_tunnel_open(&p, wrong, back, sizeof back, &len), -1);
    out[n - 1] ^= 1; /* the ICV */
    cr_assert_eq(naasp_tunnel_parse(out, n, &p), 0);
    cr_assert_eq(naasp_tunnel_open(&p, key, back, sizeof back, &len), -1);
}

Test(naas_proto, nsh_mac_verifies_and_a_forged_index_does_not)
{
    uint8_t key[NAASP_NSH_KEY];
    memset(key, 0x33, sizeof key);
    uint8_t inner[128], out[256];
    size_t k = udp_frame(inner, sizeof inner);
    size_t n = naasp_nsh_build(out, sizeof out, B, A, 1, 255, key, inner, k);
    naasp_eth_t e;
    naasp_nsh_t s;
    cr_assert_eq(naasp_eth_parse(out, n, &e), 0);
    cr_assert_eq(naasp_nsh_parse(&e, &s), 0);
    cr_assert_eq(s.spi, 1);
    cr_assert_eq(s.si, 255);
    cr_assert(s.has_mac);
    cr_assert(naasp_nsh_verify(&s, key));
    out[14 + 7] = 254; /* the service index */
    cr_assert_eq(naasp_nsh_parse(&e, &s), 0);
    cr_assert_eq(s.si, 254);
    cr_assert_not(naasp_nsh_verify(&s, key));
    n = naasp_nsh_build(out, sizeof out, B, A, 1, 254, NULL, inner, k);
    cr_assert_eq(naasp_eth_parse(out, n, &e), 0);
    cr_assert_eq(naasp_nsh_parse(&e, &s), 0);
    cr_assert_not(s.has_mac);
    cr_assert_not(naasp_nsh_verify(&s, key));
}

Test(naas_proto, api_request_proof_verifies_under_the_holder_key_only)
{
    uint8_t key[NAASP_HOLDER], other[NAASP_HOLDER], buf[NAASP_REQ_LEN];
    memset(key, 1, sizeof key);
    memset(other, 2, sizeof other);
    naasp_req_t q = {.op = NAASP_OP_SG_ADD,
                     .tenant = 3,
                     .nonce = 42,
                     .a = 7,
                     .port = 22,
                     .plen = 24},
                d;
    cr_assert_eq(naasp_req_encode(&q, key, buf, sizeof buf), 0);
    cr_assert_eq(naasp_req_decode(buf, sizeof buf, &d), 0);
    cr_assert_eq(d.tenant, 3);
    cr_assert_eq(d.a, 7);
    cr_assert(d.has_proof);
    cr_assert(naasp_req_verify(buf, sizeof buf, key));
    cr_assert_not(naasp_req_verify(buf, sizeof buf, other));
    buf[9] ^= 1;
    cr_assert_not(naasp_req_verify(buf, sizeof buf, key));
    cr_assert_eq(naasp_req_decode(buf, sizeof buf - 1, &d), -1);
}

Test(naas_proto, audit_chain_links_each_record_to_the_one_before)
{
    uint8_t zero[NAASP_HASH] = {0};
    naasp_rec_t a = {.seq = 0, .op = NAASP_OP_LOGIN, .tenant = 1}, b = a, a2 = a;
    b.seq = 1;
    cr_assert_eq(naasp_rec_chain(&a, zero), 0);
    cr_assert_eq(naasp_rec_chain(&b, a.hash), 0);
    a2.tenant = 2; /* rewritten */
    cr_assert_eq(naasp_rec_chain(&a2, zero), 0);
    cr_assert_neq(memcmp(a.hash, a2.hash, NAASP_HASH), 0);
    uint8_t enc[NAASP_REC_LEN];
    naasp_rec_t back;
    naasp_rec_encode(&b, enc);
    cr_assert_eq(naasp_rec_decode(enc, sizeof enc, &back), 0);
    cr_assert_eq(memcmp(back.hash, b.hash, NAASP_HASH), 0);
}

Test(naas_proto, programming_records_round_trip)
{
    naasp_portrec_t r = {.id = 1,
                         .endpoint = 0,
                         .vni = 5001,
                         .ip = 0x0a00000a,
                         .has_aap = true,
                         .aap_ip = 0x0a00000b,
                         .aap_plen = 32,
                         .n_rules = 1},
                    back;
    r.rules[0] = (naasp_rule_t){0, 0, 22};
    uint8_t buf[6 + NAASP_PORTREC_LEN];
    size_t len = 0;
    uint32_t v = 0;
    cr_assert_eq(naasp_program_encode(9, &r, 1, buf, sizeof buf, &len), 0);
    cr_assert_eq(naasp_program_count(buf, len, &v), 1);
    cr_assert_eq(v, 9);
    cr_assert_eq(naasp_program_record(buf, len, 0, &back), 0);
    cr_assert_eq(back.vni, 5001);
    cr_assert(back.has_aap);
    cr_assert_eq(back.rules[0].port, 22);
    cr_assert(naasp_prefix_has(0x0a000000, 24, 0x0a0000ff));
    cr_assert_not(naasp_prefix_has(0x0a000000, 24, 0x0a0001ff));
    cr_assert(naasp_prefix_has(0, 0, 0x12345678));
}
