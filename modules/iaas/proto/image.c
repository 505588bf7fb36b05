/* image.c — the image container's parser, inspector and signatures (image.h). */
#include "proto/image.h"

#include <string.h>

#include <sg17tb/wire.h>

static const uint8_t magic[4] = {'S', 'G', 'Q', 'I'};

/* True when [off, off+len) lies inside the file and after the header. */
static bool span_ok(uint32_t off, uint32_t len, size_t file)
{
    return off >= IMAGE_HEADER_BYTES && off <= file && len <= file - off;
}

int image_parse(const uint8_t *img, size_t len, image_header_t *h)
{
    memset(h, 0, sizeof *h);
    if (!img || len < IMAGE_HEADER_BYTES || len > IMAGE_MAX_BYTES || memcmp(img, magic, 4) != 0)
        return -1;
    sg17_reader_t r = sg17_reader(img + 4, IMAGE_HEADER_BYTES - 4);
    uint16_t version = sg17_get_u16(&r), flags = sg17_get_u16(&r);
    h->virtual_size = sg17_get_u32(&r);
    uint32_t boff = sg17_get_u32(&r);
    h->backing_len = sg17_get_u16(&r);
    uint32_t doff = sg17_get_u32(&r);
    h->data_len = sg17_get_u32(&r);
    if (!sg17_reader_done(&r) || version != 1 || flags != 0 || h->virtual_size > IMAGE_VSIZE_MAX
        || h->backing_len > IMAGE_BACKING_MAX || !span_ok(doff, h->data_len, len)
        || h->data_len > h->virtual_size || (h->backing_len && !span_ok(boff, h->backing_len, len)))
        return -1;
    h->data = img + doff;
    h->backing = h->backing_len ? img + boff : NULL;
    return 0;
}

/* "layer:<decimal>" with a value below 256: a layer inside the same container. */
static bool backing_inside(const uint8_t *b, size_t n)
{
    static const char prefix[] = "layer:";
    size_t p = sizeof prefix - 1;
    if (n <= p || n > p + 3 || memcmp(b, prefix, p) != 0)
        return false;
    unsigned v = 0;
    for (size_t i = p; i < n; i++) {
        if (b[i] < '0' || b[i] > '9')
            return false;
        v = v * 10 + (unsigned)(b[i] - '0');
    }
    return v < 256;
}

image_verdict_t image_inspect(const uint8_t *img, size_t len)
{
    image_header_t h;
    if (image_parse(img, len, &h) != 0)
        return IMAGE_MALFORMED;
    if (h.backing && !backing_inside(h.backing, h.backing_len))
        return IMAGE_BACKING_OUTSIDE;
    return IMAGE_OK;
}

int image_build(const uint8_t *data, uint32_t data_len, const char *backing, uint8_t *out,
                size_t cap, size_t *len)
{
    size_t blen = backing ? strlen(backing) : 0;
    if (blen > IMAGE_BACKING_MAX)
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_bytes(&w, magic, 4);
    sg17_put_u16(&w, 1);
    sg17_put_u16(&w, 0);
    sg17_put_u32(&w, data_len < 65536 ? 65536 : data_len);
    sg17_put_u32(&w, blen ? IMAGE_HEADER_BYTES : 0);
    sg17_put_u16(&w, (uint16_t)blen);
    sg17_put_u32(&w, (uint32_t)(IMAGE_HEADER_BYTES + blen));
    sg17_put_u32(&w, data_len);
    if (blen)
        sg17_put_bytes(&w, backing, blen);
    if (data_len)
        sg17_put_bytes(&w, data, data_len);
    if (sg17_writer_finish(&w, len) != 0 || *len > IMAGE_MAX_BYTES)
        return -1;
    return 0;
}

int image_sign(const uint8_t d[SIGN_PRIV_BYTES], const uint8_t *img, size_t len,
               uint8_t sig[SIGN_SIG_BYTES])
{
    return sign_ecdsa(d, img, len, sig);
}

bool image_signature_ok(const uint8_t pub[SIGN_PUB_BYTES], const uint8_t *img, size_t len,
                        const uint8_t sig[SIGN_SIG_BYTES])
{
    return sign_verify(pub, img, len, sig) == 0;
}
