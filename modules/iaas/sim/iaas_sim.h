/* iaas_sim.h — the X.1605 system under test: a public IaaS control plane on the bus. Its
 * configuration, the instance (tenants and their IAM principals, policies and access keys;
 * volumes on real extents of a scratch file per storage node; snapshots; signed images; VMs on
 * compute nodes with their metadata service; security groups and flow logs; the hash-chained
 * audit trail and its anchors) and the functions the entity files share. The adversary's state is
 * private to attacks.c: the instance holds only an opaque pointer.
 *
 * Flows on the bus:
 * - management API: iaas.api_request (user, vm or outside host -> api) -> iaas.api_response;
 * - metadata: iaas.imds_request (vm -> metadata of its node) -> iaas.imds_response;
 * - a guest's web application: iaas.app_request (outside -> vm) -> iaas.app_response (SSRF);
 * - audit: iaas.audit_record and iaas.audit_anchor (api, netsvc -> audit);
 * - network edge: iaas.probe (outside -> netsvc -> vm) -> iaas.probe_reply;
 * - live migration: iaas.migration (compute -> compute);
 * - the tenant's own access to its guest: iaas.guest_exec (outside -> vm), iaas.guest_post
 *   (vm -> outside, what a guest's boot script sends);
 * - the image store's backend: iaas.store_write (-> image).
 *
 * Who may read what (the ground truth the scenarios judge): the canary the scenario plants is the
 * victim tenant's (tenant 0) secret, readable by tenant 0's admins and its own VMs. Any other
 * receiver that gets bytes containing it — an outside host, another tenant's user or VM, a wire
 * tap — counts in leak.canary_reads (sim/oracle.c), whatever the controls said. */
#ifndef IAAS_SIM_H
#define IAAS_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <sg17tb/module.h>

#include "proto/api.h"
#include "proto/audit.h"
#include "proto/image.h"
#include "proto/imds.h"
#include "proto/migration.h"
#include "proto/sign.h"
#include "proto/volcrypt.h"

#define IAAS_MAX_TENANTS   1000
#define IAAS_MAX_USERS     4096
#define IAAS_MAX_VMS       20000
#define IAAS_MAX_COMPUTE   1024
#define IAAS_MAX_BLOCK     16
#define IAAS_MAX_OUTSIDE   16
#define IAAS_MAX_SHARES    8
#define IAAS_MAX_SG_RULES  16
#define IAAS_MAX_VERSIONS  5
#define IAAS_READ_BYTES    1024    /* ReadVolume / ReadSnapshot answer this much */
#define IAAS_CONSOLE_BYTES 256     /* the boot console: the start of the disk as the guest saw it */
#define IAAS_VM_PAGES      4       /* guest memory migrated, MIG_PAGE octets each */
#define IAAS_PROVIDER      0xfffeu /* owner of the public base image */
#define IAAS_VICTIM        0       /* the tenant whose canary the scenarios plant */
#define IAAS_CORR_BYTES    API_CORR_BYTES

/* Roles, and the permissions they grant (sim/api.c, iaas_role_permissions). */
typedef enum {
    ROLE_ADMIN = 0,
    ROLE_READONLY,
    ROLE_DEVELOPER,
    ROLE_NETOPS,
    ROLE_ROOT,     /* the account's root: every tenant has one (the outsider's is the attacker's) */
    ROLE_INSTANCE, /* an instance role, its keys served by the metadata service */
} iaas_role_t;

enum {
    P_DESCRIBE = 1u << 0,
    P_VOLUME_READ = 1u << 1,
    P_VOLUME_WRITE = 1u << 2,
    P_SNAPSHOT = 1u << 3,
    P_SHARE = 1u << 4,
    P_IMAGE = 1u << 5,
    P_USERDATA_GET = 1u << 6,
    P_USERDATA_SET = 1u << 7,
    P_INSTANCE_OP = 1u << 8,
    P_KEY_SELF = 1u << 9,
    P_KEY_ANY = 1u << 10,
    P_POLICY_VERSION = 1u << 11,
    P_SG = 1u << 12,
    P_FLOWLOG = 1u << 13,
    P_TRAIL = 1u << 14,
    P_EVERY_OP = (1u << 15) - 1,
};

