/* test_proto.c — the iaas codecs and crypto, pure: API requests (MAC, strict decoding), the image
 * inspector, image signatures, the metadata request parser, user data, XTS volumes and key wrap,
 * audit records and anchors, migration frames. */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/api.h"
#include "proto/audit.h"
#include "proto/image.h"
#include "proto/imds.h"
#include "proto/migration.h"
#include "proto/sign.h"
#include "proto/volcrypt.h"

static const uint8_t secret[API_SECRET_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

static size_t make_request(uint8_t *buf, size_t cap)
{
    static const uint8_t blob[] = "user data";
    api_request_t rq = {.op = API_OP_SET_USER_DATA,
                        .key_id = 1004,
                        .timestamp = 42,
                        .target = 3,
                        .value = 7,
                        .flags = 1,
                        .blob = blob,
                        .blob_len = sizeof blob};
    memset(rq.corr, 0xab, sizeof rq.corr);
    size_t len = 0;
    cr_assert_eq(api_request_encode(&rq, secret, buf, cap, &len), 0);
    return len;
}

Test(api, request_round_trips_and_its_mac_verifies)
{
    uint8_t buf[API_REQUEST_MAX];
    size_t len = make_request(buf, sizeof buf);
    api_request_t rq;
    cr_assert_eq(api_request_decode(buf, len, &rq), 0);
    cr_assert_eq(rq.op, API_OP_SET_USER_DATA);
    cr_assert_eq(rq.key_id, 1004);
    cr_assert_eq(rq.target, 3);
    cr_assert_eq(rq.blob_len, 10);
    cr_assert_eq(rq.corr[15], 0xab);
    cr_assert_eq(api_request_verify(buf, len, secret), 0);
    cr_assert_str_eq(api_op_name(rq.op), "ModifyInstanceAttribute");
    cr_assert_eq(api_op_by_name("CreateAccessKey"), API_OP_CREATE_ACCESS_KEY);
    cr_assert_eq(api_op_by_name("createaccesskey"), 0);
}

Test(api, any_changed_octet_breaks_the_mac)
{
    uint8_t buf[API_REQUEST_MAX], other[API_SECRET_BYTES] = {9};
    size_t len = make_request(buf, sizeof buf);
    cr_assert_neq(api_request_verify(buf, len, other), 0);
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 0x01;
        cr_assert_neq(api_request_verify(buf, len, secret), 0, "octet %zu", i);
        buf[i] ^= 0x01;
    }
}

Test(api, decoder_refuses_truncated_trailing_and_unknown)
{
    uint8_t buf[API_REQUEST_MAX + 1];
    size_t len = make_request(buf, sizeof buf);
    api_request_t rq;
    for (size_t n = 0; n < len; n++)
        cr_assert_neq(api_request_decode(buf, n, &rq), 0, "truncated to %zu", n);
    buf[len] = 0;
    cr_assert_neq(api_request_decode(buf, len + 1, &rq), 0, "a trailing octet");
    buf[1] = API_OP_COUNT;
    cr_assert_neq(api_request_decode(buf, len, &rq), 0, "an unknown operation");
    buf[1] = API_OP_SET_USER_DATA;
    buf[0] = 2;
    cr_assert_neq(api_request_decode(buf, len, &rq), 0, "another version");
}

Test(api, response_and_key_body_round_trip)
{
    uint8_t body[API_KEY_BODY_BYTES], out[API_RESPONSE_MAX], got[API_SECRET_BYTES];
    api_key_body_encode(1234, secret, body);
    api_response_t rs = {.op = API_OP_CREATE_ACCESS_KEY,
                         .status = API_OK,
                         .id = 1234,
                         .data = body,
                         .len = sizeof body},
                   back;
    size_t len = 0;
    uint32_t id = 0;
    cr_assert_eq(api_response_encode(&rs, out, sizeof out, &len), 0);
    cr_assert_eq(api_response_decode(out, len, &back), 0);
    cr_assert_eq(api_key_body_decode(back.data, back.len, &id, got), 0);
    cr_assert_eq(id, 1234);
    cr_assert_arr_eq(got, secret, sizeof got);
    out[1] = 9;
    cr_assert_neq(api_response_decode(out, len, &back), 0, "an unknown status");
}

