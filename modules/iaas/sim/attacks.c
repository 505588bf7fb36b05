/* attacks.c — the adversary: the attacks' run() handlers and everything the attacker holds (the
 * credentials it harvested, the last resource id it was answered, a metadata token relayed to
 * it, the requests that undo its detonations), private to this file.
 *
 * The phases follow Stratus Red Team: the warm-up (the victim's prerequisites) is the module's
 * own start (sim/instance.c), the scenario's actions are the detonation, and `revert` undoes what
 * the detonation changed. Every request the attacker sends carries the scenario's correlation id
 * (config correlation_id), as Stratus puts its id in the user agent, so a defender can look for it
 * in the audit trail. The premise of most techniques is a set of credentials the attacker already
 * holds ("as: user-2", a developer's keys; "as: root-3", the outsider's own account), or the one it
 * harvested ("as: stolen"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sg17tb/wire.h>

#include "sim/iaas_sim.h"

#define MAX_UNDO 16

typedef struct {
    uint8_t op;
    uint32_t target, value, flags, key;
    uint8_t secret[API_SECRET_BYTES];
    sg17_entity_t from;
} undo_t;

struct iaas_adversary {
    bool have_key, have_id, have_token;
    uint32_t key_id, last_id;
    uint8_t secret[API_SECRET_BYTES];
    uint8_t token[IMDS_TOKEN_BYTES];
    undo_t undo[MAX_UNDO];
    unsigned n_undo;
    /* the guests it started a load in, and where it logged in from (revert stops them) */
    sg17_entity_t loaded[MAX_UNDO], loaded_from[MAX_UNDO];
    unsigned n_loaded;
};

iaas_adversary_t *iaas_adversary_new(void)
{
    return calloc(1, sizeof(iaas_adversary_t));
}

void iaas_adversary_free(iaas_adversary_t *a)
{
    if (!a)
        return;
    OPENSSL_cleanse(a, sizeof *a);
    free(a);
}

void iaas_adversary_receive(iaas_t *s, const sg17_msg_t *m)
{
    iaas_adversary_t *a = s->adv;
    if (strcmp(m->type, "iaas.api_response") == 0) {
        api_response_t rs;
        if (api_response_decode(m->payload, m->len, &rs) != 0 || rs.status != API_OK)
            return;
        if (rs.op == API_OP_CREATE_ACCESS_KEY
            && api_key_body_decode(rs.data, rs.len, &a->key_id, a->secret) == 0)
            a->have_key = true;
        else if (rs.op == API_OP_CREATE_VOLUME || rs.op == API_OP_REGISTER_IMAGE
                 || rs.op == API_OP_CREATE_SNAPSHOT) {
            a->last_id = rs.id;
            a->have_id = true;
        }
    } else if (strcmp(m->type, "iaas.app_response") == 0) {
        if (m->len == API_KEY_BODY_BYTES
            && api_key_body_decode(m->payload, m->len, &a->key_id, a->secret) == 0)
            a->have_key = true;
        else if (m->len == IMDS_TOKEN_BYTES) {
            memcpy(a->token, m->payload, IMDS_TOKEN_BYTES);
            a->have_token = true;
        }
    }
}

/* ---- parameters ---- */

/* An entity parameter "<kind>-<n>" of the expected kind, or dflt when absent; SG17_NO_ENTITY for
 * one of another kind. */
static sg17_entity_t param_entity(sg17_ctx_t *ctx, const sg17_params_t *p, const char *name,
                                  const char *kind, sg17_entity_t dflt)
{
    const char *v = sg17_param(ctx, p, name);
    if (!v)
        return dflt;
    size_t k = strlen(kind);
    if (strncmp(v, kind, k) != 0 || v[k] != '-')
        return SG17_NO_ENTITY;
    return sg17_entity(ctx, kind, (unsigned)strtoul(v + k + 1, NULL, 10));
}