typedef struct {
    uint64_t tenants;
    sg17_time_t api_interval, imds_interval, tick, reboot_interval, migrate_at, token_ttl;
    sg17_time_t guardrail_interval;
    uint64_t extents_per_node, extent_size, anchor_every, victim_vm;
    sg17_bytes_t canary, correlation_id;
    const char *expected_events;
    double node_cpus, cpu_quota;
    uint64_t node_memory_mib, memory_limit_mib, node_pids, pids_limit;
    bool api_authorize;
    uint64_t api_capacity;  /* requests per second the API carries out (fixed one-second windows) */
    double api_tenant_rate; /* a tenant's quota, requests per second (api_quotas) */
    const char *backend;    /* isolation: "sim" (the model) or "linux" (cgroups, sim/linuxhost.h) */
    /* mitigations */
    bool iam_least_privilege, share_allowlist, image_signature, image_inspection;
    bool volume_encryption, volume_wipe, imds_tokens, credential_binding;
    bool imds_signed_instance_id, userdata_right, sg_guardrail, trail_guard, cgroup_limits;
    bool no_memory_sharing, migration_encryption, api_quotas;
} iaas_config_t;

typedef struct {
    uint16_t tenant;
    uint8_t role;
    sg17_entity_t entity; /* the user or VM it belongs to, or SG17_NO_ENTITY (a root) */
    uint8_t versions[IAAS_MAX_VERSIONS]; /* each version grants a role's permissions */
    uint8_t n_versions, default_version; /* default_version: 1-based */
} iaas_principal_t;

typedef struct {
    uint32_t principal;
    uint8_t secret[API_SECRET_BYTES];
    sg17_entity_t bound; /* the origin an instance credential is bound to, or SG17_NO_ENTITY */
    bool active;
} iaas_key_t;

typedef struct {
    uint8_t kek[VOL_KEK_BYTES];
    uint8_t sign_priv[SIGN_PRIV_BYTES], sign_pub[SIGN_PUB_BYTES];
    bool logging, trail_deleted, flow_logs;
    struct {
        uint16_t port;
        uint8_t prefix; /* 0: the whole world */
    } sg[IAAS_MAX_SG_RULES];
    unsigned n_sg;
    double api_tokens; /* its API quota's token bucket (api_quotas) */
    sg17_time_t api_at;
} iaas_tenant_t;

/* A storage node's scratch file: real extents, allocated, freed and reassigned. */
typedef struct {
    int fd;
    char path[256];
    uint32_t n_extents, n_free;
    uint32_t *free_stack; /* LIFO: the last extent freed is the next one handed out */
} iaas_store_t;

typedef struct {
    bool live;
    uint16_t tenant;
    uint8_t node;
    uint32_t n_extents, *extents;
    bool encrypted, key_destroyed;
    uint8_t wrapped[VOL_WRAPPED_KEY]; /* the data key under the tenant's key */
} iaas_volume_t;

typedef struct {
    bool live, is_public;
    uint16_t tenant;
    uint16_t shares[IAAS_MAX_SHARES];
    unsigned n_shares;
} iaas_sharing_t;

typedef struct {
    iaas_sharing_t share;
    uint8_t data[IAAS_READ_BYTES];
} iaas_snapshot_t;

typedef struct {
    iaas_sharing_t share;
    uint8_t bytes[IMAGE_MAX_BYTES];
    size_t len;
    uint8_t sig[SIGN_SIG_BYTES];
    uint8_t owner_digest[32]; /* oracle: the digest of what the owner signed */
} iaas_image_t;

/* A guest's load: CPU threads, GiB, thousands of processes, or API requests per second (a script
 * calling the management API with the instance's credentials). */
typedef enum { LOAD_NONE = 0, LOAD_CPU, LOAD_MEMORY, LOAD_FORK, LOAD_API } iaas_load_t;

typedef struct {
    sg17_entity_t e;
    uint16_t tenant, node;
    uint32_t image, principal, key; /* instance role and its key */
    uint8_t userdata[USERDATA_MAX];
    size_t ud_len;
    uint8_t console[IAAS_CONSOLE_BYTES];
    bool booted;
    uint8_t memory[IAAS_VM_PAGES][MIG_PAGE];
    /* metadata client */
    uint8_t token[IMDS_TOKEN_BYTES];
    bool has_token, has_creds;
    sg17_time_t token_at;
    uint32_t cred_key;
    uint8_t cred_secret[API_SECRET_BYTES];
    /* the web application's relay for app requests (SSRF) */
    sg17_entity_t relay_to;
    bool relay_extra_hop;
    /* workload */
    iaas_load_t load;
    uint32_t intensity;
    double worst_ratio, ratio_sum;
    uint64_t ticks;
} iaas_vm_t;

typedef struct {
    sg17_entity_t e, metadata;
    uint8_t host_file[IAAS_READ_BYTES]; /* /var/lib/nova/host.key on this node */
    /* an incoming migration */
    bool receiving;
    uint32_t in_vm, in_stream, in_next;
    uint8_t in_pages[IAAS_VM_PAGES][MIG_PAGE];
    uint8_t sent_digest[32]; /* oracle: what the source sent */
} iaas_node_t;

typedef struct {
    uint8_t rec[AUDIT_RECORD_BYTES];
    bool present;
} iaas_stored_record_t;

