/* mikey.c — the MIKEY-SAKKE I_MESSAGE encoder and decoder (see mikey.h), on the bounded writer
 * and reader of sg17tb/wire.h. */
#include "proto/mikey.h"

#include <sg17tb/wire.h>

/* Where a payload may come in the message: each payload's stage must exceed the previous one's,
 * which fixes the order of RFC 6509 §2.1 and admits every payload at most once. */
enum { ST_HDR, ST_T, ST_RAND, ST_IDRI, ST_IDRR, ST_IDRKMSI, ST_EXT, ST_SAKKE, ST_SIGN };

static bool id_ok(const uint8_t *id, size_t len, uint8_t type)
{
    return id && len > 0 && len <= 0xffff && (type == MIKEY_ID_URI || type == MIKEY_ID_BYTES);
}

static bool message_ok(const mikey_sakke_t *m)
{
    return m->rand && m->rand_len > 0 && m->rand_len <= 0xff
           && id_ok(m->idri, m->idri_len, m->idri_type) && id_ok(m->idrr, m->idrr_len, m->idrr_type)
           && (!m->kms_uri || (m->kms_uri_len > 0 && m->kms_uri_len <= 0xffff))
           && (!m->ext || m->ext_len <= 0xffff) && m->sakke && m->sakke_len > 0
           && m->sakke_len <= 0xffff && m->sign_len <= MIKEY_SIGN_MAX && m->sign_type <= 0x0f;
}

size_t mikey_sakke_length(const mikey_sakke_t *m)
{
    if (!m || !message_ok(m))
        return 0;
    return 10 + 10 + (2 + m->rand_len) + (5 + m->idri_len) + (5 + m->idrr_len)
           + (m->kms_uri ? 5 + m->kms_uri_len : 0) + (m->ext ? 4 + m->ext_len : 0)
           + (5 + m->sakke_len) + (m->sign_len ? 2 + m->sign_len : 0);
}

static void put_idr(sg17_writer_t *w, uint8_t next, uint8_t role, uint8_t type, const uint8_t *id,
                    size_t len)
{
    sg17_put_u8(w, next);
    sg17_put_u8(w, role);
    sg17_put_u8(w, type);
    sg17_put_u16(w, (uint16_t)len);
    sg17_put_bytes(w, id, len);
}

size_t mikey_sakke_encode(const mikey_sakke_t *m, uint8_t *out, size_t cap)
{
    size_t total = mikey_sakke_length(m);
    if (total == 0 || total > cap || !out)
        return 0;
    uint8_t after_idrr = m->kms_uri ? MIKEY_PL_IDR : m->ext ? MIKEY_PL_EXT : MIKEY_PL_SAKKE;
    uint8_t after_kms = m->ext ? MIKEY_PL_EXT : MIKEY_PL_SAKKE;
    sg17_writer_t w = sg17_writer(out, cap);
    /* HDR: version, data type, next payload, V = 0 | PRF MIKEY-1, CSB ID, #CS 0, SRTP-ID map */
    sg17_put_u8(&w, MIKEY_VERSION);
    sg17_put_u8(&w, MIKEY_DATA_SAKKE);
    sg17_put_u8(&w, MIKEY_PL_T);
    sg17_put_u8(&w, 0);
    sg17_put_u32(&w, m->csb_id);
    sg17_put_u8(&w, 0);
    sg17_put_u8(&w, 0);
    /* T */
    sg17_put_u8(&w, MIKEY_PL_RAND);
    sg17_put_u8(&w, MIKEY_TS_NTP_UTC);
    sg17_put_u64(&w, m->ntp);
    /* RAND */
    sg17_put_u8(&w, MIKEY_PL_IDR);
    sg17_put_u8(&w, (uint8_t)m->rand_len);
    sg17_put_bytes(&w, m->rand, m->rand_len);
    /* IDRi, IDRr, IDRkmsi */
    put_idr(&w, MIKEY_PL_IDR, MIKEY_ROLE_INITIATOR, m->idri_type, m->idri, m->idri_len);
    put_idr(&w, after_idrr, MIKEY_ROLE_RESPONDER, m->idrr_type, m->idrr, m->idrr_len);
    if (m->kms_uri)
        put_idr(&w, after_kms, MIKEY_ROLE_KMS_I, MIKEY_ID_URI, m->kms_uri, m->kms_uri_len);
    /* general extension */
    if (m->ext) {
        sg17_put_u8(&w, MIKEY_PL_SAKKE);
        sg17_put_u8(&w, m->ext_type);
        sg17_put_u16(&w, (uint16_t)m->ext_len);
        sg17_put_bytes(&w, m->ext, m->ext_len);
    }
    /* SAKKE */
    sg17_put_u8(&w, m->sign_len ? MIKEY_PL_SIGN : MIKEY_PL_LAST);
    sg17_put_u8(&w, m->sakke_params);
    sg17_put_u8(&w, m->id_scheme);
    sg17_put_u16(&w, (uint16_t)m->sakke_len);
    sg17_put_bytes(&w, m->sakke, m->sakke_len);
    /* SIGN header: the signature itself follows, written by the caller */
    if (m->sign_len) {
        sg17_put_u16(&w, (uint16_t)(m->sign_type << 12 | m->sign_len));
        sg17_put_space(&w, m->sign_len);
    }
    size_t n = 0;
    if (sg17_writer_finish(&w, &n) != 0 || n != total)
        return 0;
    return m->sign_len ? total - m->sign_len : total;
}

