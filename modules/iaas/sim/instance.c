/* instance.c — the iaas instance: built from the filled configuration for the run's topology
 * (tenants with their keys, IAM principals and access keys, storage nodes with their scratch
 * files, VMs placed on compute nodes), started with the scenario's warm-up (the victim's
 * resources and the canary planted in them), finished and destroyed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "sim/iaas_sim.h"
#include "sim/ksm.h"
#include "sim/linuxhost.h"
#include "sim/runid.h"

uint32_t iaas_user_principal(const iaas_t *s, unsigned u)
{
    (void)s;
    return u;
}

uint32_t iaas_root_principal(const iaas_t *s, unsigned t)
{
    return s->n_users + t;
}

static uint32_t instance_principal(const iaas_t *s, unsigned v)
{
    return s->n_users + s->n_tenants + v;
}

/* Grows *arr (of elem-sized entries) so that index n fits; 0, or -1 without memory. */
static int grow(void **arr, unsigned *cap, unsigned n, size_t elem)
{
    if (n < *cap)
        return 0;
    unsigned nc = *cap ? *cap * 2 : 16;
    while (nc <= n)
        nc *= 2;
    void *p = realloc(*arr, (size_t)nc * elem);
    if (!p)
        return -1;
    memset((uint8_t *)p + (size_t)*cap * elem, 0, (size_t)(nc - *cap) * elem);
    *arr = p;
    *cap = nc;
    return 0;
}

uint32_t iaas_key_issue(iaas_t *s, sg17_ctx_t *ctx, uint32_t p, sg17_entity_t bound)
{
    if (grow((void **)&s->keys, &s->cap_keys, s->n_keys, sizeof *s->keys) != 0)
        return 0;
    iaas_key_t *k = &s->keys[s->n_keys];
    k->principal = p;
    k->bound = bound;
    k->active = true;
    sg17_rand_bytes(ctx, k->secret, API_SECRET_BYTES);
    return IAAS_KEY_BASE + s->n_keys++;
}

iaas_key_t *iaas_key(iaas_t *s, uint32_t id)
{
    if (id < IAAS_KEY_BASE || id - IAAS_KEY_BASE >= s->n_keys)
        return NULL;
    return &s->keys[id - IAAS_KEY_BASE];
}

int iaas_api_send(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t src, uint32_t key_id,
                  const uint8_t secret[API_SECRET_BYTES], unsigned op, uint32_t target,
                  uint32_t value, const uint8_t *corr)
{
    api_request_t rq = {.op = (uint8_t)op,
                        .key_id = key_id,
                        .timestamp = sg17_now(ctx),
                        .target = target,
                        .value = value};
    if (corr)
        memcpy(rq.corr, corr, API_CORR_BYTES);
    else
        sg17_rand_bytes(ctx, rq.corr, API_CORR_BYTES); /* a benign client's own request id */
    uint8_t buf[API_REQUEST_MAX];
    size_t len = 0;
    if (api_request_encode(&rq, secret, buf, sizeof buf, &len) != 0)
        return -1;
    return sg17_send(ctx, src, s->api, "iaas.api_request", buf, len);
}

static int store_tables(iaas_t *s, sg17_ctx_t *ctx)
{
    s->tenants = calloc(s->n_tenants, sizeof *s->tenants);
    s->n_principals = s->n_users + s->n_tenants + s->n_vms;
    s->principals = calloc(s->n_principals, sizeof *s->principals);
    s->vms = calloc(s->n_vms ? s->n_vms : 1, sizeof *s->vms);
    s->nodes = calloc(s->n_compute, sizeof *s->nodes);
    s->node_vms = calloc(s->n_compute, sizeof *s->node_vms);
    s->node_nvms = calloc(s->n_compute, sizeof *s->node_nvms);
    if (!s->tenants || !s->principals || !s->vms || !s->nodes || !s->node_vms || !s->node_nvms) {
        sg17_log(ctx, "out of memory for %u tenants and %u VMs", s->n_tenants, s->n_vms);
        return -1;
    }
    return 0;
}

