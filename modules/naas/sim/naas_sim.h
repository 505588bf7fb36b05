/* naas_sim.h — the X.1604 system under test: the configuration, the instance (controller, tenants,
 * audit store and anchor, vswitches and VTEPs, endpoints, the vFW and vRouter service functions)
 * and what the entity and attack files share. The adversary's state is private to attacks.c.
 *
 * Address plan: endpoint i belongs to tenant i * T / E and sits on host i % H; its home network is
 * its tenant's (id t + 1, VNI 5000 + id, 10.0.t.0/24, gateway 10.0.t.1); its port has id i + 1,
 * MAC 02:4e:41:00:hi:lo and IP 10.0.t.(10 + k), k its rank in the tenant. Host h's underlay
 * address is 192.0.2.(h + 1). Flows (all bus messages, payloads are the real frames):
 * - naas.api / naas.api_resp: tenant <-> controller (proto/api.h);
 * - naas.program / naas.program_ack: controller <-> vswitch (port records, applied after the
 *   programming lag);
 * - naas.frame: an Ethernet frame from an endpoint's vNIC into its host's vswitch;
 * - naas.vxlan: the overlay packet from a vswitch to the destination host's VTEP;
 * - naas.nsh: a frame steered through the service chain (vswitch <-> sf, vswitch <-> vrouter);
 *   path 1 is the chained endpoint's (vFW at index 255); path NAAS_SPI_ROUTED + t is tenant t's
 *   routed path, taken by every frame sent to t's gateway when the topology has a vrouter: vFW
 *   (255), then the vRouter (254), then the forwarder of the next hop's host (253);
 * - naas.delivery: a frame handed to an endpoint's vNIC (what its sockets see);
 * - naas.audit / naas.anchor / naas.audit_export: controller -> audit -> anchor.
 * A forwarded frame keeps, at every hop, the bus source of the port it entered the data plane
 * from: switches and tunnels forward frames, they do not originate them, so the ledger's
 * provenance (genuine, from_compromised) follows a frame from its port to the socket. */
#ifndef NAAS_SIM_H
#define NAAS_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <sg17tb/module.h>

#include "proto/api.h"
#include "proto/frame.h"

#define NAAS_MAX_TENANTS   250
#define NAAS_MAX_ENDPOINTS 4096
#define NAAS_MAX_HOSTS     64
#define NAAS_MAX_PORTS_T   8 /* table ports */
#define NAAS_MAX_FLOWS     8
#define NAAS_GW_HOST_OCTET 1
#define NAAS_TAG_ATTACK    0x4154u /* an endpoint timer that drives the adversary's stream */
#define NAAS_SPI_ROUTED    0x100u  /* + tenant: the tenant's routed service path */
#define NAAS_MAX_ROUTES    8

typedef struct {
    /* keys */
    const char *backend;
    const char *ports;      /* truth-table ports, all listened on: "22,80,5432" */
    const char *open_ports; /* intended ingress from the own network */
    const char *peer_rule;  /* "D:P<S": endpoint D admits port P from endpoint S only */
    const char *app_flows;  /* "S>D:P,...": D an endpoint index or "gw" */
    sg17_time_t app_interval, probe_at, api_interval, token_ttl, revoke_at, program_lag;
    sg17_time_t enforce_bound, db_at, anchor_interval, export_interval;
    int64_t db_endpoint, db_port, chain_endpoint, fw_block_port;
    double api_capacity, api_tenant_rate;
    /* mitigations */
    bool tenant_isolation, security_groups, source_guard, arp_guard, aap_no_wildcard;
    bool rbac_no_wildcard, ownership_check, token_expiry, token_binding, vtep_allowlist;
    bool overlay_auth, flow_flush, enforce_after_dataplane, chain_integrity, api_rate_limit;
    bool audit_chain, vrf_isolation;
} naas_config_t;

typedef struct {
    uint32_t id, vni, prefix;
    unsigned owner;
    bool shared_all;
    uint8_t shared_with[NAAS_MAX_TENANTS / 8 + 1];
    unsigned next_host_octet; /* for ports attached later */
} naas_net_t;

/* A port as the controller holds it, and as each vswitch holds its programmed copy. */
typedef struct {
    bool valid;
    unsigned owner; /* tenant */
    uint32_t net;
    naasp_portrec_t rec;
} naas_port_t;

typedef struct {
    uint32_t src, dst;
    uint16_t sport, dport;
    bool used, dead;
} naas_flow_t;

typedef struct {
    uint8_t *data;
    size_t len;
} naas_blob_t;

/* A route of a tenant's VRF: prefix -> egress network (a VNI); the next hop is the destination
 * itself on that network (a connected route) or next_hop when it is not 0. */
typedef struct {
    uint32_t prefix, next_hop, egress_vni;
    uint8_t plen;
} naas_route_t;

typedef struct {
    naas_route_t routes[NAAS_MAX_ROUTES];
    unsigned n_routes;
} naas_vrf_t;