static size_t build(const char *backing, uint8_t *img)
{
    static const uint8_t data[32] = "BOOT test image";
    size_t len = 0;
    cr_assert_eq(image_build(data, sizeof data, backing, img, IMAGE_MAX_BYTES, &len), 0);
    return len;
}

Test(image, inspector_accepts_layers_inside_and_refuses_paths_outside)
{
    uint8_t img[IMAGE_MAX_BYTES];
    cr_assert_eq(image_inspect(img, build(NULL, img)), IMAGE_OK);
    cr_assert_eq(image_inspect(img, build("layer:0", img)), IMAGE_OK);
    cr_assert_eq(image_inspect(img, build("layer:255", img)), IMAGE_OK);
    static const char *const outside[] = {"/etc/shadow", "../host.key",      "layer:256", "layer:",
                                          "layer:1a",    "nbd://10.0.0.1/x", "json:{}"};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        cr_assert_eq(image_inspect(img, build(outside[i], img)), IMAGE_BACKING_OUTSIDE, "%s",
                     outside[i]);
}

Test(image, inspector_refuses_fields_that_leave_the_file)
{
    uint8_t img[IMAGE_MAX_BYTES];
    size_t len = build("layer:1", img);
    image_header_t h;
    cr_assert_eq(image_parse(img, len, &h), 0);
    cr_assert_eq(image_inspect(img, len - 1), IMAGE_MALFORMED, "data past the end");
    img[17] = 0xff; /* backing length */
    cr_assert_eq(image_inspect(img, len), IMAGE_MALFORMED, "backing past the end");
    len = build(NULL, img);
    img[0] = 'X';
    cr_assert_eq(image_inspect(img, len), IMAGE_MALFORMED, "magic");
    len = build(NULL, img);
    img[19] = 0; /* data offset inside the header */
    img[20] = 0;
    img[21] = 4;
    cr_assert_eq(image_inspect(img, len), IMAGE_MALFORMED, "data overlapping the header");
}

Test(image, signature_verifies_and_fails_on_any_change)
{
    uint8_t seed[SIGN_PRIV_BYTES] = {7}, d[SIGN_PRIV_BYTES], pub[SIGN_PUB_BYTES];
    uint8_t sig[SIGN_SIG_BYTES], img[IMAGE_MAX_BYTES];
    cr_assert_eq(sign_scalar(seed, d), 0);
    cr_assert_eq(sign_public(d, pub), 0);
    size_t len = build(NULL, img);
    cr_assert_eq(image_sign(d, img, len, sig), 0);
    cr_assert(image_signature_ok(pub, img, len, sig));
    img[len - 1] ^= 1;
    cr_assert_not(image_signature_ok(pub, img, len, sig));
    img[len - 1] ^= 1;
    sig[5] ^= 1;
    cr_assert_not(image_signature_ok(pub, img, len, sig));
    uint8_t zero[SIGN_PRIV_BYTES] = {0};
    cr_assert_neq(sign_public(zero, pub), 0, "the scalar 0 is no key");
}

static int parse(const char *text, uint8_t ttl, imds_request_t *rq, const char **why)
{
    uint8_t buf[IMDS_REQUEST_MAX];
    size_t n = strlen(text);
    buf[0] = ttl;
    memcpy(buf + 1, text, n);
    return imds_request_parse(buf, n + 1, rq, why);
}

