/* block.c — block storage: each storage node keeps its volumes in real extents of a scratch file
 * (in the temporary directory, named with the run's id, its process and the node, runid.h;
 * removed when the run ends, and by the next run's sweep if this one crashed). Extents are handed
 * out from a LIFO free list, so an extent freed by one tenant is the next one another tenant gets;
 * what the new owner reads before writing is what is really in the file. Encrypted volumes
 * (volume_encryption) keep a per-volume AES-256-XTS data key wrapped under the tenant's key;
 * deleting one destroys that key (crypto-erase). volume_wipe zeroes the extents on delete (Cinder's
 * volume_clear = zero). The block entity itself takes no messages: the API drives it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "sim/iaas_sim.h"
#include "sim/runid.h"

const char *iaas_scratch_dir(void)
{
    const char *dir = getenv("TMPDIR");
    return dir && *dir ? dir : "/tmp";
}

int iaas_store_open(iaas_store_t *st, const char *run_id, unsigned node, uint32_t n_extents,
                    uint32_t extent_size)
{
    char what[32], name[128];
    snprintf(what, sizeof what, "block%u", node);
    if (iaas_object_name(name, sizeof name, run_id, what) != 0)
        return -1;
    int n = snprintf(st->path, sizeof st->path, "%s/%s", iaas_scratch_dir(), name);
    if (n <= 0 || (size_t)n >= sizeof st->path)
        return -1;
    st->fd = open(st->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (st->fd < 0)
        return -1;
    st->n_extents = n_extents;
    st->free_stack = calloc(n_extents ? n_extents : 1, sizeof *st->free_stack);
    if (!st->free_stack || ftruncate(st->fd, (off_t)n_extents * extent_size) != 0) {
        iaas_store_close(st);
        return -1;
    }
    for (uint32_t i = 0; i < n_extents; i++) /* extent 0 on top */
        st->free_stack[i] = n_extents - 1 - i;
    st->n_free = n_extents;
    return 0;
}

void iaas_store_close(iaas_store_t *st)
{
    if (st->fd >= 0) {
        close(st->fd);
        unlink(st->path);
    }
    st->fd = -1;
    free(st->free_stack);
    st->free_stack = NULL;
}

/* The volume's data key, unwrapped (the caller cleanses it). */
static int volume_key(const iaas_t *s, const iaas_volume_t *v, uint8_t key[VOL_KEY_BYTES])
{
    if (v->key_destroyed)
        return -1;
    return vol_key_unwrap(s->tenants[v->tenant].kek, v->wrapped, key);
}

int iaas_volume_create(iaas_t *s, sg17_ctx_t *ctx, uint16_t t, uint32_t n)
{
    if (n == 0 || n > 64 || t >= s->n_tenants)
        return -1;
    int node = -1;
    for (unsigned b = 0; b < s->n_block && node < 0; b++) /* first fit */
        if (s->store[b].fd >= 0 && s->store[b].n_free >= n)
            node = (int)b;
    if (node < 0)
        return -1;
    if (s->n_volumes == s->cap_volumes) {
        unsigned nc = s->cap_volumes ? 2 * s->cap_volumes : 16;
        iaas_volume_t *p = realloc(s->volumes, nc * sizeof *p);
        if (!p)
            return -1;
        memset(p + s->cap_volumes, 0, (nc - s->cap_volumes) * sizeof *p);
        s->volumes = p;
        s->cap_volumes = nc;
    }
    iaas_volume_t *v = &s->volumes[s->n_volumes];
    if (!(v->extents = calloc(n, sizeof *v->extents)))
        return -1;
    iaas_store_t *st = &s->store[node];
    for (uint32_t i = 0; i < n; i++)
        v->extents[i] = st->free_stack[--st->n_free];
    v->n_extents = n;
    v->node = (uint8_t)node;
    v->tenant = t;
    v->live = true;
    /* the data key is drawn in every run, so that the random stream does not depend on the
     * mitigation; it protects the volume only when volume_encryption is on */
    uint8_t key[VOL_KEY_BYTES];
    sg17_rand_bytes(ctx, key, sizeof key);
    v->encrypted = s->cfg.volume_encryption;
    int rc = vol_key_wrap(s->tenants[t].kek, key, v->wrapped);
    OPENSSL_cleanse(key, sizeof key);
    if (rc != 0)
        return -1;
    return (int)s->n_volumes++;
}

