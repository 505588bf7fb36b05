/* sys.h — the linux backend's plumbing (sys.c): commands and sockets inside a namespace, the
 * guardian. Private to linux/. */
#ifndef NAAS_LX_SYS_H
#define NAAS_LX_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Runs argv inside netns ns (NULL: the current one) with input on its stdin; its stdout and
 * stderr into out (cap octets, NUL-terminated) when out. 0 when it exits 0. */
int lx_run(const char *ns, char *const argv[], const char *input, char *out, size_t cap);
/* In each of the n_ns namespaces, writes values[i] to /proc/sys path paths[i] (NULL-terminated);
 * one forked child for them all. 0 when every write succeeded. */
int lx_sysctls(const char *const *ns, size_t n_ns, const char *const *paths,
               const char *const *values);
/* A socket to open inside netns `ns`: an AF_PACKET socket bound to ifname (set up when `up`),
 * non-blocking; or, ifname empty, a NETLINK_NETFILTER socket with a 1 s receive timeout. */
typedef struct {
    char ns[32], ifname[24];
    bool up;
} lx_sock_req_t;
/* One forked child enters each namespace in turn and opens the sockets; fds[i] (-1 for one that
 * failed). 0 when all opened. */
int lx_sockets(const lx_sock_req_t *req, size_t n, int *fds);
/* One AF_PACKET socket, as lx_sockets opens it; -1 on failure. */
int lx_packet_socket(const char *ns, const char *ifname, bool up);
/* Forks the guardian: when *keep_fd (the write end it waits on) closes, at the end or because
 * this process died, it removes the run's namespaces. Its pid, or -1. */
pid_t lx_guardian(const char *run_id, int *keep_fd);

/* The owner record of a run (its pid, under /run/sg17tb-naas/<run id>), written at the start and
 * dropped at the end; lx_sweep_orphans removes the namespaces of every recorded run whose owner is
 * dead (a run whose guardian was killed too) and returns how many. */
int lx_owner_record(const char *run_id);
void lx_owner_drop(const char *run_id);
int lx_sweep_orphans(void);

#endif
