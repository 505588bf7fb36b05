/* test_proto_crl.c — the IEEE 1609.2 hash-based CRL (CrlContents, fullHashCrl/deltaHashCrl):
 * an encoding checked octet by octet against the OER rules by hand, the round trip, strictness
 * (truncation, trailing octets, a wrong version, linked CRLs) and HashedId10. */
#include "v2x_test.h"

/* version 1, crlSeries 0x0102, crlCraca 11..18, issueDate 0x20000001, nextCrl 0x20000e11,
 * priorityInfo {priority 3}, fullHashCrl {crlSerial 7, two entries}. */
static const uint8_t expected[] = {
    0x01,                                           /* version Uint8 */
    0x01, 0x02,                                     /* crlSeries Uint16 */
    0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, /* crlCraca HashedId8 */
    0x20, 0x00, 0x00, 0x01,                         /* issueDate Time32 */
    0x20, 0x00, 0x0e, 0x11,                         /* nextCrl Time32 */
    0x40, 0x03,             /* CrlPriorityInfo: preamble (no ext, priority present), 3 */
    0x80,                   /* TypeSpecificCrlContents: [0] fullHashCrl */
    0x00,                   /* ToBeSignedHashIdCrl preamble (extension bit clear) */
    0x00, 0x00, 0x00, 0x07, /* crlSerial Uint32 */
    0x01, 0x02,             /* SEQUENCE OF quantity: length 1, value 2 */
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0x30, 0x00, 0x00, 0x00,
    0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0x30, 0x00, 0x00, 0x01,
};

static void fill(v2x_crl_t *c, v2x_crl_entry_t e[2])
{
    *c = (v2x_crl_t){.version = 1,
                     .crl_series = 0x0102,
                     .craca = {0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18},
                     .issue_date = 0x20000001,
                     .next_crl = 0x20000e11,
                     .has_priority = true,
                     .priority = 3,
                     .crl_serial = 7,
                     .n_entries = 2};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < V2X_HASHEDID10; i++)
            e[k].id[i] = (uint8_t)(0xa0 + 0x10 * k + i);
        e[k].expiry = 0x30000000u + (uint32_t)k;
    }
}

Test(crl, encodes_as_checked_by_hand)
{
    v2x_crl_t c;
    v2x_crl_entry_t e[2];
    fill(&c, e);
    uint8_t out[128];
    size_t n = 0;
    cr_assert_eq(v2x_crl_encode(&c, e, out, sizeof out, &n), V2X_OK);
    cr_assert_eq(n, sizeof expected);
    cr_assert_arr_eq(out, expected, n);
    cr_assert_eq(v2x_crl_encode(&c, e, out, n - 1, &n), V2X_ESPACE);
}

Test(crl, decodes_what_it_encodes)
{
    v2x_crl_t d;
    cr_assert_eq(v2x_crl_decode(expected, sizeof expected, &d), V2X_OK);
    cr_assert_eq(d.version, 1);
    cr_assert_eq(d.crl_series, 0x0102);
    cr_assert_eq(d.craca[7], 0x18);
    cr_assert_eq(d.issue_date, 0x20000001u);
    cr_assert_eq(d.next_crl, 0x20000e11u);
    cr_assert(d.has_priority && d.priority == 3 && !d.delta);
    cr_assert_eq(d.crl_serial, 7);
    cr_assert_eq(d.n_entries, 2);
    v2x_crl_entry_t e;
    v2x_crl_entry(&d, 1, &e);
    cr_assert_eq(e.id[0], 0xb0);
    cr_assert_eq(e.expiry, 0x30000001u);
    cr_assert(v2x_crl_lists(&d, e.id));
    e.id[9] ^= 1;
    cr_assert_not(v2x_crl_lists(&d, e.id));
}

Test(crl, is_strict)
{
    v2x_crl_t d;
    uint8_t buf[sizeof expected + 1];
    for (size_t n = 0; n < sizeof expected; n++)
        cr_assert_neq(v2x_crl_decode(expected, n, &d), V2X_OK, "truncated to %zu", n);
    memcpy(buf, expected, sizeof expected);
    buf[sizeof expected] = 0;
    cr_assert_eq(v2x_crl_decode(buf, sizeof buf, &d), V2X_EMALFORMED); /* trailing octet */
    buf[0] = 2;
    cr_assert_eq(v2x_crl_decode(buf, sizeof expected, &d), V2X_EUNSUPPORTED); /* version 2 */
    buf[0] = 1;
    buf[21] = 0x82; /* fullLinkedCrl */
    cr_assert_eq(v2x_crl_decode(buf, sizeof expected, &d), V2X_EUNSUPPORTED);
    buf[21] = 0x81; /* deltaHashCrl */
    cr_assert_eq(v2x_crl_decode(buf, sizeof expected, &d), V2X_OK);
    cr_assert(d.delta);
    buf[28] = 0x03; /* three entries announced, two present */
    cr_assert_eq(v2x_crl_decode(buf, sizeof expected, &d), V2X_EMALFORMED);
}

Test(crl, hashedid10_extends_hashedid8)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    uint8_t id10[V2X_HASHEDID10], id8[8];
    cr_assert_eq(v2x_cert_hashedid10(k.at, k.at_len, id10), V2X_OK);
    cr_assert_eq(v2x_cert_hashedid8(k.at, k.at_len, id8), V2X_OK);
    cr_assert_arr_eq(id10 + 2, id8, 8); /* both are the hash's low-order octets */
    cr_assert_arr_eq(id10, k.at_c->hash + 32 - V2X_HASHEDID10, V2X_HASHEDID10);
    v2x_test_pki_free(&k);
}
