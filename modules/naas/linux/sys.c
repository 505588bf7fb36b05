/* sys.c — the linux backend's system plumbing: the privilege check, commands (ip, bridge, nft)
 * run inside a namespace, sockets opened inside a namespace and handed back, the guardian that
 * removes a crashed run's namespaces, and the sweep by run id.
 *
 * setns(CLONE_NEWNET) moves only the calling thread, and the host process has threads: every
 * namespace change happens in a forked child (which has one thread), before it does anything
 * else. */
#define _GNU_SOURCE /* setns, pipe2 */ // NOLINT(bugprone-reserved-identifier)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <sys/time.h>

#include "linux/lx.h"
#include "linux/sys.h"

#define NETNS_DIR "/run/netns"
#define OWNER_DIR "/run/sg17tb-naas" /* <run id>: the pid of the process that owns the run */

int naas_lx_available(char *why, size_t cap)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {{0}};
    if (syscall(SYS_capget, &h, d) != 0 || !(d[0].effective & (1u << CAP_NET_ADMIN))
        || !(d[0].effective & (1u << CAP_SYS_ADMIN))) {
        snprintf(why, cap, "%s", NAAS_LX_UNAVAILABLE);
        return -1;
    }
    return 0;
}

/* In a forked child: enter namespace ns (NULL: stay). */
static int enter(const char *ns)
{
    if (!ns)
        return 0;
    char path[128];
    snprintf(path, sizeof path, NETNS_DIR "/%s", ns);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = setns(fd, CLONE_NEWNET);
    close(fd);
    return r;
}