typedef struct {
    sg17_entity_t e;
    unsigned index;
    naas_port_t *ports; /* programmed copy, one per endpoint (indexed by endpoint) */
    naas_flow_t *flows; /* open addressing, cap_flows slots */
    size_t cap_flows, n_flows;
    naas_blob_t *queue; /* programming waiting for the lag, FIFO */
    size_t q_head, q_len, q_cap;
    uint32_t applied; /* last applied programming version */
} naas_vswitch_t;

typedef struct {
    sg17_entity_t e;
    unsigned index, tenant, host, rank;
    uint32_t ip;
    uint8_t mac[6], gw_mac[6];
    bool gw_known, db_open;
    uint64_t app_seq;
} naas_endpoint_t;

typedef struct {
    uint8_t token[NAASP_TOKEN];
    unsigned tenant;
    sg17_time_t expiry;
} naas_token_t;

typedef struct {
    sg17_entity_t e;
    unsigned index;
    uint8_t holder[NAASP_HOLDER];
    uint8_t token[NAASP_TOKEN];
    bool has_token;
    sg17_time_t token_expiry;
    uint32_t next_nonce;
    uint32_t pending_nonce[16]; /* outstanding requests */
    sg17_time_t pending_at[16];
    uint8_t pending_op[16];
    double enforce_wait_max; /* seconds */
} naas_tenant_t;

typedef struct {
    sg17_time_t at;
    unsigned tenant;
    naasp_resp_t resp;
    uint32_t version;
    sg17_entity_t to;
} naas_deferred_t;

typedef struct {
    sg17_entity_t e;
    naas_net_t *nets;   /* one per tenant: the home networks */
    naas_port_t *ports; /* one per endpoint */
    naas_token_t *tokens;
    size_t n_tokens, cap_tokens;
    uint32_t *seen_nonce; /* per tenant, a small ring of recent nonces */
    unsigned *seen_pos;
    double *bucket; /* per tenant rate-limit buckets */
    sg17_time_t *bucket_at;
    double capacity; /* the global service bucket */
    sg17_time_t capacity_at;
    uint32_t version; /* programming version */
    uint32_t *acked;  /* per vswitch */
    naas_deferred_t *deferred;
    size_t n_deferred, cap_deferred;
} naas_controller_t;

typedef struct {
    naasp_rec_t *recs;
    size_t n, cap;
    sg17_entity_t e;
} naas_audit_t;

typedef struct {
    sg17_entity_t e;
    uint32_t *counts; /* anchored commitments */
    uint8_t (*heads)[NAASP_HASH];
    size_t n, cap;
} naas_anchor_t;

typedef struct naas_attacker naas_attacker_t;
typedef struct naas_lx naas_lx_t; /* the linux backend's state (linux/), NULL with sim */

typedef struct {
    naas_config_t cfg;
    unsigned n_tenants, n_endpoints, n_hosts;
    uint16_t table_ports[NAAS_MAX_PORTS_T];
    unsigned n_table_ports;
    uint16_t open_ports[NAAS_MAX_PORTS_T];
    unsigned n_open_ports;
    int peer_d, peer_s, peer_p; /* -1 when no peer rule */
    struct {
        int src, dst; /* dst -1: the gateway */
        uint16_t port;
        bool routed; /* to dst through the gateway ("S>rD:P") */
    } flows[NAAS_MAX_FLOWS];
    unsigned n_flows;
    uint8_t overlay_key[NAASP_OVERLAY_KEY], nsh_key[NAASP_NSH_KEY];
    naas_controller_t ctl;
    naas_tenant_t *tenants;
    naas_endpoint_t *endpoints;
    naas_vswitch_t *vswitches;
    sg17_entity_t *vteps, sf, vrouter, audit_e;
    naas_vrf_t *vrfs; /* one per tenant, with a vrouter */
    naas_audit_t audit;
    naas_anchor_t anchor;
    uint8_t *observed; /* truth table: bit (t * E + d) * P + p: a probe of tenant t's prober got to
                          endpoint d on table port p */
    uint32_t esp_seq;
    naas_attacker_t *attacker;
    naas_lx_t *lx;
} naas_t;

/* instance.c */
void *naas_create(sg17_ctx_t *ctx, const void *config);
void naas_destroy(void *instance);
void naas_start(void *instance, sg17_ctx_t *ctx);
void naas_finish(void *instance, sg17_ctx_t *ctx);
void naas_on_compromise(void *instance, sg17_ctx_t *ctx, sg17_entity_t e);
/* address plan */
uint32_t naas_net_prefix(unsigned tenant);
uint32_t naas_gw_ip(unsigned tenant);
void naas_gw_mac(unsigned tenant, uint8_t mac[6]);
void naas_ep_mac(unsigned index, uint8_t mac[6]);
int naas_ep_of_mac(const naas_t *n, const uint8_t mac[6]); /* -1 none */
uint32_t naas_host_ip(unsigned host);
void naas_host_mac(unsigned host, uint8_t mac[6]);
int naas_host_of_mac(const naas_t *n, const uint8_t mac[6]); /* -1 none */
int naas_routed_tenant(const naas_t *n, uint32_t spi);       /* the tenant of a routed path, -1 */
int naas_tenant_of_net(const naas_t *n, uint32_t vni);       /* home network owner, -1 */
/* expected reachability (the tenants' intent) */
bool naas_expected(const naas_t *n, unsigned tenant, unsigned prober, unsigned dst, uint16_t port);
int naas_prober(const naas_t *n, sg17_ctx_t *ctx, unsigned tenant); /* -1: cannot measure */

