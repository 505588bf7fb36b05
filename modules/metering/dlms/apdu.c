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

#define DLMS_NORMAL_CHOICE  0x01 /* the "normal" CHOICE of get/set/action requests and responses */
#define DLMS_DATA_MAX_DEPTH 16

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

/* Skips one Data value; nesting (array/structure) is bounded by DLMS_DATA_MAX_DEPTH and every
 * element consumes at least one octet, so the walk is bounded by the input length. */
static void data_skip(sg17_reader_t *r, int depth)
{
    uint8_t t = sg17_get_u8(r);
    size_t n;
    if (!sg17_reader_ok(r))
        return;
    switch (t) {
    case DLMS_DT_NULL:
        return;
    case DLMS_DT_ARRAY:
    case DLMS_DT_STRUCTURE:
        if (depth >= DLMS_DATA_MAX_DEPTH) {
            sg17_reader_fail(r);
            return;
        }
        n = dlms_get_length(r);
        for (size_t i = 0; i < n && sg17_reader_ok(r); i++)
            data_skip(r, depth + 1);
        return;
    case DLMS_DT_BOOLEAN:
    case DLMS_DT_INTEGER:
    case DLMS_DT_UNSIGNED:
    case DLMS_DT_ENUM:
    case DLMS_DT_BCD:
        sg17_get_bytes(r, 1);
        return;
    case DLMS_DT_LONG:
    case DLMS_DT_LONG_UNSIGNED:
        sg17_get_bytes(r, 2);
        return;
    case DLMS_DT_DOUBLE_LONG:
    case DLMS_DT_DOUBLE_LONG_UNSIGNED:
    case DLMS_DT_FLOAT32:
    case DLMS_DT_TIME:
        sg17_get_bytes(r, 4);
        return;
    case DLMS_DT_DATE:
        sg17_get_bytes(r, 5);
        return;
    case DLMS_DT_LONG64:
    case DLMS_DT_LONG64_UNSIGNED:
    case DLMS_DT_FLOAT64:
        sg17_get_bytes(r, 8);
        return;
    case DLMS_DT_DATE_TIME:
        sg17_get_bytes(r, DLMS_DATETIME_LEN);
        return;
    case DLMS_DT_BIT_STRING: /* length in bits */
        n = dlms_get_length(r);
        sg17_get_bytes(r, n / 8 + (n % 8 != 0));
        return;
    case DLMS_DT_OCTET_STRING:
    case DLMS_DT_VISIBLE_STRING:
    case DLMS_DT_UTF8_STRING:
        n = dlms_get_length(r);
        sg17_get_bytes(r, n);
        return;
    default:
        sg17_reader_fail(r);
    }
}

int dlms_data_check(const uint8_t *in, size_t len, size_t *consumed)
{
    sg17_reader_t r = sg17_reader(in, len);
    if (!consumed)
        return -1;
    data_skip(&r, 0);
    if (!sg17_reader_ok(&r))
        return -1;
    *consumed = len - sg17_reader_remaining(&r);
    return 0;
}

/* Consumes one Data value and returns where it starts (NULL once failed), *n its size. */
static const uint8_t *get_data(sg17_reader_t *r, size_t *n)
{
    const uint8_t *start = sg17_get_bytes(r, 0);
    size_t before = sg17_reader_remaining(r);
    data_skip(r, 0);
    *n = sg17_reader_ok(r) ? before - sg17_reader_remaining(r) : 0;
    return sg17_reader_ok(r) ? start : NULL;
}

/* Appends an already encoded Data value after checking it is exactly one well-formed value. */
static void put_data(sg17_writer_t *w, const uint8_t *p, size_t n)
{
    size_t used;
    if (!p || dlms_data_check(p, n, &used) || used != n) {
        sg17_writer_fail(w);
        return;
    }
    sg17_put_bytes(w, p, n);
}

int dlms_data_encode_u32(uint32_t v, uint8_t *out, size_t cap, size_t *outlen)
{
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, DLMS_DT_DOUBLE_LONG_UNSIGNED);
    sg17_put_u32(&w, v);
    return dlms_put_finish(&w, outlen);
}

int dlms_data_decode_u32(const uint8_t *in, size_t len, uint32_t *v)
{
    if (!v)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    sg17_get_expect(&r, DLMS_DT_DOUBLE_LONG_UNSIGNED);
    uint32_t d = sg17_get_u32(&r);
    if (!sg17_reader_done(&r))
        return -1;
    *v = d;
    return 0;
}

int dlms_data_encode_octets(const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, DLMS_DT_OCTET_STRING);
    dlms_put_octets(&w, p, n);
    return dlms_put_finish(&w, outlen);
}

