/* nl.c — the nf_tables counter objects of a namespace, read over netlink (NFT_MSG_GETOBJ dump):
 * the request, and a bounded decoder of the reply that never trusts a length it has not checked.
 * Pure: no context, no socket (dataplane.c owns the netlink socket of each host namespace). */
#include <string.h>

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include "linux/lx.h"

#define ALIGN4(x) (((x) + 3u) & ~(size_t)3u)

size_t naas_lx_nl_request(uint8_t *out, size_t cap, uint32_t seq)
{
    size_t len = NLMSG_HDRLEN + sizeof(struct nfgenmsg);
    if (cap < len)
        return 0;
    memset(out, 0, len);
    struct nlmsghdr h = {.nlmsg_len = (uint32_t)len,
                         .nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETOBJ,
                         .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                         .nlmsg_seq = seq};
    struct nfgenmsg g = {.nfgen_family = 0 /* every family */, .version = NFNETLINK_V0};
    memcpy(out, &h, sizeof h);
    memcpy(out + NLMSG_HDRLEN, &g, sizeof g);
    return len;
}

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* Attribute type and payload at p (within end); the next attribute's offset, 0 when malformed. */
static size_t attr(const uint8_t *p, size_t left, uint16_t *type, const uint8_t **val,
                   size_t *val_len)
{
    struct nlattr a;
    if (left < sizeof a)
        return 0;
    memcpy(&a, p, sizeof a);
    if (a.nla_len < sizeof a || a.nla_len > left)
        return 0;
    *type = a.nla_type & NLA_TYPE_MASK;
    *val = p + sizeof a;
    *val_len = a.nla_len - sizeof a;
    size_t next = ALIGN4(a.nla_len);
    return next > left ? left : next;
}

/* One NFT_MSG_NEWOBJ payload (after the nfgenmsg): a counter's name and packets, 0; else -1. */
static int one_object(const uint8_t *p, size_t len, naas_lx_counter_t *out)
{
    bool counter = false, have_name = false, have_packets = false;
    while (len > 0) {
        uint16_t type;
        const uint8_t *v;
        size_t vl, step = attr(p, len, &type, &v, &vl);
        if (!step)
            return -1;
        if (type == NFTA_OBJ_NAME && vl > 0 && vl <= sizeof out->name) {
            size_t n = strnlen((const char *)v, vl);
            if (n == 0 || n >= sizeof out->name)
                return -1;
            memcpy(out->name, v, n);
            out->name[n] = 0;
            have_name = true;
        } else if (type == NFTA_OBJ_TYPE && vl == 4) {
            counter = v[0] == 0 && v[1] == 0 && v[2] == 0 && v[3] == NFT_OBJECT_COUNTER;
        } else if (type == NFTA_OBJ_DATA) {
            for (size_t k = 0; k < vl;) {
                uint16_t t2;
                const uint8_t *v2;
                size_t l2, s2 = attr(v + k, vl - k, &t2, &v2, &l2);
                if (!s2)
                    return -1;
                if (t2 == NFTA_COUNTER_PACKETS && l2 == 8) {
                    out->packets = be64(v2);
                    have_packets = true;
                }
                k += s2;
            }
        }
        p += step;
        len -= step;
    }
    return counter && have_name && have_packets ? 0 : -1;
}

long naas_lx_nl_counters(const uint8_t *buf, size_t len, naas_lx_counter_t *out, size_t cap,
                         size_t *n, bool *done)
{
    long k = 0;
    while (len >= NLMSG_HDRLEN) {
        struct nlmsghdr h;
        memcpy(&h, buf, sizeof h);
        if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len)
            return -1;
        if (h.nlmsg_type == NLMSG_DONE) {
            *done = true;
            return k;
        }
        if (h.nlmsg_type == NLMSG_ERROR)
            return -1;
        size_t body = h.nlmsg_len - NLMSG_HDRLEN;
        if (h.nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWOBJ)
            && body >= sizeof(struct nfgenmsg) && *n < cap) {
            naas_lx_counter_t c = {{0}, 0};
            if (one_object(buf + NLMSG_HDRLEN + sizeof(struct nfgenmsg),
                           body - sizeof(struct nfgenmsg), &c)
                == 0) {
                out[(*n)++] = c;
                k++;
            }
        }
        size_t step = NLMSG_ALIGN(h.nlmsg_len);
        if (step >= len)
            break;
        buf += step;
        len -= step;
    }
    return k;
}
