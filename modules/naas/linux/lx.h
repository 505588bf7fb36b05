/* lx.h — the linux data-plane backend (`config: {backend: linux}`): real network namespaces, veth
 * pairs, one bridge per tenant network in each "host" namespace, VXLAN (dstport 4789) between the
 * hosts over an underlay namespace, and the guards and security groups as nftables bridge-family
 * rules with a named counter on every drop rule.
 *
 * The control plane (controller, tenants, audit) stays on the bus; a vswitch entity hands each
 * frame of its ports to the kernel instead of forwarding it itself, and what the receiving
 * endpoints' packet sockets actually got back from the kernel becomes their naas.delivery: the
 * table's observed column is what arrived, never what the rules say.
 *
 * Names: every namespace and interface carries the run's id (sg17_run_id): netns n<id>u (the
 * underlay), n<id>h<H> (host H), n<id>e<I> (endpoint I); interfaces n<id><kind><N> (15 octets at
 * most). They are removed by that id when the instance is freed and, after a crash, by a guardian
 * process that outlives the run. */
#ifndef NAAS_LX_H
#define NAAS_LX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sg17tb/module.h>

typedef struct naas_lx naas_lx_t;

#define NAAS_LX_UNAVAILABLE                                                                 \
    "backend unavailable: needs CAP_NET_ADMIN + CAP_SYS_ADMIN; run as root or use the sim " \
    "backend"

/* 0 when this process may build the data plane; -1 (why filled) when not. */
int naas_lx_available(char *why, size_t cap);

/* Removes every namespace whose name starts with n<run_id> (the run's objects); the count. */
int naas_lx_sweep(const char *run_id);

/* nl.c: the nf_tables counter objects of a namespace over netlink. */
typedef struct {
    char name[32];
    uint64_t packets;
} naas_lx_counter_t;
/* The NFT_MSG_GETOBJ dump request; its length, 0 when cap is too small. */
size_t naas_lx_nl_request(uint8_t *out, size_t cap, uint32_t seq);
/* Decodes one read of the reply: appends each counter object to out (at *n, up to cap), sets
 * *done at NLMSG_DONE. The count added, or -1 on a malformed or error message. */
long naas_lx_nl_counters(const uint8_t *buf, size_t len, naas_lx_counter_t *out, size_t cap,
                         size_t *n, bool *done);

#endif