Test(imds, parser_reads_put_then_get)
{
    imds_request_t rq;
    const char *why = NULL;
    cr_assert_eq(parse("PUT /latest/api/token HTTP/1.1\r\n"
                       "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\n\r\n",
                       64, &rq, &why),
                 0, "%s", why);
    cr_assert(rq.put);
    cr_assert_eq(rq.token_ttl_s, 21600);
    cr_assert_eq(parse("GET /latest/meta-data/iam/security-credentials/role HTTP/1.1\r\n"
                       "x-aws-ec2-metadata-token: 000102030405060708090a0b0c0d0e0f\r\n"
                       "X-Instance-ID: vm-3\r\nUser-Agent: sdk\r\n\r\n",
                       63, &rq, &why),
                 0, "%s", why);
    cr_assert_eq(rq.ttl, 63);
    cr_assert_eq(rq.path, IMDS_PATH_CREDENTIALS);
    cr_assert(rq.has_token);
    cr_assert_eq(rq.token[15], 0x0f);
    cr_assert_str_eq(rq.instance_id, "vm-3");
    uint8_t out[IMDS_REQUEST_MAX];
    size_t len = 0;
    cr_assert_eq(imds_request_build(64, false, IMDS_PATH_USER_DATA, rq.token, 0, "vm-1", "ua", out,
                                    sizeof out, &len),
                 0);
    cr_assert_eq(imds_request_parse(out, len, &rq, &why), 0, "%s", why);
    cr_assert_eq(rq.path, IMDS_PATH_USER_DATA);
}

Test(imds, parser_refuses_what_a_strict_server_would)
{
    static const char *const bad[] = {
        "GET /latest/api/token HTTP/1.1\r\n\r\n",                 /* GET on the token route */
        "PUT /latest/user-data HTTP/1.1\r\n\r\n",                 /* PUT on a read route */
        "get /latest/user-data HTTP/1.1\r\n\r\n",                 /* method case */
        "GET /latest/user-data HTTP/1.0\r\n\r\n",                 /* version */
        "GET /latest/../user-data HTTP/1.1\r\n\r\n",              /* unknown path */
        "GET /latest/user-data HTTP/1.1\r\n",                     /* no final empty line */
        "GET /latest/user-data HTTP/1.1\r\n\r\nX",                /* octets after it */
        "GET /latest/user-data HTTP/1.1\r\nX-Foo: 1\r\n\r\n",     /* unknown header */
        "GET /latest/user-data HTTP/1.1\r\nUser-Agent:x\r\n\r\n", /* no ": " */
        "GET /latest/user-data HTTP/1.1\r\nUser-Agent: a\r\nUser-Agent: b\r\n\r\n",
        "GET /latest/user-data HTTP/1.1\r\nX-aws-ec2-metadata-token: 00\r\n\r\n",
        "PUT /latest/api/token HTTP/1.1\r\nX-aws-ec2-metadata-token-ttl-seconds: 99999\r\n\r\n",
        "GET /latest/user-data HTTP/1.1\n\n", /* bare LF */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        imds_request_t rq;
        const char *why = NULL;
        cr_assert_neq(parse(bad[i], 64, &rq, &why), 0, "accepted: %s", bad[i]);
        cr_assert_not_null(why);
    }
}

Test(imds, user_data_script)
{
    unsigned to = 9;
    static const char ok[] = "#cloud-config\nsecret 00ff\npost outside-2 disk\n";
    cr_assert_eq(userdata_parse((const uint8_t *)ok, strlen(ok), &to), 1);
    cr_assert_eq(to, 2);
    static const char none[] = "secret abcd\n";
    cr_assert_eq(userdata_parse((const uint8_t *)none, strlen(none), &to), 0);
    static const char bad[] = "rm -rf /\n";
    cr_assert_eq(userdata_parse((const uint8_t *)bad, strlen(bad), &to), -1);
}

