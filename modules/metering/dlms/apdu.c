/* dlms/apdu.c — strict, bounds-checked A-XDR encoders and decoders of the APDUs in apdu.h. */
#include "dlms/apdu.h"

#include <string.h>

#include "dlms/axdr.h"
#include "dlms/security.h"

const uint8_t DLMS_OBIS_ACTIVE_ENERGY_IMPORT[6] = {1, 0, 1, 8, 0, 255};
const uint8_t DLMS_OBIS_LOAD_PROFILE[6] = {1, 0, 99, 1, 0, 255};
const uint8_t DLMS_OBIS_CLOCK[6] = {0, 0, 1, 0, 0, 255};
const uint8_t DLMS_OBIS_IMAGE_TRANSFER[6] = {0, 0, 44, 0, 0, 255};
const uint8_t DLMS_OBIS_DISCONNECT_CONTROL[6] = {0, 0, 96, 3, 10, 255};
const uint8_t DLMS_OBIS_LIMITER[6] = {0, 0, 17, 0, 0, 255};
const uint8_t DLMS_OBIS_ACTIVITY_CALENDAR[6] = {0, 0, 13, 0, 0, 255};

#define NORMAL_CHOICE  0x01 /* the "normal" CHOICE of get/set/action requests and responses */
#define DATA_MAX_DEPTH 16

/* ---- A-XDR length ---- */

int dlms_axdr_length_encode(size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
    if (!out || !outlen || (uint64_t)n > UINT32_MAX)
        return -1;
    if (n < 0x80) {
        if (cap < 1)
            return -1;
        out[0] = (uint8_t)n;
        *outlen = 1;
        return 0;
    }
    size_t k = n > 0xFFFFFF ? 4 : n > 0xFFFF ? 3 : n > 0xFF ? 2 : 1;
    if (cap < k + 1)
        return -1;
    out[0] = (uint8_t)(0x80 | k);
    for (size_t i = 0; i < k; i++)
        out[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
    *outlen = k + 1;
    return 0;
}

/* Minimal forms only: long form for values >= 0x80, without leading zero octets; the
 * indefinite form 0x80 and more than 4 length octets are rejected. */
int dlms_axdr_length_decode(const uint8_t *in, size_t len, size_t *value, size_t *consumed)
{
    if (!in || !value || !consumed || len < 1)
        return -1;
    if (in[0] < 0x80) {
        *value = in[0];
        *consumed = 1;
        return 0;
    }
    size_t k = in[0] & 0x7F;
    if (k == 0 || k > 4 || len < 1 + k || in[1] == 0)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < k; i++)
        v = v << 8 | in[1 + i];
    if (v < 0x80 || (uint64_t)(size_t)v != v)
        return -1;
    *value = (size_t)v;
    *consumed = 1 + k;
    return 0;
}

/* ---- Data ---- */

/* Skips one Data value; nesting (array/structure) is bounded by DATA_MAX_DEPTH and every element
 * consumes at least one octet, so the walk is bounded by the input length. */
static int data_skip(rbuf_t *r, int depth)
{
    uint8_t t;
    size_t n;
    if (r_u8(r, &t))
        return -1;
    switch (t) {
    case DLMS_DT_NULL:
        return 0;
    case DLMS_DT_ARRAY:
    case DLMS_DT_STRUCTURE:
        if (depth >= DATA_MAX_DEPTH || r_len(r, &n))
            return -1;
        for (size_t i = 0; i < n; i++)
            if (data_skip(r, depth + 1))
                return -1;
        return 0;
    case DLMS_DT_BOOLEAN:
    case DLMS_DT_INTEGER:
    case DLMS_DT_UNSIGNED:
    case DLMS_DT_ENUM:
    case DLMS_DT_BCD:
        return r_bytes(r, 1, NULL);
    case DLMS_DT_LONG:
    case DLMS_DT_LONG_UNSIGNED:
        return r_bytes(r, 2, NULL);
    case DLMS_DT_DOUBLE_LONG:
    case DLMS_DT_DOUBLE_LONG_UNSIGNED:
    case DLMS_DT_FLOAT32:
    case DLMS_DT_TIME:
        return r_bytes(r, 4, NULL);
    case DLMS_DT_DATE:
        return r_bytes(r, 5, NULL);
    case DLMS_DT_LONG64:
    case DLMS_DT_LONG64_UNSIGNED:
    case DLMS_DT_FLOAT64:
        return r_bytes(r, 8, NULL);
    case DLMS_DT_DATE_TIME:
        return r_bytes(r, DLMS_DATETIME_LEN, NULL);
    case DLMS_DT_BIT_STRING: /* length in bits */
        if (r_len(r, &n))
            return -1;
        return r_bytes(r, n / 8 + (n % 8 != 0), NULL);
    case DLMS_DT_OCTET_STRING:
    case DLMS_DT_VISIBLE_STRING:
    case DLMS_DT_UTF8_STRING:
        if (r_len(r, &n))
            return -1;
        return r_bytes(r, n, NULL);
    default:
        return -1;
    }
}