static int make_tenants(iaas_t *s, sg17_ctx_t *ctx)
{
    uint8_t seed[SIGN_PRIV_BYTES];
    for (unsigned t = 0; t < s->n_tenants; t++) {
        iaas_tenant_t *tn = &s->tenants[t];
        sg17_rand_bytes(ctx, tn->kek, VOL_KEK_BYTES);
        sg17_rand_bytes(ctx, seed, sizeof seed);
        if (sign_scalar(seed, tn->sign_priv) != 0 || sign_public(tn->sign_priv, tn->sign_pub) != 0)
            goto fail;
        tn->logging = tn->flow_logs = true;
        tn->sg[0].port = 22; /* ssh from the tenant's own admin network */
        tn->sg[0].prefix = 24;
        tn->sg[1].port = 443; /* its web application, world-open */
        tn->sg[1].prefix = 0;
        tn->n_sg = 2;
    }
    sg17_rand_bytes(ctx, seed, sizeof seed);
    if (sign_scalar(seed, s->provider_priv) != 0 || sign_public(s->provider_priv, s->provider_pub))
        goto fail;
    sg17_rand_bytes(ctx, seed, sizeof seed);
    if (sign_scalar(seed, s->trail_priv) != 0 || sign_public(s->trail_priv, s->trail_pub) != 0)
        goto fail;
    OPENSSL_cleanse(seed, sizeof seed);
    sg17_rand_bytes(ctx, s->mig_key, sizeof s->mig_key);
    return 0;
fail:
    OPENSSL_cleanse(seed, sizeof seed);
    sg17_log(ctx, "cannot derive the ECDSA keys of the tenants");
    return -1;
}

/* Users (role by index: admin, read-only, developer, network operator; four per tenant), roots
 * and instance roles, each with one access key. A developer's policy has two versions: v1, the
 * legacy one that granted everything, and v2, the default (CloudGoat's iam_privesc_by_rollback). */
static int make_principals(iaas_t *s, sg17_ctx_t *ctx)
{
    if (s->n_tenants == 0)
        return -1;
    for (unsigned p = 0; p < s->n_principals; p++) {
        iaas_principal_t *pr = &s->principals[p];
        if (p < s->n_users) {
            pr->tenant = (uint16_t)((p / 4) % s->n_tenants);
            pr->role = (uint8_t)(p % 4);
            pr->entity = sg17_entity(ctx, "user", p);
        } else if (p < s->n_users + s->n_tenants) {
            pr->tenant = (uint16_t)(p - s->n_users);
            pr->role = ROLE_ROOT;
            pr->entity = SG17_NO_ENTITY;
        } else {
            unsigned v = p - s->n_users - s->n_tenants;
            pr->tenant = (uint16_t)(v % s->n_tenants);
            pr->role = ROLE_INSTANCE;
            pr->entity = sg17_entity(ctx, "vm", v);
        }
        if (pr->role == ROLE_DEVELOPER) {
            pr->versions[0] = ROLE_ADMIN;
            pr->versions[1] = ROLE_DEVELOPER;
            pr->n_versions = 2;
            pr->default_version = 2;
        } else {
            pr->versions[0] = pr->role;
            pr->n_versions = 1;
            pr->default_version = 1;
        }
        sg17_entity_t bound = pr->role == ROLE_INSTANCE ? pr->entity : SG17_NO_ENTITY;
        if (iaas_key_issue(s, ctx, p, bound) != IAAS_KEY_BASE + p) {
            sg17_log(ctx, "out of memory for access keys");
            return -1;
        }
    }
    return 0;
}

