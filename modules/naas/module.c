/* module.c — the naas module (X.1604 NaaS security): its descriptor and the thin dispatch from
 * the descriptor's handlers to the simulation (sim/). Wire formats are in proto/. */
#include <stddef.h>
#include <string.h>

#include "sim/naas_sim.h"
#include "tools.h"

/* ---- dispatch ---- */

SG17_ON_MESSAGE(controller_on_message, naas_controller_on_message);
SG17_ON_MESSAGE(tenant_on_message, naas_tenant_on_message);
SG17_ON_TIMER(tenant_on_timer, naas_tenant_on_timer);
SG17_ON_MESSAGE(audit_on_message, naas_audit_on_message);
static void audit_on_timer(void *i, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    (void)e; /* the one store */
    naas_audit_on_timer(i, ctx, tag);
}
SG17_ON_MESSAGE(anchor_on_message, naas_anchor_on_message);
SG17_ON_MESSAGE(vswitch_on_message, naas_vswitch_on_message);
SG17_ON_TIMER(vswitch_on_timer, naas_vswitch_on_timer);
SG17_ON_MESSAGE(vtep_on_message, naas_vtep_on_message);
SG17_ON_MESSAGE(sf_on_message, naas_sf_on_message);
SG17_ON_MESSAGE(vrouter_on_message, naas_vrouter_on_message);
SG17_ON_MESSAGE(endpoint_on_message, naas_endpoint_on_message);
SG17_ON_TIMER(endpoint_on_timer, naas_endpoint_on_timer);
static void on_compromise(void *i, sg17_ctx_t *ctx, sg17_entity_t e, const sg17_params_t *p)
{
    (void)i, (void)ctx, (void)e, (void)p; /* entities check sg17_compromised when they act */
}
static void finish(void *i, sg17_ctx_t *ctx)
{
    naas_finish(i, ctx);
}

/* ---- the descriptor's tables ---- */

static const sg17_entity_kind_t entity_kinds[] = {
    {.name = "controller",
     .description = "the NaaS controller: API, data-plane programming, audit records",
     .default_count = 1,
     .min_count = 1,
     .max_count = 1,
     .on_message = controller_on_message},
    {.name = "tenant",
     .description = "a tenant's API client (its token, its holder key)",
     .default_count = 2,
     .min_count = 1,
     .max_count = NAAS_MAX_TENANTS,
     .on_message = tenant_on_message,
     .on_timer = tenant_on_timer},
    {.name = "audit",
     .description = "the audit store: hash-chained records, periodic anchor commitments",
     .default_count = 1,
     .min_count = 1,
     .max_count = 1,
     .on_message = audit_on_message,
     .on_timer = audit_on_timer},
    {.name = "anchor",
     .description = "the external anchor: keeps the audit heads, verifies exports",
     .default_count = 1,
     .min_count = 1,
     .max_count = 1,
     .on_message = anchor_on_message},
    {.name = "vswitch",
     .description = "a host's virtual switch (guards, isolation, security groups, NSH forwarder)",
     .default_count = 2,
     .min_count = 1,
     .max_count = NAAS_MAX_HOSTS,
     .on_message = vswitch_on_message,
     .on_timer = vswitch_on_timer},
    {.name = "vtep",
     .description = "a host's VXLAN tunnel endpoint (allow-list, authenticated overlay)",
     .default_count = 2,
     .min_count = 1,
     .max_count = NAAS_MAX_HOSTS,
     .on_message = vtep_on_message},
    {.name = "endpoint",
     .description = "a tenant VM behind one port: application flows, probe responder",
     .default_count = 6,
     .min_count = 1,
     .max_count = NAAS_MAX_ENDPOINTS,
     .on_message = endpoint_on_message,
     .on_timer = endpoint_on_timer},
    {.name = "sf",
     .description = "the vFW service function of the chain",
     .default_count = 1,
     .min_count = 0,
     .max_count = 1,
     .on_message = sf_on_message},
    {.name = "vrouter",
     .description = "the vRouter service function: per-tenant VRFs, TTL, routed path index 254",
     .default_count = 0,
     .min_count = 0,
     .max_count = 1,
     .on_message = vrouter_on_message},
    {.name = NULL},
};

