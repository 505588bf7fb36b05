/* vm.c — the guests. At boot a guest runs its user data (a "post outside-N disk" line sends the
 * start of its boot disk to that host). Its SDK fetches instance credentials from the metadata
 * service the IMDSv2 way (PUT a session token, then GET with it) and calls the API with them. Its
 * web application fetches a URL for whoever asks (iaas.app_request) and returns the body: with a
 * metadata URL, that is an SSRF; run as an open proxy it forwards a whole request, one hop further
 * from the metadata service. It answers probes that reach it, and its owner's commands
 * (iaas.guest_exec, only a guest of the outsider's tenant: the attacker's own VM): a CPU, memory
 * or fork load the hypervisor shares out, or a script that calls the management API with the
 * instance's own credentials `intensity` times a second, evenly spaced, until the run ends. */
#include <stdio.h>
#include <string.h>

#include <sg17tb/wire.h>

#include "sim/iaas_sim.h"

static unsigned vm_index(sg17_ctx_t *ctx, sg17_entity_t e)
{
    return sg17_entity_index(ctx, e);
}

static void imds_send(iaas_t *s, sg17_ctx_t *ctx, iaas_vm_t *vm, uint16_t port, const uint8_t *req,
                      size_t len)
{
    uint8_t buf[2 + IMDS_REQUEST_MAX];
    if (len > IMDS_REQUEST_MAX)
        return;
    sg17_store_be16(buf, port);
    memcpy(buf + 2, req, len);
    sg17_send(ctx, vm->e, s->nodes[vm->node].metadata, "iaas.imds_request", buf, len + 2);
}

/* The SDK's next metadata call: a token when it has none (or it expired), else credentials. */
static void sdk_call(iaas_t *s, sg17_ctx_t *ctx, iaas_vm_t *vm)
{
    uint8_t req[IMDS_REQUEST_MAX];
    size_t len = 0;
    bool fresh = vm->has_token && sg17_now(ctx) < vm->token_at + s->cfg.token_ttl;
    int rc = fresh ? imds_request_build(IMDS_TTL_DEFAULT, false, IMDS_PATH_CREDENTIALS, vm->token,
                                        0, NULL, "aws-sdk", req, sizeof req, &len)
                   : imds_request_build(IMDS_TTL_DEFAULT, true, IMDS_PATH_TOKEN, NULL,
                                        (uint32_t)(s->cfg.token_ttl / SG17_SEC), NULL, "aws-sdk",
                                        req, sizeof req, &len);
    if (rc == 0)
        imds_send(s, ctx, vm, IAAS_PORT_SDK, req, len);
}

void iaas_vm_boot(iaas_t *s, sg17_ctx_t *ctx, unsigned v)
{
    iaas_vm_t *vm = &s->vms[v];
    vm->booted = iaas_boot(s, ctx, vm->image, vm->console) == 0;
    if (!vm->booted)
        return;
    unsigned to = 0;
    if (userdata_parse(vm->userdata, vm->ud_len, &to) > 0 && to < s->n_outside)
        sg17_send(ctx, vm->e, sg17_entity(ctx, "outside", to), "iaas.guest_post", vm->console,
                  sizeof vm->console);
}

void iaas_vm_on_timer(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    unsigned v = vm_index(ctx, e);
    iaas_vm_t *vm = &s->vms[v];
    if (tag == TAG_FLOOD) {
        const iaas_key_t *k = iaas_key(s, vm->key);
        if (vm->load != LOAD_API || vm->intensity == 0 || !k)
            return;
        iaas_api_send(s, ctx, e, vm->key, k->secret, API_OP_DESCRIBE_INSTANCES, 0, 0, s->corr);
        sg17_timer(ctx, e, SG17_SEC / vm->intensity, TAG_FLOOD);
        return;
    }
    if (tag == TAG_REBOOT) {
        iaas_vm_boot(s, ctx, v);
        sg17_timer(ctx, e, s->cfg.reboot_interval, TAG_REBOOT);
        return;
    }
    if (vm->booted)
        sdk_call(s, ctx, vm);
    sg17_timer(ctx, e, s->cfg.imds_interval, TAG_IMDS);
}

