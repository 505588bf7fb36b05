/* image.c — the image registry: containers stored with their owner's ECDSA signature (the owner
 * signs before upload; the provider signs its public base image) and their sharing. The registry's
 * storage backend takes raw writes (iaas.store_write): whoever holds the backend's credentials can
 * change stored bits after signing, which only a verification at boot notices. */
#include <string.h>

#include <openssl/evp.h>
#include <sg17tb/wire.h>

#include "sim/iaas_sim.h"

const uint8_t *iaas_owner_pub(const iaas_t *s, uint16_t owner)
{
    if (owner == IAAS_PROVIDER)
        return s->provider_pub;
    return owner < s->n_tenants ? s->tenants[owner].sign_pub : NULL;
}

int iaas_image_register(iaas_t *s, uint16_t owner, const uint8_t *bytes, size_t len,
                        const uint8_t priv[SIGN_PRIV_BYTES])
{
    if (!bytes || len == 0 || len > IMAGE_MAX_BYTES)
        return -1;
    if (s->n_images == s->cap_images) {
        unsigned nc = s->cap_images ? 2 * s->cap_images : 8;
        if (nc > 1024)
            return -1;
        iaas_image_t *p = realloc(s->images, nc * sizeof *p);
        if (!p)
            return -1;
        s->images = p;
        s->cap_images = nc;
    }
    iaas_image_t *im = &s->images[s->n_images];
    memset(im, 0, sizeof *im);
    memcpy(im->bytes, bytes, len);
    im->len = len;
    unsigned n = 0;
    if (image_sign(priv, bytes, len, im->sig) != 0
        || EVP_Digest(bytes, len, im->owner_digest, &n, EVP_sha256(), NULL) != 1)
        return -1;
    im->share.live = true;
    im->share.tenant = owner;
    return (int)s->n_images++;
}

/* iaas.store_write: corr[16] | image u32 | offset u16 | data. */
void iaas_image_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    sg17_reader_t r = sg17_reader(m->payload, m->len);
    sg17_get_bytes(&r, IAAS_CORR_BYTES);
    uint32_t id = sg17_get_u32(&r);
    uint16_t off = sg17_get_u16(&r);
    size_t n = 0;
    const uint8_t *data = sg17_get_rest(&r, &n);
    if (strcmp(m->type, "iaas.store_write") != 0 || !sg17_reader_ok(&r) || n == 0
        || id >= s->n_images || (size_t)off + n > s->images[id].len) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    memcpy(s->images[id].bytes + off, data, n);
    sg17_accept(ctx, m);
}