int dlms_data_check(const uint8_t *in, size_t len, size_t *consumed)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    if (!consumed || data_skip(&r, 0))
        return -1;
    *consumed = r.pos;
    return 0;
}

/* Reads one Data value and returns where it starts and its size. */
static int r_data(rbuf_t *r, const uint8_t **p, size_t *n)
{
    size_t start = r->pos;
    if (data_skip(r, 0))
        return -1;
    *p = r->p + start;
    *n = r->pos - start;
    return 0;
}

/* Writes an already encoded Data value after checking it is exactly one well-formed value. */
static void w_data(wbuf_t *w, const uint8_t *p, size_t n)
{
    size_t used;
    if (!p || dlms_data_check(p, n, &used) || used != n) {
        w->err = 1;
        return;
    }
    w_bytes(w, p, n);
}

int dlms_data_encode_u32(uint32_t v, uint8_t *out, size_t cap, size_t *outlen)
{
    wbuf_t w;
    wbuf_init(&w, out, cap);
    w_u8(&w, DLMS_DT_DOUBLE_LONG_UNSIGNED);
    w_u32(&w, v);
    return w_done(&w, outlen);
}

int dlms_data_decode_u32(const uint8_t *in, size_t len, uint32_t *v)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    if (!v || r_expect(&r, DLMS_DT_DOUBLE_LONG_UNSIGNED) || r_u32(&r, v))
        return -1;
    return r_end(&r);
}

int dlms_data_encode_octets(const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
    wbuf_t w;
    wbuf_init(&w, out, cap);
    w_u8(&w, DLMS_DT_OCTET_STRING);
    w_octets(&w, p, n);
    return w_done(&w, outlen);
}

int dlms_data_decode_octets(const uint8_t *in, size_t len, const uint8_t **p, size_t *n)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    if (!p || !n || r_expect(&r, DLMS_DT_OCTET_STRING) || r_octets(&r, p, n))
        return -1;
    return r_end(&r);
}

/* ---- COSEM date-time ---- */

void dlms_datetime_pack(const dlms_datetime_t *dt, uint8_t out[DLMS_DATETIME_LEN])
{
    uint16_t dev = (uint16_t)dt->deviation;
    out[0] = (uint8_t)(dt->year >> 8);
    out[1] = (uint8_t)dt->year;
    out[2] = dt->month;
    out[3] = dt->day;
    out[4] = dt->day_of_week;
    out[5] = dt->hour;
    out[6] = dt->minute;
    out[7] = dt->second;
    out[8] = dt->hundredths;
    out[9] = (uint8_t)(dev >> 8);
    out[10] = (uint8_t)dev;
    out[11] = dt->clock_status;
}

/* v is valid when lo <= v <= hi or it is one of the special "not specified" style values. */
static int in_range(uint8_t v, uint8_t lo, uint8_t hi, uint8_t special_from)
{
    return (v >= lo && v <= hi) || v >= special_from;
}

int dlms_datetime_unpack(const uint8_t in[DLMS_DATETIME_LEN], dlms_datetime_t *dt)
{
    if (!in || !dt)
        return -1;
    dlms_datetime_t d;
    memset(&d, 0, sizeof d);
    d.year = (uint16_t)(in[0] << 8 | in[1]);
    d.month = in[2];
    d.day = in[3];
    d.day_of_week = in[4];
    d.hour = in[5];
    d.minute = in[6];
    d.second = in[7];
    d.hundredths = in[8];
    d.deviation = (int16_t)(uint16_t)(in[9] << 8 | in[10]);
    d.clock_status = in[11];
    if (!in_range(d.month, 1, 12, 0xFD) || !in_range(d.day, 1, 31, 0xFD)
        || !in_range(d.day_of_week, 1, 7, 0xFF) || !in_range(d.hour, 0, 23, 0xFF)
        || !in_range(d.minute, 0, 59, 0xFF) || !in_range(d.second, 0, 59, 0xFF)
        || !in_range(d.hundredths, 0, 99, 0xFF))
        return -1;
    if (d.deviation != INT16_MIN && (d.deviation < -720 || d.deviation > 720))
        return -1;
    *dt = d;
    return 0;
}