/* controller.c */
void naas_controller_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m);
void naas_controller_start(naas_t *n, sg17_ctx_t *ctx);
/* tenant.c */
void naas_tenant_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m);
void naas_tenant_on_timer(naas_t *n, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag);
void naas_tenant_start(naas_t *n, sg17_ctx_t *ctx);
/* Builds and sends one API request from tenant t (its token, its holder key when bound). */
void naas_tenant_request(naas_t *n, sg17_ctx_t *ctx, unsigned t, naasp_req_t *req);
/* audit.c: the audit store and the external anchor */
void naas_audit_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m);
void naas_audit_on_timer(naas_t *n, sg17_ctx_t *ctx, uint64_t tag);
void naas_anchor_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m);
void naas_audit_start(naas_t *n, sg17_ctx_t *ctx);
int naas_audit_append(naas_audit_t *a, const naasp_rec_t *fields);
/* vswitch.c, vtep.c, sf.c: the data plane */
void naas_vswitch_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m);
void naas_vswitch_on_timer(naas_t *n, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag);
void naas_vtep_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m);
void naas_sf_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* vrouter.c */
void naas_vrouter_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* The VRF whose routes lead to ip: tenant t's with isolation, any tenant's without; the route
 * or NULL. */
const naas_route_t *naas_vrouter_lookup(const naas_t *n, int t, uint32_t ip);
/* Sends a frame of endpoint `from_port` (bus source) towards host h's VTEP, sealed when the
 * overlay is authenticated. */
int naas_tunnel_send(naas_t *n, sg17_ctx_t *ctx, sg17_entity_t from_port, unsigned src_host,
                     unsigned dst_host, uint32_t vni, const uint8_t *inner, size_t inner_len);
/* Delivers a frame to host h's local endpoints: unicast by MAC or broadcast in a VNI. */
const char *naas_host_deliver(naas_t *n, sg17_ctx_t *ctx, sg17_entity_t from_port, unsigned host,
                              uint32_t vni, const uint8_t *frame, size_t len);
/* endpoint.c */
void naas_endpoint_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m);
void naas_endpoint_on_timer(naas_t *n, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag);
void naas_endpoint_start(naas_t *n, sg17_ctx_t *ctx);
/* Builds a UDP frame from endpoint s to IP dst (MAC dmac) with payload; sends it on s's vNIC. */
int naas_endpoint_send_udp(naas_t *n, sg17_ctx_t *ctx, unsigned s, const uint8_t dmac[6],
                           uint32_t sip, const uint8_t smac[6], uint32_t dip, uint16_t sport,
                           uint16_t dport, const uint8_t *data, size_t len);
/* truth.c */
void naas_truth_finish(naas_t *n, sg17_ctx_t *ctx);
/* attacks.c */
int naas_attack_probe_sweep(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int naas_attack_send_frame(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int naas_attack_arp_poison(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int naas_attack_api_call(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int naas_attack_use_token(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int naas_attack_vxlan_inject(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int naas_attack_sniff_underlay(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int naas_attack_chain_bypass(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int naas_attack_forge_context(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int naas_attack_rewrite_audit(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
void naas_attack_tick(naas_t *n, sg17_ctx_t *ctx, sg17_entity_t e);
/* A compromised endpoint received a frame: the adversary's record of it. */
void naas_attack_received(naas_t *n, sg17_ctx_t *ctx, unsigned ep, const uint8_t *f, size_t len);
void naas_attacker_free(naas_attacker_t *a);

/* linux/dataplane.c: the linux backend (linux/lx.h). open: 0, or -1 after sg17_log. */
int naas_lx_open(naas_t *n, sg17_ctx_t *ctx);
void naas_lx_close(naas_t *n);
/* Host h's vswitch applied its programming: its nftables rules follow it. */
int naas_lx_program(naas_t *n, sg17_ctx_t *ctx, unsigned h);
/* Frame m of endpoint ep's port handed to the kernel on its vNIC; what the endpoints' packet
 * sockets then get becomes their naas.delivery; m is reported with the drop counter that moved. */
void naas_lx_frame(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m, unsigned ep);
/* An overlay packet for host m->dst's VTEP put on the underlay by the rogue host; reports m. */
void naas_lx_underlay(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* The drop counters into metrics linux.drops.<reason>. */
void naas_lx_finish(naas_t *n, sg17_ctx_t *ctx);

#endif
