/* api.c — the management API with IAM: authenticates each request (access key, HMAC, and for an
 * instance credential the origin it is bound to), admits it within the service's capacity (and,
 * with api_quotas, the caller's tenant quota), evaluates the caller's policy (the default version
 * of its policy grants one role's permissions), applies the guardrails, records the call in the
 * audit trail and carries it out against the storage, image, compute and network services. Every
 * request is answered to the network origin it came from.
 *
 * Capacity: the control plane carries out at most api_capacity calls in each one-second window
 * and answers the rest 503 (first come, first served: a tenant that floods it takes the window
 * from everybody). api_quotas puts a token bucket per tenant in front (api_tenant_rate per
 * second, as deep as one second of it) and answers a call over its tenant's quota 429 before it
 * takes any of the shared capacity: Nova's and Keystone's API rate limits, AWS's per-account
 * request throttling. */
#include <string.h>

#include <openssl/crypto.h>

#include "sim/iaas_sim.h"

uint32_t iaas_role_permissions(const iaas_t *s, unsigned role)
{
    bool lp = s->cfg.iam_least_privilege;
    switch (role) {
    case ROLE_ADMIN:
    case ROLE_ROOT:
        return P_EVERY_OP;
    case ROLE_READONLY: /* off: a ReadOnlyAccess-style policy that includes the user data */
        return P_DESCRIBE | (lp ? 0u : P_USERDATA_GET);
    case ROLE_DEVELOPER: /* off: iam:CreateAccessKey on *, iam:SetDefaultPolicyVersion */
        return P_DESCRIBE | P_KEY_SELF | P_INSTANCE_OP | (lp ? 0u : P_KEY_ANY | P_POLICY_VERSION);
    case ROLE_NETOPS:
        return P_DESCRIBE | P_SG | P_FLOWLOG;
    case ROLE_INSTANCE:
        return P_DESCRIBE | P_VOLUME_READ;
    default:
        return 0;
    }
}

bool iaas_visible(const iaas_t *s, const iaas_sharing_t *sh, uint16_t tenant)
{
    (void)s;
    if (!sh->live)
        return false;
    if (sh->tenant == tenant || sh->is_public)
        return true;
    for (unsigned i = 0; i < sh->n_shares; i++)
        if (sh->shares[i] == tenant)
            return true;
    return false;
}

/* The permission an operation needs from this caller. */
static uint32_t needed(const iaas_t *s, const api_request_t *rq, uint32_t principal)
{
    switch (rq->op) {
    case API_OP_DESCRIBE_INSTANCES:
        return P_DESCRIBE;
    case API_OP_CREATE_VOLUME:
    case API_OP_WRITE_VOLUME:
    case API_OP_DELETE_VOLUME:
        return P_VOLUME_WRITE;
    case API_OP_READ_VOLUME:
    case API_OP_READ_SNAPSHOT:
        return P_VOLUME_READ;
    case API_OP_CREATE_SNAPSHOT:
        return P_SNAPSHOT;
    case API_OP_MODIFY_SNAPSHOT_ATTRIBUTE:
    case API_OP_MODIFY_IMAGE_ATTRIBUTE:
        return P_SHARE;
    case API_OP_REGISTER_IMAGE:
    case API_OP_RUN_INSTANCES:
        return P_IMAGE;
    case API_OP_GET_USER_DATA:
        return P_USERDATA_GET;
    case API_OP_SET_USER_DATA: /* off: ModifyInstanceAttribute covers every attribute */
        return s->cfg.userdata_right ? P_USERDATA_SET : P_INSTANCE_OP;
    case API_OP_REBOOT_INSTANCES:
        return P_INSTANCE_OP;
    case API_OP_CREATE_ACCESS_KEY:
        return rq->value == principal ? P_KEY_SELF : P_KEY_ANY;
    case API_OP_SET_DEFAULT_POLICY_VERSION:
        return P_POLICY_VERSION;
    case API_OP_AUTHORIZE_INGRESS:
    case API_OP_REVOKE_INGRESS:
        return P_SG;
    case API_OP_DELETE_FLOW_LOGS:
    case API_OP_CREATE_FLOW_LOGS:
        return P_FLOWLOG;
    default:
        return P_TRAIL;
    }
}