int lx_run(const char *ns, char *const argv[], const char *input, char *out, size_t cap)
{
    int in[2], o[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0)
        return -1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, o) != 0) {
        close(in[0]), close(in[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        if (enter(ns) != 0)
            _exit(126);
        dup2(in[1], 0), dup2(o[1], 1), dup2(o[1], 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(in[1]), close(o[1]);
    if (pid < 0) {
        close(in[0]), close(o[0]);
        return -1;
    }
    for (size_t k = 0, len = input ? strlen(input) : 0; k < len;) {
        ssize_t w = send(in[0], input + k, len - k, MSG_NOSIGNAL);
        if (w <= 0 && errno != EINTR)
            break;
        k += w > 0 ? (size_t)w : 0;
    }
    close(in[0]);
    size_t got = 0;
    char sink[512];
    for (;;) {
        char *dst = out && got + 1 < cap ? out + got : sink;
        size_t room = out && got + 1 < cap ? cap - 1 - got : sizeof sink;
        ssize_t r = read(o[0], dst, room);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (dst != sink)
            got += (size_t)r;
    }
    if (out && cap)
        out[got] = 0;
    close(o[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int lx_sysctls(const char *const *ns, size_t n_ns, const char *const *paths,
               const char *const *values)
{
    pid_t pid = fork();
    if (pid == 0) { /* one child enters each namespace in turn */
        int bad = 0;
        for (size_t k = 0; k < n_ns && !bad; k++) {
            if (enter(ns[k]) != 0)
                _exit(1);
            for (size_t i = 0; paths[i]; i++) {
                int fd = open(paths[i], O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, values[i], strlen(values[i])) < 0)
                    bad = 1;
                if (fd >= 0)
                    close(fd);
            }
        }
        _exit(bad);
    }
    int st = 0;
    if (pid < 0)
        return -1;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Child side of lx_packet_socket: the socket, bound to ifname (brought up when asked). */
static int open_packet(const char *ifname, bool up)
{
    int s = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (s < 0)
        return -1;
    unsigned ix = if_nametoindex(ifname);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    if (ix == 0 || (up && ioctl(s, SIOCGIFFLAGS, &ifr) != 0))
        return -1;
    ifr.ifr_flags |= IFF_UP;
    if (up && ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
        return -1;
    struct sockaddr_ll a = {
        .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)ix};
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0)
        return -1;
    int big = 1 << 20;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    return s;
}

/* Child side of lx_netlink_socket. */
static int open_netlink(void)
{
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    struct sockaddr_nl a = {.nl_family = AF_NETLINK};
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0)
        return -1;
    struct timeval tv = {.tv_sec = 1};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
}

/* Child side: passes fd (or a failure, fd < 0) as one datagram. */
static void pass_fd(int sp, int fd)
{
    char byte = fd >= 0 ? 'k' : 'e';
    struct iovec iov = {&byte, 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        mh.msg_control = u.buf;
        mh.msg_controllen = sizeof u.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    while (sendmsg(sp, &mh, 0) < 0 && errno == EINTR) {
    }
}

/* Parent side: one datagram of pass_fd; the fd or -1. */
static int receive_fd(int sp)
{
    char byte = 0;
    struct iovec iov = {&byte, 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    ssize_t r;
    while ((r = recvmsg(sp, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
    }
    struct cmsghdr *c = r == 1 && byte == 'k' ? CMSG_FIRSTHDR(&mh) : NULL;
    int fd = -1;
    if (c && c->cmsg_type == SCM_RIGHTS)
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

int lx_sockets(const lx_sock_req_t *req, size_t n, int *fds)
{
    int sp[2];
    for (size_t i = 0; i < n; i++)
        fds[i] = -1;
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) { /* one child enters each namespace in turn */
        close(sp[0]);
        for (size_t i = 0; i < n; i++) {
            int s = enter(req[i].ns) != 0 ? -1
                    : req[i].ifname[0]    ? open_packet(req[i].ifname, req[i].up)
                                          : open_netlink();
            pass_fd(sp[1], s);
            if (s >= 0)
                close(s);
        }
        _exit(0);
    }
    close(sp[1]);
    int bad = pid < 0;
    for (size_t i = 0; !bad && i < n; i++)
        bad = (fds[i] = receive_fd(sp[0])) < 0;
    close(sp[0]);
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
    return bad ? -1 : 0;
}

int lx_packet_socket(const char *ns, const char *ifname, bool up)
{
    lx_sock_req_t r = {.up = up};
    snprintf(r.ns, sizeof r.ns, "%s", ns);
    snprintf(r.ifname, sizeof r.ifname, "%s", ifname);
    int fd = -1;
    return lx_sockets(&r, 1, &fd) == 0 ? fd : -1;
}

int naas_lx_sweep(const char *run_id)
{
    char prefix[16];
    snprintf(prefix, sizeof prefix, "n%.8s", run_id);
    size_t k = strlen(prefix);
    if (k != 9)
        return 0;
    DIR *d = opendir(NETNS_DIR);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, k) != 0)
            continue;
        char path[300];
        snprintf(path, sizeof path, NETNS_DIR "/%s", e->d_name);
        umount2(path, MNT_DETACH);
        if (unlink(path) == 0)
            n++;
    }
    closedir(d);
    return n;
}

pid_t lx_guardian(const char *run_id, int *keep_fd)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        /* its own session: a signal to the run's process group does not reach it */
        setsid();
        signal(SIGINT, SIG_IGN), signal(SIGTERM, SIG_IGN), signal(SIGHUP, SIG_IGN);
        for (int fd = 3; fd < 1024; fd++)
            if (fd != p[0])
                close(fd);
        char b;
        while (read(p[0], &b, 1) != 0 && errno == EINTR) {
        }
        naas_lx_sweep(run_id);
        lx_owner_drop(run_id);
        _exit(0);
    }
    close(p[0]);
    if (pid < 0) {
        close(p[1]);
        return -1;
    }
    *keep_fd = p[1];
    return pid;
}

int lx_owner_record(const char *run_id)
{
    char path[64], pid[24];
    if (mkdir(OWNER_DIR, 0700) != 0 && errno != EEXIST)
        return -1;
    snprintf(path, sizeof path, OWNER_DIR "/%.8s", run_id);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    int r = write(fd, pid, (size_t)n) == n ? 0 : -1;
    close(fd);
    return r;
}

void lx_owner_drop(const char *run_id)
{
    char path[64];
    snprintf(path, sizeof path, OWNER_DIR "/%.8s", run_id);
    unlink(path);
}

int lx_sweep_orphans(void)
{
    DIR *d = opendir(OWNER_DIR);
    if (!d)
        return 0;
    int swept = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strlen(e->d_name) != 8 || strspn(e->d_name, "0123456789abcdef") != 8)
            continue;
        char path[64], text[24] = {0};
        snprintf(path, sizeof path, OWNER_DIR "/%.8s", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t r = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
        if (fd >= 0)
            close(fd);
        long pid = r > 0 ? strtol(text, NULL, 10) : 0;
        if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue; /* its owner lives (or is not ours to signal): its run is not over */
        swept += naas_lx_sweep(e->d_name);
        unlink(path);
    }
    closedir(d);
    return swept;
}