int dlms_data_decode_octets(const uint8_t *in, size_t len, const uint8_t **p, size_t *n)
{
    if (!p || !n)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    sg17_get_expect(&r, DLMS_DT_OCTET_STRING);
    size_t k;
    const uint8_t *at = dlms_get_octets(&r, &k);
    if (!sg17_reader_done(&r))
        return -1;
    *p = at;
    *n = k;
    return 0;
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
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, tag);
    dlms_put_octets(&w, secured, secured_len);
    return dlms_put_finish(&w, outlen);
}

int dlms_glo_decode(const uint8_t *in, size_t len, uint8_t *tag, const uint8_t **secured,
                    size_t *secured_len)
{
    if (!tag || !secured || !secured_len)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    uint8_t t = sg17_get_u8(&r);
    size_t n;
    const uint8_t *sec = dlms_get_octets(&r, &n);
    if (!sg17_reader_done(&r) || !is_glo_tag(t) || n == 0)
        return -1;
    *tag = t;
    *secured = sec;
    *secured_len = n;
    return 0;
}

int dlms_general_glo_encode(const uint8_t systitle[8], const uint8_t *secured, size_t secured_len,
                            uint8_t *out, size_t cap, size_t *outlen)
{
    if (!systitle || !secured || secured_len == 0)
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, DLMS_APDU_GENERAL_GLO_CIPHERING);
    dlms_put_octets(&w, systitle, DLMS_SYSTITLE_LEN);
    dlms_put_octets(&w, secured, secured_len);
    return dlms_put_finish(&w, outlen);
}

int dlms_general_glo_decode(const uint8_t *in, size_t len, const uint8_t **systitle,
                            const uint8_t **secured, size_t *secured_len)
{
    if (!systitle || !secured || !secured_len)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    size_t stlen, n;
    sg17_get_expect(&r, DLMS_APDU_GENERAL_GLO_CIPHERING);
    const uint8_t *st = dlms_get_octets(&r, &stlen);
    const uint8_t *sec = dlms_get_octets(&r, &n);
    if (!sg17_reader_done(&r) || stlen != DLMS_SYSTITLE_LEN || n == 0)
        return -1;
    *systitle = st;
    *secured = sec;
    *secured_len = n;
    return 0;
}

/* ---- data-notification ---- */

int dlms_data_notification_encode(const dlms_data_notification_t *x, uint8_t *out, size_t cap,
                                  size_t *outlen)
{
    if (!x)
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, DLMS_APDU_DATA_NOTIFICATION);
    sg17_put_u32(&w, x->long_invoke_id);
    if (x->has_time) {
        uint8_t dt[DLMS_DATETIME_LEN];
        dlms_datetime_pack(&x->time, dt);
        dlms_put_octets(&w, dt, sizeof dt);
    } else {
        sg17_put_u8(&w, 0);
    }
    sg17_put_u8(&w, DLMS_DT_STRUCTURE);
    sg17_put_u8(&w, 3);
    sg17_put_u8(&w, DLMS_DT_OCTET_STRING);
    dlms_put_octets(&w, x->reading.obis, 6);
    sg17_put_u8(&w, DLMS_DT_DOUBLE_LONG_UNSIGNED);
    sg17_put_u32(&w, x->reading.value);
    sg17_put_u8(&w, DLMS_DT_UNSIGNED);
    sg17_put_u8(&w, x->reading.status);
    return dlms_put_finish(&w, outlen);
}

int dlms_data_notification_decode(const uint8_t *in, size_t len, dlms_data_notification_t *x)
{
    if (!x)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    dlms_data_notification_t d;
    memset(&d, 0, sizeof d);
    size_t tn, on;
    sg17_get_expect(&r, DLMS_APDU_DATA_NOTIFICATION);
    d.long_invoke_id = sg17_get_u32(&r);
    const uint8_t *time = dlms_get_octets(&r, &tn); /* date-time, or absent */
    sg17_get_expect(&r, DLMS_DT_STRUCTURE);
    sg17_get_expect(&r, 3);
    sg17_get_expect(&r, DLMS_DT_OCTET_STRING);
    const uint8_t *obis = dlms_get_octets(&r, &on);
    sg17_get_expect(&r, DLMS_DT_DOUBLE_LONG_UNSIGNED);
    d.reading.value = sg17_get_u32(&r);
    sg17_get_expect(&r, DLMS_DT_UNSIGNED);
    d.reading.status = sg17_get_u8(&r);
    if (!sg17_reader_done(&r) || (tn != 0 && tn != DLMS_DATETIME_LEN) || on != 6)
        return -1;
    if (tn == DLMS_DATETIME_LEN) {
        if (dlms_datetime_unpack(time, &d.time))
            return -1;
        d.has_time = true;
    }
    memcpy(d.reading.obis, obis, 6);
    *x = d;
    return 0;
}

/* ---- get / set / action ---- */