/* The credentials "as" names: user-N, root-N (tenant N's root), or stolen. */
static int credentials(iaas_t *s, sg17_ctx_t *ctx, const char *as, uint32_t *id,
                       uint8_t secret[API_SECRET_BYTES])
{
    unsigned n = 0;
    char tail;
    if (as && strcmp(as, "stolen") == 0) {
        /* nothing harvested: the attacker tries a key it made up, which fails authentication */
        *id = s->adv->have_key ? s->adv->key_id : 0;
        if (s->adv->have_key)
            memcpy(secret, s->adv->secret, API_SECRET_BYTES);
        else
            memset(secret, 0, API_SECRET_BYTES);
        return 0;
    }
    uint32_t principal;
    if (as && sscanf(as, "user-%u%c", &n, &tail) == 1 && n < s->n_users)
        principal = iaas_user_principal(s, n);
    else if (as && sscanf(as, "root-%u%c", &n, &tail) == 1 && n < s->n_tenants)
        principal = iaas_root_principal(s, n);
    else {
        sg17_log(ctx, "as: '%s' is not user-<n>, root-<n> or stolen in this topology",
                 as ? as : "");
        return -1;
    }
    *id = IAAS_KEY_BASE + principal; /* the principal's first key */
    memcpy(secret, iaas_key(s, *id)->secret, API_SECRET_BYTES);
    return 0;
}

static int inject_request(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t from, unsigned op,
                          uint32_t target, uint32_t value, uint32_t flags, const uint8_t *blob,
                          size_t blob_len, uint32_t key, const uint8_t secret[API_SECRET_BYTES])
{
    api_request_t rq = {.op = (uint8_t)op,
                        .key_id = key,
                        .timestamp = sg17_now(ctx),
                        .target = target,
                        .value = value,
                        .flags = flags,
                        .blob = blob,
                        .blob_len = (uint16_t)blob_len};
    memcpy(rq.corr, s->corr, IAAS_CORR_BYTES);
    uint8_t buf[API_REQUEST_MAX];
    size_t len = 0;
    if (blob_len > API_BLOB_MAX || api_request_encode(&rq, secret, buf, sizeof buf, &len) != 0) {
        sg17_log(ctx, "cannot encode a %s request", api_op_name(op));
        return -1;
    }
    return sg17_inject(ctx, from, s->api, "iaas.api_request", buf, len) == 0 ? 0 : -1;
}

/* Remembers how to undo a detonation (Stratus's revert). */
static void remember_undo(iaas_t *s, unsigned op, uint32_t target, uint32_t value, uint32_t flags,
                          uint32_t key, const uint8_t secret[API_SECRET_BYTES], sg17_entity_t from)
{
    iaas_adversary_t *a = s->adv;
    undo_t u = {.target = target, .value = value, .flags = flags, .key = key, .from = from};
    switch (op) {
    case API_OP_MODIFY_SNAPSHOT_ATTRIBUTE:
    case API_OP_MODIFY_IMAGE_ATTRIBUTE:
        u.op = (uint8_t)op;
        u.flags = flags | 1;
        break;
    case API_OP_AUTHORIZE_INGRESS:
        u.op = API_OP_REVOKE_INGRESS;
        break;
    case API_OP_STOP_LOGGING:
        u.op = API_OP_START_LOGGING;
        break;
    case API_OP_DELETE_FLOW_LOGS:
        u.op = API_OP_CREATE_FLOW_LOGS;
        break;
    case API_OP_SET_DEFAULT_POLICY_VERSION:
        u.op = (uint8_t)op;
        u.value = 2;
        break;
    default:
        return;
    }
    memcpy(u.secret, secret, API_SECRET_BYTES);
    if (a->n_undo < MAX_UNDO)
        a->undo[a->n_undo++] = u;
}

static sg17_entity_t vantage(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    (void)s;
    sg17_entity_t from = param_entity(ctx, p, "from", "outside", sg17_entity(ctx, "outside", 0));
    if (from == SG17_NO_ENTITY)
        sg17_log(ctx, "from: expected an outside host, outside-<n>");
    return from;
}

/* ---- the attacks ---- */

