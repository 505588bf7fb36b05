/* test_apdu.c — xDLMS APDU codecs: byte-exact encodings, round trips and strict rejection of
 * truncated, padded and non-minimal input. */
#include <criterion/criterion.h>

#include "dlms/apdu.h"
#include "dlms/security.h"
#include "green_book.h"

/* Hex string to bytes in buf (cap octets); returns the length. */
static size_t unhex(const char *hex, uint8_t *buf, size_t cap)
{
    size_t n = strlen(hex) / 2;
    cr_assert_leq(n, cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        buf[i] = (uint8_t)v;
    }
    return n;
}

static void assert_hex(const uint8_t *p, size_t n, const char *want)
{
    char *got = to_hex(p, n);
    cr_assert_str_eq(got, want);
    free(got);
}

/* Every proper prefix and the input with one extra octet must be refused by decode. */
typedef int (*decode_fn)(const uint8_t *in, size_t len, void *x);
static void assert_strict(decode_fn decode, const uint8_t *in, size_t len, void *x)
{
    uint8_t buf[1024];
    cr_assert_lt(len, sizeof buf);
    cr_assert_eq(decode(in, len, x), 0, "the valid encoding must decode");
    for (size_t n = 0; n < len; n++) {
        memcpy(buf, in, n); /* a copy of exactly n octets: ASan catches any over-read */
        uint8_t *heap = malloc(n ? n : 1);
        memcpy(heap, buf, n);
        cr_assert_eq(decode(heap, n, x), -1, "prefix of %zu/%zu octets accepted", n, len);
        free(heap);
    }
    memcpy(buf, in, len);
    buf[len] = 0;
    cr_assert_eq(decode(buf, len + 1, x), -1, "trailing octet accepted");
}

/* Adapters to the common decoder shape. */
static int dec_notification(const uint8_t *in, size_t len, void *x)
{
    return dlms_data_notification_decode(in, len, x);
}
static int dec_get_request(const uint8_t *in, size_t len, void *x)
{
    return dlms_get_request_decode(in, len, x);
}
static int dec_get_response(const uint8_t *in, size_t len, void *x)
{
    return dlms_get_response_decode(in, len, x);
}
static int dec_set_request(const uint8_t *in, size_t len, void *x)
{
    return dlms_set_request_decode(in, len, x);
}
static int dec_set_response(const uint8_t *in, size_t len, void *x)
{
    return dlms_set_response_decode(in, len, x);
}
static int dec_action_request(const uint8_t *in, size_t len, void *x)
{
    return dlms_action_request_decode(in, len, x);
}
static int dec_action_response(const uint8_t *in, size_t len, void *x)
{
    return dlms_action_response_decode(in, len, x);
}
static int dec_signing(const uint8_t *in, size_t len, void *x)
{
    return dlms_general_signing_decode(in, len, x);
}
static int dec_glo(const uint8_t *in, size_t len, void *x)
{
    const uint8_t *s;
    size_t n;
    return dlms_glo_decode(in, len, x, &s, &n);
}
static int dec_general_glo(const uint8_t *in, size_t len, void *x)
{
    const uint8_t *st, *s;
    size_t n;
    (void)x;
    return dlms_general_glo_decode(in, len, &st, &s, &n);
}

