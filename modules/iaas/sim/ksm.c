/* ksm.c — KSM driven for a run, and the write-timing side channel across two guests (ksm.h).
 * Facts: the kernel's Documentation/admin-guide/mm/ksm.rst (the sysfs knobs, MADV_MERGEABLE,
 * full_scans) and the copy-on-write fault a write to a merged page takes. */
#include "sim/ksm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/runid.h"

#define PAGE 4096u

/* The knobs a run changes, and the values it drives them to. smart_scan is optional (older
 * kernels lack it). */
static const char *const KNOBS[] = {"run", "pages_to_scan", "sleep_millisecs", "smart_scan"};
static const long DRIVEN[] = {1, 20000, 1, 0};
#define N_KNOBS 4

struct ksm_guard {
    char sysdir[256], dir[256], path[512];
    long saved[N_KNOBS]; /* -1: the knob does not exist */
    int guardian;        /* the write end of the guardian's pipe, or -1 */
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static long knob_read(const char *sysdir, const char *name)
{
    char p[320], t[64];
    snprintf(p, sizeof p, "%s/%s", sysdir, name);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, t, sizeof t - 1);
    close(fd);
    if (n <= 0)
        return -1;
    t[n] = 0;
    char *end = NULL;
    long v = strtol(t, &end, 10);
    return end != t && v >= 0 ? v : -1;
}

static int knob_write(const char *sysdir, const char *name, long v)
{
    char p[320], t[32];
    snprintf(p, sizeof p, "%s/%s", sysdir, name);
    int fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int n = snprintf(t, sizeof t, "%ld\n", v);
    ssize_t w = write(fd, t, (size_t)n);
    close(fd);
    return w == n ? 0 : -1;
}

static void knobs_restore(const char *sysdir, const long saved[N_KNOBS])
{
    for (int i = N_KNOBS - 1; i >= 0; i--) /* run last... first: stop scanning before slowing */
        if (saved[i] >= 0)
            knob_write(sysdir, KNOBS[i], saved[i]);
}

/* A guard's text: the saved value of each knob, "-1" for a missing one. */
static int guard_read(const char *path, long saved[N_KNOBS])
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int ok = 1;
    for (int i = 0; i < N_KNOBS && ok; i++)
        ok = fscanf(f, "%ld", &saved[i]) == 1 && saved[i] >= -1;
    fclose(f);
    return ok ? 0 : -1;
}

static int guard_write(const char *path, const long saved[N_KNOBS])
{
    FILE *f = fopen(path, "we");
    if (!f)
        return -1;
    for (int i = 0; i < N_KNOBS; i++)
        fprintf(f, "%ld\n", saved[i]);
    return fclose(f) == 0 ? 0 : -1;
}

/* Under the lock: removes dead owners' guards (their settings kept in dead_saved when found) and
 * finds a live one other than skip (its settings in live_saved). Returns the number removed;
 * *live: whether a live guard remains. */