static void on_imds_response(iaas_t *s, sg17_ctx_t *ctx, iaas_vm_t *vm, const sg17_msg_t *m)
{
    imds_response_t rs;
    if (m->len < 2 || m->claimed_src != s->nodes[vm->node].metadata
        || imds_response_decode(m->payload + 2, m->len - 2, &rs) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    uint16_t port = sg17_load_be16(m->payload);
    sg17_accept(ctx, m);
    if (port == IAAS_PORT_SDK) {
        if (rs.status == 200 && rs.len == IMDS_TOKEN_BYTES) {
            memcpy(vm->token, rs.body, IMDS_TOKEN_BYTES);
            vm->has_token = true;
            vm->token_at = sg17_now(ctx);
            sdk_call(s, ctx, vm);
        } else if (rs.status == 200 && rs.len == API_KEY_BODY_BYTES
                   && api_key_body_decode(rs.body, rs.len, &vm->cred_key, vm->cred_secret) == 0) {
            vm->has_creds = true;
            iaas_api_send(s, ctx, vm->e, vm->cred_key, vm->cred_secret, API_OP_DESCRIBE_INSTANCES,
                          0, 0, NULL);
        } else {
            vm->has_token = false;
        }
        return;
    }
    if (port == IAAS_PORT_APP) {
        if (vm->relay_to == SG17_NO_ENTITY)
            return;
        /* the answer crosses the proxy's extra hop only with a TTL left after it */
        if (vm->relay_extra_hop && rs.ttl <= 1) {
            sg17_metric_add(ctx, "vm.ttl_drops", 1);
            vm->relay_to = SG17_NO_ENTITY;
            return;
        }
        sg17_send(ctx, vm->e, vm->relay_to, "iaas.app_response", rs.body, rs.len);
        vm->relay_to = SG17_NO_ENTITY;
        return;
    }
    /* any other connection is a program of the guest's own: what it read, it read */
    iaas_oracle_read(s, ctx, vm->tenant, ROLE_INSTANCE, rs.body, rs.len);
}

/* iaas.app_request: corr[16] | mode u8 | mode 0: path u8 (a GET the application makes) | mode 1:
 * an imds.h request, forwarded as is across one more hop. */
static void on_app_request(iaas_t *s, sg17_ctx_t *ctx, iaas_vm_t *vm, const sg17_msg_t *m)
{
    sg17_reader_t r = sg17_reader(m->payload, m->len);
    sg17_get_bytes(&r, IAAS_CORR_BYTES);
    uint8_t mode = sg17_get_u8(&r);
    size_t n = 0;
    const uint8_t *rest = sg17_get_rest(&r, &n);
    uint8_t req[IMDS_REQUEST_MAX];
    size_t len = 0;
    imds_request_t parsed;
    if (!sg17_reader_ok(&r) || mode > 1 || !vm->booted) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (mode == 0) {
        if (n != 1 || rest[0] < IMDS_PATH_INSTANCE_ID || rest[0] > IMDS_PATH_USER_DATA
            || imds_request_build(IMDS_TTL_DEFAULT, false, (imds_path_t)rest[0], NULL, 0, NULL,
                                  "python-requests", req, sizeof req, &len)
                   != 0) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
    } else {
        if (n < 2 || n > sizeof req || imds_request_parse(rest, n, &parsed, NULL) != 0) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
        memcpy(req, rest, n);
        len = n;
        req[0] = (uint8_t)(req[0] ? req[0] - 1 : 0); /* the proxy's hop */
    }
    vm->relay_to = m->claimed_src;
    vm->relay_extra_hop = mode == 1;
    imds_send(s, ctx, vm, IAAS_PORT_APP, req, len);
    sg17_accept(ctx, m);
}

/* The outside host an entity number names, or SG17_NO_ENTITY. */
static sg17_entity_t outside_host(const iaas_t *s, sg17_ctx_t *ctx, uint32_t e)
{
    for (unsigned i = 0; i < s->n_outside; i++)
        if (sg17_entity(ctx, "outside", i) == e)
            return e;
    return SG17_NO_ENTITY;
}

void iaas_vm_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    unsigned v = vm_index(ctx, m->dst);
    iaas_vm_t *vm = &s->vms[v];
    if (strcmp(m->type, "iaas.imds_response") == 0) {
        on_imds_response(s, ctx, vm, m);
    } else if (strcmp(m->type, "iaas.api_response") == 0) {
        api_response_t rs;
        if (api_response_decode(m->payload, m->len, &rs) != 0) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
        sg17_accept(ctx, m);
        iaas_oracle_read(s, ctx, vm->tenant, ROLE_INSTANCE, rs.data, rs.len);
    } else if (strcmp(m->type, "iaas.app_request") == 0) {
        on_app_request(s, ctx, vm, m);
    } else if (strcmp(m->type, "iaas.probe") == 0) {
        sg17_reader_t r = sg17_reader(m->payload, m->len);
        sg17_get_bytes(&r, IAAS_CORR_BYTES);
        sg17_entity_t to = outside_host(s, ctx, sg17_get_u32(&r));
        uint16_t port = sg17_get_u16(&r);
        if (!sg17_reader_done(&r) || m->claimed_src != s->netsvc || to == SG17_NO_ENTITY
            || !vm->booted) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
        uint8_t reply[64];
        sg17_store_be16(reply, port);
        int n = snprintf((char *)reply + 2, sizeof reply - 2, "%s",
                         port == 22 ? "SSH-2.0-OpenSSH_9.2p1 Debian-2" : "HTTP/1.1 200 OK");
        sg17_send(ctx, vm->e, to, "iaas.probe_reply", reply, (size_t)n + 2);
        sg17_accept(ctx, m);
    } else if (strcmp(m->type, "iaas.guest_exec") == 0) {
        sg17_reader_t r = sg17_reader(m->payload, m->len);
        sg17_get_bytes(&r, IAAS_CORR_BYTES);
        uint8_t load = sg17_get_u8(&r);
        uint32_t intensity = sg17_get_u32(&r);
        if (!sg17_reader_done(&r) || load > LOAD_API || intensity > 1000) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
        if (vm->tenant + 1u != s->n_tenants) { /* only its owner's key opens the guest */
            sg17_reject(ctx, m, "ssh_auth");
            return;
        }
        bool flooding = vm->load == LOAD_API && vm->intensity > 0;
        vm->load = (iaas_load_t)load;
        vm->intensity = intensity;
        if (load == LOAD_API && intensity > 0 && !flooding)
            sg17_timer(ctx, vm->e, SG17_SEC / intensity, TAG_FLOOD);
        sg17_accept(ctx, m);
        if (s->lx && load != LOAD_API && load != LOAD_NONE) /* the linux backend: for real */
            iaas_linux_noisy(s, ctx, (iaas_load_t)load, intensity);
    } else {
        sg17_reject(ctx, m, "malformed");
    }
}