#define CFG(f) offsetof(naas_config_t, f)

static const sg17_config_key_t config_keys[] = {
    {"backend",
     SG17_TYPE_STRING,
     "sim",
     "data plane backend: sim (bus messages) or linux (namespaces, bridges, nftables; root)",
     CFG(backend),
     {0, 0}},
    {"ports",
     SG17_TYPE_STRING,
     "22,80,5432",
     "truth-table UDP ports, answered on every endpoint",
     CFG(ports),
     {0, 0}},
    {"open_ports",
     SG17_TYPE_STRING,
     "22,80",
     "ports each security group opens to its own network",
     CFG(open_ports),
     {0, 0}},
    {"peer_rule",
     SG17_TYPE_STRING,
     "",
     "\"D:P<S\": endpoint D opens port P to endpoint S only",
     CFG(peer_rule),
     {0, 0}},
    {"app_flows",
     SG17_TYPE_STRING,
     "",
     "\"S>D:P\" or \"S>gw:P\" application flows",
     CFG(app_flows),
     {0, 0}},
    {"app_interval",
     SG17_TYPE_DURATION,
     "500ms",
     "time between two frames of a flow",
     CFG(app_interval),
     {0.001, 3600}},
    {"probe_at",
     SG17_TYPE_DURATION,
     "20s",
     "when the truth-table probe round runs",
     CFG(probe_at),
     {0, 2592000}},
    {"api_interval",
     SG17_TYPE_DURATION,
     "0",
     "tenants' polling interval (0 = none)",
     CFG(api_interval),
     {0, 3600}},
    {"token_ttl", SG17_TYPE_DURATION, "5min", "API token lifetime", CFG(token_ttl), {1, 86400}},
    {"revoke_at",
     SG17_TYPE_DURATION,
     "0",
     "when the peer rule is revoked (0 = never)",
     CFG(revoke_at),
     {0, 2592000}},
    {"program_lag",
     SG17_TYPE_DURATION,
     "50ms",
     "time a vswitch takes to apply programming",
     CFG(program_lag),
     {0, 3600}},
    {"enforce_bound",
     SG17_TYPE_DURATION,
     "2s",
     "the enforcement latency tenants accept",
     CFG(enforce_bound),
     {0, 3600}},
    {"db_endpoint",
     SG17_TYPE_INT,
     "-1",
     "endpoint whose tenant closes db_port to its network, then starts the database",
     CFG(db_endpoint),
     {-1, NAAS_MAX_ENDPOINTS}},
    {"db_port", SG17_TYPE_INT, "5433", "the database port", CFG(db_port), {1, 65535}},
    {"db_at",
     SG17_TYPE_DURATION,
     "10s",
     "when the tenant tightens the database port",
     CFG(db_at),
     {0, 2592000}},
    {"chain_endpoint",
     SG17_TYPE_INT,
     "-1",
     "endpoint whose ingress is steered through the vFW",
     CFG(chain_endpoint),
     {-1, NAAS_MAX_ENDPOINTS}},
    {"fw_block_port", SG17_TYPE_INT, "5432", "port the vFW drops", CFG(fw_block_port), {1, 65535}},
    {"api_capacity",
     SG17_TYPE_NUMBER,
     "200",
     "API requests per second the controller serves",
     CFG(api_capacity),
     {1, 1e6}},
    {"api_tenant_rate",
     SG17_TYPE_NUMBER,
     "20",
     "per-tenant API requests per second",
     CFG(api_tenant_rate),
     {1, 1e6}},
    {"anchor_interval",
     SG17_TYPE_DURATION,
     "5s",
     "audit head commitments to the anchor",
     CFG(anchor_interval),
     {0, 86400}},
    {"export_interval",
     SG17_TYPE_DURATION,
     "10s",
     "audit exports to the anchor",
     CFG(export_interval),
     {0, 86400}},
    {.name = NULL},
};

