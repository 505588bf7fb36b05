/* hypervisor.c — the compute nodes' hypervisor: booting an image (signature verification and
 * format inspection as the mitigations say), sharing the node among its VMs every tick, and live
 * migration. The compute entity's handlers are here.
 *
 * Sharing (the sim backend's model of a Linux host with cgroups): each VM asks for CPU (runnable
 * threads), memory and processes; a benign guest runs 0.5 core, 512 MiB and 40 processes, and a
 * noisy one adds its load. With cgroup_limits on, a VM's CPU is capped at cpu_quota cores
 * (cpu.max / cpu.cfs_quota_us), its memory at memory_limit_mib (memory.max /
 * memory.limit_in_bytes: the excess is reclaimed or OOM-killed inside the VM's group) and its
 * processes at pids_limit (pids.max). Then CFS shares the node's CPUs in proportion to runnable
 * threads, memory beyond the node's thrashes everybody (throughput times (M/S)^2), and when the
 * node's process table is full no guest can fork, so a guest whose requests need a fork does no
 * work. Each VM's ratio of work done to work asked is its measured throughput.
 *
 * With the linux backend (config backend: linux, sim/linuxhost.h) nothing of that is modelled:
 * the guests are processes under real cgroups, and the phases follow Stratus Red Team. Warm-up
 * (create): the victim's worker runs alone and its work rate is measured (SOLO_S). Detonation
 * (the noisy attack): the noisy guest's load starts; once it is whole (its processes all run, the
 * memory hog or the fork bomb has met a limit; at most SETTLE_MAX_S) and RAMP_S later, the
 * victim's rate is measured (LOADED_S). Revert: the load is killed and the victim measured alone
 * again (SOLO_S). The victim's ratio is its loaded rate over the mean of its two solo rates of the
 * same run, so that a machine busy with other work slows numerator and denominator alike. A run
 * without a detonation (the control) measures a second solo window at its end instead. */
#include <string.h>

#include <openssl/evp.h>

#include "sim/iaas_sim.h"
#include "sim/ksm.h"
#include "sim/linuxhost.h"

#define SOLO_S       0.2
#define RAMP_S       0.05
#define SETTLE_MAX_S 1.5 /* the longest wait for the load to be whole */
#define LOADED_S     0.4
#define KSM_WAIT_S   0.3  /* a round's longest wait for two full KSM scans (about 0.02 s idle) */
#define MIN_SOLO     20.0 /* work units per second below which the backend cannot measure */

#define HOST_FILE_PATH "/var/lib/nova/host.key"

int iaas_boot(iaas_t *s, sg17_ctx_t *ctx, uint32_t img, uint8_t console[IAAS_CONSOLE_BYTES])
{
    if (img >= s->n_images || !s->images[img].share.live)
        return -1;
    const iaas_image_t *im = &s->images[img];
    if (s->cfg.image_signature) { /* Glance/Nova verify_glance_signatures */
        const uint8_t *pub = iaas_owner_pub(s, im->share.tenant);
        if (!pub || !image_signature_ok(pub, im->bytes, im->len, im->sig)) {
            sg17_metric_add(ctx, "boot.refused", 1);
            return -1;
        }
    }
    image_header_t h;
    if (image_parse(im->bytes, im->len, &h) != 0) {
        sg17_metric_add(ctx, "boot.refused", 1);
        return -1;
    }
    uint8_t disk[IAAS_CONSOLE_BYTES] = {0};
    if (h.backing && image_inspect(im->bytes, im->len) == IMAGE_BACKING_OUTSIDE) {
        if (s->cfg.image_inspection) {
            sg17_metric_add(ctx, "boot.refused", 1);
            return -1;
        }
        /* qemu opens the backing file by its name, on the host: the unallocated part of the
         * guest's disk reads from it */
        if (h.backing_len == strlen(HOST_FILE_PATH)
            && memcmp(h.backing, HOST_FILE_PATH, h.backing_len) == 0)
            memcpy(disk, s->nodes[0].host_file, sizeof disk);
    }
    memcpy(disk, h.data, h.data_len < sizeof disk ? h.data_len : sizeof disk);
    memcpy(console, disk, IAAS_CONSOLE_BYTES);
    /* ground truth: are the booted bits the ones their owner signed? */
    uint8_t d[32];
    unsigned n = 0;
    if (EVP_Digest(im->bytes, im->len, d, &n, EVP_sha256(), NULL) == 1
        && memcmp(d, im->owner_digest, sizeof d) != 0)
        sg17_metric_add(ctx, "boot.tampered", 1);
    sg17_metric_add(ctx, "boot.ok", 1);
    return 0;
}