Test(apdu, axdr_length_uses_short_form_below_0x80_and_minimal_long_form_above)
{
    uint8_t b[8];
    size_t n, v, used;
    const struct {
        size_t value;
        const char *hex;
    } cases[] = {{0, "00"},         {0x7F, "7F"},          {0x80, "8180"},           {0xFF, "81FF"},
                 {0x100, "820100"}, {0x10000, "83010000"}, {0x1000000, "8401000000"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_assert_eq(dlms_axdr_length_encode(cases[i].value, b, sizeof b, &n), 0);
        assert_hex(b, n, cases[i].hex);
        cr_assert_eq(dlms_axdr_length_decode(b, n, &v, &used), 0);
        cr_assert_eq(v, cases[i].value);
        cr_assert_eq(used, n);
    }
    cr_assert_eq(dlms_axdr_length_encode(0x100, b, 2, &n), -1, "short buffer");
}

Test(apdu, axdr_length_rejects_indefinite_non_minimal_oversized_and_truncated)
{
    const char *bad[] = {"80", "8105", "820080", "82007F", "850100000000", "8201", "81", ""};
    uint8_t b[8];
    size_t v, used;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = unhex(bad[i], b, sizeof b);
        cr_assert_eq(dlms_axdr_length_decode(b, n, &v, &used), -1, "%s accepted", bad[i]);
    }
}

Test(apdu, glo_framing_matches_tag_length_secured_and_round_trips)
{
    size_t slen, n;
    uint8_t *secured = gb_bytes("authenticated-encryption", "SECURED", &slen), out[512];
    cr_assert_eq(dlms_glo_encode(DLMS_APDU_GLO_GET_REQUEST, secured, slen, out, sizeof out, &n), 0);
    char *want_body = gb_hex("authenticated-encryption", "SECURED");
    char want[256];
    snprintf(want, sizeof want, "C830%s", want_body);
    assert_hex(out, n, want);
    uint8_t tag;
    const uint8_t *s;
    size_t sl;
    cr_assert_eq(dlms_glo_decode(out, n, &tag, &s, &sl), 0);
    cr_assert_eq(tag, 0xC8);
    cr_assert_eq(sl, slen);
    cr_assert_arr_eq(s, secured, slen);
    assert_strict(dec_glo, out, n, &tag);
    out[0] = DLMS_APDU_GET_REQUEST; /* not a glo tag */
    cr_assert_eq(dlms_glo_decode(out, n, &tag, &s, &sl), -1);
    cr_assert_eq(dlms_glo_encode(0xC0, secured, slen, out, sizeof out, &n), -1);
    free(secured), free(want_body);
}

Test(apdu, glo_framing_uses_long_form_length_for_200_octets)
{
    uint8_t sec[200], out[256], tag;
    memset(sec, 0xAB, sizeof sec);
    size_t n, sl;
    const uint8_t *s;
    cr_assert_eq(
        dlms_glo_encode(DLMS_APDU_GLO_ACTION_REQUEST, sec, sizeof sec, out, sizeof out, &n), 0);
    cr_assert_eq(n, 203);
    assert_hex(out, 3, "CB81C8");
    cr_assert_eq(dlms_glo_decode(out, n, &tag, &s, &sl), 0);
    cr_assert_eq(sl, 200);
    cr_assert_eq(dlms_glo_encode(DLMS_APDU_GLO_ACTION_REQUEST, sec, sizeof sec, out, 202, &n), -1);
}

Test(apdu, glo_tag_for_maps_each_plain_tag)
{
    cr_assert_eq(dlms_glo_tag_for(0xC0), 0xC8);
    cr_assert_eq(dlms_glo_tag_for(0xC1), 0xC9);
    cr_assert_eq(dlms_glo_tag_for(0xC3), 0xCB);
    cr_assert_eq(dlms_glo_tag_for(0xC4), 0xCC);
    cr_assert_eq(dlms_glo_tag_for(0xC7), 0xCF);
    cr_assert_eq(dlms_glo_tag_for(0x0F), 0);
}

Test(apdu, general_glo_ciphering_carries_the_system_title)
{
    const uint8_t st[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E},
                  sec[6] = {0x30, 0, 0, 0, 1, 0xEE};
    uint8_t out[64];
    size_t n, sl;
    cr_assert_eq(dlms_general_glo_encode(st, sec, sizeof sec, out, sizeof out, &n), 0);
    assert_hex(out, n, "DB084D4D4D0000BC614E063000000001EE");
    const uint8_t *gst, *s;
    cr_assert_eq(dlms_general_glo_decode(out, n, &gst, &s, &sl), 0);
    cr_assert_arr_eq(gst, st, 8);
    cr_assert_eq(sl, 6);
    assert_strict(dec_general_glo, out, n, NULL);
    out[1] = 7; /* a 7-octet system title */
    cr_assert_eq(dlms_general_glo_decode(out, n - 1, &gst, &s, &sl), -1);
}