/* The guardrails that hold whatever the caller's policy says; NULL, or the reason. */
static const char *guardrail(const iaas_t *s, const api_request_t *rq)
{
    bool share =
        rq->op == API_OP_MODIFY_SNAPSHOT_ATTRIBUTE || rq->op == API_OP_MODIFY_IMAGE_ATTRIBUTE;
    /* the organisation is every tenant but the last, the outsider's account */
    if (s->cfg.share_allowlist && share && !(rq->flags & 1)
        && (rq->value == API_ACCOUNT_ALL || rq->value + 1 >= s->n_tenants))
        return "guardrail";
    if (s->cfg.sg_guardrail && rq->op == API_OP_AUTHORIZE_INGRESS && rq->flags == 0
        && (rq->value == 22 || rq->value == 3389))
        return "guardrail";
    if (s->cfg.trail_guard
        && (rq->op == API_OP_STOP_LOGGING || rq->op == API_OP_DELETE_TRAIL
            || rq->op == API_OP_DELETE_FLOW_LOGS))
        return "guardrail";
    return NULL;
}

typedef struct {
    uint8_t status;
    const char *reason;
    uint32_t id;
    uint8_t data[API_BLOB_MAX];
    uint16_t len;
} outcome_t;

static void fail(outcome_t *o, uint8_t status, const char *reason)
{
    o->status = status;
    o->reason = reason;
}

static iaas_vm_t *own_vm(iaas_t *s, uint32_t v, uint16_t t)
{
    return v < s->n_vms && s->vms[v].tenant == t ? &s->vms[v] : NULL;
}

static void share_modify(iaas_sharing_t *sh, const api_request_t *rq, outcome_t *o)
{
    if (rq->flags & 1) { /* remove */
        if (rq->value == API_ACCOUNT_ALL)
            sh->is_public = false;
        for (unsigned i = 0; i < sh->n_shares; i++)
            if (sh->shares[i] == rq->value)
                sh->shares[i--] = sh->shares[--sh->n_shares];
    } else if (rq->value == API_ACCOUNT_ALL) {
        sh->is_public = true;
    } else if (sh->n_shares < IAAS_MAX_SHARES) {
        sh->shares[sh->n_shares++] = (uint16_t)rq->value;
    } else {
        fail(o, API_BAD_REQUEST, "bad_request");
    }
}