static const char *const r_iso[] = {"X1604-R-CON-ISOLATION", NULL};
static const char *const r_sg[] = {"X1604-R-CON-SG", NULL};
static const char *const r_spoof[] = {"X1604-R-CON-ANTISPOOF", NULL};
static const char *const r_arp[] = {"X1604-R-CON-ARP", NULL};
static const char *const r_aap[] = {"X1604-R-PLT-AAP", NULL};
static const char *const r_rbac[] = {"X1604-R-PLT-RBAC", NULL};
static const char *const r_own[] = {"X1604-R-PLT-OWNERSHIP", NULL};
static const char *const r_exp[] = {"X1604-R-PLT-TOKEN-EXPIRY", NULL};
static const char *const r_bind[] = {"X1604-R-PLT-TOKEN-BINDING", NULL};
static const char *const r_vtep[] = {"X1604-R-CON-VTEP", NULL};
static const char *const r_ovl[] = {"X1604-R-CON-OVERLAY", NULL};
static const char *const r_flush[] = {"X1604-R-CON-FLUSH", NULL};
static const char *const r_enf[] = {"X1604-R-PLT-ENFORCING", NULL};
static const char *const r_chain[] = {"X1604-R-APP-CHAIN", NULL};
static const char *const r_vrf[] = {"X1604-R-APP-VRF", NULL};
static const char *const r_rate[] = {"X1604-R-PLT-RATE", NULL};
static const char *const r_audit[] = {"X1604-R-PLT-AUDIT", NULL};

static const sg17_mitigation_t mitigations[] = {
    {"tenant_isolation",
     "one VNI per tenant network, default deny between them; off: one flat segment", r_iso, true,
     CFG(tenant_isolation)},
    {"security_groups",
     "ingress security groups, default deny; off: port security disabled, every port open", r_sg,
     true, CFG(security_groups)},
    {"source_guard",
     "frames must carry the port's MAC and IP (or its pair); off: any source accepted", r_spoof,
     true, CFG(source_guard)},
    {"arp_guard", "ARP sender MAC/IP must be the port's binding; off: any ARP is flooded", r_arp,
     true, CFG(arp_guard)},
    {"aap_no_wildcard",
     "allowed-address pairs must be one /32; off: any prefix, 0.0.0.0/0 included", r_aap, true,
     CFG(aap_no_wildcard)},
    {"rbac_no_wildcard", "sharing to \"*\" is the operator's; off: any tenant may share to all",
     r_rbac, true, CFG(rbac_no_wildcard)},
    {"ownership_check",
     "every call checks the caller owns the object; off: any id of any tenant is accepted", r_own,
     true, CFG(ownership_check)},
    {"token_expiry", "tokens expire after token_ttl; off: a token lives forever", r_exp, true,
     CFG(token_expiry)},
    {"token_binding",
     "each call proves the holder key (HMAC) and is fresh (time, nonce); off: bearer tokens",
     r_bind, false, CFG(token_binding)},
    {"vtep_allowlist", "VTEPs decapsulate only from known VTEP addresses; off: from any source",
     r_vtep, true, CFG(vtep_allowlist)},
    {"overlay_auth",
     "overlay sealed with AES-256-GCM (ESP layout); off: plain VXLAN, readable and forgeable",
     r_ovl, false, CFG(overlay_auth)},
    {"flow_flush", "a revoked rule flushes its cached flows; off: established flows live on",
     r_flush, true, CFG(flow_flush)},
    {"enforce_after_dataplane",
     "\"enforcing\" only once every vswitch applied the change; off: as soon as the API accepts",
     r_enf, true, CFG(enforce_after_dataplane)},
    {"chain_integrity",
     "NSH carries an HMAC (RFC 9145 style), tenant ports may not inject NSH; off: headers trusted",
     r_chain, true, CFG(chain_integrity)},
    {"vrf_isolation",
     "the vRouter looks up only the VRF of the path's tenant (its ingress network); off: one "
     "table for every tenant",
     r_vrf, true, CFG(vrf_isolation)},
    {"api_rate_limit", "per-tenant API token bucket; off: one tenant can use all capacity", r_rate,
     true, CFG(api_rate_limit)},
    {"audit_chain",
     "the anchor checks exports against the hash chain and its anchored heads; off: trusted",
     r_audit, true, CFG(audit_chain)},
    {.name = NULL},
};