/* One tick of the node's scheduler (see the file comment). */
static void schedule(iaas_t *s, sg17_ctx_t *ctx, unsigned node)
{
    const iaas_config_t *c = &s->cfg;
    unsigned n = s->node_nvms[node];
    double D = 0, S = 0, P = 0;
    for (unsigned i = 0; i < n; i++) {
        const iaas_vm_t *vm = &s->vms[s->node_vms[node][i]];
        double d = 0.5, m = 512, p = 40;
        if (vm->load == LOAD_CPU)
            d += vm->intensity;
        else if (vm->load == LOAD_MEMORY)
            m += 1024.0 * vm->intensity;
        else if (vm->load == LOAD_FORK)
            p += 1000.0 * vm->intensity;
        if (c->cgroup_limits) {
            if (d > c->cpu_quota) {
                d = c->cpu_quota;
                sg17_metric_add(ctx, "hypervisor.throttled_ticks", 1);
            }
            if (m > (double)c->memory_limit_mib) {
                m = (double)c->memory_limit_mib;
                sg17_metric_add(ctx, "hypervisor.oom_kills", 1);
            }
            if (p > (double)c->pids_limit) {
                p = (double)c->pids_limit;
                sg17_metric_add(ctx, "hypervisor.pids_refused", 1);
            }
        }
        D += d;
        S += m;
        P += p;
    }
    double cpu = D <= c->node_cpus ? 1.0 : c->node_cpus / D;
    double mem = S <= (double)c->node_memory_mib
                     ? 1.0
                     : ((double)c->node_memory_mib / S) * ((double)c->node_memory_mib / S);
    double fork = P < (double)c->node_pids ? 1.0 : 0.0;
    double ratio = cpu * mem * fork; /* a benign guest's work done / work asked */
    for (unsigned i = 0; i < n; i++) {
        iaas_vm_t *vm = &s->vms[s->node_vms[node][i]];
        if (vm->load != LOAD_NONE)
            continue;
        vm->ticks++;
        vm->ratio_sum += ratio;
        if (ratio < vm->worst_ratio)
            vm->worst_ratio = ratio;
    }
}

/* Sends the victim VM's memory to the next node (QEMU's stream; sealed when
 * migration_encryption is on). */
static void migrate(iaas_t *s, sg17_ctx_t *ctx, unsigned node)
{
    unsigned v = (unsigned)s->cfg.victim_vm;
    iaas_vm_t *vm = &s->vms[v];
    if (vm->node != node)
        return;
    unsigned dst = (node + 1) % s->n_compute;
    iaas_node_t *d = &s->nodes[dst];
    unsigned n = 0;
    EVP_Digest(vm->memory, sizeof vm->memory, d->sent_digest, &n, EVP_sha256(), NULL);
    uint32_t stream = ++s->mig_streams;
    for (uint32_t i = 0; i < IAAS_VM_PAGES; i++) {
        mig_frame_t f = {.stream = stream,
                         .seq = i,
                         .page = (uint16_t)v,
                         .flags = i + 1 == IAAS_VM_PAGES ? MIG_FLAG_LAST : 0};
        memcpy(f.data, vm->memory[i], MIG_PAGE);
        uint8_t buf[MIG_FRAME_MAX];
        size_t len = 0;
        if (mig_frame_encode(&f, s->cfg.migration_encryption ? s->mig_key : NULL, buf, sizeof buf,
                             &len)
            == 0)
            sg17_send(ctx, s->nodes[node].e, d->e, "iaas.migration", buf, len);
    }
    sg17_metric_add(ctx, "migration.started", 1);
}

void iaas_compute_on_timer(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    unsigned node = sg17_entity_index(ctx, e);
    if (tag == TAG_TICK) {
        schedule(s, ctx, node);
        sg17_timer(ctx, e, s->cfg.tick, TAG_TICK);
    } else if (tag == TAG_MIGRATE) {
        migrate(s, ctx, node);
    }
}

