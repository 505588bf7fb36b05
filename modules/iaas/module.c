/* module.c — the iaas module (X.1605, public IaaS): its descriptor and the thin dispatch from the
 * descriptor's handlers to the simulation. The instance and its entities live in sim/, the wire
 * formats and crypto in proto/. */
#include <stddef.h>
#include <string.h>

#include "proto/http.h"
#include "sim/iaas_sim.h"
#include "tools.h"

/* ---- dispatch: the descriptor's untyped handlers to the simulation's ---- */

SG17_ON_MESSAGE(api_on_message, iaas_api_on_message);
SG17_ON_MESSAGE(compute_on_message, iaas_compute_on_message);
SG17_ON_TIMER(compute_on_timer, iaas_compute_on_timer);
SG17_ON_MESSAGE(vm_on_message, iaas_vm_on_message);
SG17_ON_TIMER(vm_on_timer, iaas_vm_on_timer);
SG17_ON_MESSAGE(image_on_message, iaas_image_on_message);
SG17_ON_MESSAGE(metadata_on_message, iaas_metadata_on_message);
SG17_ON_MESSAGE(netsvc_on_message, iaas_netsvc_on_message);
SG17_ON_TIMER(netsvc_on_timer, iaas_netsvc_on_timer);
SG17_ON_MESSAGE(audit_on_message, iaas_audit_on_message);
SG17_ON_MESSAGE(user_on_message, iaas_user_on_message);
SG17_ON_TIMER(user_on_timer, iaas_user_on_timer);
SG17_ON_MESSAGE(outside_on_message, iaas_outside_on_message);

SG17_ATTACK_RUN(run_api_call, iaas_attack_api_call);
SG17_ATTACK_RUN(run_backing_image, iaas_attack_backing_image);
SG17_ATTACK_RUN(run_ssrf, iaas_attack_ssrf);
SG17_ATTACK_RUN(run_metadata_forge, iaas_attack_metadata_forge);
SG17_ATTACK_RUN(run_store_write, iaas_attack_store_write);
SG17_ATTACK_RUN(run_noisy, iaas_attack_noisy);
SG17_ATTACK_RUN(run_ksm_probe, iaas_attack_ksm_probe);
SG17_ATTACK_RUN(run_api_flood, iaas_attack_api_flood);
SG17_ATTACK_RUN(run_probe, iaas_attack_probe);
SG17_ATTACK_RUN(run_tap_migration, iaas_attack_tap_migration);
SG17_ATTACK_RUN(run_revert, iaas_attack_revert);

/* `sg17tb run --trace`: API calls as HTTP/1.1 with JSON bodies over IPv4/TCP; every other message
 * gets the core's generic framing. */
static size_t trace_frame(const sg17_msg_t *msg, const char *src_name, const char *dst_name,
                          uint8_t *buf, size_t cap, uint32_t *linktype)
{
    bool response = strcmp(msg->type, "iaas.api_response") == 0;
    if (!response && strcmp(msg->type, "iaas.api_request") != 0)
        return 0;
    *linktype = HTTP_LINKTYPE_RAW;
    return http_frame_api(msg->payload, msg->len, response, http_address(src_name),
                          http_address(dst_name), (uint32_t)msg->id, buf, cap);
}

/* ---- the descriptor's tables ---- */