static unsigned scan_guards(const char *dir, const char *skip, long dead_saved[N_KNOBS], bool *dead,
                            long live_saved[N_KNOBS], bool *live)
{
    *dead = *live = false;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    unsigned removed = 0;
    char path[512], run[9];
    for (const struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        long pid = 0;
        if (n < 4 || strcmp(e->d_name + n - 4, "-ksm") != 0
            || iaas_object_owner(e->d_name, run, &pid) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (skip && strcmp(path, skip) == 0)
            continue;
        long v[N_KNOBS];
        if (iaas_process_alive(pid)) {
            if (!*live && guard_read(path, v) == 0) {
                memcpy(live_saved, v, sizeof v);
                *live = true;
            }
            continue;
        }
        if (!*dead && guard_read(path, v) == 0) {
            memcpy(dead_saved, v, sizeof v);
            *dead = true;
        }
        if (unlink(path) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

static int lock_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void unlock_dir(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}

/* Under the lock: the sweep; when a dead guard was found and no live one remains, its saved
 * settings go back. */
static unsigned sweep_locked(const char *sysdir, const char *dir, long live_saved[N_KNOBS],
                             bool *live)
{
    long dead_saved[N_KNOBS];
    bool dead = false;
    unsigned n = scan_guards(dir, NULL, dead_saved, &dead, live_saved, live);
    if (dead && !*live)
        knobs_restore(sysdir, dead_saved);
    return n;
}

unsigned ksm_sweep(const char *sysdir, const char *dir)
{
    int fd = lock_dir(dir);
    if (fd < 0)
        return 0;
    long live_saved[N_KNOBS];
    bool live = false;
    unsigned n = sweep_locked(sysdir, dir, live_saved, &live);
    unlock_dir(fd);
    return n;
}

static void start_guardian(ksm_guard_t *g);
static void release_guard(const ksm_guard_t *g);

ksm_guard_t *ksm_drive(const char *sysdir, const char *dir, const char *run_id, const char **why)
{
    *why = KSM_UNAVAILABLE;
    char probe[320];
    snprintf(probe, sizeof probe, "%s/run", sysdir);
    if (access(probe, W_OK) != 0 || knob_read(sysdir, "full_scans") < 0)
        return NULL;
    ksm_guard_t *g = calloc(1, sizeof *g);
    if (!g) {
        *why = "out of memory";
        return NULL;
    }
    snprintf(g->sysdir, sizeof g->sysdir, "%s", sysdir);
    snprintf(g->dir, sizeof g->dir, "%s", dir);
    char name[128];
    if (iaas_object_name(name, sizeof name, run_id, "ksm") != 0) {
        free(g);
        *why = "cannot name the KSM guard file";
        return NULL;
    }
    snprintf(g->path, sizeof g->path, "%s/%s", dir, name);
    g->guardian = -1;
    mkdir(dir, 0700);
    int fd = lock_dir(dir);
    if (fd < 0) {
        free(g);
        *why = "cannot lock the temporary directory for the KSM guard file";
        return NULL;
    }
    bool live = false;
    sweep_locked(sysdir, dir, g->saved, &live);
    if (!live) /* the first run of the machine's: KSM as it is now */
        for (int i = 0; i < N_KNOBS; i++)
            g->saved[i] = knob_read(sysdir, KNOBS[i]);
    int rc = guard_write(g->path, g->saved);
    for (int i = 0; rc == 0 && i < N_KNOBS; i++)
        if (g->saved[i] >= 0 && knob_write(sysdir, KNOBS[i], DRIVEN[i]) != 0)
            rc = -1;
    unlock_dir(fd);
    if (rc != 0) {
        ksm_release(g);
        return NULL;
    }
    start_guardian(g);
    return g;
}

/* Removes the guard and, when no other live run drives KSM, gives the settings back. */
static void release_guard(const ksm_guard_t *g)
{
    int fd = lock_dir(g->dir);
    long live_saved[N_KNOBS], dead_saved[N_KNOBS];
    bool live = false, dead = false;
    scan_guards(g->dir, g->path, dead_saved, &dead, live_saved, &live);
    if (!live) /* the settings first: a crash in between leaves the guard for the guardian */
        knobs_restore(g->sysdir, g->saved);
    unlink(g->path);
    unlock_dir(fd);
}

/* The guardian: a grandchild in a session of its own (a signal to the run's process group does
 * not reach it), reparented at once; it waits for the end of the pipe, which comes when the run
 * releases the guard or dies, then releases a guard still there. */
static void start_guardian(ksm_guard_t *g)
{
    int p[2];
    g->guardian = -1;
    if (pipe(p) != 0)
        return;
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    pid_t c = fork();
    if (c == 0) {
        if (fork() != 0)
            _exit(0);
        setsid();
        /* nothing of the run's but the pipe's read end: its pipes and sockets must see their end */
        for (int fd = 0; fd < 1024; fd++)
            if (fd != p[0])
                close(fd);
        char b;
        for (ssize_t r = 1; r > 0 || (r < 0 && errno == EINTR);)
            r = read(p[0], &b, 1);
        if (access(g->path, F_OK) == 0)
            release_guard(g);
        _exit(0);
    }
    close(p[0]);
    if (c > 0) {
        waitpid(c, NULL, 0);
        g->guardian = p[1];
    } else {
        close(p[1]);
    }
}

void ksm_release(ksm_guard_t *g)
{
    if (!g)
        return;
    release_guard(g);
    if (g->guardian >= 0)
        close(g->guardian); /* the guardian finds no guard and ends */
    free(g);
}

/* ---- the side channel ---- */

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void ksm_fill(uint8_t *page, uint64_t salt, unsigned c)
{
    uint64_t x = mix64(salt ^ ((uint64_t)c << 32));
    for (unsigned i = 0; i < PAGE; i += 8) {
        x = mix64(x);
        memcpy(page + i, &x, 8);
    }
}

typedef struct {
    int votes[KSM_CANDIDATES_MAX];
    double slow[KSM_TRIALS_MAX], fresh[KSM_TRIALS_MAX], wait[KSM_TRIALS_MAX];
    unsigned rounds;
    int failed;
} ksm_shared_t;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Waits until KSM has finished two full scans after this call, at most wait_max seconds. */
static double wait_scans(const char *sysdir, double wait_max)
{
    long f0 = knob_read(sysdir, "full_scans");
    double t0 = now_s();
    while (now_s() - t0 < wait_max && knob_read(sysdir, "full_scans") < f0 + 2)
        pause_ms(1);
    return now_s() - t0;
}

/* One round of the attacker: a page per candidate at a slot of its own (a fresh random
 * permutation, so that whatever makes a slot slow has nothing to do with a candidate), KSM's
 * scans, then one write to each page timed. */
static int attacker_round(const char *sysdir, const ksm_probe_t *p, ksm_shared_t *sh, uint64_t *rng)
{
    unsigned n = p->candidates, slot_of[KSM_CANDIDATES_MAX], cand_at[KSM_CANDIDATES_MAX] = {0};
    for (unsigned i = 0; i < n; i++)
        slot_of[i] = i;
    for (unsigned i = n - 1; i > 0; i--) {
        *rng = mix64(*rng);
        unsigned j = (unsigned)(*rng % (i + 1)), t = slot_of[i];
        slot_of[i] = slot_of[j];
        slot_of[j] = t;
    }
    for (unsigned c = 0; c < n; c++)
        cand_at[slot_of[c]] = c;
    uint8_t *a =
        mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED)
        return -1;
    for (unsigned c = 0; c < n; c++)
        ksm_fill(a + (size_t)slot_of[c] * PAGE, p->salt, c);
    if (p->share)
        madvise(a, (size_t)n * PAGE, MADV_MERGEABLE);
    double waited = wait_scans(sysdir, p->wait_max);
    double t[KSM_CANDIDATES_MAX], best = -1;
    unsigned best_slot = 0;
    for (unsigned s = 0; s < n; s++) {
        volatile uint8_t *q = a + (size_t)s * PAGE + 64;
        double t0 = now_s();
        *q = (uint8_t)(*q ^ 0x5a);
        t[s] = now_s() - t0;
        if (t[s] > best) {
            best = t[s];
            best_slot = s;
        }
    }
    munmap(a, (size_t)n * PAGE);
    unsigned r = sh->rounds++;
    sh->votes[cand_at[best_slot]]++;
    sh->slow[r] = best * 1e9;
    sh->fresh[r] = median(t, n) * 1e9;
    sh->wait[r] = waited;
    return 0;
}

/* Forks a process that dies with its parent; 0 in the child. */
static pid_t fork_guest(void)
{
    pid_t parent = getpid(), c = fork();
    if (c == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
    }
    return c;
}

int ksm_probe(const char *sysdir, const ksm_probe_t *p, ksm_result_t *out)
{
    memset(out, 0, sizeof *out);
    out->guess = -1;
    if (p->candidates < 2 || p->candidates > KSM_CANDIDATES_MAX || p->trials < 1
        || p->trials > KSM_TRIALS_MAX || p->secret >= p->candidates)
        return -1;
    ksm_shared_t *sh =
        mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return -1;
    memset(sh, 0, sizeof *sh);
    int ready[2];
    if (pipe(ready) != 0) {
        munmap(sh, sizeof *sh);
        return -1;
    }
    /* the victim's guest: one page of its secret, offered to KSM when memory is shared */
    pid_t victim = fork_guest();
    if (victim == 0) {
        close(ready[0]);
        uint8_t *v = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (v == MAP_FAILED)
            _exit(1);
        ksm_fill(v, p->salt, p->secret);
        if (p->share)
            madvise(v, PAGE, MADV_MERGEABLE);
        if (write(ready[1], "r", 1) != 1)
            _exit(1);
        for (;;) /* holds its page until the probe kills it */
            pause();
    }
    close(ready[1]);
    char b = 0;
    ssize_t r = victim > 0 ? read(ready[0], &b, 1) : -1;
    close(ready[0]);
    int rc = -1;
    if (r == 1) {
        /* the attacker's guest: a process of its own, another tenant's */
        pid_t attacker = fork_guest();
        if (attacker == 0) {
            uint64_t rng = mix64(p->salt ^ 0xa77ac4e2ull);
            for (unsigned i = 0; i < p->trials; i++)
                if (attacker_round(sysdir, p, sh, &rng) != 0)
                    sh->failed = 1;
            _exit(0);
        }
        int st = 0;
        if (attacker > 0 && waitpid(attacker, &st, 0) == attacker && WIFEXITED(st) && !sh->failed)
            rc = 0;
    }
    if (victim > 0) {
        kill(victim, SIGKILL);
        waitpid(victim, NULL, 0);
    }
    if (rc == 0) {
        unsigned top = 0;
        for (unsigned c = 1; c < p->candidates; c++)
            if (sh->votes[c] > sh->votes[top])
                top = c;
        out->guess = (unsigned)sh->votes[top] * 2 > sh->rounds ? (int)top : -1;
        out->trials_right = (unsigned)sh->votes[p->secret];
        out->slow_ns = median(sh->slow, sh->rounds);
        out->fresh_ns = median(sh->fresh, sh->rounds);
        out->merge_s = median(sh->wait, sh->rounds);
    }
    munmap(sh, sizeof *sh);
    return rc;
}
