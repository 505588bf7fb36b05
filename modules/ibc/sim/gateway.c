/* gateway.c — the server devices authenticate to (X.1365 D.1): it holds the SAKKE receiver key of
 * its identity for the current period, verifies one-pass messages (identity and period, ECCSI
 * signature, freshness and replay, RFC 6508 §6.2.2), keeps one session per device, accepts
 * application data under it, and challenges a device whose data it cannot open (D.4-style). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim/ibc_sim.h"

static void gateway_roll(ibc_t *s, sg17_ctx_t *ctx)
{
    ibc_gateway_t *g = &s->gw;
    int64_t p = ibc_period(s, sg17_now(ctx));
    sakke_receiver_destroy(&g->recv); /* 9.4: the old period's RSK is erased */
    OPENSSL_cleanse(&g->keys, sizeof g->keys);
    for (unsigned i = 0; i < s->n_dev; i++)
        OPENSSL_cleanse(&g->sessions[i], sizeof g->sessions[i]);
    g->asked_period = -1;
    ibc_request_params(s, ctx, g->e, 0, p);
    if (s->cfg.cross_domain_trust && s->n_kms > 1)
        ibc_request_params(s, ctx, g->e, 1, p);
    sg17_timer(ctx, g->e, (sg17_time_t)(p + 1) * s->cfg.period_length - sg17_now(ctx), IBC_T_ROLL);
}

void ibc_gateway_on_timer(ibc_t *s, sg17_ctx_t *ctx, uint64_t tag)
{
    if (tag == IBC_T_ROLL)
        gateway_roll(s, ctx);
}

static void gateway_on_keys(ibc_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    ibc_gateway_t *g = &s->gw;
    uint16_t who;
    int64_t p;
    ibc_keys_t k;
    if (ibc_key_delivery_header(m->payload, m->len, &who, &p) != 0 || who != 0xffff) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (p != ibc_period(s, sg17_now(ctx)) || !g->params[0].valid || g->params[0].period != p) {
        sg17_reject(ctx, m, "stale");
        return;
    }
    if (ibc_key_delivery_open(g->tkey, m->payload, m->len, &k) != 0) {
        sg17_reject(ctx, m, "auth");
        return;
    }
    k.id_len = ibc_identity(s, p, "gateway", 0, k.id);
    /* the receiver context checks RFC 6508 §6.1.2 and precomputes the pairing lines of RSK; Z's
     * check and the table of [b]P + Z are those of the (public) sender context to this identity,
     * which every device encapsulating to the gateway this period uses as well */
    sakke_sender_t *snd = ibc_sender(s, ctx, g->params[0].zpub, k.id, k.id_len);
    sakke_receiver_t *r =
        snd ? sakke_receiver_new_from_sender(snd, k.rsk, SAKKE_POINT_BYTES) : NULL;
    if (!r) {
        sg17_reject(ctx, m, "key_invalid");
        OPENSSL_cleanse(&k, sizeof k);
        return;
    }
    sg17_accept(ctx, m);
    sakke_receiver_destroy(&g->recv);
    g->recv = r;
    k.valid = true;
    k.period = p;
    g->keys = k;
    OPENSSL_cleanse(&k, sizeof k);
}

static void gateway_challenge(ibc_t *s, sg17_ctx_t *ctx, unsigned dev)
{
    ibc_session_t *ss = &s->gw.sessions[dev];
    sg17_time_t now = sg17_now(ctx);
    if (ss->challenged && now - ss->challenged_at < 30 * SG17_SEC)
        return;
    sg17_rand_bytes(ctx, ss->challenge, IBC_NONCE_BYTES);
    ss->challenged = true;
    ss->challenged_at = now;
    sg17_send(ctx, s->gw.e, s->dev[dev].e, "ibc.challenge", ss->challenge, IBC_NONCE_BYTES);
    sg17_metric_add(ctx, "gateway.challenges", 1);
}

static bool nonce_seen(const ibc_gateway_t *g, const uint8_t *nonce)
{
    for (size_t i = 0; i < g->n_nonces; i++)
        if (memcmp(g->nonces[i], nonce, IBC_NONCE_BYTES) == 0)
            return true;
    return false;
}