static const sg17_entity_kind_t entity_kinds[] = {
    {.name = "api",
     .description = "the management API with IAM (accounts, users, roles, versioned policies, "
                    "access keys)",
     .default_count = 1,
     .min_count = 1,
     .max_count = 1,
     .on_message = api_on_message},
    {.name = "compute",
     .description = "a compute node and its hypervisor: boots images, shares the host among its "
                    "VMs (cgroup model), migrates VMs",
     .default_count = 2,
     .min_count = 1,
     .max_count = IAAS_MAX_COMPUTE,
     .on_message = compute_on_message,
     .on_timer = compute_on_timer},
    {.name = "vm",
     .description = "a guest: user data at boot, the IMDSv2 SDK, a web application, a workload",
     .default_count = 8,
     .min_count = 1,
     .max_count = IAAS_MAX_VMS,
     .on_message = vm_on_message,
     .on_timer = vm_on_timer},
    {.name = "image",
     .description = "the image registry: signed containers and their sharing; its backend takes "
                    "raw writes",
     .default_count = 1,
     .min_count = 1,
     .max_count = 1,
     .on_message = image_on_message},
    {.name = "block",
     .description = "a storage node: volumes in real extents of a scratch file (driven by the API)",
     .default_count = 1,
     .min_count = 1,
     .max_count = IAAS_MAX_BLOCK},
    {.name = "metadata",
     .description = "the instance metadata service of one compute node (one per node)",
     .default_count = 2,
     .min_count = 1,
     .max_count = IAAS_MAX_COMPUTE,
     .on_message = metadata_on_message},
    {.name = "netsvc",
     .description = "the network edge: security groups, flow logs, the guardrail's auto-revert",
     .default_count = 1,
     .min_count = 1,
     .max_count = 1,
     .on_message = netsvc_on_message,
     .on_timer = netsvc_on_timer},
    {.name = "audit",
     .description = "the audit sink: records in the account's bucket, signed anchors outside it",
     .default_count = 1,
     .min_count = 1,
     .max_count = 1,
     .on_message = audit_on_message},
    {.name = "user",
     .description = "a tenant's user (by index: admin, read-only, developer, network operator; "
                    "four per tenant)",
     .default_count = 4,
     .min_count = 1,
     .max_count = IAAS_MAX_USERS,
     .on_message = user_on_message,
     .on_timer = user_on_timer},
    {.name = "outside",
     .description = "a host outside the cloud (the attacker's, a scanner's)",
     .default_count = 1,
     .min_count = 1,
     .max_count = IAAS_MAX_OUTSIDE,
     .on_message = outside_on_message},
    {.name = NULL},
};

#define CONFIG(field) offsetof(iaas_config_t, field)

static const sg17_config_key_t config_keys[] = {
    {"tenants",
     SG17_TYPE_COUNT,
     "4",
     "accounts; tenant 0 is the victim, the last one the outsider's account outside the "
     "organisation",
     CONFIG(tenants),
     {2, IAAS_MAX_TENANTS}},
    {"api_interval",
     SG17_TYPE_DURATION,
     "1min",
     "time between two API calls of a user",
     CONFIG(api_interval),
     {0.001, 86400}},
    {"imds_interval",
     SG17_TYPE_DURATION,
     "5min",
     "time between two credential refreshes of a guest's SDK",
     CONFIG(imds_interval),
     {0.001, 86400}},
    {"tick",
     SG17_TYPE_DURATION,
     "1s",
     "the hypervisor's scheduling tick",
     CONFIG(tick),
     {0.001, 3600}},
    {"reboot_interval",
     SG17_TYPE_DURATION,
     "0",
     "the victim's VMs reboot this often, fetching their image again (0: never)",
     CONFIG(reboot_interval),
     {0, 86400}},
    {"migrate_at",
     SG17_TYPE_DURATION,
     "0",
     "when the victim VM is live-migrated to the next node (0: never)",
     CONFIG(migrate_at),
     {0, 30 * 86400}},
    {"token_ttl",
     SG17_TYPE_DURATION,
     "6h",
     "lifetime of a metadata session token",
     CONFIG(token_ttl),
     {1, 21600}},
    {"guardrail_interval",
     SG17_TYPE_DURATION,
     "30s",
     "how often the security-group guardrail sweeps for world-open admin ports",
     CONFIG(guardrail_interval),
     {1, 86400}},
    {"extents_per_node",
     SG17_TYPE_COUNT,
     "64",
     "extents in a storage node's scratch file",
     CONFIG(extents_per_node),
     {8, 65536}},
    {"extent_size",
     SG17_TYPE_COUNT,
     "4096",
     "octets per extent (a multiple of 512)",
     CONFIG(extent_size),
     {1024, 1048576}},
    {"anchor_every",
     SG17_TYPE_COUNT,
     "8",
     "audit records between two signed anchors",
     CONFIG(anchor_every),
     {1, 100000}},
    {"victim_vm",
     SG17_TYPE_COUNT,
     "0",
     "the VM whose throughput is measured and which is migrated",
     CONFIG(victim_vm),
     {0, IAAS_MAX_VMS - 1}},
    {"canary",
     SG17_TYPE_HEX,
     "5347313743414e41525921c0ffee0042",
     "the victim's secret the scenario plants (8 to 64 octets)",
     CONFIG(canary),
     {0, 0}},
    {"correlation_id",
     SG17_TYPE_HEX,
     "5354524154555352454454454d303031",
     "the id every attacker request carries (16 octets)",
     CONFIG(correlation_id),
     {0, 0}},
    {"expected_events",
     SG17_TYPE_STRING,
     "",
     "comma-separated API event names a defender should find in the trail with the correlation "
     "id (audit.expected_missing counts those it cannot)",
     CONFIG(expected_events),
     {0, 0}},
    {"node_cpus", SG17_TYPE_NUMBER, "4", "CPUs of a compute node", CONFIG(node_cpus), {0.5, 1024}},
    {"node_memory_mib",
     SG17_TYPE_COUNT,
     "16384",
     "memory of a compute node",
     CONFIG(node_memory_mib),
     {1024, 4194304}},
    {"node_pids",
     SG17_TYPE_COUNT,
     "32768",
     "the process table of a compute node (pid_max)",
     CONFIG(node_pids),
     {1024, 4194304}},
    {"cpu_quota",
     SG17_TYPE_NUMBER,
     "1",
     "cgroup CPU quota of a VM, in cores (cpu.max)",
     CONFIG(cpu_quota),
     {0.01, 1024}},
    {"memory_limit_mib",
     SG17_TYPE_COUNT,
     "2048",
     "cgroup memory limit of a VM (memory.max)",
     CONFIG(memory_limit_mib),
     {64, 4194304}},
    {"pids_limit",
     SG17_TYPE_COUNT,
     "512",
     "cgroup process limit of a VM (pids.max)",
     CONFIG(pids_limit),
     {16, 4194304}},
    {"api_authorize",
     SG17_TYPE_BOOL,
     "true",
     "the API evaluates IAM policies (false: every authenticated call is allowed; the "
     "benchmark's baseline)",
     CONFIG(api_authorize),
     {0, 0}},
    {"backend",
     SG17_TYPE_STRING,
     "sim",
     "isolation backend: sim (the hypervisor's model) or linux (the victim's and the noisy "
     "tenant's guests as worker processes under real cgroups, v1 or v2; needs write access to "
     "the cgroup hierarchy)",
     CONFIG(backend),
     {0, 0}},
    {"api_capacity",
     SG17_TYPE_COUNT,
     "100000",
     "API calls the control plane carries out per second (fixed one-second windows; the rest "
     "are answered 503)",
     CONFIG(api_capacity),
     {1, 1e9}},
    {"api_tenant_rate",
     SG17_TYPE_NUMBER,
     "20",
     "a tenant's API quota in calls per second, its bucket one second deep (api_quotas)",
     CONFIG(api_tenant_rate),
     {0.001, 1e6}},
    {.name = NULL},
};