Test(volcrypt, sectors_round_trip_and_depend_on_key_and_sector)
{
    uint8_t key[VOL_KEY_BYTES], other[VOL_KEY_BYTES], buf[2 * VOL_SECTOR], pt[2 * VOL_SECTOR];
    for (int i = 0; i < VOL_KEY_BYTES; i++) {
        key[i] = (uint8_t)i;
        other[i] = (uint8_t)(i * 7 + 1);
    }
    memset(pt, 0x5a, sizeof pt); /* two identical plaintext sectors */
    memcpy(buf, pt, sizeof buf);
    vol_cipher_t *c = vol_cipher_new(key), *o = vol_cipher_new(other);
    cr_assert_not_null(c);
    cr_assert_eq(vol_cipher_crypt(c, 10, buf, sizeof buf, 1), 0);
    cr_assert_neq(memcmp(buf, pt, VOL_SECTOR), 0, "encrypted");
    cr_assert_neq(memcmp(buf, buf + VOL_SECTOR, VOL_SECTOR), 0, "the tweak is the sector");
    uint8_t copy[2 * VOL_SECTOR];
    memcpy(copy, buf, sizeof copy);
    cr_assert_eq(vol_cipher_crypt(o, 10, copy, sizeof copy, 0), 0);
    cr_assert_neq(memcmp(copy, pt, sizeof pt), 0, "another key reads noise");
    cr_assert_eq(vol_cipher_crypt(c, 10, buf, sizeof buf, 0), 0);
    cr_assert_arr_eq(buf, pt, sizeof pt);
    cr_assert_neq(vol_cipher_crypt(c, 0, buf, 100, 1), 0, "whole sectors only");
    vol_cipher_free(c);
    vol_cipher_free(o);
    memcpy(key + 32, key, 32);
    cr_assert_null(vol_cipher_new(key), "IEEE 1619: the halves must differ");
}

Test(volcrypt, wrapped_key_opens_only_under_its_kek)
{
    uint8_t kek[VOL_KEK_BYTES] = {1}, kek2[VOL_KEK_BYTES] = {2}, key[VOL_KEY_BYTES];
    uint8_t wrapped[VOL_WRAPPED_KEY], back[VOL_KEY_BYTES];
    memset(key, 0x33, sizeof key);
    cr_assert_eq(vol_key_wrap(kek, key, wrapped), 0);
    cr_assert_eq(vol_key_unwrap(kek, wrapped, back), 0);
    cr_assert_arr_eq(back, key, sizeof key);
    cr_assert_neq(vol_key_unwrap(kek2, wrapped, back), 0);
    wrapped[3] ^= 1;
    cr_assert_neq(vol_key_unwrap(kek, wrapped, back), 0, "RFC 3394 integrity check");
}

Test(audit, chain_and_anchor)
{
    audit_record_t r = {.seq = 5,
                        .time = 9,
                        .kind = AUDIT_KIND_API,
                        .event = 3,
                        .tenant = 1,
                        .principal = 2,
                        .origin = 4},
                   back;
    uint8_t enc[AUDIT_RECORD_BYTES], h[AUDIT_HASH_BYTES], h2[AUDIT_HASH_BYTES];
    audit_record_encode(&r, enc);
    cr_assert_eq(audit_record_decode(enc, sizeof enc, &back), 0);
    cr_assert_eq(back.seq, 5);
    cr_assert_eq(audit_record_hash(enc, h), 0);
    enc[40] ^= 1;
    cr_assert_eq(audit_record_hash(enc, h2), 0);
    cr_assert_neq(memcmp(h, h2, sizeof h), 0);
    cr_assert_neq(audit_record_decode(enc, sizeof enc - 1, &back), 0);
    uint8_t seed[SIGN_PRIV_BYTES] = {3}, d[SIGN_PRIV_BYTES], pub[SIGN_PUB_BYTES];
    cr_assert_eq(sign_scalar(seed, d), 0);
    cr_assert_eq(sign_public(d, pub), 0);
    audit_anchor_t a, b;
    uint8_t ae[AUDIT_ANCHOR_BYTES];
    cr_assert_eq(audit_anchor_sign(d, 5, h, &a), 0);
    audit_anchor_encode(&a, ae);
    cr_assert_eq(audit_anchor_decode(ae, sizeof ae, &b), 0);
    cr_assert(audit_anchor_ok(pub, &b));
    b.seq = 6;
    cr_assert_not(audit_anchor_ok(pub, &b), "an anchor moved to another record");
}