/* Remembers the nonce of an accepted D.1 stamped ts. A full ring evicts its oldest entry; if that
 * entry's timestamp is still inside the freshness window, a replay of its message would pass the
 * window check and no longer be found, so the floor below which D.1 messages are refused rises to
 * it: the cache then covers the whole window however many authentications arrive in it. */
static void nonce_remember(ibc_t *s, sg17_time_t now, const uint8_t *nonce, sg17_time_t ts)
{
    ibc_gateway_t *g = &s->gw;
    size_t cap = (size_t)s->cfg.nonce_cache, slot = g->next_nonce;
    if (cap == 0 || slot >= cap) /* ibc_create holds nonce_cache >= 1 and the ring's index below */
        return;
    if (g->n_nonces == cap) {
        sg17_time_t old = g->nonce_ts[slot];
        if (old + s->cfg.freshness_window >= now && (!g->has_floor || old > g->ts_floor)) {
            g->ts_floor = old;
            g->has_floor = true;
        }
    } else {
        g->n_nonces++;
    }
    memcpy(g->nonces[slot], nonce, IBC_NONCE_BYTES);
    g->nonce_ts[slot] = ts;
    g->next_nonce = (slot + 1) % cap;
}

/* The checks of one D.1 message m (decoded into d1), in the order a careful gateway runs them
 * (cheap ones first): domain, identities (IDRi the claimed device's of this period, IDRr this
 * gateway's), the ECCSI signature over the I_MESSAGE, freshness (T within the window, RAND not
 * seen, or the challenge answered), points, RFC 6508 §6.2.2. NULL if it passes, else the
 * rejection reason. On success the SSV is in ssv. */
static const char *gateway_check_d1(ibc_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m, unsigned dev,
                                    const ibc_d1_t *d1, uint8_t ssv[SAKKE_SSV_BYTES])
{
    ibc_gateway_t *g = &s->gw;
    int64_t p = ibc_period(s, sg17_now(ctx));
    sg17_time_t now = sg17_now(ctx);
    /* 8.2: only domains the gateway is configured to trust */
    if (d1->kms >= s->n_kms || (d1->kms != 0 && !s->cfg.cross_domain_trust))
        return "untrusted_domain";
    if (!g->params[d1->kms].valid || g->params[d1->kms].period != p || !g->recv)
        return "unavailable";
    /* 8.3, 9.3, C.5: the identity must be the claimed device's, of the current period */
    if (s->cfg.identity_period_check) {
        uint8_t want[IBC_MAX_ID];
        size_t n = ibc_identity(s, p, "device", dev, want);
        if (d1->kms != s->dev[dev].kms)
            return "identity";
        if (d1->id_len != n || memcmp(d1->id, want, n) != 0) {
            /* same URI, other period label: a stale (possibly revoked) identity */
            bool same_uri = d1->id_len == n && memcmp(d1->id + 8, want + 8, n - 8) == 0;
            return same_uri ? "stale_identity" : "identity";
        }
        /* IDRr: the message is for this gateway's identity of this period */
        n = ibc_identity(s, p, "gateway", 0, want);
        if (d1->responder_len != n || memcmp(d1->responder, want, n) != 0)
            return "identity";
    }
    /* RFC 6507 §5.2.2 against the domain's KPAK */
    if (s->cfg.d1_signed && s->cfg.signature_verification
        && eccsi_verify(g->params[d1->kms].kpak, d1->id, d1->id_len, m->payload, d1->signed_len,
                        d1->sig, ECCSI_SIG_BYTES)
               != 0)
        return "signature";
    /* freshness: timestamp window, nonce cache, or the outstanding challenge */
    if (s->cfg.replay_cache) {
        static const uint8_t zero[IBC_NONCE_BYTES] = {0};
        ibc_session_t *ss = &g->sessions[dev];
        if (memcmp(d1->challenge, zero, IBC_NONCE_BYTES) != 0) {
            if (!ss->challenged || memcmp(d1->challenge, ss->challenge, IBC_NONCE_BYTES) != 0)
                return "replay";
        } else if (d1->ts + s->cfg.freshness_window < now || d1->ts > now + s->cfg.freshness_window
                   || (g->has_floor && d1->ts <= g->ts_floor)) {
            return "replay";
        }
        if (nonce_seen(g, d1->nonce))
            return "replay";
    }
    /* point_validation: R must be a point of order q before it is paired with the RSK */
    if (s->cfg.point_validation && sakke_public_point_check(d1->sed, SAKKE_POINT_BYTES) != 0)
        return "invalid_point";
    /* RFC 6508 §6.2.2 (sakke_validation: the recomputation of R) */
    if (sakke_receiver_decapsulate_ex(g->recv, d1->sed, SAKKE_SED_BYTES, ssv,
                                      s->cfg.sakke_validation ? 0 : SAKKE_DECAP_NO_R_CHECK)
        != 0)
        return "sakke";
    return NULL;
}