static void put_ref(sg17_writer_t *w, const dlms_cosem_ref_t *ref)
{
    sg17_put_u16(w, ref->class_id);
    sg17_put_bytes(w, ref->obis, 6);
    sg17_put_u8(w, ref->index);
}

static void get_ref(sg17_reader_t *r, dlms_cosem_ref_t *ref)
{
    ref->class_id = sg17_get_u16(r);
    sg17_get_copy(r, ref->obis, 6);
    ref->index = sg17_get_u8(r);
}

/* "<tag> 01 invoke-id": the header shared by every normal request and response. */
static void put_normal_header(sg17_writer_t *w, uint8_t tag, uint8_t invoke_id)
{
    sg17_put_u8(w, tag);
    sg17_put_u8(w, DLMS_NORMAL_CHOICE);
    sg17_put_u8(w, invoke_id);
}

/* Consumes that header and returns the invoke-id. */
static uint8_t get_normal_header(sg17_reader_t *r, uint8_t tag)
{
    sg17_get_expect(r, tag);
    sg17_get_expect(r, DLMS_NORMAL_CHOICE);
    return sg17_get_u8(r);
}

int dlms_get_request_encode(const dlms_get_request_t *x, uint8_t *out, size_t cap, size_t *outlen)
{
    if (!x)
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    put_normal_header(&w, DLMS_APDU_GET_REQUEST, x->invoke_id);
    put_ref(&w, &x->attr);
    sg17_put_u8(&w, 0); /* no selective access */
    return dlms_put_finish(&w, outlen);
}

int dlms_get_request_decode(const uint8_t *in, size_t len, dlms_get_request_t *x)
{
    if (!x)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    dlms_get_request_t d;
    d.invoke_id = get_normal_header(&r, DLMS_APDU_GET_REQUEST);
    get_ref(&r, &d.attr);
    sg17_get_expect(&r, 0);
    if (!sg17_reader_done(&r))
        return -1;
    *x = d;
    return 0;
}

int dlms_get_response_encode(const dlms_get_response_t *x, uint8_t *out, size_t cap, size_t *outlen)
{
    if (!x || (!x->data && x->access_result == 0))
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    put_normal_header(&w, DLMS_APDU_GET_RESPONSE, x->invoke_id);
    if (x->data) {
        sg17_put_u8(&w, 0);
        put_data(&w, x->data, x->data_len);
    } else {
        sg17_put_u8(&w, 1);
        sg17_put_u8(&w, x->access_result);
    }
    return dlms_put_finish(&w, outlen);
}

int dlms_get_response_decode(const uint8_t *in, size_t len, dlms_get_response_t *x)
{
    if (!x)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    dlms_get_response_t d = {0};
    d.invoke_id = get_normal_header(&r, DLMS_APDU_GET_RESPONSE);
    uint8_t choice = sg17_get_u8(&r);
    if (choice == 0) {
        d.data = get_data(&r, &d.data_len);
    } else if (choice == 1) {
        d.access_result = sg17_get_u8(&r);
        if (d.access_result == 0)
            sg17_reader_fail(&r);
    } else {
        sg17_reader_fail(&r);
    }
    if (!sg17_reader_done(&r))
        return -1;
    *x = d;
    return 0;
}

int dlms_set_request_encode(const dlms_set_request_t *x, uint8_t *out, size_t cap, size_t *outlen)
{
    if (!x)
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    put_normal_header(&w, DLMS_APDU_SET_REQUEST, x->invoke_id);
    put_ref(&w, &x->attr);
    sg17_put_u8(&w, 0); /* no selective access */
    put_data(&w, x->value, x->value_len);
    return dlms_put_finish(&w, outlen);
}

int dlms_set_request_decode(const uint8_t *in, size_t len, dlms_set_request_t *x)
{
    if (!x)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    dlms_set_request_t d;
    d.invoke_id = get_normal_header(&r, DLMS_APDU_SET_REQUEST);
    get_ref(&r, &d.attr);
    sg17_get_expect(&r, 0);
    d.value = get_data(&r, &d.value_len);
    if (!sg17_reader_done(&r))
        return -1;
    *x = d;
    return 0;
}

int dlms_set_response_encode(const dlms_set_response_t *x, uint8_t *out, size_t cap, size_t *outlen)
{
    if (!x)
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    put_normal_header(&w, DLMS_APDU_SET_RESPONSE, x->invoke_id);
    sg17_put_u8(&w, x->result);
    return dlms_put_finish(&w, outlen);
}

int dlms_set_response_decode(const uint8_t *in, size_t len, dlms_set_response_t *x)
{
    if (!x)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    dlms_set_response_t d;
    d.invoke_id = get_normal_header(&r, DLMS_APDU_SET_RESPONSE);
    d.result = sg17_get_u8(&r);
    if (!sg17_reader_done(&r))
        return -1;
    *x = d;
    return 0;
}