/* Proleptic Gregorian calendar from a day count since 1970-01-01 (era-based civil date). */
void dlms_datetime_from_unix(int64_t seconds, dlms_datetime_t *dt)
{
    int64_t days = seconds / 86400, rem = seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    memset(dt, 0, sizeof *dt);
    dt->year = (uint16_t)year;
    dt->month = (uint8_t)month;
    dt->day = (uint8_t)day;
    dt->day_of_week = (uint8_t)(((days % 7) + 7 + 3) % 7 + 1); /* 1970-01-01 was a Thursday */
    dt->hour = (uint8_t)(rem / 3600);
    dt->minute = (uint8_t)(rem / 60 % 60);
    dt->second = (uint8_t)(rem % 60);
    dt->hundredths = 0;
    dt->deviation = 0;
    dt->clock_status = 0;
}

/* ---- ciphered framing ---- */

uint8_t dlms_glo_tag_for(uint8_t plain_tag)
{
    switch (plain_tag) {
    case DLMS_APDU_GET_REQUEST:
        return DLMS_APDU_GLO_GET_REQUEST;
    case DLMS_APDU_SET_REQUEST:
        return DLMS_APDU_GLO_SET_REQUEST;
    case DLMS_APDU_EVENT_NOTIFICATION:
        return DLMS_APDU_GLO_EVENT_NOTIFICATION;
    case DLMS_APDU_ACTION_REQUEST:
        return DLMS_APDU_GLO_ACTION_REQUEST;
    case DLMS_APDU_GET_RESPONSE:
        return DLMS_APDU_GLO_GET_RESPONSE;
    case DLMS_APDU_SET_RESPONSE:
        return DLMS_APDU_GLO_SET_RESPONSE;
    case DLMS_APDU_ACTION_RESPONSE:
        return DLMS_APDU_GLO_ACTION_RESPONSE;
    default:
        return 0;
    }
}

static int is_glo_tag(uint8_t tag)
{
    return (tag >= DLMS_APDU_GLO_GET_REQUEST && tag <= DLMS_APDU_GLO_SET_RESPONSE)
           || tag == DLMS_APDU_GLO_ACTION_RESPONSE;
}

int dlms_glo_encode(uint8_t tag, const uint8_t *secured, size_t secured_len, uint8_t *out,
                    size_t cap, size_t *outlen)
{
    if (!is_glo_tag(tag) || !secured || secured_len == 0)
        return -1;
    wbuf_t w;
    wbuf_init(&w, out, cap);
    w_u8(&w, tag);
    w_octets(&w, secured, secured_len);
    return w_done(&w, outlen);
}

int dlms_glo_decode(const uint8_t *in, size_t len, uint8_t *tag, const uint8_t **secured,
                    size_t *secured_len)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    uint8_t t;
    if (!tag || !secured || !secured_len || r_u8(&r, &t) || !is_glo_tag(t)
        || r_octets(&r, secured, secured_len) || *secured_len == 0 || r_end(&r))
        return -1;
    *tag = t;
    return 0;
}

int dlms_general_glo_encode(const uint8_t systitle[8], const uint8_t *secured, size_t secured_len,
                            uint8_t *out, size_t cap, size_t *outlen)
{
    if (!systitle || !secured || secured_len == 0)
        return -1;
    wbuf_t w;
    wbuf_init(&w, out, cap);
    w_u8(&w, DLMS_APDU_GENERAL_GLO_CIPHERING);
    w_octets(&w, systitle, DLMS_SYSTITLE_LEN);
    w_octets(&w, secured, secured_len);
    return w_done(&w, outlen);
}

int dlms_general_glo_decode(const uint8_t *in, size_t len, const uint8_t **systitle,
                            const uint8_t **secured, size_t *secured_len)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    size_t stlen;
    if (!systitle || !secured || !secured_len || r_expect(&r, DLMS_APDU_GENERAL_GLO_CIPHERING)
        || r_octets(&r, systitle, &stlen) || stlen != DLMS_SYSTITLE_LEN
        || r_octets(&r, secured, secured_len) || *secured_len == 0 || r_end(&r))
        return -1;
    return 0;
}

/* ---- data-notification ---- */