static int make_vms(iaas_t *s, sg17_ctx_t *ctx)
{
    if (s->n_compute == 0 || s->n_tenants == 0)
        return -1;
    for (unsigned n = 0; n < s->n_compute; n++) {
        iaas_node_t *node = &s->nodes[n];
        node->e = sg17_entity(ctx, "compute", n);
        node->metadata = sg17_entity(ctx, "metadata", n);
        memcpy(node->host_file, "HOSTKEY ", 8);
        for (size_t off = 8; off + s->canary_len <= IAAS_READ_BYTES; off += s->canary_len)
            memcpy(node->host_file + off, s->canary, s->canary_len);
        s->node_vms[n] = calloc(s->n_vms / s->n_compute + 2, sizeof **s->node_vms);
        if (!s->node_vms[n])
            return -1;
    }
    for (unsigned v = 0; v < s->n_vms; v++) {
        iaas_vm_t *vm = &s->vms[v];
        vm->e = sg17_entity(ctx, "vm", v);
        vm->tenant = (uint16_t)(v % s->n_tenants);
        vm->node = (uint16_t)(v % s->n_compute);
        vm->principal = instance_principal(s, v);
        vm->key = IAAS_KEY_BASE + vm->principal;
        vm->image = vm->tenant == IAAS_VICTIM ? 0 : 1;
        vm->relay_to = SG17_NO_ENTITY;
        vm->worst_ratio = 1.0;
        s->node_vms[vm->node][s->node_nvms[vm->node]++] = v;
        sg17_rand_bytes(ctx, vm->memory, sizeof vm->memory);
        if (vm->tenant == IAAS_VICTIM) {
            /* the victim's boot script carries a secret (Stratus: ec2-download-user-data) and
             * its memory holds the canary (the live-migration scenarios) */
            int n = snprintf((char *)vm->userdata, sizeof vm->userdata, "#cloud-config\nsecret ");
            for (size_t i = 0; i < s->canary_len && n + 3 < (int)sizeof vm->userdata; i++)
                n += snprintf((char *)vm->userdata + n, sizeof vm->userdata - (size_t)n, "%02x",
                              s->canary[i]);
            n += snprintf((char *)vm->userdata + n, sizeof vm->userdata - (size_t)n, "\n");
            vm->ud_len = (size_t)n;
            memcpy(vm->memory[1] + 100, s->canary, s->canary_len);
        }
    }
    return 0;
}

void *iaas_create(sg17_ctx_t *ctx, const void *config)
{
    iaas_t *s = calloc(1, sizeof *s);
    if (!s) {
        sg17_log(ctx, "out of memory");
        return NULL;
    }
    memcpy(&s->cfg, config, sizeof s->cfg);
    for (unsigned b = 0; b < IAAS_MAX_BLOCK; b++)
        s->store[b].fd = -1;
    s->n_tenants = (unsigned)s->cfg.tenants;
    s->n_users = sg17_count(ctx, "user");
    s->n_vms = sg17_count(ctx, "vm");
    s->n_compute = sg17_count(ctx, "compute");
    s->n_block = sg17_count(ctx, "block");
    s->n_outside = sg17_count(ctx, "outside");
    s->api = sg17_entity(ctx, "api", 0);
    s->audit = sg17_entity(ctx, "audit", 0);
    s->netsvc = sg17_entity(ctx, "netsvc", 0);
    s->image_e = sg17_entity(ctx, "image", 0);
    if (s->n_compute == 0 || s->n_tenants == 0) {
        sg17_log(ctx, "topology: no compute node or no tenant");
        goto fail;
    }
    if (sg17_count(ctx, "metadata") != s->n_compute) {
        sg17_log(ctx, "topology: %u metadata services for %u compute nodes; expected one per node",
                 sg17_count(ctx, "metadata"), s->n_compute);
        goto fail;
    }
    if (s->cfg.extent_size % VOL_SECTOR != 0 || s->cfg.extent_size < IAAS_READ_BYTES) {
        sg17_log(ctx, "extent_size %llu: expected a multiple of %d of at least %d",
                 (unsigned long long)s->cfg.extent_size, VOL_SECTOR, IAAS_READ_BYTES);
        goto fail;
    }
    if (s->cfg.canary.len < 8 || s->cfg.canary.len > sizeof s->canary) {
        sg17_log(ctx, "canary: %zu octets; expected 8 to 64", s->cfg.canary.len);
        goto fail;
    }
    if (s->cfg.correlation_id.len != IAAS_CORR_BYTES) {
        sg17_log(ctx, "correlation_id: %zu octets; expected 16", s->cfg.correlation_id.len);
        goto fail;
    }
    memcpy(s->canary, s->cfg.canary.data, s->cfg.canary.len);
    s->canary_len = s->cfg.canary.len;
    memcpy(s->corr, s->cfg.correlation_id.data, IAAS_CORR_BYTES);
    if (store_tables(s, ctx) != 0 || make_tenants(s, ctx) != 0 || make_principals(s, ctx) != 0
        || make_vms(s, ctx) != 0)
        goto fail;
    /* the scratch files of runs that crashed (their owner process is gone) */
    /* the KSM settings crashed runs left (when their guardian died too) */
    ksm_sweep(KSM_SYSFS, KSM_GUARD_DIR);
    unsigned stale = iaas_sweep(iaas_scratch_dir(), NULL, unlink);
    if (stale)
        sg17_log(ctx, "removed %u scratch file(s) of crashed runs", stale);
    for (unsigned b = 0; b < s->n_block; b++)
        if (iaas_store_open(&s->store[b], sg17_run_id(ctx), b, (uint32_t)s->cfg.extents_per_node,
                            (uint32_t)s->cfg.extent_size)
            != 0) {
            sg17_log(ctx, "block-%u: cannot create its scratch file in the temporary directory", b);
            goto fail;
        }
    if (strcmp(s->cfg.backend, "linux") == 0) {
        if (iaas_linux_open(s, ctx) != 0)
            goto fail;
    } else if (strcmp(s->cfg.backend, "sim") != 0) {
        sg17_log(ctx, "backend: '%s'; expected sim or linux", s->cfg.backend);
        goto fail;
    }
    if (!(s->adv = iaas_adversary_new())) {
        sg17_log(ctx, "out of memory for the adversary");
        goto fail;
    }
    return s;
fail:
    iaas_destroy(s);
    return NULL;
}