int iaas_attack_api_call(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    const char *name = sg17_param(ctx, p, "op");
    unsigned op = api_op_by_name(name);
    if (!op) {
        sg17_log(ctx, "op: '%s' is not an API operation (DescribeInstances, CreateVolume, ...)",
                 name ? name : "");
        return -1;
    }
    sg17_entity_t from = vantage(s, ctx, p);
    uint32_t key = 0;
    uint8_t secret[API_SECRET_BYTES];
    if (from == SG17_NO_ENTITY || credentials(s, ctx, sg17_param(ctx, p, "as"), &key, secret) != 0)
        return -1;
    double dflt = s->adv->have_id ? (double)s->adv->last_id : 0;
    uint32_t target = (uint32_t)sg17_param_number(ctx, p, "target", dflt);
    uint32_t value = (uint32_t)sg17_param_number(ctx, p, "value", 0);
    uint32_t flags = (uint32_t)sg17_param_number(ctx, p, "flags", 0);
    const char *hex = sg17_param(ctx, p, "data");
    uint8_t blob[API_BLOB_MAX];
    size_t n = 0;
    for (; hex && hex[2 * n] && hex[2 * n + 1] && n < sizeof blob; n++) {
        unsigned b = 0;
        if (sscanf(hex + 2 * n, "%2x", &b) != 1)
            break;
        blob[n] = (uint8_t)b;
    }
    int rc =
        inject_request(s, ctx, from, op, target, value, flags, n ? blob : NULL, n, key, secret);
    if (rc == 0)
        remember_undo(s, op, target, value, flags, key, secret, from);
    OPENSSL_cleanse(secret, sizeof secret);
    return rc;
}

int iaas_attack_backing_image(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    const char *path = sg17_param(ctx, p, "path");
    if (!path)
        path = "/var/lib/nova/host.key";
    sg17_entity_t from = vantage(s, ctx, p);
    uint32_t key = 0;
    uint8_t secret[API_SECRET_BYTES], img[IMAGE_MAX_BYTES];
    size_t len = 0;
    static const uint8_t data[16] = "BOOT attacker   ";
    if (from == SG17_NO_ENTITY || credentials(s, ctx, sg17_param(ctx, p, "as"), &key, secret) != 0)
        return -1;
    if (image_build(data, sizeof data, path, img, sizeof img, &len) != 0) {
        sg17_log(ctx, "path: '%s' does not fit an image's backing reference (255 octets)", path);
        return -1;
    }
    int rc = inject_request(s, ctx, from, API_OP_REGISTER_IMAGE, 0, 0, 0, img, len, key, secret);
    OPENSSL_cleanse(secret, sizeof secret);
    return rc;
}

static imds_path_t path_of(const char *name)
{
    if (!name || strcmp(name, "credentials") == 0)
        return IMDS_PATH_CREDENTIALS;
    if (strcmp(name, "user-data") == 0)
        return IMDS_PATH_USER_DATA;
    if (strcmp(name, "instance-id") == 0)
        return IMDS_PATH_INSTANCE_ID;
    if (strcmp(name, "token") == 0)
        return IMDS_PATH_TOKEN;
    return 0;
}

static void user_agent(const iaas_t *s, char ua[IMDS_UA_MAX + 1])
{
    int n = snprintf(ua, IMDS_UA_MAX + 1, "stratus-red-team_");
    for (int i = 0; i < IAAS_CORR_BYTES && n + 2 <= IMDS_UA_MAX; i++)
        n += snprintf(ua + n, (size_t)(IMDS_UA_MAX + 1 - n), "%02x", s->corr[i]);
}

int iaas_attack_ssrf(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    sg17_entity_t vm = param_entity(ctx, p, "vm", "vm", SG17_NO_ENTITY);
    sg17_entity_t from = vantage(s, ctx, p);
    imds_path_t path = path_of(sg17_param(ctx, p, "path"));
    const char *proxy = sg17_param(ctx, p, "proxy");
    bool via_proxy = proxy && strcmp(proxy, "true") == 0;
    if (vm == SG17_NO_ENTITY || from == SG17_NO_ENTITY || !path
        || (!via_proxy && path == IMDS_PATH_TOKEN)) {
        sg17_log(ctx, "ssrf: needs vm: vm-<n> and path: credentials, user-data, instance-id (or "
                      "token through a proxy)");
        return -1;
    }
    uint8_t buf[IAAS_CORR_BYTES + 1 + IMDS_REQUEST_MAX];
    size_t len = IAAS_CORR_BYTES + 1;
    memcpy(buf, s->corr, IAAS_CORR_BYTES);
    buf[IAAS_CORR_BYTES] = via_proxy ? 1 : 0;
    if (!via_proxy) {
        buf[len++] = (uint8_t)path; /* an SSRF controls the URL, not the method or headers */
    } else {
        char ua[IMDS_UA_MAX + 1];
        size_t n = 0;
        user_agent(s, ua);
        bool put = path == IMDS_PATH_TOKEN;
        if (imds_request_build(IMDS_TTL_DEFAULT, put, path,
                               !put && s->adv->have_token ? s->adv->token : NULL, put ? 21600 : 0,
                               NULL, ua, buf + len, sizeof buf - len, &n)
            != 0)
            return -1;
        len += n;
    }
    return sg17_inject(ctx, from, vm, "iaas.app_request", buf, len) == 0 ? 0 : -1;
}

