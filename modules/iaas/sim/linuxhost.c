/* linuxhost.c — the linux backend's groups and workers (linuxhost.h).
 *
 * Workers are forked from the run's own process: the child does nothing but system calls, plain
 * loops and, for a CPU or memory load, threads of its own (glibc makes them safe after a fork of
 * a threaded process); it allocates nothing else and takes no lock, dies with its parent
 * (PR_SET_PDEATHSIG), and waits on a pipe until the parent has moved it into its group, so that
 * none of its work is charged outside the group. */
#include "sim/linuxhost.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/iaas_sim.h"
#include "sim/runid.h"

#define UNIT_BYTES (256u << 10)
#define FORK_EVERY 16 /* a unit in this many forks the process its request needs */

typedef struct {
    _Atomic uint64_t units; /* the victim's work units done */
    _Atomic uint64_t unit_failures;
    _Atomic int bomb;         /* processes of the fork bomb */
    _Atomic int started;      /* threads of the noisy load running their loop */
    _Atomic uint64_t refused; /* forks the kernel refused the bomb */
    uint64_t hog_each;        /* octets each thread of the memory hog asks for */
} lx_shared_t;

struct iaas_linux {
    int load, want; /* the noisy load, and how many of its processes make it whole */
    cg_layout_t l;
    lx_config_t c;
    char node[128];                   /* the node's group */
    char victim_g[160], noisy_g[160]; /* the guests' groups below it */
    lx_shared_t *sh;
    pid_t victim, noisy; /* the workers' leaders (each leads its own process group) */
};

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- what the workers run (in the child: system calls and loops only) ---- */

/* One unit of the victim's work: map and write 256 KiB, mix it, unmap it; every FORK_EVERY-th unit
 * also forks the short-lived process its request needs. 0 when done. */