Test(apdu, data_notification_reading_encodes_byte_exact_and_round_trips)
{
    dlms_data_notification_t x = {
        .long_invoke_id = 1, .has_time = true, .reading = {.value = 123456, .status = 0}};
    memcpy(x.reading.obis, DLMS_OBIS_ACTIVE_ENERGY_IMPORT, 6);
    dlms_datetime_from_unix(1700000100, &x.time); /* 2023-11-14 22:15:00 UTC, a Tuesday */
    uint8_t out[64];
    size_t n;
    cr_assert_eq(dlms_data_notification_encode(&x, out, sizeof out, &n), 0);
    assert_hex(out, n,
               "0F00000001"
               "0C07E70B0E02160F0000000000"
               "0203"
               "09060100010800FF"
               "060001E240"
               "1100");
    dlms_data_notification_t d;
    cr_assert_eq(dlms_data_notification_decode(out, n, &d), 0);
    cr_assert_eq(d.long_invoke_id, 1);
    cr_assert(d.has_time);
    cr_assert_eq(d.time.year, 2023);
    cr_assert_eq(d.time.hour, 22);
    cr_assert_eq(d.time.minute, 15);
    cr_assert_eq(d.reading.value, 123456);
    cr_assert_arr_eq(d.reading.obis, DLMS_OBIS_ACTIVE_ENERGY_IMPORT, 6);
    assert_strict(dec_notification, out, n, &d);
    out[8] = 13; /* month 13 */
    cr_assert_eq(dlms_data_notification_decode(out, n, &d), -1);
}

Test(apdu, data_notification_without_date_time_uses_empty_octet_string)
{
    dlms_data_notification_t x = {.long_invoke_id = 0x80000002,
                                  .reading = {.value = 7, .status = 3}};
    memcpy(x.reading.obis, DLMS_OBIS_ACTIVE_ENERGY_IMPORT, 6);
    uint8_t out[64];
    size_t n;
    cr_assert_eq(dlms_data_notification_encode(&x, out, sizeof out, &n), 0);
    assert_hex(out, n, "0F8000000200020309060100010800FF06000000071103");
    dlms_data_notification_t d;
    cr_assert_eq(dlms_data_notification_decode(out, n, &d), 0);
    cr_assert(!d.has_time);
    cr_assert_eq(d.reading.status, 3);
}

Test(apdu, datetime_from_unix_gives_civil_date_and_weekday)
{
    dlms_datetime_t dt;
    dlms_datetime_from_unix(0, &dt);
    cr_assert(dt.year == 1970 && dt.month == 1 && dt.day == 1 && dt.day_of_week == 4);
    dlms_datetime_from_unix(951782400, &dt); /* 2000-02-29 00:00:00, a Tuesday */
    cr_assert(dt.year == 2000 && dt.month == 2 && dt.day == 29 && dt.day_of_week == 2);
    dlms_datetime_from_unix(1700000000, &dt);
    cr_assert(dt.hour == 22 && dt.minute == 13 && dt.second == 20);
    uint8_t b[12];
    dlms_datetime_pack(&dt, b);
    dlms_datetime_t back;
    cr_assert_eq(dlms_datetime_unpack(b, &back), 0);
    cr_assert(back.year == dt.year && back.month == dt.month && back.day == dt.day
              && back.day_of_week == dt.day_of_week && back.hour == dt.hour
              && back.minute == dt.minute && back.second == dt.second
              && back.hundredths == dt.hundredths && back.deviation == dt.deviation
              && back.clock_status == dt.clock_status);
    b[10] = 0xD1; /* deviation 721 minutes */
    b[9] = 0x02;
    cr_assert_eq(dlms_datetime_unpack(b, &back), -1);
    b[9] = 0x80, b[10] = 0x00; /* deviation not specified */
    cr_assert_eq(dlms_datetime_unpack(b, &back), 0);
}