/* Writes src (when not NULL) or reads into dst len octets (whole sectors) at a sector of the
 * volume, through the XTS layer when the volume is encrypted. */
static int volume_io(iaas_t *s, uint32_t vol, uint32_t sector, const uint8_t *src, uint8_t *dst,
                     size_t len)
{
    bool write = src != NULL;
    if (vol >= s->n_volumes || !s->volumes[vol].live || len % VOL_SECTOR != 0)
        return -1;
    iaas_volume_t *v = &s->volumes[vol];
    iaas_store_t *st = &s->store[v->node];
    uint32_t spe = (uint32_t)(s->cfg.extent_size / VOL_SECTOR);
    vol_cipher_t *c = NULL;
    if (v->encrypted) {
        uint8_t key[VOL_KEY_BYTES];
        int rc = volume_key(s, v, key);
        c = rc == 0 ? vol_cipher_new(key) : NULL;
        OPENSSL_cleanse(key, sizeof key);
        if (!c)
            return -1;
    }
    uint8_t *bounce = NULL; /* a write encrypts a copy, never the caller's buffer */
    if (write) {
        if (!(bounce = malloc(len))) {
            vol_cipher_free(c);
            return -1;
        }
        memcpy(bounce, src, len);
    }
    uint8_t *buf = write ? bounce : dst;
    int rc = 0;
    /* one system call per run of sectors inside an extent, encrypted or decrypted in place */
    for (size_t off = 0; off < len && rc == 0;) {
        uint32_t sec = sector + (uint32_t)(off / VOL_SECTOR);
        if (sec / spe >= v->n_extents) {
            rc = -1;
            break;
        }
        size_t run = (size_t)(spe - sec % spe) * VOL_SECTOR;
        if (run > len - off)
            run = len - off;
        off_t at = (off_t)v->extents[sec / spe] * (off_t)s->cfg.extent_size
                   + (off_t)(sec % spe) * VOL_SECTOR;
        uint8_t *p = buf + off;
        if (write) {
            if ((c && vol_cipher_crypt(c, sec, p, run, 1) != 0)
                || pwrite(st->fd, p, run, at) != (ssize_t)run)
                rc = -1;
        } else if (pread(st->fd, p, run, at) != (ssize_t)run
                   || (c && vol_cipher_crypt(c, sec, p, run, 0) != 0)) {
            rc = -1;
        }
        off += run;
    }
    if (bounce) {
        OPENSSL_cleanse(bounce, len);
        free(bounce);
    }
    vol_cipher_free(c);
    return rc;
}

int iaas_volume_write(iaas_t *s, uint32_t vol, uint32_t sector, const uint8_t *data, size_t len)
{
    return volume_io(s, vol, sector, data, NULL, len);
}

int iaas_volume_read(iaas_t *s, uint32_t vol, uint32_t sector, uint8_t *out, size_t len)
{
    return volume_io(s, vol, sector, NULL, out, len);
}

int iaas_volume_delete(iaas_t *s, uint32_t vol)
{
    if (vol >= s->n_volumes || !s->volumes[vol].live)
        return -1;
    iaas_volume_t *v = &s->volumes[vol];
    iaas_store_t *st = &s->store[v->node];
    if (s->cfg.volume_wipe) {
        uint8_t zero[4096] = {0};
        for (uint32_t i = 0; i < v->n_extents; i++)
            for (uint64_t off = 0; off < s->cfg.extent_size; off += sizeof zero) {
                size_t n =
                    s->cfg.extent_size - off < sizeof zero ? s->cfg.extent_size - off : sizeof zero;
                if (pwrite(st->fd, zero, n,
                           (off_t)v->extents[i] * (off_t)s->cfg.extent_size + (off_t)off)
                    != (ssize_t)n)
                    return -1;
            }
    }
    if (v->encrypted) { /* crypto-erase: the only copy of the data key goes */
        OPENSSL_cleanse(v->wrapped, sizeof v->wrapped);
        v->key_destroyed = true;
    }
    for (uint32_t i = 0; i < v->n_extents; i++)
        st->free_stack[st->n_free++] = v->extents[i];
    v->live = false;
    return 0;
}
