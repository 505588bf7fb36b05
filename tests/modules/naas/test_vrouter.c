/* test_vrouter.c — the vRouter service function: IPv4 forwarding in the codec (TTL, header
 * checksum, MACs), the routed path's steering by path and index, routing within the path's VRF,
 * TTL-expired drops, the chain header's MAC (the two vRouter scenarios are in test_sim.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "mock_ctx.h"
#include "proto/frame.h"
#include "sim/naas_sim.h"

extern const sg17_module_t sg17_module;

static const uint8_t GW1[6] = {0x02, 0x4e, 0x47, 0, 0, 1}; /* tenant-1's gateway */
static const uint8_t EP4[6] = {0x02, 0x4e, 0x41, 0, 0, 4}, EP5[6] = {0x02, 0x4e, 0x41, 0, 0, 5};
static const uint8_t EP0[6] = {0x02, 0x4e, 0x41, 0, 0, 0};

/* endpoint-4 (tenant-1, 10.0.1.11) to dst through its gateway, with the given TTL. */
static size_t routed_frame(uint8_t *f, size_t cap, uint32_t dst, uint8_t ttl)
{
    static const uint8_t data[] = "routed";
    naasp_udp_t u = {.src = 0x0a00010b,
                     .dst = dst,
                     .ttl = ttl,
                     .sport = 40004,
                     .dport = 80,
                     .data = data,
                     .data_len = sizeof data - 1};
    return naasp_udp_build(f, cap, GW1, EP4, &u);
}

Test(naas_proto, ipv4_forwarding_decrements_the_ttl_and_keeps_the_header_checksum_valid)
{
    uint8_t f[128];
    size_t len = routed_frame(f, sizeof f, 0x0a00010c, 64);
    cr_assert_eq(naasp_ipv4_forward(f, len, EP5, GW1), 0);
    naasp_eth_t e;
    naasp_udp_t u;
    cr_assert_eq(naasp_eth_parse(f, len, &e), 0);
    cr_assert_eq(naasp_udp_parse(&e, &u), 0, "IPv4 or UDP checksum broken by the forwarding");
    cr_assert_eq(u.ttl, 63);
    cr_assert_eq(memcmp(e.dst, EP5, 6), 0);
    cr_assert_eq(memcmp(e.src, GW1, 6), 0);

    uint8_t g[128], before[128];
    len = routed_frame(g, sizeof g, 0x0a00010c, 1);
    memcpy(before, g, len);
    cr_assert_eq(naasp_ipv4_forward(g, len, EP5, GW1), NAASP_TTL_EXPIRED);
    cr_assert_eq(memcmp(g, before, len), 0, "an expired frame is left as it was");

    g[14 + 10] ^= 1; /* a broken header checksum */
    cr_assert_eq(naasp_ipv4_forward(g, len, EP5, GW1), -1);
    cr_assert_eq(naasp_ipv4_forward(g, 20, EP5, GW1), -1);
    uint8_t arp[64];
    naasp_arp_t a = {.op = 1};
    size_t k = naasp_arp_build(arp, sizeof arp, EP5, EP4, &a);
    cr_assert_eq(naasp_ipv4_forward(arp, k, EP5, GW1), -1);
}

static sg17_mock_t *chain_mock(bool vrf_isolation)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "vrouter", 1);
    sg17_mock_mitigation(m, "vrf_isolation", vrf_isolation);
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_start(m);
    sg17_mock_run_until(m, 3 * SG17_SEC);
    sg17_mock_clear(m);
    return m;
}

/* The forwarder hands the vRouter tenant t's routed path at index 254 (with the run's key, or
 * without a MAC). */
static const sg17_mock_report_t *to_vrouter(sg17_mock_t *m, unsigned t, uint32_t dst, uint8_t ttl,
                                            bool keyed)
{
    const naas_t *n = sg17_mock_instance(m);
    uint8_t inner[128], out[256], smac[6];
    size_t k = routed_frame(inner, sizeof inner, dst, ttl);
    naas_host_mac(1, smac);
    size_t len = naasp_nsh_build(out, sizeof out, GW1, smac, NAAS_SPI_ROUTED + t, 254,
                                 keyed ? n->nsh_key : NULL, inner, k);
    cr_assert_gt(len, 0);
    return sg17_mock_deliver(m, sg17_mock_entity(m, "endpoint-4"), sg17_mock_entity(m, "vrouter-0"),
                             "naas.nsh", out, len);
}

/* The one naas.nsh the vRouter sent, parsed: its index, its inner frame. */
static void routed_out(sg17_mock_t *m, const char *to, naasp_nsh_t *s, naasp_eth_t *ie,
                       naasp_udp_t *u)
{
    const sg17_mock_send_t *out = NULL;
    for (size_t i = 0; i < sg17_mock_send_count(m); i++)
        if (strcmp(sg17_mock_send(m, i)->type, "naas.nsh") == 0)
            out = sg17_mock_send(m, i);
    cr_assert_not_null(out);
    cr_assert_eq(out->dst, sg17_mock_entity(m, to));
    cr_assert_eq(out->src, sg17_mock_entity(m, "endpoint-4"), "the port's provenance is kept");
    static naasp_eth_t e;
    cr_assert_eq(naasp_eth_parse(out->payload, out->len, &e), 0);
    cr_assert_eq(naasp_nsh_parse(&e, s), 0);
    cr_assert_eq(naasp_eth_parse(s->inner, s->inner_len, ie), 0);
    cr_assert_eq(naasp_udp_parse(ie, u), 0);
}