static const char *const r_iam[] = {"IAAS-R-MGT-IAM", NULL};
static const char *const r_share[] = {"IAAS-R-STO-SHARE", NULL};
static const char *const r_sig[] = {"IAAS-R-CMP-IMGSIG", NULL};
static const char *const r_inspect[] = {"IAAS-R-CMP-IMGFMT", NULL};
static const char *const r_enc[] = {"IAAS-R-STO-ENC", NULL};
static const char *const r_wipe[] = {"IAAS-R-STO-WIPE", NULL};
static const char *const r_imds[] = {"IAAS-R-CMP-IMDS", NULL};
static const char *const r_bind[] = {"IAAS-R-MGT-CREDBIND", NULL};
static const char *const r_iid[] = {"IAAS-R-CMP-IMDSID", NULL};
static const char *const r_ud[] = {"IAAS-R-MGT-USERDATA", NULL};
static const char *const r_sg[] = {"IAAS-R-NET-SG", NULL};
static const char *const r_trail[] = {"IAAS-R-OPS-TRAIL", "IAAS-R-OPS-FLOWLOG", NULL};
static const char *const r_cg[] = {"IAAS-R-CMP-ISOLATION", NULL};
static const char *const r_mem[] = {"IAAS-R-CMP-MEMSHARE", NULL};
static const char *const r_mig[] = {"IAAS-R-NET-MIGRATION", NULL};
static const char *const r_quota[] = {"IAAS-R-MGT-QUOTA", NULL};