static const sg17_param_t send_frame_params[] = {
    {"from", SG17_TYPE_ENTITY, true, "the compromised endpoint that sends", {0, 0}},
    {"to", SG17_TYPE_ENTITY, true, "the destination endpoint", {0, 0}},
    {"dport", SG17_TYPE_INT, false, "destination UDP port", {1, 65535}},
    {"sport", SG17_TYPE_INT, false, "source UDP port (default 50000)", {1, 65535}},
    {"spoof_mac", SG17_TYPE_ENTITY, false, "send with this endpoint's MAC", {0, 0}},
    {"spoof_ip", SG17_TYPE_ENTITY, false, "send with this endpoint's IP", {0, 0}},
    {"count", SG17_TYPE_COUNT, false, "frames (default 1)", {1, 10000}},
    {"every", SG17_TYPE_DURATION, false, "time between frames (default: all at once)", {0, 3600}},
    {"via_gateway",
     SG17_TYPE_BOOL,
     false,
     "to the sender's gateway MAC (routed by the vRouter) instead of the destination's",
     {0, 0}},
    {.name = NULL},
};
static const sg17_param_t from_params[] = {
    {"from", SG17_TYPE_ENTITY, true, "the compromised endpoint", {0, 0}},
    {"count", SG17_TYPE_COUNT, false, "how many (default 1)", {1, 1000}},
    {.name = NULL},
};
static const sg17_param_t api_params[] = {
    {"as", SG17_TYPE_ENTITY, false, "the compromised tenant that calls (api_call)", {0, 0}},
    {"capture", SG17_TYPE_STRING, false, "a capture holding a request (use_token)", {0, 0}},
    {"op", SG17_TYPE_STRING, true, "show, sg_add, sg_del, aap_set, share or attach", {0, 0}},
    {"port", SG17_TYPE_ENTITY, false, "the endpoint whose port the call names", {0, 0}},
    {"net", SG17_TYPE_INT, false, "the tenant index whose network the call names", {0, 1000}},
    {"target", SG17_TYPE_STRING, false, "share target: a tenant index or \"*\"", {0, 0}},
    {"prefix", SG17_TYPE_STRING, false, "a.b.c.d/len (rules, pairs)", {0, 0}},
    {"dport", SG17_TYPE_INT, false, "rule port", {1, 65535}},
    {"count", SG17_TYPE_COUNT, false, "requests (use_token; default 1)", {1, 1000}},
    {.name = NULL},
};
static const sg17_param_t inject_params[] = {
    {"victim", SG17_TYPE_ENTITY, true, "the endpoint the forged frame is for", {0, 0}},
    {"dport", SG17_TYPE_INT, false, "destination UDP port", {1, 65535}},
    {"count", SG17_TYPE_COUNT, false, "packets (default 1)", {1, 10000}},
    {.name = NULL},
};
static const sg17_param_t sniff_params[] = {
    {"capture", SG17_TYPE_STRING, true, "a capture of naas.vxlan packets", {0, 0}},
    {.name = NULL},
};
static const sg17_param_t chain_params[] = {
    {"from", SG17_TYPE_ENTITY, true, "the compromised endpoint", {0, 0}},
    {"to", SG17_TYPE_ENTITY, true, "the chained endpoint", {0, 0}},
    {"dport", SG17_TYPE_INT, false, "port the vFW would drop (default 5432)", {1, 65535}},
    {"count", SG17_TYPE_COUNT, false, "frames (default 1)", {1, 10000}},
    {.name = NULL},
};
static const sg17_param_t forge_params[] = {
    {"from", SG17_TYPE_ENTITY, true, "the compromised endpoint", {0, 0}},
    {"to", SG17_TYPE_ENTITY, true, "the endpoint of another tenant it aims at", {0, 0}},
    {"dport",
     SG17_TYPE_INT,
     false,
     "destination UDP port (default the first table port)",
     {1, 65535}},
    {"count", SG17_TYPE_COUNT, false, "frames (default 1)", {1, 10000}},
    {.name = NULL},
};
static const sg17_param_t audit_params[] = {
    {"entry", SG17_TYPE_INT, false, "the record to rewrite (default 0)", {0, 4095}},
    {.name = NULL},
};