int iaas_attack_metadata_forge(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    sg17_entity_t vm = param_entity(ctx, p, "vm", "vm", SG17_NO_ENTITY);
    sg17_entity_t claim = param_entity(ctx, p, "instance", "vm", SG17_NO_ENTITY);
    imds_path_t path = path_of(sg17_param(ctx, p, "path"));
    if (vm == SG17_NO_ENTITY || claim == SG17_NO_ENTITY || !path || path == IMDS_PATH_TOKEN) {
        sg17_log(ctx, "metadata_forge: needs vm (the attacker's own), instance and path");
        return -1;
    }
    const iaas_vm_t *own = &s->vms[sg17_entity_index(ctx, vm)];
    char id[IMDS_INSTANCE_MAX + 1], ua[IMDS_UA_MAX + 1];
    snprintf(id, sizeof id, "vm-%u", sg17_entity_index(ctx, claim));
    user_agent(s, ua);
    uint8_t buf[2 + IMDS_REQUEST_MAX];
    size_t n = 0;
    sg17_store_be16(buf, 666); /* a connection of the attacker's own program in its guest */
    if (imds_request_build(IMDS_TTL_DEFAULT, false, path, NULL, 0, id, ua, buf + 2, sizeof buf - 2,
                           &n)
        != 0)
        return -1;
    return sg17_inject(ctx, vm, s->nodes[own->node].metadata, "iaas.imds_request", buf, n + 2) == 0
               ? 0
               : -1;
}

int iaas_attack_store_write(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    const char *hex = sg17_param(ctx, p, "data");
    uint8_t buf[IAAS_CORR_BYTES + 6 + 256];
    size_t n = 0;
    for (; hex && hex[2 * n] && hex[2 * n + 1] && n < 256; n++) {
        unsigned b = 0;
        if (sscanf(hex + 2 * n, "%2x", &b) != 1)
            break;
        buf[IAAS_CORR_BYTES + 6 + n] = (uint8_t)b;
    }
    sg17_entity_t from = vantage(s, ctx, p);
    if (n == 0 || from == SG17_NO_ENTITY) {
        sg17_log(ctx, "store_write: needs data (hex, at most 256 octets)");
        return -1;
    }
    memcpy(buf, s->corr, IAAS_CORR_BYTES);
    sg17_store_be32(buf + IAAS_CORR_BYTES, (uint32_t)sg17_param_number(ctx, p, "image", 0));
    sg17_store_be16(buf + IAAS_CORR_BYTES + 4, (uint16_t)sg17_param_number(ctx, p, "offset", 0));
    return sg17_inject(ctx, from, s->image_e, "iaas.store_write", buf, IAAS_CORR_BYTES + 6 + n) == 0
               ? 0
               : -1;
}

/* The attack's `vm` and the outside host it acts from; -1 (logged) when either is missing. */
static int vm_and_vantage(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p, const char *attack,
                          sg17_entity_t *vm, sg17_entity_t *from)
{
    *vm = param_entity(ctx, p, "vm", "vm", SG17_NO_ENTITY);
    *from = vantage(s, ctx, p);
    if (*vm != SG17_NO_ENTITY && *from != SG17_NO_ENTITY)
        return 0;
    sg17_log(ctx, "%s: needs vm: vm-<n>", attack);
    return -1;
}

/* The attacker logs in to its own guest from `from` and starts a load there. */
static int guest_exec(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t from, sg17_entity_t vm,
                      uint8_t kind, uint32_t intensity)
{
    uint8_t buf[IAAS_CORR_BYTES + 5];
    memcpy(buf, s->corr, IAAS_CORR_BYTES);
    buf[IAAS_CORR_BYTES] = kind;
    sg17_store_be32(buf + IAAS_CORR_BYTES + 1, intensity);
    if (sg17_inject(ctx, from, vm, "iaas.guest_exec", buf, sizeof buf) != 0)
        return -1;
    iaas_adversary_t *a = s->adv;
    if (kind != LOAD_NONE && a->n_loaded < MAX_UNDO) {
        a->loaded[a->n_loaded] = vm;
        a->loaded_from[a->n_loaded++] = from;
    }
    return 0;
}