typedef struct iaas_adversary iaas_adversary_t;
typedef struct iaas_linux iaas_linux_t;

typedef struct {
    iaas_config_t cfg;
    unsigned n_tenants, n_users, n_vms, n_compute, n_block, n_outside;
    sg17_entity_t api, audit, netsvc, image_e;
    iaas_tenant_t *tenants;
    iaas_principal_t *principals; /* users, then roots, then instance roles */
    unsigned n_principals;
    iaas_key_t *keys; /* key id = index + IAAS_KEY_BASE */
    unsigned n_keys, cap_keys;
    iaas_store_t store[IAAS_MAX_BLOCK];
    iaas_volume_t *volumes;
    unsigned n_volumes, cap_volumes;
    iaas_snapshot_t *snapshots;
    unsigned n_snapshots, cap_snapshots;
    iaas_image_t *images;
    unsigned n_images, cap_images;
    uint8_t provider_priv[SIGN_PRIV_BYTES], provider_pub[SIGN_PUB_BYTES];
    iaas_vm_t *vms;
    iaas_node_t *nodes;
    unsigned **node_vms, *node_nvms; /* the VMs each compute node hosts */
    /* metadata session tokens */
    struct iaas_token {
        uint8_t token[IMDS_TOKEN_BYTES];
        sg17_entity_t origin;
        sg17_time_t expires;
    } * tokens;
    unsigned n_tokens, cap_tokens;
    /* audit: the trail service's chain and signing key, and the sink's storage */
    uint64_t trail_seq;
    uint8_t trail_head[AUDIT_HASH_BYTES];
    uint8_t trail_priv[SIGN_PRIV_BYTES], trail_pub[SIGN_PUB_BYTES];
    iaas_stored_record_t *records;
    uint64_t cap_records;
    audit_anchor_t *anchors;
    unsigned n_anchors, cap_anchors;
    /* migration */
    uint8_t mig_key[MIG_KEY_BYTES];
    uint32_t mig_streams;
    uint8_t canary[64];
    size_t canary_len;
    uint8_t corr[IAAS_CORR_BYTES];
    /* the API's capacity: the current one-second window and the calls carried out in it */
    uint64_t api_window, api_window_used;
    /* the linux backend (NULL with the sim backend): the victim's solo work rate measured in the
     * warm-up, and whether the one detonation it measures has happened */
    iaas_linux_t *lx;
    double lx_solo;
    bool lx_detonated;
    iaas_adversary_t *adv;
} iaas_t;

#define IAAS_KEY_BASE 1000u

/* ---- instance.c ---- */
void *iaas_create(sg17_ctx_t *ctx, const void *config);
void iaas_destroy(void *instance);
void iaas_start(void *instance, sg17_ctx_t *ctx);
void iaas_finish(void *instance, sg17_ctx_t *ctx);
/* The principal of user u, the root of tenant t, the instance role of vm v. */
uint32_t iaas_user_principal(const iaas_t *s, unsigned u);
uint32_t iaas_root_principal(const iaas_t *s, unsigned t);
/* Issues a key for principal p (bound to origin, or SG17_NO_ENTITY); its id, or 0. */
uint32_t iaas_key_issue(iaas_t *s, sg17_ctx_t *ctx, uint32_t p, sg17_entity_t bound);
iaas_key_t *iaas_key(iaas_t *s, uint32_t id);
/* Sends a signed API request from src (an entity's own traffic) with correlation id corr (NULL: a
 * fresh random one, a benign client's own request id). */
int iaas_api_send(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t src, uint32_t key_id,
                  const uint8_t secret[API_SECRET_BYTES], unsigned op, uint32_t target,
                  uint32_t value, const uint8_t *corr);

/* ---- api.c ---- */
void iaas_api_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
uint32_t iaas_role_permissions(const iaas_t *s, unsigned role);
bool iaas_visible(const iaas_t *s, const iaas_sharing_t *sh, uint16_t tenant);

/* ---- block.c: storage nodes and volumes ---- */
/* The directory of the scratch files: $TMPDIR, else /tmp. */
const char *iaas_scratch_dir(void);
/* Creates node's scratch file, named with the run's id (runid.h). */
int iaas_store_open(iaas_store_t *st, const char *run_id, unsigned node, uint32_t n_extents,
                    uint32_t extent_size);
void iaas_store_close(iaas_store_t *st);
/* A new volume of tenant t with n extents: its id, or -1 when no node has room. */
int iaas_volume_create(iaas_t *s, sg17_ctx_t *ctx, uint16_t t, uint32_t n);
int iaas_volume_write(iaas_t *s, uint32_t vol, uint32_t sector, const uint8_t *data, size_t len);
int iaas_volume_read(iaas_t *s, uint32_t vol, uint32_t sector, uint8_t *out, size_t len);
/* Frees the extents; wipes them (volume_wipe) or destroys the data key (crypto-erase). */
int iaas_volume_delete(iaas_t *s, uint32_t vol);