int dlms_action_request_encode(const dlms_action_request_t *x, uint8_t *out, size_t cap,
                               size_t *outlen)
{
    if (!x)
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    put_normal_header(&w, DLMS_APDU_ACTION_REQUEST, x->invoke_id);
    put_ref(&w, &x->method);
    if (x->params) {
        sg17_put_u8(&w, 1);
        put_data(&w, x->params, x->params_len);
    } else {
        sg17_put_u8(&w, 0);
    }
    return dlms_put_finish(&w, outlen);
}

int dlms_action_request_decode(const uint8_t *in, size_t len, dlms_action_request_t *x)
{
    if (!x)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    dlms_action_request_t d = {0};
    d.invoke_id = get_normal_header(&r, DLMS_APDU_ACTION_REQUEST);
    get_ref(&r, &d.method);
    uint8_t present = sg17_get_u8(&r);
    if (present > 1)
        sg17_reader_fail(&r);
    else if (present)
        d.params = get_data(&r, &d.params_len);
    if (!sg17_reader_done(&r))
        return -1;
    *x = d;
    return 0;
}

int dlms_action_response_encode(const dlms_action_response_t *x, uint8_t *out, size_t cap,
                                size_t *outlen)
{
    if (!x)
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    put_normal_header(&w, DLMS_APDU_ACTION_RESPONSE, x->invoke_id);
    sg17_put_u8(&w, x->result);
    if (x->data) {
        sg17_put_u8(&w, 1);
        sg17_put_u8(&w, 0); /* Get-Data-Result: data */
        put_data(&w, x->data, x->data_len);
    } else {
        sg17_put_u8(&w, 0);
    }
    return dlms_put_finish(&w, outlen);
}

int dlms_action_response_decode(const uint8_t *in, size_t len, dlms_action_response_t *x)
{
    if (!x)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    dlms_action_response_t d = {0};
    d.invoke_id = get_normal_header(&r, DLMS_APDU_ACTION_RESPONSE);
    d.result = sg17_get_u8(&r);
    uint8_t present = sg17_get_u8(&r);
    if (present > 1) {
        sg17_reader_fail(&r);
    } else if (present) {
        sg17_get_expect(&r, 0); /* Get-Data-Result: data */
        d.data = get_data(&r, &d.data_len);
    }
    if (!sg17_reader_done(&r))
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
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, DLMS_DT_STRUCTURE);
    sg17_put_u8(&w, 2);
    sg17_put_u8(&w, DLMS_DT_OCTET_STRING);
    dlms_put_octets(&w, id, id_len);
    sg17_put_u8(&w, DLMS_DT_DOUBLE_LONG_UNSIGNED);
    sg17_put_u32(&w, size);
    return dlms_put_finish(&w, outlen);
}

int dlms_image_initiate_decode(const uint8_t *in, size_t len, const uint8_t **id, size_t *id_len,
                               uint32_t *size)
{
    if (!id || !id_len || !size)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    size_t n;
    sg17_get_expect(&r, DLMS_DT_STRUCTURE);
    sg17_get_expect(&r, 2);
    sg17_get_expect(&r, DLMS_DT_OCTET_STRING);
    const uint8_t *p = dlms_get_octets(&r, &n);
    sg17_get_expect(&r, DLMS_DT_DOUBLE_LONG_UNSIGNED);
    uint32_t v = sg17_get_u32(&r);
    if (!sg17_reader_done(&r))
        return -1;
    *id = p;
    *id_len = n;
    *size = v;
    return 0;
}

int dlms_image_block_encode(uint32_t number, const uint8_t *block, size_t block_len, uint8_t *out,
                            size_t cap, size_t *outlen)
{
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, DLMS_DT_STRUCTURE);
    sg17_put_u8(&w, 2);
    sg17_put_u8(&w, DLMS_DT_DOUBLE_LONG_UNSIGNED);
    sg17_put_u32(&w, number);
    sg17_put_u8(&w, DLMS_DT_OCTET_STRING);
    dlms_put_octets(&w, block, block_len);
    return dlms_put_finish(&w, outlen);
}

int dlms_image_block_decode(const uint8_t *in, size_t len, uint32_t *number, const uint8_t **block,
                            size_t *block_len)
{
    if (!number || !block || !block_len)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    size_t n;
    sg17_get_expect(&r, DLMS_DT_STRUCTURE);
    sg17_get_expect(&r, 2);
    sg17_get_expect(&r, DLMS_DT_DOUBLE_LONG_UNSIGNED);
    uint32_t v = sg17_get_u32(&r);
    sg17_get_expect(&r, DLMS_DT_OCTET_STRING);
    const uint8_t *p = dlms_get_octets(&r, &n);
    if (!sg17_reader_done(&r))
        return -1;
    *number = v;
    *block = p;
    *block_len = n;
    return 0;
}