static const sg17_attack_t attacks[] = {
    {"probe_sweep", "a compromised endpoint probes every other tenant's endpoint x port", NULL,
     from_params, naas_attack_probe_sweep},
    {"send_frame", "a compromised endpoint sends UDP frames, optionally with a spoofed MAC/IP",
     NULL, send_frame_params, naas_attack_send_frame},
    {"arp_poison", "a compromised endpoint announces the gateway's IP at its own MAC", NULL,
     from_params, naas_attack_arp_poison},
    {"api_call", "a compromised tenant calls the API with its own token", NULL, api_params,
     naas_attack_api_call},
    {"use_token", "the token of a captured request, in a new request without the holder key", NULL,
     api_params, naas_attack_use_token},
    {"vxlan_inject", "a VXLAN packet from a rogue underlay host with the victim's VNI", NULL,
     inject_params, naas_attack_vxlan_inject},
    {"sniff_underlay", "read the frames inside captured overlay packets", NULL, sniff_params,
     naas_attack_sniff_underlay},
    {"chain_bypass", "NSH with a forged service index that says the vFW was passed", NULL,
     chain_params, naas_attack_chain_bypass},
    {"forge_context",
     "NSH to the vRouter naming the victim tenant's routed path past the vFW (index 254)", NULL,
     forge_params, naas_attack_forge_context},
    {"rewrite_audit", "rewrite a record of a compromised audit store, chain recomputed", NULL,
     audit_params, naas_attack_rewrite_audit},
    {.name = NULL},
};

static const sg17_metric_t metrics[] = {
    {"truth.cells", "cells of the reachability truth table", NULL},
    {"truth.correct", "cells whose observed reachability is the expected one", NULL},
    {"truth.incorrect", "cells whose observed reachability differs", NULL},
    {"truth.unmeasured", "cells that could not be measured (!)", NULL},
    {"truth.reachable_unexpected", "cells reached that the tenants' intent blocks", NULL},
    {"truth.blocked_unexpected", "cells blocked that the tenants' intent opens", NULL},
    {"truth.probes_sent", "probes the table's probers sent", NULL},
    {"controller.executed", "API calls executed", NULL},
    {"controller.rate_limited", "API calls refused by the per-tenant limit", NULL},
    {"controller.overloaded", "API calls refused for want of capacity", NULL},
    {"tenant.api_ok", "API responses with success", NULL},
    {"tenant.api_failed", "API responses with an error", NULL},
    {"tenant.enforce_wait_max_s", "longest wait for an \"enforcing\" response, seconds", NULL},
    {"tenant.enforce_over_bound", "1 when that wait exceeded enforce_bound", NULL},
    {"vswitch.dropped", "frames the vswitches dropped", NULL},
    {"vswitch.flows_flushed", "cached flows flushed by revocations", NULL},
    {"vrouter.forwarded", "frames handed to the gateway (no vrouter: they leave the network)",
     NULL},
    {"vrouter.routed", "frames the vRouter forwarded to a next hop", NULL},
    {"vrouter.no_route", "frames the vRouter's VRF has no route or neighbour for", NULL},
    {"vrouter.ttl_expired", "frames the vRouter dropped with TTL 0 or 1", NULL},
    {"vtep.alarms", "overlay packets refused by allow-list or authentication", NULL},
    {"sf.passed", "frames the vFW passed", NULL},
    {"sf.blocked", "frames the vFW dropped", NULL},
    {"endpoint.app_sent", "application frames sent", NULL},
    {"endpoint.app_received", "application frames received on an open port", NULL},
    {"endpoint.gw_changed", "gateway ARP entries that changed MAC", NULL},
    {"anchor.exports_verified", "audit exports the anchor accepted", NULL},
    {"anchor.tamper_alarms", "audit exports the anchor refused", NULL},
    {"audit.records", "records in the audit store at the end", NULL},
    {"linux.drops.*", "packets an nftables drop rule counted (linux backend), by reason", NULL},
    {"linux.send_errors", "frames the kernel refused to send (linux backend)", NULL},
    {"attacker.frames_sent", "frames the adversary's endpoint sent", NULL},
    {"attacker.canaries_read", "application canaries read from captured overlay packets", NULL},
    {"attacker.intercepted", "frames for others that reached the adversary's endpoint", NULL},
    {NULL, NULL, NULL},
};