Test(apdu, get_request_normal_encodes_class_obis_attribute)
{
    dlms_get_request_t x = {.invoke_id = 0xC1, .attr = {.class_id = 3, .index = 2}};
    memcpy(x.attr.obis, DLMS_OBIS_ACTIVE_ENERGY_IMPORT, 6);
    uint8_t out[32];
    size_t n;
    cr_assert_eq(dlms_get_request_encode(&x, out, sizeof out, &n), 0);
    assert_hex(out, n, "C001C100030100010800FF0200");
    dlms_get_request_t d;
    cr_assert_eq(dlms_get_request_decode(out, n, &d), 0);
    cr_assert_eq(d.invoke_id, 0xC1);
    cr_assert_eq(d.attr.class_id, 3);
    cr_assert_eq(d.attr.index, 2);
    assert_strict(dec_get_request, out, n, &d);
    out[n - 1] = 1; /* selective access is not supported */
    cr_assert_eq(dlms_get_request_decode(out, n, &d), -1);
    out[n - 1] = 0, out[1] = 2; /* get-request-next */
    cr_assert_eq(dlms_get_request_decode(out, n, &d), -1);
}

Test(apdu, get_response_carries_data_or_access_result)
{
    uint8_t val[8], out[32];
    size_t vn, n;
    cr_assert_eq(dlms_data_encode_u32(123456, val, sizeof val, &vn), 0);
    dlms_get_response_t x = {.invoke_id = 0xC1, .data = val, .data_len = vn};
    cr_assert_eq(dlms_get_response_encode(&x, out, sizeof out, &n), 0);
    assert_hex(out, n, "C401C100060001E240");
    dlms_get_response_t d;
    cr_assert_eq(dlms_get_response_decode(out, n, &d), 0);
    uint32_t v;
    cr_assert_eq(dlms_data_decode_u32(d.data, d.data_len, &v), 0);
    cr_assert_eq(v, 123456);
    assert_strict(dec_get_response, out, n, &d);
    dlms_get_response_t denied = {.invoke_id = 0xC1, .access_result = 3}; /* read-write-denied */
    cr_assert_eq(dlms_get_response_encode(&denied, out, sizeof out, &n), 0);
    assert_hex(out, n, "C401C10103");
    cr_assert_eq(dlms_get_response_decode(out, n, &d), 0);
    cr_assert_null(d.data);
    cr_assert_eq(d.access_result, 3);
}

Test(apdu, disconnect_and_reconnect_are_action_requests_on_class_70)
{
    uint8_t out[32];
    size_t n;
    cr_assert_eq(dlms_disconnect_request_encode(0x41, false, out, sizeof out, &n), 0);
    assert_hex(out, n, "C301410046000060030AFF01010F00");
    dlms_action_request_t d;
    cr_assert_eq(dlms_action_request_decode(out, n, &d), 0);
    cr_assert_eq(d.method.class_id, DLMS_CLASS_DISCONNECT_CONTROL);
    cr_assert_arr_eq(d.method.obis, DLMS_OBIS_DISCONNECT_CONTROL, 6);
    cr_assert_eq(d.method.index, DLMS_METHOD_REMOTE_DISCONNECT);
    cr_assert_eq(d.params_len, 2);
    assert_strict(dec_action_request, out, n, &d);
    cr_assert_eq(dlms_disconnect_request_encode(0x42, true, out, sizeof out, &n), 0);
    assert_hex(out, n, "C301420046000060030AFF02010F00");
    out[12] = 2; /* parameters flag 2 is no CHOICE value */
    cr_assert_eq(dlms_action_request_decode(out, n, &d), -1);
}