static const sg17_mitigation_t mitigations[] = {
    {"iam_least_privilege",
     "read-only users cannot read user data, developers cannot create keys for others or change "
     "their policy's default version; off: ReadOnlyAccess with user data, iam:CreateAccessKey "
     "on *, iam:SetDefaultPolicyVersion granted",
     r_iam, false, CONFIG(iam_least_privilege)},
    {"share_allowlist",
     "snapshots and images can be shared only with accounts of the organisation, never with all; "
     "off: any account or all",
     r_share, false, CONFIG(share_allowlist)},
    {"image_signature",
     "the hypervisor verifies the owner's ECDSA signature before boot; off: it boots what the "
     "store holds",
     r_sig, false, CONFIG(image_signature)},
    {"image_inspection",
     "the API and the hypervisor refuse a container whose backing reference leaves the image; "
     "off: qemu follows it on the host",
     r_inspect, false, CONFIG(image_inspection)},
    {"volume_encryption",
     "volumes are AES-256-XTS encrypted under per-volume keys wrapped by the tenant's key, "
     "crypto-erased on delete; off: plain extents",
     r_enc, false, CONFIG(volume_encryption)},
    {"volume_wipe", "deleted volumes' extents are zeroed before reuse; off: volume_clear = none",
     r_wipe, false, CONFIG(volume_wipe)},
    {"imds_tokens",
     "the metadata service answers GETs only with a session token from a PUT by the same "
     "instance, with a hop limit of 1; off: IMDSv1 (tokens optional, TTL 64)",
     r_imds, false, CONFIG(imds_tokens)},
    {"credential_binding",
     "instance credentials work only from the instance they were issued to; off: from anywhere",
     r_bind, false, CONFIG(credential_binding)},
    {"imds_signed_instance_id",
     "the metadata service identifies the instance by its network origin (the proxy's signed "
     "header); off: it trusts an X-Instance-ID header from the guest",
     r_iid, false, CONFIG(imds_signed_instance_id)},
    {"userdata_right",
     "changing user data needs its own permission; off: any instance-management permission "
     "covers it",
     r_ud, false, CONFIG(userdata_right)},
    {"sg_guardrail",
     "world-open admin ports are refused by the API and reverted by a sweep; off: allowed", r_sg,
     false, CONFIG(sg_guardrail)},
    {"trail_guard",
     "the audited account cannot stop or delete its trail or its flow logs; off: its admins can",
     r_trail, false, CONFIG(trail_guard)},
    {"cgroup_limits",
     "each VM runs under cpu.max, memory.max and pids.max limits; off: unlimited (shares only)",
     r_cg, false, CONFIG(cgroup_limits)},
    {"no_memory_sharing",
     "the hypervisor offers no guest's memory to page merging (no MADV_MERGEABLE: KSM never "
     "merges one tenant's page with another's); off: every guest's memory is mergeable",
     r_mem, false, CONFIG(no_memory_sharing)},
    {"migration_encryption",
     "live migration streams are sealed with AES-256-GCM between the hypervisors; off: QEMU's "
     "clear stream",
     r_mig, false, CONFIG(migration_encryption)},
    {"api_quotas",
     "each tenant's API calls pass a token bucket (api_tenant_rate per second) before they take "
     "any of the control plane's shared capacity; off: first come, first served",
     r_quota, false, CONFIG(api_quotas)},
    {.name = NULL},
};

#define MAX_U32 4294967295.0