/* One ID payload with role indicator (the next-payload octet already read). */
static int get_idr(sg17_reader_t *r, mikey_sakke_t *m, int *stage)
{
    uint8_t role = sg17_get_u8(r), type = sg17_get_u8(r);
    uint16_t len = sg17_get_u16(r);
    const uint8_t *id = sg17_get_bytes(r, len);
    int st = role == MIKEY_ROLE_INITIATOR   ? ST_IDRI
             : role == MIKEY_ROLE_RESPONDER ? ST_IDRR
             : role == MIKEY_ROLE_KMS_I     ? ST_IDRKMSI
                                            : -1;
    if (!sg17_reader_ok(r) || st <= *stage || len == 0
        || (type != MIKEY_ID_URI && type != MIKEY_ID_BYTES)
        || (st == ST_IDRKMSI && type != MIKEY_ID_URI))
        return -1;
    *stage = st;
    if (st == ST_IDRI) {
        m->idri = id, m->idri_len = len, m->idri_type = type;
    } else if (st == ST_IDRR) {
        m->idrr = id, m->idrr_len = len, m->idrr_type = type;
    } else {
        m->kms_uri = id, m->kms_uri_len = len;
    }
    return 0;
}

int mikey_sakke_decode(const uint8_t *buf, size_t len, mikey_sakke_t *m)
{
    *m = (mikey_sakke_t){0};
    sg17_reader_t r = sg17_reader(buf, len);
    /* HDR */
    sg17_get_expect(&r, MIKEY_VERSION);
    sg17_get_expect(&r, MIKEY_DATA_SAKKE);
    uint8_t next = sg17_get_u8(&r);
    sg17_get_expect(&r, 0); /* V = 0, PRF MIKEY-1 */
    m->csb_id = sg17_get_u32(&r);
    sg17_get_expect(&r, 0); /* #CS */
    sg17_get_expect(&r, 0); /* CS ID map type SRTP-ID (nothing follows with #CS 0) */
    int stage = ST_HDR;
    while (sg17_reader_ok(&r) && next != MIKEY_PL_LAST && next != MIKEY_PL_SIGN) {
        uint8_t pl = next;
        next = sg17_get_u8(&r);
        if (pl == MIKEY_PL_T && stage < ST_T) {
            sg17_get_expect(&r, MIKEY_TS_NTP_UTC);
            m->ntp = sg17_get_u64(&r);
            stage = ST_T;
        } else if (pl == MIKEY_PL_RAND && stage == ST_T) {
            m->rand_len = sg17_get_u8(&r);
            m->rand = sg17_get_bytes(&r, m->rand_len);
            if (m->rand_len == 0)
                sg17_reader_fail(&r);
            stage = ST_RAND;
        } else if (pl == MIKEY_PL_IDR && stage >= ST_RAND) {
            if (get_idr(&r, m, &stage) != 0)
                sg17_reader_fail(&r);
        } else if (pl == MIKEY_PL_EXT && stage >= ST_RAND && stage < ST_EXT) {
            m->ext_type = sg17_get_u8(&r);
            m->ext_len = sg17_get_u16(&r);
            m->ext = sg17_get_bytes(&r, m->ext_len);
            stage = ST_EXT;
        } else if (pl == MIKEY_PL_SAKKE && stage >= ST_RAND && stage < ST_SAKKE) {
            m->sakke_params = sg17_get_u8(&r);
            m->id_scheme = sg17_get_u8(&r);
            m->sakke_len = sg17_get_u16(&r);
            m->sakke = sg17_get_bytes(&r, m->sakke_len);
            if (m->sakke_len == 0)
                sg17_reader_fail(&r);
            stage = ST_SAKKE;
        } else {
            sg17_reader_fail(&r); /* unknown, repeated or out of order */
        }
    }
    /* SAKKE must have been the payload before LAST or SIGN */
    if (stage != ST_SAKKE || !m->idri || !m->idrr)
        sg17_reader_fail(&r);
    if (next == MIKEY_PL_SIGN) {
        uint16_t tl = sg17_get_u16(&r);
        m->sign_type = (uint8_t)(tl >> 12);
        m->sign_len = tl & MIKEY_SIGN_MAX;
        m->signed_len = r.pos;
        m->sign = sg17_get_bytes(&r, m->sign_len);
        if (m->sign_len == 0)
            sg17_reader_fail(&r);
    } else {
        m->signed_len = r.pos;
    }
    if (!sg17_reader_done(&r)) {
        *m = (mikey_sakke_t){0};
        return -1;
    }
    return 0;
}