static void gateway_on_d1(ibc_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    ibc_gateway_t *g = &s->gw;
    ibc_d1_t d1;
    const ibc_device_t *claimed = ibc_device_of(s, ctx, m->claimed_src);
    if (!claimed || ibc_d1_decode(m->payload, m->len, s->ntp_epoch, s->cfg.d1_signed, &d1) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    unsigned dev = claimed->index;
    uint8_t ssv[SAKKE_SSV_BYTES];
    const char *why = gateway_check_d1(s, ctx, m, dev, &d1, ssv);
    if (why) {
        sg17_reject(ctx, m, why);
        sg17_metric_add(ctx, "gateway.d1_rejected", 1);
        OPENSSL_cleanse(ssv, sizeof ssv);
        return;
    }
    ibc_session_t *ss = &g->sessions[dev];
    if (ibc_session_key(ssv, d1.id, d1.id_len, d1.nonce, ss->skey) != 0) {
        sg17_reject(ctx, m, "sakke");
        OPENSSL_cleanse(ssv, sizeof ssv);
        return;
    }
    OPENSSL_cleanse(ssv, sizeof ssv);
    sg17_accept(ctx, m);
    nonce_remember(s, sg17_now(ctx), d1.nonce, d1.ts);
    ss->active = true;
    ss->period = ibc_period(s, sg17_now(ctx));
    ss->last_seq = 0;
    ss->challenged = false;
    char name[64];
    snprintf(name, sizeof name, "gateway.sessions.%s", sg17_entity_name(ctx, m->claimed_src));
    sg17_metric_add(ctx, "gateway.sessions", 1);
    sg17_metric_add(ctx, name, 1);
}

static void gateway_on_app(ibc_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    const ibc_device_t *claimed = ibc_device_of(s, ctx, m->claimed_src);
    if (!claimed || m->len != IBC_APP_BYTES) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    unsigned dev = claimed->index;
    ibc_session_t *ss = &s->gw.sessions[dev];
    uint64_t seq;
    if (!ss->active || ss->period != ibc_period(s, sg17_now(ctx))) {
        sg17_reject(ctx, m, "no_session");
        gateway_challenge(s, ctx, dev);
        return;
    }
    if (ibc_app_open(ss->skey, m->payload, m->len, &seq) != 0) {
        sg17_reject(ctx, m, "app_auth");
        gateway_challenge(s, ctx, dev);
        return;
    }
    if (seq <= ss->last_seq) {
        sg17_reject(ctx, m, "replay");
        return;
    }
    ss->last_seq = seq;
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "gateway.app_data", 1);
}

void ibc_gateway_on_message(ibc_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    ibc_gateway_t *g = &s->gw;
    if (strcmp(m->type, "ibc.d1_auth") == 0) {
        gateway_on_d1(s, ctx, m);
    } else if (strcmp(m->type, "ibc.app_data") == 0) {
        gateway_on_app(s, ctx, m);
    } else if (strcmp(m->type, "ibc.params") == 0) {
        bool trusted[IBC_MAX_KMS] = {true, s->cfg.cross_domain_trust};
        int64_t p = ibc_period(s, sg17_now(ctx));
        if (ibc_accept_params(s, ctx, m, g->params, trusted) && g->asked_period != p
            && g->params[0].valid && g->params[0].period == p) {
            uint8_t iv[12], req[IBC_KEY_REQUEST_BYTES];
            sg17_rand_bytes(ctx, iv, sizeof iv);
            if (ibc_key_request_encode(g->tkey, 0xffff, p, iv, req) == 0) {
                sg17_send(ctx, g->e, s->kms[0].e, "ibc.key_request", req, sizeof req);
                g->asked_period = p;
            }
        }
    } else if (strcmp(m->type, "ibc.key_delivery") == 0) {
        gateway_on_keys(s, ctx, m);
    } else {
        sg17_reject(ctx, m, "malformed");
    }
}