Test(naas_vrouter, routes_within_the_tenant_vrf_with_the_ttl_decremented_at_index_253)
{
    sg17_mock_t *m = chain_mock(true);
    const sg17_mock_report_t *r = to_vrouter(m, 1, 0x0a00010c, 64, true); /* endpoint-5 */
    cr_assert(r->accepted, "%s", r->reason);
    naasp_nsh_t s;
    naasp_eth_t ie;
    naasp_udp_t u;
    routed_out(m, "vswitch-1", &s, &ie, &u); /* endpoint-5 sits on host 5 % 2 */
    const naas_t *n = sg17_mock_instance(m);
    cr_assert_eq(s.spi, NAAS_SPI_ROUTED + 1);
    cr_assert_eq(s.si, 253);
    cr_assert(naasp_nsh_verify(&s, n->nsh_key));
    cr_assert_eq(u.ttl, 63);
    cr_assert_eq(memcmp(ie.dst, EP5, 6), 0);
    cr_assert_eq(memcmp(ie.src, GW1, 6), 0);
    cr_assert_eq(sg17_mock_metric(m, "vrouter.routed"), 1);
    sg17_mock_free(m);
}

Test(naas_vrouter, drops_a_frame_whose_ttl_expires)
{
    sg17_mock_t *m = chain_mock(true);
    const sg17_mock_report_t *r = to_vrouter(m, 1, 0x0a00010c, 1, true);
    cr_assert_not(r->accepted);
    cr_assert_str_eq(r->reason, "ttl_expired");
    cr_assert_eq(sg17_mock_send_count(m), 0);
    cr_assert_eq(sg17_mock_metric(m, "vrouter.ttl_expired"), 1);
    r = to_vrouter(m, 1, 0x0a00010c, 2, true); /* the last hop it may take */
    cr_assert(r->accepted, "%s", r->reason);
    naasp_nsh_t s;
    naasp_eth_t ie;
    naasp_udp_t u;
    routed_out(m, "vswitch-1", &s, &ie, &u);
    cr_assert_eq(u.ttl, 1);
    sg17_mock_free(m);
}

Test(naas_vrouter, another_tenants_network_is_routed_only_without_vrf_isolation)
{
    for (int on = 0; on < 2; on++) {
        sg17_mock_t *m = chain_mock(on);
        const sg17_mock_report_t *r = to_vrouter(m, 1, 0x0a00000a, 64, true); /* endpoint-0 */
        if (on) {
            cr_assert_not(r->accepted);
            cr_assert_str_eq(r->reason, "no_route");
            cr_assert_eq(sg17_mock_send_count(m), 0);
        } else {
            cr_assert(r->accepted, "%s", r->reason);
            naasp_nsh_t s;
            naasp_eth_t ie;
            naasp_udp_t u;
            routed_out(m, "vswitch-0", &s, &ie, &u);
            cr_assert_eq(memcmp(ie.dst, EP0, 6), 0);
        }
        sg17_mock_free(m);
    }
}

Test(naas_vrouter, a_header_without_the_chain_mac_or_off_the_path_index_is_refused)
{
    sg17_mock_t *m = chain_mock(true);
    const sg17_mock_report_t *r = to_vrouter(m, 1, 0x0a00010c, 64, false);
    cr_assert_not(r->accepted);
    cr_assert_str_eq(r->reason, "chain_integrity");
    r = to_vrouter(m, 7, 0x0a00010c, 64, true); /* no tenant-7: not a routed path */
    cr_assert_not(r->accepted);
    cr_assert_str_eq(r->reason, "chain_index");
    cr_assert_eq(sg17_mock_send_count(m), 0);
    sg17_mock_free(m);
}

Test(naas_vrouter, a_routed_topology_without_the_vfw_is_a_config_error)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "vrouter", 1);
    sg17_mock_topology(m, "sf", 0);
    cr_assert_eq(sg17_mock_create(m), -1);
    cr_assert_not_null(strstr(sg17_mock_last_log(m), "topology {sf: 1}"));
    sg17_mock_free(m);
}

Test(naas_vrouter, the_linux_backend_refuses_a_routed_chain_with_a_reason)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "vrouter", 1);
    sg17_mock_config(m, "backend", "linux");
    cr_assert_eq(sg17_mock_create(m), -1, "an error, never a verdict");
    const char *why = sg17_mock_last_log(m);
    cr_assert(strstr(why, "the service chain (chain_endpoint, vrouter) is modelled by the sim")
                  || strstr(why, "backend unavailable"),
              "%s", why); /* the chain's reason where the backend could run, else the backend's */
    sg17_mock_free(m);
}