static const sg17_param_t api_call_params[] = {
    {"op",
     SG17_TYPE_STRING,
     true,
     "the API operation, by its event name (CreateAccessKey, ...)",
     {0, 0}},
    {"as",
     SG17_TYPE_STRING,
     true,
     "the credentials the adversary holds: user-<n>, root-<n> (tenant n's root) or stolen (the "
     "last it harvested)",
     {0, 0}},
    {"target",
     SG17_TYPE_INT,
     false,
     "the resource (volume, snapshot, image, vm index); default: the last id it was answered",
     {0, MAX_U32}},
    {"value",
     SG17_TYPE_INT,
     false,
     "the operation's value (an account, a port, extents, a user, a version)",
     {0, MAX_U32}},
    {"flags",
     SG17_TYPE_INT,
     false,
     "the operation's flags (1: remove a share; a CIDR prefix)",
     {0, MAX_U32}},
    {"data", SG17_TYPE_HEX, false, "the request's blob (user data, an image)", {0, 0}},
    {"from", SG17_TYPE_ENTITY, false, "the outside host it calls from (default outside-0)", {0, 0}},
    {.name = NULL},
};
static const sg17_param_t backing_image_params[] = {
    {"as", SG17_TYPE_STRING, true, "the credentials (as in api_call)", {0, 0}},
    {"path",
     SG17_TYPE_STRING,
     false,
     "the backing reference (default /var/lib/nova/host.key, a file on the compute host)",
     {0, 0}},
    {"from", SG17_TYPE_ENTITY, false, "the outside host it calls from", {0, 0}},
    {.name = NULL},
};
static const sg17_param_t ssrf_params[] = {
    {"vm", SG17_TYPE_ENTITY, true, "the VM whose web application fetches URLs", {0, 0}},
    {"path",
     SG17_TYPE_STRING,
     false,
     "credentials (default), user-data, instance-id, token",
     {0, 0}},
    {"proxy",
     SG17_TYPE_BOOL,
     false,
     "the application is an open proxy (forwards method and headers, one hop further)",
     {0, 0}},
    {"from", SG17_TYPE_ENTITY, false, "the outside host", {0, 0}},
    {.name = NULL},
};
static const sg17_param_t forge_params[] = {
    {"vm", SG17_TYPE_ENTITY, true, "the attacker's own VM (it is root in that guest)", {0, 0}},
    {"instance", SG17_TYPE_ENTITY, true, "the VM it claims to be", {0, 0}},
    {"path", SG17_TYPE_STRING, false, "user-data, credentials (default) or instance-id", {0, 0}},
    {.name = NULL},
};
static const sg17_param_t store_write_params[] = {
    {"image", SG17_TYPE_INT, false, "the image (default 0)", {0, 1023}},
    {"offset", SG17_TYPE_INT, false, "octet offset in the stored container", {0, 4095}},
    {"data", SG17_TYPE_HEX, true, "the octets written (at most 256)", {0, 0}},
    {"from", SG17_TYPE_ENTITY, false, "the outside host", {0, 0}},
    {.name = NULL},
};
static const sg17_param_t noisy_params[] = {
    {"vm", SG17_TYPE_ENTITY, true, "the attacker's VM (of the outsider's tenant)", {0, 0}},
    {"load",
     SG17_TYPE_STRING,
     true,
     "cpu (busy threads), memory (GiB), fork (thousands of "
     "processes)",
     {0, 0}},
    {"intensity", SG17_TYPE_COUNT, false, "threads, GiB or thousands (default 16)", {1, 1000}},
    {"from", SG17_TYPE_ENTITY, false, "the outside host its owner logs in from", {0, 0}},
    {.name = NULL},
};
static const sg17_param_t ksm_params[] = {
    {"vm",
     SG17_TYPE_ENTITY,
     true,
     "the attacker's VM (of another tenant than the victim's)",
     {0, 0}},
    {"candidates",
     SG17_TYPE_COUNT,
     false,
     "pages of content the attacker tries, the victim's among them (default 32)",
     {2, 256}},
    {"trials", SG17_TYPE_COUNT, false, "rounds; the guess needs a majority (default 5)", {1, 15}},
    {.name = NULL},
};
static const sg17_param_t api_flood_params[] = {
    {"vm", SG17_TYPE_ENTITY, true, "the attacker's VM (of the outsider's tenant)", {0, 0}},
    {"rate", SG17_TYPE_COUNT, false, "API calls per second (default 100)", {1, 1000}},
    {"from", SG17_TYPE_ENTITY, false, "the outside host its owner logs in from", {0, 0}},
    {.name = NULL},
};
static const sg17_param_t probe_params[] = {
    {"vm", SG17_TYPE_ENTITY, true, "the VM probed", {0, 0}},
    {"port", SG17_TYPE_INT, false, "the port (default 22)", {1, 65535}},
    {"count", SG17_TYPE_COUNT, false, "connection attempts (default 1)", {1, 100}},
    {"from", SG17_TYPE_ENTITY, false, "the outside host", {0, 0}},
    {.name = NULL},
};
static const sg17_param_t tap_params[] = {
    {"capture", SG17_TYPE_STRING, true, "the capture of the migration stream", {0, 0}},
    {.name = NULL},
};

