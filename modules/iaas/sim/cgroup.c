/* cgroup.c — cgroup v1 and v2 for the linux backend (cgroup.h). Facts: the kernel's
 * Documentation/admin-guide/cgroup-v2.rst (cpu.max, memory.max, memory.high, pids.max, the
 * no-internal-process rule, subtree_control) and cgroup-v1/{memory,pids}.rst and the CFS
 * bandwidth document (cpu.cfs_quota_us, cpu.cfs_period_us, memory.oom_control). */
#include "sim/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- reading mountinfo ---- */

/* The next space-separated field of line [*p, end), unescaping \NNN (proc(5)); its length, or
 * -1 at the end of the line or when it does not fit out. */
static int field(const char **p, const char *end, char *out, size_t cap)
{
    const char *s = *p;
    while (s < end && *s == ' ')
        s++;
    if (s >= end)
        return -1;
    size_t n = 0;
    while (s < end && *s != ' ') {
        char c = *s++;
        if (c == '\\' && end - s >= 3 && s[0] >= '0' && s[0] <= '3' && s[1] >= '0' && s[1] <= '7'
            && s[2] >= '0' && s[2] <= '7') {
            c = (char)((s[0] - '0') * 64 + (s[1] - '0') * 8 + (s[2] - '0'));
            s += 3;
        }
        if (n + 1 >= cap)
            return -1;
        out[n++] = c;
    }
    out[n] = 0;
    *p = s;
    return (int)n;
}

/* True when the comma- or space-separated list holds word as a whole item. */
static bool has_word(const char *list, const char *word)
{
    size_t k = strlen(word);
    for (const char *s = list; (s = strstr(s, word)) != NULL; s += k) {
        bool start = s == list || s[-1] == ',' || s[-1] == ' ' || s[-1] == '\n';
        char after = s[k];
        if (start && (after == 0 || after == ',' || after == ' ' || after == '\n'))
            return true;
    }
    return false;
}

static int read_text(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t n = 0;
    for (ssize_t r; n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0;)
        n += (size_t)r;
    close(fd);
    buf[n] = 0;
    return (int)n;
}

static void copy_path(char *dst, const char *a, const char *b)
{
    int n = snprintf(dst, CG_PATH_MAX, "%s%s", a, b);
    if (n < 0 || n >= CG_PATH_MAX)
        dst[0] = 0;
}

int cg_layout_parse(const char *mountinfo, size_t len, const char *root_prefix, cg_layout_t *out)
{
    memset(out, 0, sizeof *out);
    cg_layout_t v1 = {0};
    const char *p = mountinfo, *end = mountinfo + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        char f[CG_PATH_MAX], mnt[CG_PATH_MAX], type[64], opts[CG_PATH_MAX];
        const char *q = p;
        bool ok = true;
        for (int i = 0; ok && i < 5; i++) /* id, parent, dev, root, mount point */
            ok = field(&q, eol, i == 4 ? mnt : f, sizeof f) >= 0;
        while (ok && (ok = field(&q, eol, f, sizeof f) >= 0) && strcmp(f, "-") != 0)
            ; /* mount options and optional fields up to the separator */
        ok = ok && field(&q, eol, type, sizeof type) >= 0 && field(&q, eol, f, sizeof f) >= 0
             && field(&q, eol, opts, sizeof opts) >= 0;
        p = eol + 1;
        if (!ok)
            continue;
        if (strcmp(type, "cgroup2") == 0 && !out->version) {
            char path[CG_PATH_MAX + 32], ctl[512];
            snprintf(path, sizeof path, "%s%s/cgroup.controllers", root_prefix, mnt);
            if (read_text(path, ctl, sizeof ctl) > 0 && has_word(ctl, "cpu")
                && has_word(ctl, "memory") && has_word(ctl, "pids")) {
                char full[CG_PATH_MAX];
                copy_path(full, root_prefix, mnt);
                cg_layout_v2(out, full);
            }
        } else if (strcmp(type, "cgroup") == 0) {
            if (has_word(opts, "cpu") && !v1.cpu[0])
                copy_path(v1.cpu, root_prefix, mnt);
            if (has_word(opts, "memory") && !v1.memory[0])
                copy_path(v1.memory, root_prefix, mnt);
            if (has_word(opts, "pids") && !v1.pids[0])
                copy_path(v1.pids, root_prefix, mnt);
        }
    }
    if (out->version == 2)
        return 0;
    if (v1.cpu[0] && v1.memory[0] && v1.pids[0]) {
        *out = v1;
        out->version = 1;
        return 0;
    }
    return -1;
}