int iaas_attack_noisy(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    sg17_entity_t vm = param_entity(ctx, p, "vm", "vm", SG17_NO_ENTITY);
    const char *load = sg17_param(ctx, p, "load");
    uint8_t kind = !load                         ? LOAD_NONE
                   : strcmp(load, "cpu") == 0    ? LOAD_CPU
                   : strcmp(load, "memory") == 0 ? LOAD_MEMORY
                   : strcmp(load, "fork") == 0   ? LOAD_FORK
                                                 : LOAD_NONE;
    sg17_entity_t from = vantage(s, ctx, p);
    if (vm == SG17_NO_ENTITY || kind == LOAD_NONE || from == SG17_NO_ENTITY) {
        sg17_log(ctx, "noisy: needs vm: vm-<n> and load: cpu, memory or fork");
        return -1;
    }
    return guest_exec(s, ctx, from, vm, kind, (uint32_t)sg17_param_number(ctx, p, "intensity", 16));
}

/* From the attacker's own guest (another tenant's than the victim's), the page-merging side
 * channel on the linux backend. */
int iaas_attack_ksm_probe(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    sg17_entity_t vm = param_entity(ctx, p, "vm", "vm", SG17_NO_ENTITY);
    unsigned v = vm == SG17_NO_ENTITY ? s->n_vms : sg17_entity_index(ctx, vm);
    if (v >= s->n_vms || s->cfg.victim_vm >= s->n_vms
        || s->vms[v].tenant == s->vms[s->cfg.victim_vm].tenant) {
        sg17_log(ctx, "ksm_probe: needs vm: vm-<n> of another tenant than the victim's");
        return -1;
    }
    return iaas_linux_ksm(s, ctx, v, (unsigned)sg17_param_number(ctx, p, "candidates", 32),
                          (unsigned)sg17_param_number(ctx, p, "trials", 5));
}

/* The attacker's own guest calls the management API `rate` times a second with the instance's
 * credentials (an instance role may DescribeInstances), every request with the correlation id. */
int iaas_attack_api_flood(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    sg17_entity_t vm, from;
    if (vm_and_vantage(s, ctx, p, "api_flood", &vm, &from) != 0)
        return -1;
    return guest_exec(s, ctx, from, vm, LOAD_API, (uint32_t)sg17_param_number(ctx, p, "rate", 100));
}

int iaas_attack_probe(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    sg17_entity_t vm, from;
    if (vm_and_vantage(s, ctx, p, "probe", &vm, &from) != 0)
        return -1;
    unsigned count = (unsigned)sg17_param_number(ctx, p, "count", 1);
    uint8_t buf[IAAS_CORR_BYTES + 6];
    memcpy(buf, s->corr, IAAS_CORR_BYTES);
    sg17_store_be32(buf + IAAS_CORR_BYTES, sg17_entity_index(ctx, vm));
    sg17_store_be16(buf + IAAS_CORR_BYTES + 4, (uint16_t)sg17_param_number(ctx, p, "port", 22));
    for (unsigned i = 0; i < count; i++)
        if (sg17_inject(ctx, from, s->netsvc, "iaas.probe", buf, sizeof buf) != 0)
            return -1;
    return 0;
}

/* Reads what a wire tap captured of the migration stream: the octets as they crossed the wire. */
int iaas_attack_tap_migration(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    size_t n = sg17_captured_count(ctx, p);
    for (size_t i = 0; i < n; i++) {
        const sg17_msg_t *m = sg17_captured(ctx, p, i);
        if (m && strcmp(m->type, "iaas.migration") == 0)
            iaas_oracle_read(s, ctx, IAAS_NOBODY, -1, m->payload, m->len);
    }
    return 0;
}

int iaas_attack_revert(iaas_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    (void)p;
    iaas_adversary_t *a = s->adv;
    for (unsigned i = a->n_undo; i-- > 0;) {
        const undo_t *u = &a->undo[i];
        if (inject_request(s, ctx, u->from, u->op, u->target, u->value, u->flags, NULL, 0, u->key,
                           u->secret)
            != 0)
            return -1;
    }
    a->n_undo = 0;
    for (unsigned i = a->n_loaded; i-- > 0;) /* the loads it started stop */
        if (guest_exec(s, ctx, a->loaded_from[i], a->loaded[i], LOAD_NONE, 0) != 0)
            return -1;
    a->n_loaded = 0;
    return 0;
}
