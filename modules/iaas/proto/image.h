/* image.h — the image container (a qcow2-like header) and its inspector, and image signatures.
 *
 * Layout, big-endian: magic "SGQI" | version u16 (1) | flags u16 (0) | virtual size u32 |
 * backing offset u32 | backing length u16 | data offset u32 | data length u32, then the backing
 * reference and the data at their offsets, inside the file. The backing reference names the layer
 * the image is a delta of, as qcow2's backing file name does: "layer:<n>" names layer n inside the
 * same container; anything else (a path, a URL) points outside the image, which the inspector
 * refuses (the host-file leaks of CVE-2015-1850, CVE-2022-47951, CVE-2024-32498). */
#ifndef IAAS_PROTO_IMAGE_H
#define IAAS_PROTO_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/sign.h"

#define IMAGE_HEADER_BYTES 26
#define IMAGE_BACKING_MAX  255
#define IMAGE_MAX_BYTES    4096
#define IMAGE_VSIZE_MAX    (1u << 30)

typedef struct {
    uint32_t virtual_size;
    const uint8_t *backing; /* into the image, or NULL */
    uint16_t backing_len;
    const uint8_t *data;
    uint32_t data_len;
} image_header_t;

typedef enum {
    IMAGE_OK = 0,
    IMAGE_MALFORMED = -1,       /* not a container: magic, version, bounds */
    IMAGE_BACKING_OUTSIDE = -2, /* a backing reference that leaves the container */
} image_verdict_t;

/* Parses and checks the header: fields within the file, no overlap with the header. A backing
 * reference is returned as is; image_inspect judges where it points. */
int image_parse(const uint8_t *img, size_t len, image_header_t *h);
/* The inspector: IMAGE_OK, IMAGE_MALFORMED or IMAGE_BACKING_OUTSIDE. */
image_verdict_t image_inspect(const uint8_t *img, size_t len);
/* Builds a container around data with an optional backing reference (NULL for none). */
int image_build(const uint8_t *data, uint32_t data_len, const char *backing, uint8_t *out,
                size_t cap, size_t *len);

/* ECDSA signature of the whole container (the image owner's key), and its verification. */
int image_sign(const uint8_t d[SIGN_PRIV_BYTES], const uint8_t *img, size_t len,
               uint8_t sig[SIGN_SIG_BYTES]);
bool image_signature_ok(const uint8_t pub[SIGN_PUB_BYTES], const uint8_t *img, size_t len,
                        const uint8_t sig[SIGN_SIG_BYTES]);

#endif