int dlms_data_notification_encode(const dlms_data_notification_t *x, uint8_t *out, size_t cap,
                                  size_t *outlen)
{
    if (!x)
        return -1;
    wbuf_t w;
    wbuf_init(&w, out, cap);
    w_u8(&w, DLMS_APDU_DATA_NOTIFICATION);
    w_u32(&w, x->long_invoke_id);
    if (x->has_time) {
        uint8_t dt[DLMS_DATETIME_LEN];
        dlms_datetime_pack(&x->time, dt);
        w_octets(&w, dt, sizeof dt);
    } else {
        w_u8(&w, 0);
    }
    w_u8(&w, DLMS_DT_STRUCTURE);
    w_u8(&w, 3);
    w_u8(&w, DLMS_DT_OCTET_STRING);
    w_octets(&w, x->reading.obis, 6);
    w_u8(&w, DLMS_DT_DOUBLE_LONG_UNSIGNED);
    w_u32(&w, x->reading.value);
    w_u8(&w, DLMS_DT_UNSIGNED);
    w_u8(&w, x->reading.status);
    return w_done(&w, outlen);
}

int dlms_data_notification_decode(const uint8_t *in, size_t len, dlms_data_notification_t *x)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    dlms_data_notification_t d;
    memset(&d, 0, sizeof d);
    const uint8_t *p;
    size_t n;
    if (!x || r_expect(&r, DLMS_APDU_DATA_NOTIFICATION) || r_u32(&r, &d.long_invoke_id)
        || r_octets(&r, &p, &n))
        return -1;
    if (n == DLMS_DATETIME_LEN) {
        if (dlms_datetime_unpack(p, &d.time))
            return -1;
        d.has_time = true;
    } else if (n != 0) {
        return -1;
    }
    if (r_expect(&r, DLMS_DT_STRUCTURE) || r_expect(&r, 3) || r_expect(&r, DLMS_DT_OCTET_STRING)
        || r_octets(&r, &p, &n) || n != 6)
        return -1;
    memcpy(d.reading.obis, p, 6);
    if (r_expect(&r, DLMS_DT_DOUBLE_LONG_UNSIGNED) || r_u32(&r, &d.reading.value)
        || r_expect(&r, DLMS_DT_UNSIGNED) || r_u8(&r, &d.reading.status) || r_end(&r))
        return -1;
    *x = d;
    return 0;
}

/* ---- get / set / action ---- */

static void w_ref(wbuf_t *w, const dlms_cosem_ref_t *ref)
{
    w_u16(w, ref->class_id);
    w_bytes(w, ref->obis, 6);
    w_u8(w, ref->index);
}

static int r_ref(rbuf_t *r, dlms_cosem_ref_t *ref)
{
    const uint8_t *obis;
    if (r_u16(r, &ref->class_id) || r_bytes(r, 6, &obis) || r_u8(r, &ref->index))
        return -1;
    memcpy(ref->obis, obis, 6);
    return 0;
}

/* Reads "<tag> 01 invoke-id" — the header shared by every normal request and response. */
static int r_normal_header(rbuf_t *r, uint8_t tag, uint8_t *invoke_id)
{
    return r_expect(r, tag) || r_expect(r, NORMAL_CHOICE) || r_u8(r, invoke_id) ? -1 : 0;
}

static void w_normal_header(wbuf_t *w, uint8_t tag, uint8_t invoke_id)
{
    w_u8(w, tag);
    w_u8(w, NORMAL_CHOICE);
    w_u8(w, invoke_id);
}

int dlms_get_request_encode(const dlms_get_request_t *x, uint8_t *out, size_t cap, size_t *outlen)
{
    if (!x)
        return -1;
    wbuf_t w;
    wbuf_init(&w, out, cap);
    w_normal_header(&w, DLMS_APDU_GET_REQUEST, x->invoke_id);
    w_ref(&w, &x->attr);
    w_u8(&w, 0); /* no selective access */
    return w_done(&w, outlen);
}

int dlms_get_request_decode(const uint8_t *in, size_t len, dlms_get_request_t *x)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    dlms_get_request_t d;
    if (!x || r_normal_header(&r, DLMS_APDU_GET_REQUEST, &d.invoke_id) || r_ref(&r, &d.attr)
        || r_expect(&r, 0) || r_end(&r))
        return -1;
    *x = d;
    return 0;
}