void iaas_destroy(void *instance)
{
    iaas_t *s = instance;
    if (!s)
        return;
    iaas_adversary_free(s->adv);
    lx_close(s->lx);
    for (unsigned b = 0; b < IAAS_MAX_BLOCK; b++)
        iaas_store_close(&s->store[b]);
    if (s->tenants)
        OPENSSL_cleanse(s->tenants, s->n_tenants * sizeof *s->tenants);
    if (s->keys)
        OPENSSL_cleanse(s->keys, s->cap_keys * sizeof *s->keys);
    if (s->volumes) {
        for (unsigned v = 0; v < s->n_volumes; v++)
            free(s->volumes[v].extents);
        OPENSSL_cleanse(s->volumes, s->cap_volumes * sizeof *s->volumes);
    }
    if (s->vms)
        for (unsigned v = 0; v < s->n_vms; v++)
            OPENSSL_cleanse(s->vms[v].cred_secret, API_SECRET_BYTES);
    if (s->node_vms)
        for (unsigned n = 0; n < s->n_compute; n++)
            free(s->node_vms[n]);
    OPENSSL_cleanse(s->provider_priv, sizeof s->provider_priv);
    OPENSSL_cleanse(s->trail_priv, sizeof s->trail_priv);
    OPENSSL_cleanse(s->mig_key, sizeof s->mig_key);
    free(s->tenants);
    free(s->principals);
    free(s->keys);
    free(s->volumes);
    free(s->snapshots);
    free(s->images);
    free(s->vms);
    free(s->nodes);
    free(s->node_vms);
    free(s->node_nvms);
    free(s->tokens);
    free(s->records);
    free(s->anchors);
    free(s);
}

/* Stratus Red Team's warm-up: the prerequisites of every technique, created before any
 * detonation and in every run (control included). The victim (tenant 0) keeps a volume with the
 * canary at the start of each extent, deletes a second one (its extents go back to the pool),
 * snapshots the first and registers a signed golden image holding the canary; the provider
 * publishes a signed base image; every VM boots. */