/* ---- image.c: the registry ---- */
int iaas_image_register(iaas_t *s, uint16_t owner, const uint8_t *bytes, size_t len,
                        const uint8_t priv[SIGN_PRIV_BYTES]);
const uint8_t *iaas_owner_pub(const iaas_t *s, uint16_t owner);
void iaas_image_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);

/* ---- hypervisor.c: boot, scheduling, migration ---- */
/* Boots image img for tenant t: checks as the mitigations say, builds the disk (following a
 * backing reference when inspection is off) and writes the console. 0 booted, -1 refused. */
int iaas_boot(iaas_t *s, sg17_ctx_t *ctx, uint32_t img, uint8_t console[IAAS_CONSOLE_BYTES]);
void iaas_compute_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
void iaas_compute_on_timer(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag);
enum { TAG_TICK = 1, TAG_MIGRATE = 2, TAG_GUARDRAIL = 3 };
/* The linux backend: opens it (0, or -1 after sg17_log), runs a noisy guest's load for real
 * (detonation, measurement, revert), and measures the control run's second window at the end. */
int iaas_linux_open(iaas_t *s, sg17_ctx_t *ctx);
void iaas_linux_noisy(iaas_t *s, sg17_ctx_t *ctx, iaas_load_t load, uint32_t intensity);
void iaas_linux_finish(iaas_t *s, sg17_ctx_t *ctx);
/* The page-merging side channel (sim/ksm.h) between the victim's guest and the attacker's vm:
 * drives KSM for the probe, gives its settings back, records the ksm.* metrics. 0 or -1. */
int iaas_linux_ksm(iaas_t *s, sg17_ctx_t *ctx, unsigned vm, unsigned candidates, unsigned trials);

/* ---- vm.c ---- */
void iaas_vm_boot(iaas_t *s, sg17_ctx_t *ctx, unsigned v);
void iaas_vm_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
void iaas_vm_on_timer(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag);
enum { TAG_IMDS = 10, TAG_REBOOT = 11, TAG_FLOOD = 12 };
#define IAAS_PORT_SDK 40000 /* the guest SDK's metadata connection */
#define IAAS_PORT_APP 40001 /* the web application's */

/* ---- metadata.c ---- */
void iaas_metadata_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* The imds request as it travels: client port u16, then the imds.h bytes. */

/* ---- netsvc.c ---- */
void iaas_netsvc_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
void iaas_netsvc_on_timer(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag);
bool iaas_sg_world_open_admin(const iaas_tenant_t *t);

/* ---- audit.c ---- */
/* Appends a record to the trail (when the tenant's trail or flow logs are on) and sends it and,
 * every anchor_every records, a signed anchor to the audit sink. */
void iaas_trail_append(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t from, uint8_t kind, uint8_t event,
                       uint8_t outcome, uint16_t tenant, uint32_t principal, uint32_t origin,
                       const uint8_t corr[IAAS_CORR_BYTES]);
/* Deletes the tenant's records from the sink (DeleteTrail). */
void iaas_trail_delete(iaas_t *s, uint16_t tenant);
void iaas_audit_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
void iaas_audit_finish(iaas_t *s, sg17_ctx_t *ctx);

/* ---- user.c, outside.c ---- */
void iaas_user_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
void iaas_user_on_timer(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag);
void iaas_outside_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);

/* ---- oracle.c: ground truth ---- */
/* Who read data: the tenant and role of the reader; tenant IAAS_NOBODY for an outside host or a
 * tap. Counts a read of the canary by anyone not entitled to it. */
#define IAAS_NOBODY 0xffffu
void iaas_oracle_read(iaas_t *s, sg17_ctx_t *ctx, uint16_t tenant, int role, const uint8_t *data,
                      size_t len);
bool iaas_has_canary(const iaas_t *s, const uint8_t *data, size_t len);

/* ---- attacks.c ---- */
iaas_adversary_t *iaas_adversary_new(void);
void iaas_adversary_free(iaas_adversary_t *a);
/* What an outside host the adversary operates received (answers to its requests). */
void iaas_adversary_receive(iaas_t *s, const sg17_msg_t *m);
int iaas_attack_api_call(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int iaas_attack_backing_image(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int iaas_attack_ssrf(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int iaas_attack_metadata_forge(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int iaas_attack_store_write(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int iaas_attack_noisy(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int iaas_attack_ksm_probe(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int iaas_attack_api_flood(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int iaas_attack_probe(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int iaas_attack_tap_migration(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int iaas_attack_revert(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);

#endif
