/* crl.c — the hash-based certificate revocation list of IEEE 1609.2 §7.3 / IEEE 1609.2.1
 * (CrlContents with a fullHashCrl or deltaHashCrl: HashedId10 entries with their expiry) in
 * canonical OER. The CRL travels as the unsecuredData of a signed Ieee1609Dot2Data (SecuredCrl)
 * of the CRL PSID, signed by the CRL-signing authority the contents name (crlCraca).
 *
 *   CrlContents ::= SEQUENCE { version Uint8 (1), crlSeries Uint16, crlCraca HashedId8,
 *                              issueDate Time32, nextCrl Time32, priorityInfo CrlPriorityInfo,
 *                              typeSpecific TypeSpecificCrlContents }
 *   CrlPriorityInfo ::= SEQUENCE { priority Uint8 OPTIONAL, ... }
 *   TypeSpecificCrlContents ::= CHOICE { fullHashCrl ToBeSignedHashIdCrl,
 *                                        deltaHashCrl ToBeSignedHashIdCrl, ... (linked CRLs) }
 *   ToBeSignedHashIdCrl ::= SEQUENCE { crlSerial Uint32,
 *                                      entries SEQUENCE OF HashBasedRevocationInfo, ... }
 *   HashBasedRevocationInfo ::= SEQUENCE { id HashedId10, expiry Time32 } */
#include <string.h>

#include "internal.h"

enum { CRL_FULL_HASH = 0, CRL_DELTA_HASH = 1 };
#define ENTRY_LEN (V2X_HASHEDID10 + 4)

int v2x_crl_encode(const v2x_crl_t *c, const v2x_crl_entry_t *entries, uint8_t *out, size_t cap,
                   size_t *out_len)
{
    if (!c || !out_len || (!entries && c->n_entries) || c->version != 1)
        return V2X_EARG;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, c->version);
    sg17_put_u16(&w, c->crl_series);
    sg17_put_bytes(&w, c->craca, 8);
    sg17_put_u32(&w, c->issue_date);
    sg17_put_u32(&w, c->next_crl);
    sg17_put_u8(&w, c->has_priority ? 0x40 : 0x00); /* CrlPriorityInfo preamble */
    if (c->has_priority)
        sg17_put_u8(&w, c->priority);
    sg17_put_u8(&w, OER_TAG(c->delta ? CRL_DELTA_HASH : CRL_FULL_HASH));
    sg17_put_u8(&w, 0x00); /* ToBeSignedHashIdCrl preamble: no extensions */
    sg17_put_u32(&w, c->crl_serial);
    oer_put_count(&w, c->n_entries);
    for (size_t i = 0; i < c->n_entries; i++) {
        sg17_put_bytes(&w, entries[i].id, V2X_HASHEDID10);
        sg17_put_u32(&w, entries[i].expiry);
    }
    return sg17_writer_finish(&w, out_len) == 0 ? V2X_OK : V2X_ESPACE;
}

int v2x_crl_decode(const uint8_t *buf, size_t len, v2x_crl_t *c)
{
    if (!buf || !c)
        return V2X_EARG;
    memset(c, 0, sizeof *c);
    sg17_reader_t r = sg17_reader(buf, len);
    c->version = sg17_get_u8(&r);
    c->crl_series = sg17_get_u16(&r);
    sg17_get_copy(&r, c->craca, 8);
    c->issue_date = sg17_get_u32(&r);
    c->next_crl = sg17_get_u32(&r);
    uint8_t pre = sg17_get_u8(&r);
    bool unsupported = false;
    if (pre & 0x3f) /* unused preamble bits must be zero */
        sg17_reader_fail(&r);
    if (pre & 0x80) { /* a CrlPriorityInfo extension */
        unsupported = sg17_reader_ok(&r);
        sg17_reader_fail(&r);
    }
    c->has_priority = pre & 0x40;
    if (c->has_priority)
        c->priority = sg17_get_u8(&r);
    int tag = oer_get_tag(&r);
    if (tag != CRL_FULL_HASH && tag != CRL_DELTA_HASH) { /* linked CRLs, extensions */
        unsupported = sg17_reader_ok(&r) || tag > CRL_DELTA_HASH;
        sg17_reader_fail(&r);
    }
    c->delta = tag == CRL_DELTA_HASH;
    uint8_t tpre = sg17_get_u8(&r);
    if (tpre != 0x00) {
        unsupported = unsupported || (sg17_reader_ok(&r) && tpre == 0x80);
        sg17_reader_fail(&r);
    }
    c->crl_serial = sg17_get_u32(&r);
    size_t n = oer_get_count(&r);
    if (n > sg17_reader_remaining(&r) / ENTRY_LEN)
        sg17_reader_fail(&r);
    c->n_entries = sg17_reader_ok(&r) ? n : 0;
    c->entries = sg17_get_bytes(&r, c->n_entries * ENTRY_LEN);
    if (sg17_reader_ok(&r) && c->version != 1) {
        unsupported = true;
        sg17_reader_fail(&r);
    }
    if (sg17_reader_done(&r))
        return V2X_OK;
    memset(c, 0, sizeof *c);
    return unsupported ? V2X_EUNSUPPORTED : V2X_EMALFORMED;
}

void v2x_crl_entry(const v2x_crl_t *c, size_t i, v2x_crl_entry_t *e)
{
    const uint8_t *p = c->entries + i * ENTRY_LEN;
    memcpy(e->id, p, V2X_HASHEDID10);
    e->expiry = sg17_load_be32(p + V2X_HASHEDID10);
}

bool v2x_crl_lists(const v2x_crl_t *c, const uint8_t id[V2X_HASHEDID10])
{
    for (size_t i = 0; i < c->n_entries; i++)
        if (memcmp(c->entries + i * ENTRY_LEN, id, V2X_HASHEDID10) == 0)
            return true;
    return false;
}

int v2x_cert_hashedid10(const uint8_t *cert, size_t len, uint8_t out[V2X_HASHEDID10])
{
    v2x_cert_view_t v;
    uint8_t h[V2X_MAX_HASH];
    int rc = v2x_cert_decode(cert, len, &v);
    if (rc != V2X_OK)
        return rc;
    v2x_hash_t alg = v2x_curve_hash(v.curve);
    if (v2x_hash(alg, cert, len, h) != V2X_OK)
        return V2X_ECRYPTO;
    memcpy(out, h + v2x_hash_size(alg) - V2X_HASHEDID10, V2X_HASHEDID10);
    return V2X_OK;
}