static int warm_up(iaas_t *s, sg17_ctx_t *ctx)
{
    uint8_t page[IAAS_READ_BYTES];
    memset(page, 0, sizeof page);
    for (size_t off = 0; off + s->canary_len <= sizeof page; off += s->canary_len)
        memcpy(page + off, s->canary, s->canary_len);
    uint32_t sectors_per_extent = (uint32_t)(s->cfg.extent_size / VOL_SECTOR);
    int keep = iaas_volume_create(s, ctx, IAAS_VICTIM, 1);
    int gone = iaas_volume_create(s, ctx, IAAS_VICTIM, 4);
    if (keep < 0 || gone < 0 || iaas_volume_write(s, (uint32_t)keep, 0, page, sizeof page) != 0)
        return -1;
    for (uint32_t e = 0; e < 4; e++)
        if (iaas_volume_write(s, (uint32_t)gone, e * sectors_per_extent, page, sizeof page) != 0)
            return -1;
    if (iaas_volume_delete(s, (uint32_t)gone) != 0)
        return -1;
    if (grow((void **)&s->snapshots, &s->cap_snapshots, 0, sizeof *s->snapshots) != 0)
        return -1;
    iaas_snapshot_t *snap = &s->snapshots[s->n_snapshots++];
    snap->share.live = true;
    snap->share.tenant = IAAS_VICTIM;
    if (iaas_volume_read(s, (uint32_t)keep, 0, snap->data, sizeof snap->data) != 0)
        return -1;
    uint8_t data[512], img[IMAGE_MAX_BYTES];
    size_t len = 0;
    memcpy(data, "BOOT golden-image ", 18);
    memset(data + 18, '.', sizeof data - 18);
    memcpy(data + 64, s->canary, s->canary_len);
    if (image_build(data, sizeof data, NULL, img, sizeof img, &len) != 0
        || iaas_image_register(s, IAAS_VICTIM, img, len, s->tenants[IAAS_VICTIM].sign_priv) != 0)
        return -1;
    memset(data, '.', sizeof data);
    memcpy(data, "BOOT debian-12 base ", 20);
    if (image_build(data, sizeof data, "layer:0", img, sizeof img, &len) != 0
        || iaas_image_register(s, IAAS_PROVIDER, img, len, s->provider_priv) != 1)
        return -1;
    s->images[1].share.is_public = true;
    for (unsigned v = 0; v < s->n_vms; v++)
        iaas_vm_boot(s, ctx, v);
    return 0;
}

void iaas_start(void *instance, sg17_ctx_t *ctx)
{
    iaas_t *s = instance;
    if (warm_up(s, ctx) != 0) {
        sg17_log(ctx, "warm-up failed: the victim's volumes and images could not be created");
        sg17_metric_add(ctx, "iaas.warmup_failures", 1);
    }
    sg17_time_t spread = s->cfg.api_interval;
    for (unsigned u = 0; u < s->n_users; u++)
        sg17_timer(ctx, sg17_entity(ctx, "user", u), 1 + spread * u / (s->n_users + 1), 0);
    for (unsigned v = 0; v < s->n_vms; v++)
        sg17_timer(ctx, s->vms[v].e, 1 + s->cfg.imds_interval * v / (s->n_vms + 1), TAG_IMDS);
    if (s->cfg.reboot_interval)
        for (unsigned v = 0; v < s->n_vms; v++)
            if (s->vms[v].tenant == IAAS_VICTIM)
                sg17_timer(ctx, s->vms[v].e, s->cfg.reboot_interval, TAG_REBOOT);
    for (unsigned n = 0; n < s->n_compute && !s->lx; n++) /* linux: the kernel schedules */
        sg17_timer(ctx, s->nodes[n].e, s->cfg.tick, TAG_TICK);
    if (s->cfg.migrate_at && s->n_compute > 1 && s->cfg.victim_vm < s->n_vms)
        sg17_timer(ctx, s->nodes[s->vms[s->cfg.victim_vm].node].e, s->cfg.migrate_at, TAG_MIGRATE);
    sg17_timer(ctx, s->netsvc, s->cfg.guardrail_interval, TAG_GUARDRAIL);
}

void iaas_finish(void *instance, sg17_ctx_t *ctx)
{
    iaas_t *s = instance;
    iaas_audit_finish(s, ctx);
    iaas_linux_finish(s, ctx);
    if (s->cfg.victim_vm < s->n_vms) {
        const iaas_vm_t *vm = &s->vms[s->cfg.victim_vm];
        sg17_metric_set(ctx, "victim.worst_ratio", vm->worst_ratio);
        sg17_metric_set(ctx, "victim.mean_ratio",
                        vm->ticks ? vm->ratio_sum / (double)vm->ticks : 1.0);
    }
}