static void execute_storage(iaas_t *s, sg17_ctx_t *ctx, const api_request_t *rq, uint16_t t,
                            outcome_t *o)
{
    iaas_volume_t *v = rq->target < s->n_volumes ? &s->volumes[rq->target] : NULL;
    bool own = v && v->live && v->tenant == t;
    switch (rq->op) {
    case API_OP_CREATE_VOLUME: {
        int id = rq->value >= 1 && rq->value <= 16 ? iaas_volume_create(s, ctx, t, rq->value) : -1;
        if (id < 0)
            fail(o, API_BAD_REQUEST, "bad_request");
        else
            o->id = (uint32_t)id;
        break;
    }
    case API_OP_WRITE_VOLUME: {
        uint8_t buf[API_BLOB_MAX] = {0};
        size_t n = ((size_t)rq->blob_len + VOL_SECTOR - 1) / VOL_SECTOR * VOL_SECTOR;
        if (rq->blob_len)
            memcpy(buf, rq->blob, rq->blob_len);
        if (!own)
            fail(o, API_NOT_FOUND, "not_found");
        else if (n == 0 || iaas_volume_write(s, rq->target, rq->value, buf, n) != 0)
            fail(o, API_BAD_REQUEST, "bad_request");
        break;
    }
    case API_OP_READ_VOLUME:
        if (!own)
            fail(o, API_NOT_FOUND, "not_found");
        else if (iaas_volume_read(s, rq->target, rq->value, o->data, IAAS_READ_BYTES) != 0)
            fail(o, API_BAD_REQUEST, "bad_request");
        else
            o->len = IAAS_READ_BYTES;
        break;
    case API_OP_DELETE_VOLUME:
        if (!own)
            fail(o, API_NOT_FOUND, "not_found");
        else if (iaas_volume_delete(s, rq->target) != 0)
            fail(o, API_BAD_REQUEST, "bad_request");
        break;
    case API_OP_CREATE_SNAPSHOT: {
        if (!own) {
            fail(o, API_NOT_FOUND, "not_found");
            break;
        }
        if (s->n_snapshots == s->cap_snapshots) {
            fail(o, API_BAD_REQUEST, "bad_request"); /* the snapshot table is full */
            break;
        }
        iaas_snapshot_t *sn = &s->snapshots[s->n_snapshots];
        memset(sn, 0, sizeof *sn);
        if (iaas_volume_read(s, rq->target, 0, sn->data, sizeof sn->data) != 0) {
            fail(o, API_BAD_REQUEST, "bad_request");
            break;
        }
        sn->share.live = true;
        sn->share.tenant = t;
        o->id = s->n_snapshots++;
        break;
    }
    case API_OP_MODIFY_SNAPSHOT_ATTRIBUTE:
        if (rq->target >= s->n_snapshots || !s->snapshots[rq->target].share.live
            || s->snapshots[rq->target].share.tenant != t)
            fail(o, API_NOT_FOUND, "not_found");
        else
            share_modify(&s->snapshots[rq->target].share, rq, o);
        break;
    case API_OP_READ_SNAPSHOT:
        if (rq->target >= s->n_snapshots || !iaas_visible(s, &s->snapshots[rq->target].share, t))
            fail(o, API_NOT_FOUND, "not_found");
        else {
            memcpy(o->data, s->snapshots[rq->target].data, IAAS_READ_BYTES);
            o->len = IAAS_READ_BYTES;
        }
        break;
    default:
        break;
    }
}

static void execute_compute(iaas_t *s, sg17_ctx_t *ctx, const api_request_t *rq, uint16_t t,
                            outcome_t *o)
{
    iaas_vm_t *vm = own_vm(s, rq->target, t);
    switch (rq->op) {
    case API_OP_DESCRIBE_INSTANCES: {
        uint32_t n = 0;
        for (unsigned v = 0; v < s->n_vms; v++)
            n += s->vms[v].tenant == t;
        o->data[0] = (uint8_t)(n >> 24);
        o->data[1] = (uint8_t)(n >> 16);
        o->data[2] = (uint8_t)(n >> 8);
        o->data[3] = (uint8_t)n;
        o->len = 4;
        break;
    }
    case API_OP_REGISTER_IMAGE: {
        if (s->cfg.image_inspection && image_inspect(rq->blob, rq->blob_len) != IMAGE_OK) {
            fail(o, API_BAD_REQUEST, "inspection");
            break;
        }
        int id = rq->blob_len
                     ? iaas_image_register(s, t, rq->blob, rq->blob_len, s->tenants[t].sign_priv)
                     : -1;
        if (id < 0)
            fail(o, API_BAD_REQUEST, "bad_request");
        else
            o->id = (uint32_t)id;
        break;
    }
    case API_OP_MODIFY_IMAGE_ATTRIBUTE:
        if (rq->target >= s->n_images || !s->images[rq->target].share.live
            || s->images[rq->target].share.tenant != t)
            fail(o, API_NOT_FOUND, "not_found");
        else
            share_modify(&s->images[rq->target].share, rq, o);
        break;
    case API_OP_RUN_INSTANCES:
        if (rq->target >= s->n_images || !iaas_visible(s, &s->images[rq->target].share, t))
            fail(o, API_NOT_FOUND, "not_found");
        else if (iaas_boot(s, ctx, rq->target, o->data) != 0)
            fail(o, API_BAD_REQUEST, "boot_refused");
        else
            o->len = IAAS_CONSOLE_BYTES;
        break;
    case API_OP_GET_USER_DATA:
        if (!vm)
            fail(o, API_NOT_FOUND, "not_found");
        else {
            memcpy(o->data, vm->userdata, vm->ud_len);
            o->len = (uint16_t)vm->ud_len;
        }
        break;
    case API_OP_SET_USER_DATA:
        if (!vm)
            fail(o, API_NOT_FOUND, "not_found");
        else if (rq->blob_len > USERDATA_MAX)
            fail(o, API_BAD_REQUEST, "bad_request");
        else {
            if (rq->blob_len)
                memcpy(vm->userdata, rq->blob, rq->blob_len);
            vm->ud_len = rq->blob_len;
        }
        break;
    case API_OP_REBOOT_INSTANCES:
        if (!vm)
            fail(o, API_NOT_FOUND, "not_found");
        else
            iaas_vm_boot(s, ctx, rq->target);
        break;
    default:
        break;
    }
}