Test(migration, sealed_frames_open_only_unchanged)
{
    uint8_t key[MIG_KEY_BYTES] = {4}, buf[MIG_FRAME_MAX];
    mig_frame_t f = {.stream = 1, .seq = 2, .page = 3, .flags = MIG_FLAG_LAST}, g;
    memset(f.data, 0x77, sizeof f.data);
    size_t len = 0;
    cr_assert_eq(mig_frame_encode(&f, key, buf, sizeof buf, &len), 0);
    cr_assert_null(memmem(buf, len, f.data, 16), "no clear page on the wire");
    cr_assert_eq(mig_frame_decode(buf, len, key, &g), 0);
    cr_assert_arr_eq(g.data, f.data, MIG_PAGE);
    buf[200] ^= 0xff;
    cr_assert_neq(mig_frame_decode(buf, len, key, &g), 0);
    cr_assert_neq(mig_frame_decode(buf, len, NULL, &g), 0, "a sealed frame needs the key");
    cr_assert_eq(mig_frame_encode(&f, NULL, buf, sizeof buf, &len), 0);
    buf[200] ^= 0xff;
    cr_assert_eq(mig_frame_decode(buf, len, NULL, &g), 0, "a clear frame has no integrity");
    cr_assert_neq(memcmp(g.data, f.data, MIG_PAGE), 0);
}

/* ---- IEEE 1619 known answers (tests/vectors/ieee1619-xts-aes256.txt) ---- */

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; hex[2 * n] && hex[2 * n] != '\n' && n < cap; n++) {
        unsigned b = 0;
        cr_assert_eq(sscanf(hex + 2 * n, "%2x", &b), 1);
        out[n] = (uint8_t)b;
    }
    return n;
}

Test(volcrypt, ieee1619_annex_b_vectors_10_to_14_are_reproduced_exactly)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/vectors/ieee1619-xts-aes256.txt", SG17TB_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    static char line[4096];
    uint8_t key[VOL_KEY_BYTES], ptx[VOL_SECTOR], ctx[VOL_SECTOR], buf[VOL_SECTOR];
    uint64_t dusn = 0;
    int vectors = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "KEY1 = ", 7) == 0)
            cr_assert_eq(unhex(line + 7, key, 32), 32);
        else if (strncmp(line, "KEY2 = ", 7) == 0)
            cr_assert_eq(unhex(line + 7, key + 32, 32), 32);
        else if (strncmp(line, "DUSN = ", 7) == 0)
            dusn = strtoull(line + 7, NULL, 16);
        else if (strncmp(line, "PTX = ", 6) == 0)
            cr_assert_eq(unhex(line + 6, ptx, sizeof ptx), sizeof ptx);
        else if (strncmp(line, "CTX = ", 6) == 0) {
            cr_assert_eq(unhex(line + 6, ctx, sizeof ctx), sizeof ctx);
            vol_cipher_t *c = vol_cipher_new(key);
            cr_assert_not_null(c);
            memcpy(buf, ptx, sizeof buf); /* the volume layer: sector number DUSN */
            cr_assert_eq(vol_cipher_crypt(c, dusn, buf, sizeof buf, 1), 0);
            cr_assert_arr_eq(buf, ctx, sizeof ctx, "vector %d (DUSN %llx)", vectors + 10,
                             (unsigned long long)dusn);
            cr_assert_eq(vol_cipher_crypt(c, dusn, buf, sizeof buf, 0), 0);
            cr_assert_arr_eq(buf, ptx, sizeof ptx);
            /* the same data unit one sector later is another ciphertext */
            cr_assert_eq(vol_cipher_crypt(c, dusn + 1, buf, sizeof buf, 1), 0);
            cr_assert(memcmp(buf, ctx, sizeof ctx) != 0);
            vol_cipher_free(c);
            vectors++;
        }
    }
    fclose(f);
    cr_assert_eq(vectors, 5, "vectors 10 to 14");
}
