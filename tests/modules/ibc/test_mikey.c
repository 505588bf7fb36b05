/* test_mikey.c — the MIKEY-SAKKE I_MESSAGE codec (proto/mikey.h): the octets of each payload as
 * RFC 3830, RFC 6043 and RFC 6509 lay them out, the round trip, and the inputs the decoder
 * refuses (wrong header, payloads out of order or repeated, a missing SAKKE payload, a SIGN that
 * is not last, trailing octets). */
#include <criterion/criterion.h>
#include <string.h>

#include "proto/mikey.h"

static const uint8_t rand_[16] = {0xa0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t idri[] = "2026-03\0urn:dev:sg17tb:device-4";
static const uint8_t idrr[] = "2026-03\0urn:dev:sg17tb:gateway-0";
static const uint8_t kms[] = "urn:dev:sg17tb:kms-1";
static const uint8_t ext[4] = {9, 8, 7, 6};
static uint8_t sed[273];

static mikey_sakke_t sample(bool with_ext, size_t sign_len)
{
    sed[0] = 4;
    return (mikey_sakke_t){.csb_id = 0xdeadbeef,
                           .ntp = 0xed00378080000000ull,
                           .rand = rand_,
                           .rand_len = sizeof rand_,
                           .idri = idri,
                           .idri_len = sizeof idri,
                           .idri_type = MIKEY_ID_BYTES,
                           .idrr = idrr,
                           .idrr_len = sizeof idrr,
                           .idrr_type = MIKEY_ID_BYTES,
                           .kms_uri = kms,
                           .kms_uri_len = sizeof kms - 1,
                           .ext_type = MIKEY_EXT_PRIVATE,
                           .ext = with_ext ? ext : NULL,
                           .ext_len = with_ext ? sizeof ext : 0,
                           .sakke_params = MIKEY_SAKKE_PARAMS_1,
                           .id_scheme = MIKEY_SAKKE_SCHEME_URI,
                           .sakke = sed,
                           .sakke_len = sizeof sed,
                           .sign_type = MIKEY_SIGN_ECCSI,
                           .sign_len = sign_len};
}

Test(ibc_mikey, payloads_are_laid_out_as_the_rfcs_say)
{
    mikey_sakke_t m = sample(false, 129);
    uint8_t out[1024];
    size_t n = mikey_sakke_encode(&m, out, sizeof out), total = mikey_sakke_length(&m);
    cr_assert_eq(total, n + 129);
    /* HDR: version 1, SAKKE, next T, V/PRF 0, CSB ID, #CS 0, map type 0 */
    static const uint8_t hdr[] = {1, 26, 5, 0, 0xde, 0xad, 0xbe, 0xef, 0, 0};
    cr_assert_arr_eq(out, hdr, sizeof hdr);
    /* T: next RAND, NTP-UTC, 8 octets */
    static const uint8_t t[] = {11, 0, 0xed, 0x00, 0x37, 0x80, 0x80, 0, 0, 0};
    cr_assert_arr_eq(out + 10, t, sizeof t);
    /* RAND: next IDR, length 16 */
    cr_assert(out[20] == 14 && out[21] == 16 && memcmp(out + 22, rand_, 16) == 0);
    /* IDRi: next IDR, role 1, byte string, length */
    size_t at = 38;
    cr_assert(out[at] == 14 && out[at + 1] == 1 && out[at + 2] == 2 && out[at + 3] == 0
              && out[at + 4] == sizeof idri && memcmp(out + at + 5, idri, sizeof idri) == 0);
    at += 5 + sizeof idri;
    cr_assert(out[at] == 14 && out[at + 1] == 2 && out[at + 2] == 2 && out[at + 4] == sizeof idrr);
    at += 5 + sizeof idrr;
    /* IDRkmsi: next SAKKE (no extension), role 6, URI */
    cr_assert(out[at] == 26 && out[at + 1] == 6 && out[at + 2] == 1
              && out[at + 4] == sizeof kms - 1);
    at += 5 + sizeof kms - 1;
    /* SAKKE: next SIGN, parameter set 1, scheme 1, length 273 */
    cr_assert(out[at] == 4 && out[at + 1] == 1 && out[at + 2] == 1 && out[at + 3] == 0x01
              && out[at + 4] == 0x11);
    at += 5 + sizeof sed;
    /* SIGN: type 2 in the top four bits, 129 in the twelve below; the signature is not written */
    cr_assert(out[at] == 0x20 && out[at + 1] == 0x81 && at + 2 == n);
}

Test(ibc_mikey, what_is_encoded_decodes_to_the_same_message)
{
    for (int e = 0; e < 2; e++) {
        for (size_t sl = 0; sl <= 129; sl += 129) {
            mikey_sakke_t m = sample(e, sl), d;
            uint8_t out[1024];
            size_t n = mikey_sakke_encode(&m, out, sizeof out), total = n + sl;
            cr_assert_gt(n, 0);
            memset(out + n, 0x77, sl);
            cr_assert_eq(mikey_sakke_decode(out, total, &d), 0);
            cr_assert(d.csb_id == m.csb_id && d.ntp == m.ntp && d.rand_len == 16
                      && memcmp(d.rand, rand_, 16) == 0);
            cr_assert(d.idri_len == sizeof idri && memcmp(d.idri, idri, sizeof idri) == 0);
            cr_assert(d.idrr_len == sizeof idrr && memcmp(d.idrr, idrr, sizeof idrr) == 0);
            cr_assert(d.kms_uri_len == sizeof kms - 1);
            cr_assert_eq(d.ext != NULL, e == 1);
            cr_assert(d.sakke_len == sizeof sed && d.sakke == out + n - sizeof sed - (sl ? 2 : 0));
            cr_assert(d.sign_len == sl && d.signed_len == n);
            cr_assert(sl == 0 || (d.sign == out + n && d.sign_type == MIKEY_SIGN_ECCSI));
            /* truncated or with a trailing octet: refused */
            cr_assert_eq(mikey_sakke_decode(out, total - 1, &d), -1);
            out[total] = 0;
            cr_assert_eq(mikey_sakke_decode(out, total + 1, &d), -1);
        }
    }
}

Test(ibc_mikey, the_decoder_refuses_other_headers_orders_and_missing_payloads)
{
    mikey_sakke_t m = sample(false, 0), d;
    uint8_t out[1024];
    size_t n = mikey_sakke_encode(&m, out, sizeof out);
    cr_assert_eq(mikey_sakke_decode(out, n, &d), 0);
    const size_t at_hdr[] = {0, 1, 3, 8, 9}; /* version, data type, V/PRF, #CS, map type */
    for (size_t i = 0; i < sizeof at_hdr / sizeof *at_hdr; i++) {
        out[at_hdr[i]] ^= 1;
        cr_assert_eq(mikey_sakke_decode(out, n, &d), -1, "HDR octet %zu", at_hdr[i]);
        out[at_hdr[i]] ^= 1;
    }
    out[2] = 11; /* RAND before T */
    cr_assert_eq(mikey_sakke_decode(out, n, &d), -1);
    out[2] = 5;
    out[11] = 1; /* T of type NTP, not NTP-UTC */
    cr_assert_eq(mikey_sakke_decode(out, n, &d), -1);
    out[11] = 0;
    size_t idri_at = 38, idrr_at = idri_at + 5 + sizeof idri;
    out[idrr_at + 1] = 1; /* two initiators */
    cr_assert_eq(mikey_sakke_decode(out, n, &d), -1);
    out[idrr_at + 1] = 3; /* a role this profile does not take */
    cr_assert_eq(mikey_sakke_decode(out, n, &d), -1);
    out[idrr_at + 1] = 2;
    out[idri_at + 2] = 0; /* NAI */
    cr_assert_eq(mikey_sakke_decode(out, n, &d), -1);
    out[idri_at + 2] = 2;
    size_t kms_at = idrr_at + 5 + sizeof idrr;
    out[kms_at] = 0; /* IDRkmsi says it is the last payload: no SAKKE */
    cr_assert_eq(mikey_sakke_decode(out, n, &d), -1);
    out[kms_at] = 26;
    cr_assert_eq(mikey_sakke_decode(out, n, &d), 0);
    /* nothing out of range is encoded */
    m.rand_len = 0;
    cr_assert_eq(mikey_sakke_encode(&m, out, sizeof out), 0);
    m = sample(false, MIKEY_SIGN_MAX + 1);
    cr_assert_eq(mikey_sakke_encode(&m, out, sizeof out), 0);
    m = sample(false, 0);
    cr_assert_eq(mikey_sakke_encode(&m, out, n - 1), 0, "does not fit");
    m.idri = NULL;
    cr_assert_eq(mikey_sakke_length(&m), 0);
}
