/* pcapng.c — the pcapng writer of `sg17tb run --trace` (see pcapng.h). */
#include "report/pcapng.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BT_SHB           0x0A0D0D0Au
#define BT_IDB           0x00000001u
#define BT_EPB           0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define OPT_END          0
#define OPT_COMMENT      1
#define SHB_USERAPPL     4
#define IF_NAME          2
#define IF_TSRESOL       9
#define MAX_IFACES       8

struct sg17_pcapng {
    FILE *f;
    char *path;
    uint16_t linktypes[MAX_IFACES];
    size_t n_ifaces;
    int failed; /* errno of the first failed write, or -1 */
};

static void put(sg17_pcapng_t *w, const void *p, size_t n)
{
    if (!w->failed && n && fwrite(p, 1, n, w->f) != n)
        w->failed = errno ? errno : -1;
}

static void put32(sg17_pcapng_t *w, uint32_t v)
{
    put(w, &v, 4);
}

static void put16(sg17_pcapng_t *w, uint16_t v)
{
    put(w, &v, 2);
}

static size_t pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

/* The bytes an option takes: code, length, value padded to 4. */
static size_t opt_size(size_t len)
{
    return 4 + pad4(len);
}

static void put_opt(sg17_pcapng_t *w, uint16_t code, const void *value, size_t len)
{
    static const uint8_t zeros[4] = {0};
    put16(w, code);
    put16(w, (uint16_t)len);
    put(w, value, len);
    put(w, zeros, pad4(len) - len);
}

sg17_pcapng_t *sg17_pcapng_open(const char *path, const char *application, sg17_err_t *err)
{
    sg17_pcapng_t *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        sg17_err(err, "%s: out of memory", path);
        return NULL;
    }
    if (!(w->f = fopen(path, "wb"))) {
        sg17_err(err, "%s: cannot create: %s", path, strerror(errno));
        free(w->path);
        free(w);
        return NULL;
    }
    size_t app = strlen(application);
    if (app > 1000)
        app = 1000;
    uint32_t total = (uint32_t)(28 + opt_size(app) + 4);
    put32(w, BT_SHB);
    put32(w, total);
    put32(w, BYTE_ORDER_MAGIC);
    put16(w, 1); /* major */
    put16(w, 0); /* minor */
    uint64_t unknown_length = UINT64_MAX;
    put(w, &unknown_length, 8);
    put_opt(w, SHB_USERAPPL, application, app);
    put_opt(w, OPT_END, NULL, 0);
    put32(w, total);
    return w;
}

/* The interface id of a link type, declaring it (an IDB) on first use; -1 when full. */
static int iface(sg17_pcapng_t *w, uint16_t linktype)
{
    for (size_t i = 0; i < w->n_ifaces; i++)
        if (w->linktypes[i] == linktype)
            return (int)i;
    if (w->n_ifaces == MAX_IFACES)
        return -1;
    char name[32];
    snprintf(name, sizeof name, "sg17tb-bus-linktype-%u", linktype);
    size_t nl = strlen(name);
    uint8_t tsresol = 6; /* microseconds */
    uint32_t total = (uint32_t)(16 + opt_size(nl) + opt_size(1) + 4 + 4);
    put32(w, BT_IDB);
    put32(w, total);
    put16(w, linktype);
    put16(w, 0); /* reserved */
    put32(w, 0); /* snaplen: no limit */
    put_opt(w, IF_NAME, name, nl);
    put_opt(w, IF_TSRESOL, &tsresol, 1);
    put_opt(w, OPT_END, NULL, 0);
    put32(w, total);
    w->linktypes[w->n_ifaces] = linktype;
    return (int)w->n_ifaces++;
}

int sg17_pcapng_packet(sg17_pcapng_t *w, uint16_t linktype, uint64_t ts_us, const uint8_t *data,
                       size_t len, const char *comment)
{
    int id = iface(w, linktype);
    if (id < 0 || len > UINT32_MAX / 2)
        return -1;
    size_t cl = comment ? strlen(comment) : 0;
    if (cl > 60000)
        cl = 60000; /* an option's length is 16 bits */
    size_t opts = (cl ? opt_size(cl) : 0) + 4;
    uint32_t total = (uint32_t)(28 + pad4(len) + opts + 4);
    static const uint8_t zeros[4] = {0};
    put32(w, BT_EPB);
    put32(w, total);
    put32(w, (uint32_t)id);
    put32(w, (uint32_t)(ts_us >> 32));
    put32(w, (uint32_t)ts_us);
    put32(w, (uint32_t)len);
    put32(w, (uint32_t)len);
    put(w, data, len);
    put(w, zeros, pad4(len) - len);
    if (cl)
        put_opt(w, OPT_COMMENT, comment, cl);
    put_opt(w, OPT_END, NULL, 0);
    put32(w, total);
    return w->failed ? -1 : 0;
}

int sg17_pcapng_close(sg17_pcapng_t *w, sg17_err_t *err)
{
    if (!w)
        return 0;
    int failed = w->failed;
    if (fclose(w->f) != 0 && !failed)
        failed = errno ? errno : -1;
    int rc = 0;
    if (failed)
        rc = sg17_err(err, "%s: write error: %s", w->path,
                      failed > 0 ? strerror(failed) : "too many link types");
    free(w->path);
    free(w);
    return rc;
}

int sg17_exp_pdu_tag(uint8_t *buf, size_t cap, size_t *len, uint16_t tag, const void *value,
                     size_t value_len)
{
    size_t padded = tag == SG17_EXP_PDU_END ? 0 : pad4(value_len);
    if (value_len > 0xFFFF || *len + 4 + padded > cap)
        return -1;
    uint8_t *p = buf + *len;
    p[0] = (uint8_t)(tag >> 8);
    p[1] = (uint8_t)tag;
    p[2] = (uint8_t)(padded >> 8);
    p[3] = (uint8_t)padded;
    if (value_len)
        memcpy(p + 4, value, value_len);
    memset(p + 4 + value_len, 0, padded - value_len);
    *len += 4 + padded;
    return 0;
}