int dlms_get_response_encode(const dlms_get_response_t *x, uint8_t *out, size_t cap, size_t *outlen)
{
    if (!x || (!x->data && x->access_result == 0))
        return -1;
    wbuf_t w;
    wbuf_init(&w, out, cap);
    w_normal_header(&w, DLMS_APDU_GET_RESPONSE, x->invoke_id);
    if (x->data) {
        w_u8(&w, 0);
        w_data(&w, x->data, x->data_len);
    } else {
        w_u8(&w, 1);
        w_u8(&w, x->access_result);
    }
    return w_done(&w, outlen);
}

int dlms_get_response_decode(const uint8_t *in, size_t len, dlms_get_response_t *x)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    dlms_get_response_t d = {0};
    uint8_t choice;
    if (!x || r_normal_header(&r, DLMS_APDU_GET_RESPONSE, &d.invoke_id) || r_u8(&r, &choice))
        return -1;
    if (choice == 0) {
        if (r_data(&r, &d.data, &d.data_len))
            return -1;
    } else if (choice == 1) {
        if (r_u8(&r, &d.access_result) || d.access_result == 0)
            return -1;
    } else {
        return -1;
    }
    if (r_end(&r))
        return -1;
    *x = d;
    return 0;
}

int dlms_set_request_encode(const dlms_set_request_t *x, uint8_t *out, size_t cap, size_t *outlen)
{
    if (!x)
        return -1;
    wbuf_t w;
    wbuf_init(&w, out, cap);
    w_normal_header(&w, DLMS_APDU_SET_REQUEST, x->invoke_id);
    w_ref(&w, &x->attr);
    w_u8(&w, 0); /* no selective access */
    w_data(&w, x->value, x->value_len);
    return w_done(&w, outlen);
}

int dlms_set_request_decode(const uint8_t *in, size_t len, dlms_set_request_t *x)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    dlms_set_request_t d;
    if (!x || r_normal_header(&r, DLMS_APDU_SET_REQUEST, &d.invoke_id) || r_ref(&r, &d.attr)
        || r_expect(&r, 0) || r_data(&r, &d.value, &d.value_len) || r_end(&r))
        return -1;
    *x = d;
    return 0;
}

int dlms_set_response_encode(const dlms_set_response_t *x, uint8_t *out, size_t cap, size_t *outlen)
{
    if (!x)
        return -1;
    wbuf_t w;
    wbuf_init(&w, out, cap);
    w_normal_header(&w, DLMS_APDU_SET_RESPONSE, x->invoke_id);
    w_u8(&w, x->result);
    return w_done(&w, outlen);
}

int dlms_set_response_decode(const uint8_t *in, size_t len, dlms_set_response_t *x)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    dlms_set_response_t d;
    if (!x || r_normal_header(&r, DLMS_APDU_SET_RESPONSE, &d.invoke_id) || r_u8(&r, &d.result)
        || r_end(&r))
        return -1;
    *x = d;
    return 0;
}

int dlms_action_request_encode(const dlms_action_request_t *x, uint8_t *out, size_t cap,
                               size_t *outlen)
{
    if (!x)
        return -1;
    wbuf_t w;
    wbuf_init(&w, out, cap);
    w_normal_header(&w, DLMS_APDU_ACTION_REQUEST, x->invoke_id);
    w_ref(&w, &x->method);
    if (x->params) {
        w_u8(&w, 1);
        w_data(&w, x->params, x->params_len);
    } else {
        w_u8(&w, 0);
    }
    return w_done(&w, outlen);
}

int dlms_action_request_decode(const uint8_t *in, size_t len, dlms_action_request_t *x)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    dlms_action_request_t d = {0};
    uint8_t present;
    if (!x || r_normal_header(&r, DLMS_APDU_ACTION_REQUEST, &d.invoke_id) || r_ref(&r, &d.method)
        || r_u8(&r, &present) || present > 1)
        return -1;
    if (present && r_data(&r, &d.params, &d.params_len))
        return -1;
    if (r_end(&r))
        return -1;
    *x = d;
    return 0;
}

int dlms_action_response_encode(const dlms_action_response_t *x, uint8_t *out, size_t cap,
                                size_t *outlen)
{
    if (!x)
        return -1;
    wbuf_t w;
    wbuf_init(&w, out, cap);
    w_normal_header(&w, DLMS_APDU_ACTION_RESPONSE, x->invoke_id);
    w_u8(&w, x->result);
    if (x->data) {
        w_u8(&w, 1);
        w_u8(&w, 0); /* Get-Data-Result: data */
        w_data(&w, x->data, x->data_len);
    } else {
        w_u8(&w, 0);
    }
    return w_done(&w, outlen);
}