static const sg17_attack_t attacks[] = {
    {"api_call",
     "call the management API with credentials the adversary holds (each Stratus "
     "technique is one or more of these)",
     NULL, api_call_params, run_api_call},
    {"backing_image", "register an image whose backing reference names a host file", NULL,
     backing_image_params, run_backing_image},
    {"ssrf", "make a guest's web application fetch a metadata URL and return the body", NULL,
     ssrf_params, run_ssrf},
    {"metadata_forge",
     "from the attacker's own guest, ask the metadata service as another "
     "instance (X-Instance-ID)",
     NULL, forge_params, run_metadata_forge},
    {"store_write", "change a stored image's octets through the store's backend", NULL,
     store_write_params, run_store_write},
    {"noisy", "start a CPU, memory or fork load in the attacker's own guest", NULL, noisy_params,
     run_noisy},
    {"ksm_probe",
     "linux backend: from the attacker's guest, learn which of `candidates` pages the victim's "
     "guest holds from the time a write to a merged (copy-on-write) page takes",
     NULL, ksm_params, run_ksm_probe},
    {"api_flood",
     "make the attacker's own guest call the management API as fast as `rate` with its "
     "instance credentials",
     NULL, api_flood_params, run_api_flood},
    {"probe", "connect to a VM's port from outside", NULL, probe_params, run_probe},
    {"tap_migration", "read a captured migration stream as it crossed the wire", NULL, tap_params,
     run_tap_migration},
    {"revert",
     "Stratus's revert: undo what the detonation changed (shares, rules, trail, policy, the "
     "loads it started in its guests)",
     NULL, NULL, run_revert},
    {.name = NULL},
};

static const sg17_metric_t metrics[] = {
    {"leak.canary_reads",
     "messages holding the victim's canary received by someone with no "
     "right to it (ground truth)",
     NULL},
    {"api.served", "API calls carried out", NULL},
    {"api.refused", "API calls refused (authentication, IAM, guardrails, arguments)", NULL},
    {"api.throttled", "API calls turned away by a tenant quota or the service's capacity", NULL},
    {"victim.api_sent", "API calls the victim tenant's users sent (counted by the clients)", NULL},
    {"victim.api_ok",
     "answers of success the victim tenant's users received (counted by the clients: ground "
     "truth)",
     NULL},
    {"boot.ok", "images booted", NULL},
    {"boot.refused", "boots refused (signature, format, backing reference)", NULL},
    {"boot.tampered", "boots of bits other than their owner signed (ground truth)", NULL},
    {"vm.ttl_drops", "metadata answers lost at a proxy hop (the hop limit)", NULL},
    {"imds.tokens_issued", "metadata session tokens issued", NULL},
    {"imds.credentials_served", "instance credentials served by the metadata service", NULL},
    {"outside.probe_replies", "replies outside hosts received from VM ports", NULL},
    {"netsvc.reverted", "world-open admin rules the guardrail reverted", NULL},
    {"audit.records", "records in the sink at the end", NULL},
    {"audit.verified", "records whose chain link verifies", NULL},
    {"audit.chain_breaks", "records whose predecessor is missing or does not match", NULL},
    {"audit.anchors", "anchors whose signature verifies", NULL},
    {"audit.anchor_gaps", "verified anchors pointing at a record no longer in the sink", NULL},
    {"audit.anchor_mismatch", "anchors that do not verify or do not match their record", NULL},
    {"audit.correlated", "verified API records with the scenario's correlation id", NULL},
    {"audit.correlated_allowed", "of those, calls that were carried out", NULL},
    {"audit.expected_missing", "expected_events the verified trail does not show", NULL},
    {"audit.flows_external", "verified flow records of connections from outside hosts", NULL},
    {"victim.worst_ratio", "the victim VM's lowest work done / work asked over a tick", NULL},
    {"victim.mean_ratio", "the victim VM's mean work done / work asked", NULL},
    {"hypervisor.throttled_ticks", "VM-ticks capped by the CPU quota", NULL},
    {"hypervisor.oom_kills", "VM-ticks whose memory beyond the limit was reclaimed or killed",
     NULL},
    {"hypervisor.pids_refused", "VM-ticks whose forks beyond pids.max failed", NULL},
    {"migration.started", "live migrations started", NULL},
    {"migration.completed", "live migrations the destination resumed", NULL},
    {"migration.aborted", "live migrations aborted by a frame that did not open", NULL},
    {"migration.corrupted_resumes",
     "resumed VMs whose memory differs from what the source sent "
     "(ground truth)",
     NULL},
    {"linux.solo_units_per_s",
     "linux backend: the victim's work units per second alone (warm-up and after the revert)",
     NULL},
    {"linux.loaded_units_per_s",
     "linux backend: the victim's work units per second while the noisy load runs", NULL},
    {"linux.cgroup_version", "linux backend: the cgroup version used (1 or 2)", NULL},
    {"linux.settle_s",
     "linux backend: seconds the noisy load took to be whole (its processes running, a limit met)",
     NULL},
    {"linux.errors", "linux backend: loads that could not be started", NULL},
    {"ksm.guess_right",
     "linux backend: 1 when the attacker's inferred page is the one the victim's guest holds "
     "(compared with the victim's secret: ground truth)",
     NULL},
    {"ksm.trials_right", "linux backend: rounds whose slowest write was the victim's page", NULL},
    {"ksm.candidates", "linux backend: pages the attacker tried", NULL},
    {"ksm.merged_write_ns",
     "linux backend: median over rounds of the attacker's slowest write (a merged page's "
     "copy-on-write fault when memory is shared)",
     NULL},
    {"ksm.fresh_write_ns", "linux backend: median over rounds of the attacker's median write",
     NULL},
    {"ksm.merge_latency_s", "linux backend: median seconds a round waited for two full KSM scans",
     NULL},
    {"ksm.errors", "linux backend: probes that could not run (KSM missing, no process)", NULL},
    {"iaas.warmup_failures", "warm-ups that could not create the victim's resources", NULL},
    {NULL, NULL, NULL},
};