static int victim_unit(uint64_t n)
{
    uint8_t *b = mmap(NULL, UNIT_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED)
        return -1;
    uint32_t x = 2166136261u;
    for (size_t i = 0; i < UNIT_BYTES; i += 64) {
        b[i] = (uint8_t)(x >> 24);
        x = (x ^ b[(i * 7) % UNIT_BYTES]) * 16777619u;
    }
    munmap(b, UNIT_BYTES);
    if (x == 1) /* x is used: the loop is not optimised away */
        return -1;
    if (n % FORK_EVERY != 0)
        return 0;
    pid_t c = fork();
    if (c == 0)
        _exit(0);
    if (c < 0)
        return -1;
    int st = 0;
    while (waitpid(c, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void victim_main(lx_shared_t *sh)
{
    for (uint64_t n = 0;; n++) {
        if (victim_unit(n) == 0) {
            atomic_fetch_add(&sh->units, 1);
        } else { /* no memory or no process slot: wait and do the unit again */
            atomic_fetch_add(&sh->unit_failures, 1);
            pause_ms(1);
            n--;
        }
    }
}

static void *spin(void *arg)
{
    lx_shared_t *sh = arg;
    atomic_fetch_add(&sh->started, 1);
    volatile uint64_t n = 0;
    for (;;)
        n = n + 1;
    return NULL;
}

/* One of the memory hog's threads: maps and writes up to its share of the hog's octets page by
 * page, then holds them. At a limit that stalls, it waits in the page fault and takes every page
 * that comes free. */
static void *hog_memory(void *arg)
{
    lx_shared_t *sh = arg;
    atomic_fetch_add(&sh->started, 1);
    uint64_t want = sh->hog_each;
    for (uint64_t got = 0; got < want; got += 4u << 20) {
        uint8_t *b =
            mmap(NULL, 4u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (b == MAP_FAILED)
            break;
        for (size_t i = 0; i < (4u << 20); i += 4096) /* a stall at the limit waits here */
            b[i] = 1;
    }
    for (;;)
        pause();
    return NULL;
}

/* Every process of the bomb forks as long as the absolute ceiling allows, and retries every 5 ms
 * when the kernel refuses: it takes any slot of the process table that comes free. */
static unsigned noisy_cpu_threads(unsigned intensity)
{
    return intensity < 1 ? 1 : intensity > LX_CPU_HOGS_MAX ? LX_CPU_HOGS_MAX : intensity;
}

static void fork_bomb(lx_shared_t *sh)
{
    for (;;) {
        if (atomic_fetch_add(&sh->bomb, 1) >= LX_BOMB_MAX) {
            atomic_fetch_sub(&sh->bomb, 1);
            pause_ms(5);
            continue;
        }
        pid_t c = fork();
        if (c == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            continue;
        }
        if (c < 0) {
            atomic_fetch_sub(&sh->bomb, 1);
            atomic_fetch_add(&sh->refused, 1);
            pause_ms(5);
        }
    }
}

/* The noisy guest: `n` busy threads, a memory hog of LX_HOG_THREADS threads (threads start at
 * once, where forks of a large process take long on a loaded machine), or a fork bomb. */
static void noisy_main(lx_shared_t *sh, int load, unsigned intensity)
{
    if (load == LOAD_FORK) {
        atomic_fetch_add(&sh->bomb, 1);
        fork_bomb(sh);
    }
    unsigned n = load == LOAD_MEMORY ? LX_HOG_THREADS : noisy_cpu_threads(intensity);
    uint64_t want = (uint64_t)intensity * (64ull << 20);
    sh->hog_each = (want > LX_HOG_MAX ? LX_HOG_MAX : want) / LX_HOG_THREADS;
    void *(*fn)(void *) = load == LOAD_MEMORY ? hog_memory : spin;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 64u << 10);
    for (unsigned i = 1; i < n; i++) {
        pthread_t t;
        pthread_create(&t, &a, fn, sh);
    }
    fn(sh);
}

/* Forks a worker leading its own process group, moves it into group rel, then lets it run.
 * Its pid, or -1. */
static pid_t start_worker(iaas_linux_t *lx, const char *rel, int load, unsigned intensity)
{
    int go[2];
    if (pipe(go) != 0)
        return -1;
    pid_t parent = getpid();
    pid_t c = fork();
    if (c == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
        setpgid(0, 0);
        close(go[1]);
        char b;
        ssize_t r;
        while ((r = read(go[0], &b, 1)) < 0 && errno == EINTR)
            ;
        if (r != 1 || b != 'g')
            _exit(0);
        if (load == LOAD_NONE)
            victim_main(lx->sh);
        noisy_main(lx->sh, load, intensity);
        _exit(0);
    }
    close(go[0]);
    if (c < 0) {
        close(go[1]);
        return -1;
    }
    setpgid(c, c); /* the child does it too: whichever runs first */
    int rc = cg_attach(&lx->l, rel, c);
    ssize_t w = write(go[1], rc == 0 ? "g" : "x", 1);
    close(go[1]);
    if (rc != 0 || w != 1) {
        kill(c, SIGKILL);
        waitpid(c, NULL, 0);
        return -1;
    }
    return c;
}

/* Kills a worker's whole process group and reaps its leader; the members it forked are
 * killed again while any is still alive (a fork bomb forks while it is being killed). A member
 * already dead but not yet reaped by init still counts as alive to kill(2): the loop is bounded. */
static void stop_worker(pid_t *p)
{
    if (*p <= 0)
        return;
    kill(-*p, SIGKILL);
    waitpid(*p, NULL, 0);
    for (int i = 0; i < 20 && kill(-*p, SIGKILL) == 0; i++)
        pause_ms(2);
    *p = 0;
}

/* ---- groups ---- */

static int make_guest(iaas_linux_t *lx, const char *rel)
{
    const lx_config_t *c = &lx->c;
    if (cg_create(&lx->l, rel) != 0)
        return -1;
    if (!c->limits)
        return 0;
    /* a 10 ms period: a measuring window holds many of them, so where it starts in a period
     * hardly matters */
    uint64_t period = 10000, quota = (uint64_t)(c->cpu_quota * (double)period);
    return cg_set_cpu(&lx->l, rel, quota < 1000 ? 1000 : quota, period) == 0
                   && cg_set_memory(&lx->l, rel, c->memory_mib << 20, 1) == 0
                   && cg_set_pids(&lx->l, rel, c->pids) == 0
               ? 0
               : -1;
}

static int make_groups(iaas_linux_t *lx)
{
    if (cg_create(&lx->l, lx->node) != 0 || cg_set_memory(&lx->l, lx->node, LX_NODE_MEMORY, 1) != 0
        || cg_set_pids(&lx->l, lx->node, LX_NODE_PIDS) != 0)
        return -1;
    if (!lx->c.limits) {
        snprintf(lx->victim_g, sizeof lx->victim_g, "%s/shared", lx->node);
        snprintf(lx->noisy_g, sizeof lx->noisy_g, "%s/shared", lx->node);
        return make_guest(lx, lx->victim_g);
    }
    snprintf(lx->victim_g, sizeof lx->victim_g, "%s/vm%u", lx->node, lx->c.victim);
    snprintf(lx->noisy_g, sizeof lx->noisy_g, "%s/vm%u", lx->node, lx->c.noisy);
    return make_guest(lx, lx->victim_g) == 0 && make_guest(lx, lx->noisy_g) == 0 ? 0 : -1;
}

static int sweep_one(const char *path)
{
    return cg_remove_dir(path);
}

unsigned lx_sweep(const cg_layout_t *l)
{
    unsigned n = iaas_sweep(l->cpu, NULL, sweep_one);
    if (l->version == 1) {
        n += iaas_sweep(l->memory, NULL, sweep_one);
        n += iaas_sweep(l->pids, NULL, sweep_one);
    }
    return n;
}

iaas_linux_t *lx_open_layout(const cg_layout_t *l, const char *run_id, const lx_config_t *c,
                             const char **why)
{
    iaas_linux_t *lx = calloc(1, sizeof *lx);
    if (!lx) {
        *why = "out of memory";
        return NULL;
    }
    lx->l = *l;
    lx->c = *c;
    lx->sh = mmap(NULL, sizeof *lx->sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (lx->sh == MAP_FAILED) {
        lx->sh = NULL;
        free(lx);
        *why = "cannot map the workers' shared counters";
        return NULL;
    }
    lx_sweep(l);
    if (iaas_object_name(lx->node, sizeof lx->node, run_id, "node") != 0 || make_groups(lx) != 0) {
        *why = LX_UNAVAILABLE;
        lx_close(lx);
        return NULL;
    }
    lx->victim = start_worker(lx, lx->victim_g, LOAD_NONE, 0);
    if (lx->victim <= 0) {
        *why = LX_UNAVAILABLE;
        lx_close(lx);
        return NULL;
    }
    return lx;
}

iaas_linux_t *lx_open(const char *run_id, const lx_config_t *c, const char **why)
{
    cg_layout_t l;
    if (cg_layout_detect(&l) != 0) {
        *why = LX_UNAVAILABLE;
        return NULL;
    }
    return lx_open_layout(&l, run_id, c, why);
}

void lx_close(iaas_linux_t *lx)
{
    if (!lx)
        return;
    stop_worker(&lx->noisy);
    stop_worker(&lx->victim);
    if (lx->node[0])
        cg_remove(&lx->l, lx->node);
    if (lx->sh)
        munmap(lx->sh, sizeof *lx->sh);
    free(lx);
}

double lx_measure(iaas_linux_t *lx, double seconds)
{
    uint64_t u0 = atomic_load(&lx->sh->units);
    double t0 = now_s();
    pause_ms((long)(seconds * 1000));
    uint64_t u1 = atomic_load(&lx->sh->units);
    double dt = now_s() - t0;
    return dt > 0 ? (double)(u1 - u0) / dt : 0;
}

int lx_noisy_start(iaas_linux_t *lx, int load, unsigned intensity)
{
    if (lx->noisy > 0 || (load != LOAD_CPU && load != LOAD_MEMORY && load != LOAD_FORK))
        return -1;
    atomic_store(&lx->sh->bomb, 0);
    atomic_store(&lx->sh->started, 0);
    atomic_store(&lx->sh->refused, 0);
    lx->load = load;
    lx->want = (int)(load == LOAD_MEMORY ? LX_HOG_THREADS : noisy_cpu_threads(intensity));
    lx->noisy = start_worker(lx, lx->noisy_g, load, intensity);
    return lx->noisy > 0 ? 0 : -1;
}

/* The load is whole: every busy process runs; the memory hog has met a limit (the node's
 * without per-guest limits, its own with them); the fork bomb has been refused a fork. */
static bool noisy_ready(const iaas_linux_t *lx)
{
    if (lx->load == LOAD_FORK)
        return atomic_load(&lx->sh->refused) > 0;
    if (atomic_load(&lx->sh->started) < lx->want)
        return false;
    if (lx->load != LOAD_MEMORY)
        return true;
    cg_counters_t k;
    cg_counters(&lx->l, lx->c.limits ? lx->noisy_g : lx->node, &k);
    return k.memory_hits > 0;
}

double lx_noisy_settle(iaas_linux_t *lx, double timeout)
{
    double t0 = now_s();
    while (lx->noisy > 0 && !noisy_ready(lx) && now_s() - t0 < timeout)
        pause_ms(5);
    return now_s() - t0;
}

void lx_victim_hold(iaas_linux_t *lx, bool hold)
{
    if (lx->victim > 0)
        kill(-lx->victim, hold ? SIGSTOP : SIGCONT);
}

void lx_noisy_stop(iaas_linux_t *lx)
{
    stop_worker(&lx->noisy);
}

void lx_noisy_counters(const iaas_linux_t *lx, cg_counters_t *out)
{
    cg_counters(&lx->l, lx->noisy_g, out);
}

int lx_version(const iaas_linux_t *lx)
{
    return lx->l.version;
}