Test(apdu, action_request_without_parameters_and_action_response)
{
    dlms_action_request_t x = {.invoke_id = 5, .method = {.class_id = 18, .index = 4}};
    memcpy(x.method.obis, DLMS_OBIS_IMAGE_TRANSFER, 6);
    uint8_t out[32];
    size_t n;
    cr_assert_eq(dlms_action_request_encode(&x, out, sizeof out, &n), 0);
    assert_hex(out, n, "C30105001200002C0000FF0400");
    dlms_action_request_t d;
    cr_assert_eq(dlms_action_request_decode(out, n, &d), 0);
    cr_assert_null(d.params);
    dlms_action_response_t r = {.invoke_id = 5, .result = 0};
    cr_assert_eq(dlms_action_response_encode(&r, out, sizeof out, &n), 0);
    assert_hex(out, n, "C701050000");
    dlms_action_response_t rd;
    cr_assert_eq(dlms_action_response_decode(out, n, &rd), 0);
    assert_strict(dec_action_response, out, n, &rd);
    const uint8_t ret[] = {DLMS_DT_UNSIGNED, 9};
    r.data = ret, r.data_len = sizeof ret;
    cr_assert_eq(dlms_action_response_encode(&r, out, sizeof out, &n), 0);
    assert_hex(out, n,
               "C70105000100"
               "1109");
    cr_assert_eq(dlms_action_response_decode(out, n, &rd), 0);
    cr_assert_eq(rd.data_len, 2);
    assert_strict(dec_action_response, out, n, &rd);
}

Test(apdu, load_limit_is_a_set_request_of_limiter_threshold)
{
    uint8_t out[32];
    size_t n;
    cr_assert_eq(dlms_load_limit_request_encode(0x42, 5000, out, sizeof out, &n), 0);
    assert_hex(out, n,
               "C10142004700001100"
               "00FF0400"
               "0600001388");
    dlms_set_request_t d;
    cr_assert_eq(dlms_set_request_decode(out, n, &d), 0);
    cr_assert_eq(d.attr.class_id, DLMS_CLASS_LIMITER);
    cr_assert_eq(d.attr.index, DLMS_ATTR_LIMITER_THRESHOLD_NORMAL);
    uint32_t v;
    cr_assert_eq(dlms_data_decode_u32(d.value, d.value_len, &v), 0);
    cr_assert_eq(v, 5000);
    assert_strict(dec_set_request, out, n, &d);
    dlms_set_response_t r = {.invoke_id = 0x42, .result = 0}, rd;
    cr_assert_eq(dlms_set_response_encode(&r, out, sizeof out, &n), 0);
    assert_hex(out, n, "C5014200");
    assert_strict(dec_set_response, out, n, &rd);
}

Test(apdu, set_request_encoder_refuses_a_malformed_value)
{
    const uint8_t bad[] = {DLMS_DT_DOUBLE_LONG_UNSIGNED, 0, 0}; /* 3 of 5 octets */
    const uint8_t two[] = {DLMS_DT_NULL, DLMS_DT_NULL};         /* two values */
    dlms_set_request_t x = {.invoke_id = 1,
                            .attr = {.class_id = 71, .index = 4},
                            .value = bad,
                            .value_len = sizeof bad};
    uint8_t out[32];
    size_t n = 99;
    cr_assert_eq(dlms_set_request_encode(&x, out, sizeof out, &n), -1);
    x.value = two, x.value_len = sizeof two;
    cr_assert_eq(dlms_set_request_encode(&x, out, sizeof out, &n), -1);
    cr_assert_eq(n, 99);
}