int cg_layout_detect(cg_layout_t *out)
{
    static char text[1 << 16];
    int n = read_text("/proc/self/mountinfo", text, sizeof text);
    if (n <= 0) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    return cg_layout_parse(text, (size_t)n, "", out);
}

static void layout_at(cg_layout_t *out, int version, const char *dir)
{
    memset(out, 0, sizeof *out);
    out->version = version;
    copy_path(out->cpu, dir, version == 2 ? "" : "/cpu");
    copy_path(out->memory, dir, version == 2 ? "" : "/memory");
    copy_path(out->pids, dir, version == 2 ? "" : "/pids");
}

void cg_layout_v2(cg_layout_t *out, const char *dir)
{
    layout_at(out, 2, dir);
}

void cg_layout_v1(cg_layout_t *out, const char *dir)
{
    layout_at(out, 1, dir);
}

/* ---- groups ---- */

/* The distinct hierarchies of the layout: three in v1, one in v2. */
static int hierarchies(const cg_layout_t *l, const char *h[3])
{
    h[0] = l->cpu;
    if (l->version == 2)
        return 1;
    h[1] = l->memory;
    h[2] = l->pids;
    return 3;
}

static int write_value(const char *hier, const char *rel, const char *file, const char *value)
{
    char path[CG_PATH_MAX * 2 + 64];
    int n = snprintf(path, sizeof path, "%s/%s/%s", hier, rel, file);
    if (n < 0 || (size_t)n >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* O_CREAT for a test's plain directory; cgroupfs files exist already */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    size_t len = strlen(value);
    ssize_t w = write(fd, value, len);
    int saved = errno;
    close(fd);
    errno = saved;
    return w == (ssize_t)len ? 0 : -1;
}

int cg_create(const cg_layout_t *l, const char *rel)
{
    const char *h[3];
    int n = hierarchies(l, h);
    for (int i = 0; i < n; i++) {
        char path[CG_PATH_MAX * 2];
        if (l->version == 2) { /* the parent hands the controllers down */
            char parent[CG_PATH_MAX];
            snprintf(parent, sizeof parent, "%s", rel);
            char *slash = strrchr(parent, '/');
            if (slash)
                *slash = 0;
            if (write_value(h[i], slash ? parent : ".", "cgroup.subtree_control",
                            "+cpu +memory +pids")
                != 0)
                return -1;
        }
        snprintf(path, sizeof path, "%s/%s", h[i], rel);
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

int cg_set_cpu(const cg_layout_t *l, const char *rel, uint64_t quota_us, uint64_t period_us)
{
    char q[32], v[64];
    if (l->version == 2) {
        if (quota_us)
            snprintf(v, sizeof v, "%llu %llu", (unsigned long long)quota_us,
                     (unsigned long long)period_us);
        else
            snprintf(v, sizeof v, "max %llu", (unsigned long long)period_us);
        return write_value(l->cpu, rel, "cpu.max", v);
    }
    snprintf(v, sizeof v, "%llu", (unsigned long long)period_us);
    if (quota_us)
        snprintf(q, sizeof q, "%llu", (unsigned long long)quota_us);
    else
        snprintf(q, sizeof q, "-1");
    return write_value(l->cpu, rel, "cpu.cfs_period_us", v) == 0
                   && write_value(l->cpu, rel, "cpu.cfs_quota_us", q) == 0
               ? 0
               : -1;
}

int cg_set_memory(const cg_layout_t *l, const char *rel, uint64_t bytes, int stall)
{
    char v[32];
    snprintf(v, sizeof v, "%llu", (unsigned long long)bytes);
    if (l->version == 2) {
        if (write_value(l->memory, rel, "memory.max", v) != 0)
            return -1;
        if (!stall)
            return 0;
        uint64_t high = bytes / 8 * 7;
        snprintf(v, sizeof v, "%llu", (unsigned long long)high);
        return write_value(l->memory, rel, "memory.high", v);
    }
    if (write_value(l->memory, rel, "memory.limit_in_bytes", v) != 0)
        return -1;
    return stall ? write_value(l->memory, rel, "memory.oom_control", "1") : 0;
}

int cg_set_pids(const cg_layout_t *l, const char *rel, uint64_t max)
{
    char v[32];
    snprintf(v, sizeof v, "%llu", (unsigned long long)max);
    return write_value(l->pids, rel, "pids.max", v);
}

int cg_attach(const cg_layout_t *l, const char *rel, pid_t pid)
{
    const char *h[3];
    int n = hierarchies(l, h);
    char v[32];
    snprintf(v, sizeof v, "%ld", (long)pid);
    for (int i = 0; i < n; i++)
        if (write_value(h[i], rel, "cgroup.procs", v) != 0)
            return -1;
    return 0;
}

long long cg_stat_value(const char *text, size_t len, const char *key)
{
    size_t k = strlen(key);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > k + 1 && memcmp(p, key, k) == 0 && p[k] == ' ') {
            long long v = 0;
            const char *d = p + k + 1;
            if (d >= eol || *d < '0' || *d > '9')
                return -1;
            for (; d < eol && *d >= '0' && *d <= '9'; d++) {
                if (v > (0x7fffffffffffffffLL - 9) / 10)
                    return -1;
                v = v * 10 + (*d - '0');
            }
            return d == eol ? v : -1;
        }
        p = eol + 1;
    }
    return -1;
}

static long long read_stat(const char *hier, const char *rel, const char *file, const char *key)
{
    char path[CG_PATH_MAX * 2 + 64], text[4096];
    snprintf(path, sizeof path, "%s/%s/%s", hier, rel, file);
    int n = read_text(path, text, sizeof text);
    if (n <= 0)
        return -1;
    if (!key) { /* a file holding one number */
        char *end = NULL;
        long long v = strtoll(text, &end, 10);
        return end != text ? v : -1;
    }
    return cg_stat_value(text, (size_t)n, key);
}

void cg_counters(const cg_layout_t *l, const char *rel, cg_counters_t *out)
{
    out->throttled = read_stat(l->cpu, rel, "cpu.stat", "nr_throttled");
    out->memory_hits = l->version == 2 ? read_stat(l->memory, rel, "memory.events", "max")
                                       : read_stat(l->memory, rel, "memory.failcnt", NULL);
    out->forks_refused = read_stat(l->pids, rel, "pids.events", "max");
}

/* Kills what cgroup.procs lists until it lists nothing (a fork bomb keeps forking while it is
 * being killed), at most about two seconds. */
static void kill_members(const char *dir)
{
    char path[CG_PATH_MAX * 2 + 32], text[1 << 14];
    snprintf(path, sizeof path, "%s/cgroup.procs", dir);
    for (int round = 0; round < 400; round++) {
        int n = read_text(path, text, sizeof text);
        if (n <= 0)
            return;
        for (char *p = text, *end = NULL; *p; p = end) {
            long pid = strtol(p, &end, 10);
            if (end == p)
                break;
            if (pid > 0)
                kill((pid_t)pid, SIGKILL);
        }
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int cg_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    char sub[CG_PATH_MAX * 2];
    for (const struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        cg_remove_dir(sub);
    }
    closedir(d);
    kill_members(dir);
    for (int i = 0; i < 100; i++) { /* a killed task leaves its group a moment later */
        if (rmdir(dir) == 0 || errno == ENOENT)
            return 0;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

int cg_remove(const cg_layout_t *l, const char *rel)
{
    const char *h[3];
    int n = hierarchies(l, h), rc = 0;
    for (int i = 0; i < n; i++) {
        char path[CG_PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", h[i], rel);
        if (cg_remove_dir(path) != 0)
            rc = -1;
    }
    return rc;
}