static void execute_iam_net(iaas_t *s, sg17_ctx_t *ctx, const api_request_t *rq, uint32_t caller,
                            outcome_t *o)
{
    uint16_t t = s->principals[caller].tenant;
    iaas_tenant_t *tn = &s->tenants[t];
    switch (rq->op) {
    case API_OP_CREATE_ACCESS_KEY: {
        if (rq->value >= s->n_users || s->principals[rq->value].tenant != t) {
            fail(o, API_NOT_FOUND, "not_found");
            break;
        }
        uint32_t id = iaas_key_issue(s, ctx, rq->value, SG17_NO_ENTITY);
        iaas_key_t *k = iaas_key(s, id);
        if (!k) {
            fail(o, API_BAD_REQUEST, "bad_request");
            break;
        }
        api_key_body_encode(id, k->secret, o->data);
        o->len = API_KEY_BODY_BYTES;
        o->id = id;
        break;
    }
    case API_OP_SET_DEFAULT_POLICY_VERSION: {
        iaas_principal_t *p = &s->principals[caller];
        if (rq->value < 1 || rq->value > p->n_versions)
            fail(o, API_BAD_REQUEST, "bad_request");
        else
            p->default_version = (uint8_t)rq->value;
        break;
    }
    case API_OP_AUTHORIZE_INGRESS:
        if (rq->value < 1 || rq->value > 65535 || rq->flags > 32 || tn->n_sg >= IAAS_MAX_SG_RULES)
            fail(o, API_BAD_REQUEST, "bad_request");
        else {
            tn->sg[tn->n_sg].port = (uint16_t)rq->value;
            tn->sg[tn->n_sg++].prefix = (uint8_t)rq->flags;
        }
        break;
    case API_OP_REVOKE_INGRESS:
        for (unsigned i = 0; i < tn->n_sg; i++)
            if (tn->sg[i].port == rq->value && tn->sg[i].prefix == rq->flags)
                tn->sg[i--] = tn->sg[--tn->n_sg];
        break;
    case API_OP_DELETE_FLOW_LOGS:
        tn->flow_logs = false;
        break;
    case API_OP_CREATE_FLOW_LOGS:
        tn->flow_logs = true;
        break;
    case API_OP_STOP_LOGGING:
        tn->logging = false;
        break;
    case API_OP_START_LOGGING:
        tn->logging = !tn->trail_deleted;
        break;
    case API_OP_DELETE_TRAIL:
        iaas_trail_delete(s, t);
        break;
    default:
        break;
    }
}