static const sg17_reason_t reasons[] = {
    {"malformed", "not a well-formed message of this protocol"},
    {"auth", "bad credential, unknown token, or no holder proof"},
    {"token_expired", "token past its expiry"},
    {"replay", "API request outside the freshness window or nonce seen"},
    {"forbidden", "object of another tenant or network not visible"},
    {"wildcard", "wildcard allowed-address pair or share refused"},
    {"invalid", "unknown object or field"},
    {"rate_limited", "over the tenant's API rate"},
    {"overloaded", "the controller has no capacity left"},
    {"unexpected", "a response to no outstanding request"},
    {"no_port", "frame from a port with no binding on this switch"},
    {"spoof_mac", "source MAC is not the port's"},
    {"spoof_ip", "source IP is not the port's nor its pair's"},
    {"arp_spoof", "ARP sender is not the port's binding"},
    {"isolation", "destination in another tenant network"},
    {"security_group", "no ingress rule admits the frame"},
    {"no_destination", "no port has the destination MAC"},
    {"chain_integrity", "NSH without a valid MAC, or from a tenant port"},
    {"chain_index", "NSH with an unexpected service index"},
    {"firewall", "dropped by the vFW"},
    {"no_route", "no route in the path's VRF, or no neighbour on its egress network"},
    {"ttl_expired", "IPv4 TTL 0 or 1 at the vRouter"},
    {"vtep_not_allowed", "overlay packet from outside the VTEP allow-list"},
    {"overlay_auth", "overlay packet that does not authenticate"},
    {"not_for_me", "frame for another address"},
    {"closed_port", "nothing listens on the port"},
    {"audit_chain", "audit export that does not match the chain or the anchored heads"},
    {"audit_full", "the audit store is full"},
    {NULL, NULL},
};

static const char *const message_types[] = {
    "naas.api",   "naas.api_resp", "naas.program",      "naas.program_ack",
    "naas.frame", "naas.vxlan",    "naas.nsh",          "naas.delivery",
    "naas.audit", "naas.anchor",   "naas.audit_export", NULL,
};

/* The closed value sets of STRING keys and parameters: validation refuses anything else at its
 * file:line:col, before a run starts. */
static const char *const backends[] = {"sim", "linux", NULL};
static const sg17_choice_t choices[] = {
    {"backend", backends},
    {NULL, NULL},
};

const sg17_module_t sg17_module = {
    SG17_MODULE_HEADER,
    .name = "naas",
    .recommendation = "X.1604",
    .title = "Network as a Service security: tenant isolation, controller API, service chains",
    .version = "0.1.0",
    .catalogue = "requirements.yaml",

    .entity_kinds = entity_kinds,
    .config = config_keys,
    .mitigations = mitigations,
    .attacks = attacks,
    .metrics = metrics,
    .reasons = reasons,
    .message_types = message_types,
    .tools = naas_tools,

    .config_size = sizeof(naas_config_t),
    .create = naas_create,
    .destroy = naas_destroy,
    .start = naas_start,
    .on_compromise = on_compromise,
    .finish = finish,
    .trace_frame = naas_trace_frame,
    .choices = choices,
};