static void move_vm(iaas_t *s, unsigned v, unsigned to)
{
    iaas_vm_t *vm = &s->vms[v];
    unsigned from = vm->node;
    for (unsigned i = 0; i < s->node_nvms[from]; i++)
        if (s->node_vms[from][i] == v)
            s->node_vms[from][i--] = s->node_vms[from][--s->node_nvms[from]];
    s->node_vms[to][s->node_nvms[to]++] = v;
    vm->node = (uint16_t)to;
}

/* The destination of a migration: pages in order; a frame that does not open (sealed stream, tag
 * wrong) aborts it and the VM stays where it was. */
void iaas_compute_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    unsigned node = sg17_entity_index(ctx, m->dst);
    iaas_node_t *d = &s->nodes[node];
    mig_frame_t f;
    if (strcmp(m->type, "iaas.migration") != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (mig_frame_decode(m->payload, m->len, s->cfg.migration_encryption ? s->mig_key : NULL, &f)
            != 0
        || (s->cfg.migration_encryption && !f.sealed)) {
        if (d->receiving)
            sg17_metric_add(ctx, "migration.aborted", 1);
        d->receiving = false;
        sg17_reject(ctx, m, "migration_auth");
        return;
    }
    if (f.page >= s->n_vms || s->vms[f.page].node == node || f.seq >= IAAS_VM_PAGES
        || (f.seq == 0 ? false
                       : !d->receiving || f.stream != d->in_stream || f.seq != d->in_next)) {
        d->receiving = false;
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (f.seq == 0) {
        d->receiving = true;
        d->in_stream = f.stream;
        d->in_vm = f.page;
    }
    memcpy(d->in_pages[f.seq], f.data, MIG_PAGE);
    d->in_next = f.seq + 1;
    sg17_accept(ctx, m);
    if (!(f.flags & MIG_FLAG_LAST))
        return;
    d->receiving = false;
    if (d->in_next != IAAS_VM_PAGES)
        return;
    uint8_t got[32];
    unsigned n = 0;
    EVP_Digest(d->in_pages, sizeof d->in_pages, got, &n, EVP_sha256(), NULL);
    if (memcmp(got, d->sent_digest, sizeof got) != 0)
        sg17_metric_add(ctx, "migration.corrupted_resumes", 1); /* ground truth */
    memcpy(s->vms[d->in_vm].memory, d->in_pages, sizeof d->in_pages);
    move_vm(s, d->in_vm, node);
    sg17_metric_add(ctx, "migration.completed", 1);
}

/* ---- the linux backend's phases ---- */

int iaas_linux_open(iaas_t *s, sg17_ctx_t *ctx)
{
    const iaas_config_t *c = &s->cfg;
    lx_config_t lc = {.limits = c->cgroup_limits,
                      .cpu_quota = c->cpu_quota,
                      .memory_mib = c->memory_limit_mib,
                      .pids = c->pids_limit,
                      .victim = (unsigned)c->victim_vm,
                      .noisy = s->n_tenants - 1};
    const char *why = NULL;
    s->lx = lx_open(sg17_run_id(ctx), &lc, &why);
    if (!s->lx) {
        sg17_log(ctx, "%s", why);
        return -1;
    }
    s->lx_solo = lx_measure(s->lx, SOLO_S);
    if (s->lx_solo < MIN_SOLO) {
        sg17_log(ctx,
                 "backend unavailable: the victim's worker did %.0f work units a second "
                 "alone (at least %.0f needed); use the sim backend",
                 s->lx_solo, MIN_SOLO);
        return -1;
    }
    return 0;
}

static void linux_record(iaas_t *s, sg17_ctx_t *ctx, double loaded, double solo)
{
    double ratio = solo > 0 ? loaded / solo : 0;
    if (s->cfg.victim_vm < s->n_vms) {
        iaas_vm_t *vm = &s->vms[s->cfg.victim_vm];
        vm->worst_ratio = ratio;
        vm->ratio_sum = ratio;
        vm->ticks = 1;
    }
    sg17_metric_set(ctx, "linux.solo_units_per_s", solo);
    sg17_metric_set(ctx, "linux.loaded_units_per_s", loaded);
    sg17_metric_set(ctx, "linux.cgroup_version", lx_version(s->lx));
}

void iaas_linux_noisy(iaas_t *s, sg17_ctx_t *ctx, iaas_load_t load, uint32_t intensity)
{
    if (s->lx_detonated)
        return; /* one detonation a run: the next one would start from a disturbed machine */
    s->lx_detonated = true;
    if (lx_noisy_start(s->lx, (int)load, intensity) != 0) {
        sg17_log(ctx, "linux backend: cannot start the noisy guest's load");
        sg17_metric_add(ctx, "linux.errors", 1);
        return;
    }
    sg17_metric_set(ctx, "linux.settle_s", lx_noisy_settle(s->lx, SETTLE_MAX_S));
    lx_measure(s->lx, RAMP_S);
    double loaded = lx_measure(s->lx, LOADED_S);
    cg_counters_t k;
    lx_noisy_counters(s->lx, &k);
    lx_noisy_stop(s->lx);
    double after = lx_measure(s->lx, SOLO_S);
    linux_record(s, ctx, loaded, (s->lx_solo + after) / 2);
    if (k.throttled > 0)
        sg17_metric_add(ctx, "hypervisor.throttled_ticks", (double)k.throttled);
    if (k.memory_hits > 0)
        sg17_metric_add(ctx, "hypervisor.oom_kills", (double)k.memory_hits);
    if (k.forks_refused > 0)
        sg17_metric_add(ctx, "hypervisor.pids_refused", (double)k.forks_refused);
}

void iaas_linux_finish(iaas_t *s, sg17_ctx_t *ctx)
{
    if (!s->lx || s->lx_detonated)
        return;
    linux_record(s, ctx, lx_measure(s->lx, SOLO_S), s->lx_solo);
}

/* The page-merging side channel: the victim's guest holds a page of one of `candidates`
 * contents (which one: the scenario's seed), the attacker's guest tries them all. The pages are
 * salted with the canary and the run id, so that runs at the same time never merge with each
 * other's. Ground truth: the attacker's inferred page against the victim's. */
int iaas_linux_ksm(iaas_t *s, sg17_ctx_t *ctx, unsigned vm, unsigned candidates, unsigned trials)
{
    (void)vm; /* the attacker's guest: its own process, whatever its index */
    if (!s->lx) {
        sg17_log(ctx, "ksm_probe: needs backend: linux");
        return -1;
    }
    const char *why = NULL;
    ksm_guard_t *g = ksm_drive(KSM_SYSFS, KSM_GUARD_DIR, sg17_run_id(ctx), &why);
    if (!g) {
        sg17_log(ctx, "%s", why);
        sg17_metric_add(ctx, "ksm.errors", 1);
        return -1;
    }
    uint64_t salt = 1469598103934665603ull;
    const char *run = sg17_run_id(ctx);
    for (size_t i = 0; i < s->canary_len; i++)
        salt = (salt ^ s->canary[i]) * 1099511628211ull;
    for (; *run; run++)
        salt = (salt ^ (uint8_t)*run) * 1099511628211ull;
    ksm_probe_t p = {.candidates = candidates,
                     .trials = trials,
                     .secret = (unsigned)(sg17_rand_u64(ctx) % candidates),
                     .share = !s->cfg.no_memory_sharing,
                     .salt = salt,
                     .wait_max = KSM_WAIT_S};
    ksm_result_t r;
    lx_victim_hold(s->lx, true); /* its busy work units would leave KSM's thread no CPU */
    int rc = ksm_probe(KSM_SYSFS, &p, &r);
    lx_victim_hold(s->lx, false);
    ksm_release(g);
    if (rc != 0) {
        sg17_log(ctx, "ksm_probe: cannot start the guests' processes");
        sg17_metric_add(ctx, "ksm.errors", 1);
        return -1;
    }
    sg17_metric_set(ctx, "ksm.guess_right", r.guess == (int)p.secret ? 1 : 0);
    sg17_metric_set(ctx, "ksm.trials_right", r.trials_right);
    sg17_metric_set(ctx, "ksm.candidates", candidates);
    sg17_metric_set(ctx, "ksm.merged_write_ns", r.slow_ns);
    sg17_metric_set(ctx, "ksm.fresh_write_ns", r.fresh_ns);
    sg17_metric_set(ctx, "ksm.merge_latency_s", r.merge_s);
    return 0;
}