int dlms_action_response_decode(const uint8_t *in, size_t len, dlms_action_response_t *x)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    dlms_action_response_t d = {0};
    uint8_t present;
    if (!x || r_normal_header(&r, DLMS_APDU_ACTION_RESPONSE, &d.invoke_id) || r_u8(&r, &d.result)
        || r_u8(&r, &present) || present > 1)
        return -1;
    if (present && (r_expect(&r, 0) || r_data(&r, &d.data, &d.data_len)))
        return -1;
    if (r_end(&r))
        return -1;
    *x = d;
    return 0;
}

int dlms_disconnect_request_encode(uint8_t invoke_id, bool reconnect, uint8_t *out, size_t cap,
                                   size_t *outlen)
{
    static const uint8_t integer_zero[] = {DLMS_DT_INTEGER, 0};
    dlms_action_request_t x = {
        .invoke_id = invoke_id,
        .method = {.class_id = DLMS_CLASS_DISCONNECT_CONTROL,
                   .index =
                       reconnect ? DLMS_METHOD_REMOTE_RECONNECT : DLMS_METHOD_REMOTE_DISCONNECT},
        .params = integer_zero,
        .params_len = sizeof integer_zero,
    };
    memcpy(x.method.obis, DLMS_OBIS_DISCONNECT_CONTROL, 6);
    return dlms_action_request_encode(&x, out, cap, outlen);
}

int dlms_load_limit_request_encode(uint8_t invoke_id, uint32_t threshold, uint8_t *out, size_t cap,
                                   size_t *outlen)
{
    uint8_t value[5];
    size_t n;
    if (dlms_data_encode_u32(threshold, value, sizeof value, &n))
        return -1;
    dlms_set_request_t x = {
        .invoke_id = invoke_id,
        .attr = {.class_id = DLMS_CLASS_LIMITER, .index = DLMS_ATTR_LIMITER_THRESHOLD_NORMAL},
        .value = value,
        .value_len = n,
    };
    memcpy(x.attr.obis, DLMS_OBIS_LIMITER, 6);
    return dlms_set_request_encode(&x, out, cap, outlen);
}

/* ---- image transfer ---- */

int dlms_image_initiate_encode(const uint8_t *id, size_t id_len, uint32_t size, uint8_t *out,
                               size_t cap, size_t *outlen)
{
    wbuf_t w;
    wbuf_init(&w, out, cap);
    w_u8(&w, DLMS_DT_STRUCTURE);
    w_u8(&w, 2);
    w_u8(&w, DLMS_DT_OCTET_STRING);
    w_octets(&w, id, id_len);
    w_u8(&w, DLMS_DT_DOUBLE_LONG_UNSIGNED);
    w_u32(&w, size);
    return w_done(&w, outlen);
}

int dlms_image_initiate_decode(const uint8_t *in, size_t len, const uint8_t **id, size_t *id_len,
                               uint32_t *size)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    if (!id || !id_len || !size || r_expect(&r, DLMS_DT_STRUCTURE) || r_expect(&r, 2)
        || r_expect(&r, DLMS_DT_OCTET_STRING) || r_octets(&r, id, id_len)
        || r_expect(&r, DLMS_DT_DOUBLE_LONG_UNSIGNED) || r_u32(&r, size))
        return -1;
    return r_end(&r);
}

int dlms_image_block_encode(uint32_t number, const uint8_t *block, size_t block_len, uint8_t *out,
                            size_t cap, size_t *outlen)
{
    wbuf_t w;
    wbuf_init(&w, out, cap);
    w_u8(&w, DLMS_DT_STRUCTURE);
    w_u8(&w, 2);
    w_u8(&w, DLMS_DT_DOUBLE_LONG_UNSIGNED);
    w_u32(&w, number);
    w_u8(&w, DLMS_DT_OCTET_STRING);
    w_octets(&w, block, block_len);
    return w_done(&w, outlen);
}

int dlms_image_block_decode(const uint8_t *in, size_t len, uint32_t *number, const uint8_t **block,
                            size_t *block_len)
{
    rbuf_t r;
    rbuf_init(&r, in, len);
    if (!number || !block || !block_len || r_expect(&r, DLMS_DT_STRUCTURE) || r_expect(&r, 2)
        || r_expect(&r, DLMS_DT_DOUBLE_LONG_UNSIGNED) || r_u32(&r, number)
        || r_expect(&r, DLMS_DT_OCTET_STRING) || r_octets(&r, block, block_len))
        return -1;
    return r_end(&r);
}