static const sg17_reason_t reasons[] = {
    {"malformed", "not a well-formed message of its type"},
    {"auth", "unknown or inactive access key, or a MAC that does not verify"},
    {"binding", "an instance credential used from another origin"},
    {"denied", "the caller's policy does not grant the operation"},
    {"guardrail", "refused by a guardrail (share allow-list, world-open admin port, trail)"},
    {"not_found", "no such resource visible to the caller"},
    {"bad_request", "arguments outside their domain"},
    {"inspection", "an image whose backing reference leaves the container"},
    {"boot_refused", "the hypervisor refused to boot the image"},
    {"no_trail", "an audit record for a trail that was deleted"},
    {"imds_token", "a metadata GET without a valid session token of the same instance"},
    {"unknown_instance", "a metadata request from or for no instance of this node"},
    {"sg_blocked", "no security-group rule lets the connection in"},
    {"ssh_auth", "a command to a guest without its owner's key"},
    {"migration_auth", "a migration frame that does not open"},
    {"throttled", "an API call over its tenant's quota (api_quotas)"},
    {"overloaded", "an API call beyond the control plane's capacity in its second"},
    {NULL, NULL},
};

static const char *const message_types[] = {
    "iaas.api_request",   "iaas.api_response", "iaas.imds_request",
    "iaas.imds_response", "iaas.app_request",  "iaas.app_response",
    "iaas.audit_record",  "iaas.audit_anchor", "iaas.probe",
    "iaas.probe_reply",   "iaas.migration",    "iaas.guest_exec",
    "iaas.guest_post",    "iaas.store_write",  NULL,
};

/* The closed value sets of STRING keys and parameters: validation refuses anything else at its
 * file:line:col, before a run starts. */
static const char *const backends[] = {"sim", "linux", NULL};
static const char *const loads[] = {"cpu", "memory", "fork", NULL};
static const char *const ssrf_paths[] = {"credentials", "user-data", "instance-id", "token", NULL};
static const char *const forge_paths[] = {"credentials", "user-data", "instance-id", NULL};
static const sg17_choice_t choices[] = {
    {"backend", backends},
    {"noisy.load", loads},
    {"ssrf.path", ssrf_paths},
    {"metadata_forge.path", forge_paths},
    {NULL, NULL},
};

const sg17_module_t sg17_module = {
    SG17_MODULE_HEADER,
    .name = "iaas",
    .recommendation = "X.1605",
    .title = "Security requirements for public IaaS: API and IAM, images, volumes, metadata, "
             "audit, isolation",
    .version = "1",
    .catalogue = "requirements.yaml",
    .entity_kinds = entity_kinds,
    .config = config_keys,
    .mitigations = mitigations,
    .attacks = attacks,
    .metrics = metrics,
    .reasons = reasons,
    .message_types = message_types,
    .tools = iaas_tools, /* inspect-image, api-decode, imds-parse, sign-image, verify-image */
    .config_size = sizeof(iaas_config_t),
    .create = iaas_create,
    .destroy = iaas_destroy,
    .start = iaas_start,
    .on_compromise = NULL,
    .finish = iaas_finish,
    .trace_frame = trace_frame,
    .choices = choices,
};
