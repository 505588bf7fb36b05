/* trace.c — the packet trace of a run (trace.h): delivered envelopes kept in memory, written as
 * pcapng at the end of the run with the ledger's ground truth per packet. */
#include "engine/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/pcapng.h"

typedef struct {
    sg17_time_t at;
    uint64_t id;
    sg17_entity_t src, dst; /* claimed source and receiver, as the envelope says */
    sg17_time_t sent_at;
    char *type;
    uint8_t *payload;
    size_t len;
} packet_t;

struct sg17_trace {
    packet_t *p;
    size_t n, cap;
};

sg17_trace_t *sg17_trace_new(void)
{
    return calloc(1, sizeof(sg17_trace_t));
}

void sg17_trace_destroy(sg17_trace_t **self_p)
{
    sg17_trace_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    for (size_t i = 0; i < self->n; i++) {
        free(self->p[i].type);
        free(self->p[i].payload);
    }
    free(self->p);
    free(self);
    *self_p = NULL;
}

int sg17_trace_delivered(sg17_trace_t *self, sg17_time_t at, const Sg17__Envelope *env)
{
    if (self->n == self->cap) {
        size_t cap = self->cap ? 2 * self->cap : 256;
        packet_t *p = realloc(self->p, cap * sizeof *p);
        if (!p)
            return -1;
        self->p = p;
        self->cap = cap;
    }
    packet_t *k = &self->p[self->n];
    *k = (packet_t){.at = at,
                    .id = env->id,
                    .src = env->src,
                    .dst = env->dst,
                    .sent_at = env->sent_at,
                    .len = env->payload.len};
    k->type = strdup(env->type ? env->type : "");
    k->payload = malloc(env->payload.len ? env->payload.len : 1);
    if (!k->type || !k->payload) {
        free(k->type);
        free(k->payload);
        return -1;
    }
    if (env->payload.len)
        memcpy(k->payload, env->payload.data, env->payload.len);
    self->n++;
    return 0;
}

size_t sg17_trace_count(const sg17_trace_t *self)
{
    return self ? self->n : 0;
}

void sg17_trace_file_name(const char *scenario_id, const char *run, char *buf, size_t size)
{
    snprintf(buf, size, "%s.%s.pcapng", scenario_id, run);
    for (char *c = buf; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
              || *c == '.' || *c == '-' || *c == '_'))
            *c = '_';
}

static const char *fate_name(sg17_fate_t f)
{
    static const char *const names[] = {"in_flight", "delivered", "dropped", "replaced"};
    return (unsigned)f < 4 ? names[f] : "?";
}

/* The comment of a packet: the ledger's ground truth, key=value pairs a reader can filter on
 * (`frame.comment contains "provenance=replayed"`). */
static void truth_comment(char *buf, size_t size, const packet_t *k, sg17_ledger_t *ledger,
                          const sg17_world_t *world)
{
    sg17_ledger_truth_t t;
    char claimed[48], truth[48], dst[48];
    if (sg17_ledger_truth(ledger, k->id, &t) < 0) {
        snprintf(buf, size, "sg17tb id=%llu (not in the ledger)", (unsigned long long)k->id);
        return;
    }
    const char *outcome = t.outcome == SG17_OUTCOME_ACCEPTED   ? "accepted"
                          : t.outcome == SG17_OUTCOME_REJECTED ? "rejected"
                                                               : "unreported";
    snprintf(buf, size,
             "sg17tb id=%llu provenance=%s fate=%s outcome=%s%s%s claimed_src=%s true_src=%s "
             "dst=%s type=%s sent_at_us=%llu",
             (unsigned long long)k->id,
             (unsigned)t.prov < SG17_PROV_COUNT ? sg17_prov_names[t.prov] : "?", fate_name(t.fate),
             outcome, t.reason ? " reason=" : "", t.reason ? t.reason : "",
             sg17_world_name(world, t.claimed_src, claimed, sizeof claimed),
             sg17_world_name(world, t.true_src, truth, sizeof truth),
             sg17_world_name(world, t.dst, dst, sizeof dst), t.type, (unsigned long long)t.sent_at);
}

/* An IPv4 address for an entity, so that Wireshark's Source and Destination columns tell the
 * entities apart: 10.<kind index + 1>.<index / 256>.<index % 256>, the adversary 10.255.255.254.
 * Only a label: nothing in the run has addresses. */