/* Admission: NULL, or the reason the call is turned away before it is carried out. */
static const char *admit(iaas_t *s, sg17_ctx_t *ctx, uint16_t tenant)
{
    sg17_time_t now = sg17_now(ctx);
    if (s->cfg.api_quotas) {
        iaas_tenant_t *t = &s->tenants[tenant];
        double depth = s->cfg.api_tenant_rate < 1 ? 1 : s->cfg.api_tenant_rate;
        t->api_tokens += (double)(now - t->api_at) / (double)SG17_SEC * s->cfg.api_tenant_rate;
        if (t->api_tokens > depth)
            t->api_tokens = depth;
        t->api_at = now;
        if (t->api_tokens < 1)
            return "throttled";
        t->api_tokens -= 1;
    }
    uint64_t window = (uint64_t)(now / SG17_SEC);
    if (window != s->api_window) {
        s->api_window = window;
        s->api_window_used = 0;
    }
    if (s->api_window_used >= s->cfg.api_capacity)
        return "overloaded";
    s->api_window_used++;
    return NULL;
}

static void respond(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t to, uint8_t op, const outcome_t *o)
{
    api_response_t rs = {.op = op,
                         .status = o->status,
                         .id = o->id,
                         .data = o->len ? o->data : NULL,
                         .len = o->status == API_OK ? o->len : 0};
    uint8_t buf[API_RESPONSE_MAX];
    size_t len = 0;
    if (api_response_encode(&rs, buf, sizeof buf, &len) == 0)
        sg17_send(ctx, s->api, to, "iaas.api_response", buf, len);
}

void iaas_api_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    api_request_t rq;
    if (strcmp(m->type, "iaas.api_request") != 0
        || api_request_decode(m->payload, m->len, &rq) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    outcome_t o;
    memset(&o, 0, sizeof o);
    iaas_key_t *k = iaas_key(s, rq.key_id);
    if (!k || !k->active || api_request_verify(m->payload, m->len, k->secret) != 0) {
        fail(&o, API_AUTH_FAILED, "auth");
        if (k) /* a known key: the account's trail records the failure */
            iaas_trail_append(s, ctx, s->api, AUDIT_KIND_API, rq.op, AUDIT_DENIED,
                              s->principals[k->principal].tenant, k->principal, m->claimed_src,
                              rq.corr);
        respond(s, ctx, m->claimed_src, rq.op, &o);
        sg17_reject(ctx, m, o.reason);
        return;
    }
    uint32_t caller = k->principal;
    const iaas_principal_t *p = &s->principals[caller];
    const char *busy = admit(s, ctx, p->tenant);
    if (busy) { /* turned away at the door: not carried out, not in the trail */
        fail(&o, API_THROTTLED, busy);
        respond(s, ctx, m->claimed_src, rq.op, &o);
        sg17_reject(ctx, m, busy);
        sg17_metric_add(ctx, "api.throttled", 1);
        return;
    }
    /* an instance credential works only from the instance it was issued to */
    if (s->cfg.credential_binding && k->bound != SG17_NO_ENTITY && m->claimed_src != k->bound)
        fail(&o, API_AUTH_FAILED, "binding");
    else if (s->cfg.api_authorize
             && !(iaas_role_permissions(s, p->versions[p->default_version - 1])
                  & needed(s, &rq, caller)))
        fail(&o, API_DENIED, "denied");
    else if (guardrail(s, &rq))
        fail(&o, API_DENIED, guardrail(s, &rq));
    iaas_trail_append(s, ctx, s->api, AUDIT_KIND_API, rq.op,
                      o.reason ? AUDIT_DENIED : AUDIT_ALLOWED, p->tenant, caller, m->claimed_src,
                      rq.corr);
    if (!o.reason) {
        execute_storage(s, ctx, &rq, p->tenant, &o);
        execute_compute(s, ctx, &rq, p->tenant, &o);
        execute_iam_net(s, ctx, &rq, caller, &o);
    }
    respond(s, ctx, m->claimed_src, rq.op, &o);
    if (o.reason)
        sg17_reject(ctx, m, o.reason);
    else
        sg17_accept(ctx, m);
    sg17_metric_add(ctx, o.reason ? "api.refused" : "api.served", 1);
}
