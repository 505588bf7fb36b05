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

/* Text of `nft list counters` -> the value of counter `name`, or -1 when absent. */
long long naas_lx_parse_counter(const char *text, const char *name);

#endif