static void entity_ipv4(const sg17_world_t *world, sg17_entity_t e, uint8_t out[4])
{
    out[0] = 10;
    for (size_t k = 0; k < world->n_kinds; k++) {
        uint32_t first = world->first[k], n = world->kinds[k].count;
        if (e >= first && e - first < n) {
            uint32_t i = e - first;
            out[1] = (uint8_t)(k + 1);
            out[2] = (uint8_t)(i >> 8);
            out[3] = (uint8_t)i;
            return;
        }
    }
    out[1] = out[2] = 255;
    out[3] = 254;
}

/* The generic framing: an exported PDU (link type 252) handed to Wireshark's "data" dissector,
 * with the message type as the Protocol column and the entities' labels as IPv4 source and
 * destination (entity_ipv4). */
static size_t generic_frame(const packet_t *k, const sg17_world_t *world, uint8_t *buf, size_t cap)
{
    uint8_t src[4], dst[4];
    entity_ipv4(world, k->src, src);
    entity_ipv4(world, k->dst, dst);
    size_t len = 0;
    if (sg17_exp_pdu_tag(buf, cap, &len, SG17_EXP_PDU_PROTO, "data", 4) < 0
        || sg17_exp_pdu_tag(buf, cap, &len, SG17_EXP_PDU_COL_PROT, k->type, strlen(k->type)) < 0
        || sg17_exp_pdu_tag(buf, cap, &len, SG17_EXP_PDU_IPV4_SRC, src, 4) < 0
        || sg17_exp_pdu_tag(buf, cap, &len, SG17_EXP_PDU_IPV4_DST, dst, 4) < 0
        || sg17_exp_pdu_tag(buf, cap, &len, SG17_EXP_PDU_END, NULL, 0) < 0 || len + k->len > cap)
        return 0;
    memcpy(buf + len, k->payload, k->len);
    return len + k->len;
}

int sg17_trace_write(const sg17_trace_t *self, const char *path, sg17_ledger_t *ledger,
                     const sg17_world_t *world, const sg17_module_t *module, sg17_err_t *err)
{
    sg17_pcapng_t *w = sg17_pcapng_open(path, "sg17tb " SG17TB_VERSION, err);
    if (!w)
        return -1;
    size_t cap = 65536;
    uint8_t *buf = malloc(cap);
    int rc = buf ? 0 : sg17_err(err, "%s: out of memory", path);
    for (size_t i = 0; rc == 0 && i < self->n; i++) {
        const packet_t *k = &self->p[i];
        char src[48], dst[48], comment[768];
        sg17_world_name(world, k->src, src, sizeof src);
        sg17_world_name(world, k->dst, dst, sizeof dst);
        sg17_msg_t msg = {.id = k->id,
                          .dst = k->dst,
                          .claimed_src = k->src,
                          .type = k->type,
                          .payload = k->payload,
                          .len = k->len,
                          .sent_at = k->sent_at};
        uint32_t linktype = 0;
        size_t len = 0;
        if (module && module->trace_frame) {
            len = module->trace_frame(&msg, src, dst, buf, cap, &linktype);
            if (len > cap && len <= (64u << 20)) { /* the module asks for a bigger buffer */
                uint8_t *bigger = realloc(buf, len);
                if (!bigger) {
                    rc = sg17_err(err, "%s: out of memory", path);
                    break;
                }
                buf = bigger;
                cap = len;
                len = module->trace_frame(&msg, src, dst, buf, cap, &linktype);
            }
            if (len > cap || linktype > 0xFFFF)
                len = 0; /* a framing that does not fit: the generic one instead */
        }
        if (len == 0) {
            if (k->len + 1024 > cap) {
                uint8_t *bigger = realloc(buf, k->len + 1024);
                if (!bigger) {
                    rc = sg17_err(err, "%s: out of memory", path);
                    break;
                }
                buf = bigger;
                cap = k->len + 1024;
            }
            len = generic_frame(k, world, buf, cap);
            linktype = SG17_LINKTYPE_WIRESHARK_UPPER;
        }
        truth_comment(comment, sizeof comment, k, ledger, world);
        if (sg17_pcapng_packet(w, (uint16_t)linktype, k->at, buf, len, comment) < 0)
            rc = sg17_err(err, "%s: cannot write packet %zu", path, i + 1);
    }
    free(buf);
    sg17_err_t cerr = {{0}};
    if (sg17_pcapng_close(w, &cerr) < 0 && rc == 0)
        rc = sg17_err(err, "%s", cerr.msg);
    return rc;
}