Test(apdu, image_transfer_parameters_round_trip)
{
    uint8_t out[64];
    size_t n, idlen, blen;
    const uint8_t *id, *blk;
    uint32_t size, num;
    cr_assert_eq(
        dlms_image_initiate_encode((const uint8_t *)"FW-2.0", 6, 0x10000, out, sizeof out, &n), 0);
    assert_hex(out, n, "0202090646572D322E300600010000");
    cr_assert_eq(dlms_image_initiate_decode(out, n, &id, &idlen, &size), 0);
    cr_assert(idlen == 6 && memcmp(id, "FW-2.0", 6) == 0 && size == 0x10000);
    cr_assert_eq(dlms_image_initiate_decode(out, n - 1, &id, &idlen, &size), -1);
    cr_assert_eq(dlms_image_block_encode(3, (const uint8_t *)"ABCD", 4, out, sizeof out, &n), 0);
    assert_hex(out, n,
               "020206000000030904"
               "41424344");
    cr_assert_eq(dlms_image_block_decode(out, n, &num, &blk, &blen), 0);
    cr_assert(num == 3 && blen == 4 && memcmp(blk, "ABCD", 4) == 0);
    out[1] = 3;
    cr_assert_eq(dlms_image_block_decode(out, n, &num, &blk, &blen), -1);
}

Test(apdu, data_check_bounds_nesting_and_element_counts)
{
    uint8_t b[64];
    size_t used;
    size_t n = 0;
    for (int i = 0; i < 16; i++)
        b[n++] = DLMS_DT_STRUCTURE, b[n++] = 1;
    b[n++] = DLMS_DT_NULL;
    cr_assert_eq(dlms_data_check(b, n, &used), 0, "16 levels are allowed");
    cr_assert_eq(used, n);
    memmove(b + 2, b, n);
    b[0] = DLMS_DT_STRUCTURE, b[1] = 1;
    cr_assert_eq(dlms_data_check(b, n + 2, &used), -1, "17 levels are not");
    n = unhex("0184FFFFFFFF0000", b, sizeof b); /* 4 billion elements announced, 2 present */
    cr_assert_eq(dlms_data_check(b, n, &used), -1);
    n = unhex("0404"
              "F0",
              b, sizeof b); /* bit-string of 4 bits: one octet */
    cr_assert_eq(dlms_data_check(b, n, &used), 0);
    n = unhex("0409"
              "FF",
              b, sizeof b); /* 9 bits need two octets */
    cr_assert_eq(dlms_data_check(b, n, &used), -1);
    n = unhex("13", b, sizeof b); /* compact-array: not supported */
    cr_assert_eq(dlms_data_check(b, n, &used), -1);
}

Test(apdu, general_signing_layout_and_signed_prefix)
{
    const uint8_t txid[] = {0xAA}, content[] = {0xC3, 0x01};
    uint8_t sig[64], out[128];
    memset(sig, 0x5A, sizeof sig);
    dlms_general_signing_t x = {.transaction_id = txid,
                                .transaction_id_len = 1,
                                .content = content,
                                .content_len = 2,
                                .signature = sig,
                                .signature_len = 64};
    size_t n;
    cr_assert_eq(dlms_general_signing_encode(&x, out, sizeof out, &n), 0);
    cr_assert_eq(n, 1 + 2 + 1 + 1 + 1 + 1 + 3 + 65);
    assert_hex(out, x.signed_len,
               "DF01AA00000000"
               "02C301");
    cr_assert_eq(out[x.signed_len], 64);
    dlms_general_signing_t d;
    cr_assert_eq(dlms_general_signing_decode(out, n, &d), 0);
    cr_assert_eq(d.signed_len, x.signed_len);
    cr_assert_null(d.originator);
    assert_strict(dec_signing, out, n, &d);
    x.originator_len = 7, x.originator = txid; /* a system title must be 8 octets */
    cr_assert_eq(dlms_general_signing_encode(&x, out, sizeof out, &n), -1);
}
