/* tools.c — `sg17tb v2x <tool>`: verify, sign, hashedid8 and decode IEEE 1609.2 / ETSI TS 103 097
 * SPDUs and certificates given in hex, printing NAME=VALUE lines (sg17tb/tool.h conventions).
 * verify checks what a receiver checks of one message: the signature with the signer
 * certificate the message carries (or one given with --cert for a digest signer), that
 * certificate's validity at --time, its PSID permission and region, and the chain through the
 * issuer certificates given. Freshness is the receivers' policy, not the tool's. */
#include "tools.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sg17tb/tool.h>

#include "proto/v2x_proto.h"

#define MAX_CERTS   8
#define MAX_PAYLOAD 1500

/* Command-line options: `--name VALUE` pairs, --cert repeatable, --digest a flag. */
typedef struct {
    const char *spdu, *time, *key, *cert1, *psid, *payload;
    const char *certs[MAX_CERTS];
    size_t n_certs;
    bool digest;
} args_t;

/* Parses argv against the options the tool accepts ("spdu time cert* key psid payload digest"
 * as a space-separated list, '*' = repeatable, flags listed in `flags`). 0 or -1 after a usage
 * line on err. */
static int parse(const char *tool, int argc, char **argv, const char *accepted, const char *flags,
                 args_t *a, FILE *err)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strncmp(o, "--", 2) != 0 || !o[2]) {
            fprintf(err, "%s: unexpected argument '%s'\n", tool, o);
            return -1;
        }
        o += 2;
        size_t ol = strlen(o);
        const char *f = strstr(flags, o);
        if (f && (f == flags || f[-1] == ' ') && (f[ol] == ' ' || f[ol] == '\0')) {
            if (a->digest) {
                fprintf(err, "%s: option '--%s' given twice\n", tool, o);
                return -1;
            }
            a->digest = true;
            continue;
        }
        const char *p = strstr(accepted, o);
        if (!p || (p != accepted && p[-1] != ' ') || (p[ol] != ' ' && p[ol] != '*' && p[ol]))
            p = NULL;
        if (!p) {
            fprintf(err, "%s: unknown option '--%s'\n", tool, o);
            return -1;
        }
        if (i + 1 >= argc) {
            fprintf(err, "%s: option '--%s' needs a value\n", tool, o);
            return -1;
        }
        const char *v = argv[++i];
        const char **slot = NULL;
        if (strcmp(o, "cert") == 0 && p[ol] == '*') {
            if (a->n_certs == MAX_CERTS) {
                fprintf(err, "%s: at most %d --cert options\n", tool, MAX_CERTS);
                return -1;
            }
            a->certs[a->n_certs++] = v;
            continue;
        }
        if (strcmp(o, "spdu") == 0)
            slot = &a->spdu;
        else if (strcmp(o, "time") == 0)
            slot = &a->time;
        else if (strcmp(o, "key") == 0)
            slot = &a->key;
        else if (strcmp(o, "cert") == 0)
            slot = &a->cert1;
        else if (strcmp(o, "psid") == 0)
            slot = &a->psid;
        else if (strcmp(o, "payload") == 0)
            slot = &a->payload;
        if (!slot)
            return -1;
        if (*slot) {
            fprintf(err, "%s: option '--%s' given twice\n", tool, o);
            return -1;
        }
        *slot = v;
    }
    return 0;
}

static int need(const char *tool, const char *name, const char *value, FILE *err)
{
    if (value)
        return 0;
    fprintf(err, "%s: missing option '--%s'\n", tool, name);
    return -1;
}

static int time_arg(const char *tool, const char *value, uint64_t *t64, FILE *err)
{
    int64_t us;
    if (v2x_time_parse_iso8601(value, &us) != V2X_OK || us < V2X_EPOCH_UNIX * 1000000) {
        fprintf(err, "%s: --time must be UTC ISO 8601 after 2004, like 2019-11-21T11:30:00Z\n",
                tool);
        return -1;
    }
    *t64 = v2x_time64_from_unix_us(us);
    return 0;
}

static void print_time(FILE *out, const char *name, uint64_t t64)
{
    char iso[40];
    v2x_time_format_iso8601(v2x_unix_us_from_time64(t64), iso, sizeof iso);
    fprintf(out, "%s=%s\n", name, iso);
}

static int refused(const char *tool, FILE *out, FILE *err, const char *what, int rc)
{
    if (out)
        fprintf(out, "RESULT=failure\n");
    fprintf(err, "%s: %s: %s\n", tool, what, v2x_strerror(rc));
    return SG17_TOOL_REFUSED;
}

/* ---- verify ---- */

/* The certificate with HashedId8 id among certs, or NULL. */
static v2x_cert_t *find(v2x_cert_t **certs, size_t n, const uint8_t id[8])
{
    for (size_t i = 0; i < n; i++)
        if (certs[i] && memcmp(certs[i]->hashedid8, id, 8) == 0)
            return certs[i];
    return NULL;
}

/* Loads the --cert values: explicit ones first, then implicit ones whose issuer is loaded
 * (ECQV reconstruction needs it). 0, or a usage error. */
static int load_certs(const char *tool, const args_t *a, uint8_t (*raw)[V2X_CERT_MAX],
                      size_t *raw_len, v2x_cert_t **certs, FILE *err)
{
    for (size_t i = 0; i < a->n_certs; i++)
        if (sg17_tool_hex(tool, "cert", a->certs[i], raw[i], V2X_CERT_MAX, &raw_len[i], err) != 0)
            return -1;
    for (int pass = 0; pass < MAX_CERTS; pass++) {
        for (size_t i = 0; i < a->n_certs; i++) {
            if (certs[i])
                continue;
            v2x_cert_view_t v;
            int rc = v2x_cert_decode(raw[i], raw_len[i], &v);
            if (rc != V2X_OK) {
                fprintf(err, "%s: --cert #%zu: %s\n", tool, i + 1, v2x_strerror(rc));
                return -1;
            }
            v2x_cert_t *issuer =
                v.type == V2X_CERT_IMPLICIT ? find(certs, a->n_certs, v.issuer) : NULL;
            if (v.type == V2X_CERT_IMPLICIT && !issuer)
                continue;
            certs[i] = v2x_cert_new(raw[i], raw_len[i], issuer, &rc);
            if (!certs[i]) {
                fprintf(err, "%s: --cert #%zu: %s\n", tool, i + 1, v2x_strerror(rc));
                return -1;
            }
        }
    }
    for (size_t i = 0; i < a->n_certs; i++)
        if (!certs[i]) {
            fprintf(err, "%s: --cert #%zu: implicit certificate whose issuer is not given\n", tool,
                    i + 1);
            return -1;
        }
    return 0;
}

/* The chain from signer up through the given certificates: each link's issuer check and
 * validity at t64, until a self-signed root or an issuer not given. Every given certificate
 * must be on the chain (or be the signer): one that is not was meant as an issuer and is not
 * the one the chain names (a tampered or wrong CA certificate). */
static int check_chain(const v2x_cert_t *signer, v2x_cert_t **certs, size_t n, uint64_t t64,
                       const char **what)
{
    bool used[MAX_CERTS] = {false};
    const v2x_cert_t *c = signer;
    int rc = V2X_OK;
    for (size_t depth = 0; depth <= n; depth++) {
        for (size_t i = 0; i < n; i++)
            used[i] =
                used[i] || certs[i] == c
                || (certs[i]->len == c->len && memcmp(certs[i]->bytes, c->bytes, c->len) == 0);
        if (c->view.self_signed) {
            *what = "root certificate";
            rc = v2x_cert_check_issued(c, c);
            break;
        }
        const v2x_cert_t *issuer = find(certs, n, c->view.issuer);
        if (!issuer)
            break; /* the chain is checked as far as the certificates given go */
        *what = "issuer certificate";
        if ((rc = v2x_cert_check_issued(c, issuer)) != V2X_OK
            || (rc = v2x_cert_check_time(&issuer->view, t64)) != V2X_OK)
            return rc;
        c = issuer;
        if (depth == n) {
            *what = "certificate chain";
            return V2X_EISSUER; /* a loop */
        }
    }
    if (rc != V2X_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (!used[i]) {
            *what = "certificate chain (a --cert is not on the signer's chain)";
            return V2X_EISSUER;
        }
    return V2X_OK;
}

static int run_verify(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    args_t a;
    static uint8_t spdu[V2X_SPDU_MAX];
    static uint8_t raw[MAX_CERTS][V2X_CERT_MAX];
    size_t spdu_len, raw_len[MAX_CERTS];
    v2x_cert_t *certs[MAX_CERTS] = {0}, *carried = NULL;
    uint64_t t64;
    int code = SG17_TOOL_USAGE, rc;
    if (parse(tool, argc, argv, "spdu time cert*", "", &a, err) != 0
        || need(tool, "spdu", a.spdu, err) || need(tool, "time", a.time, err)
        || sg17_tool_hex(tool, "spdu", a.spdu, spdu, sizeof spdu, &spdu_len, err) != 0
        || time_arg(tool, a.time, &t64, err) != 0
        || load_certs(tool, &a, raw, raw_len, certs, err) != 0)
        goto done;
    v2x_spdu_t s;
    if ((rc = v2x_spdu_decode(spdu, spdu_len, &s)) != V2X_OK) {
        code = refused(tool, out, err, "SPDU", rc);
        goto done;
    }
    if (s.content != V2X_CONTENT_SIGNED) {
        code = refused(tool, out, err, "SPDU", V2X_ENOTSIGNED);
        goto done;
    }
    const v2x_cert_t *signer = NULL;
    if (s.signer == V2X_SIGNER_CERTIFICATE) {
        v2x_cert_view_t v;
        rc = v2x_cert_decode(s.cert, s.cert_len, &v);
        const v2x_cert_t *issuer =
            rc == V2X_OK && v.type == V2X_CERT_IMPLICIT ? find(certs, a.n_certs, v.issuer) : NULL;
        if (rc == V2X_OK && v.type == V2X_CERT_IMPLICIT && !issuer) {
            fprintf(out, "RESULT=failure\n");
            fprintf(err, "%s: implicit signer certificate: give its issuer with --cert\n", tool);
            code = SG17_TOOL_REFUSED;
            goto done;
        }
        carried = rc == V2X_OK ? v2x_cert_new(s.cert, s.cert_len, issuer, &rc) : NULL;
        if (!carried) {
            code = refused(tool, out, err, "signer certificate", rc);
            goto done;
        }
        signer = carried;
    } else if (s.signer == V2X_SIGNER_DIGEST) {
        signer = find(certs, a.n_certs, s.digest);
        if (!signer) {
            code = refused(tool, out, err, "digest signer", V2X_ESIGNER);
            goto done;
        }
    } else {
        code = refused(tool, out, err, "self-signed message", V2X_ESIGNER);
        goto done;
    }
    const char *what = "signature";
    if ((rc = v2x_spdu_verify_full_r(&s, signer)) == V2X_OK) {
        what = "signer certificate";
        rc = v2x_cert_check_time(&signer->view, t64);
    }
    if (rc == V2X_OK) {
        /* PSID and region: v2x_spdu_check, with the time already checked at --time */
        rc = v2x_spdu_check(&s, signer, s.has_generation_time ? s.generation_time : t64);
        if (rc == V2X_EEXPIRED)
            what = "signer certificate at the generation time";
    }
    if (rc == V2X_OK)
        rc = check_chain(signer, certs, a.n_certs, t64, &what);
    if (rc != V2X_OK) {
        code = refused(tool, out, err, what, rc);
        goto done;
    }
    const v2x_psid_ssp_t *perm = v2x_cert_permission(&signer->view, s.psid);
    fprintf(out, "RESULT=success\n");
    fprintf(out, "PSID=%" PRIu64 "\n", s.psid);
    if (perm && perm->has_ssp)
        sg17_tool_print_hex(out, "SSP", perm->ssp, perm->ssp_len);
    else
        fprintf(out, "SSP=\n");
    sg17_tool_print_hex(out, "SIGNER", signer->hashedid8, 8);
    if (s.has_generation_time)
        print_time(out, "GENERATION_TIME", s.generation_time);
    code = SG17_TOOL_OK;
done:
    v2x_cert_destroy(&carried);
    for (size_t i = 0; i < MAX_CERTS; i++)
        v2x_cert_destroy(&certs[i]);
    return code;
}

/* ---- sign ---- */

static int run_sign(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    args_t a;
    static uint8_t cert[V2X_CERT_MAX], payload[MAX_PAYLOAD], spdu[V2X_SPDU_MAX];
    uint8_t key[V2X_MAX_FIELD], mine[V2X_MAX_POINT];
    size_t cert_len, payload_len, spdu_len, mine_len;
    uint64_t t64;
    EVP_PKEY *pkey = NULL;
    int code = SG17_TOOL_USAGE, rc;
    char *end = NULL;
    v2x_cert_view_t v;
    if (parse(tool, argc, argv, "key cert psid time payload", "digest", &a, err) != 0
        || need(tool, "key", a.key, err) || need(tool, "cert", a.cert1, err)
        || need(tool, "psid", a.psid, err) || need(tool, "time", a.time, err)
        || need(tool, "payload", a.payload, err)
        || sg17_tool_hex(tool, "cert", a.cert1, cert, sizeof cert, &cert_len, err) != 0
        || sg17_tool_hex(tool, "payload", a.payload, payload, sizeof payload, &payload_len, err)
               != 0
        || time_arg(tool, a.time, &t64, err) != 0)
        goto done;
    unsigned long long psid = strtoull(a.psid, &end, 10);
    if (!*a.psid || *end || a.psid[0] == '-') {
        code = sg17_tool_usage(err, tool, "--psid must be a decimal number");
        goto done;
    }
    if ((rc = v2x_cert_decode(cert, cert_len, &v)) != V2X_OK) {
        fprintf(err, "%s: --cert: %s\n", tool, v2x_strerror(rc));
        goto done;
    }
    if (sg17_tool_hex_exact(tool, "key", a.key, key, v2x_curve_size(v.curve), err) != 0)
        goto done;
    pkey = v2x_key_from_private(v.curve, key, v2x_curve_size(v.curve));
    if (!pkey) {
        code = sg17_tool_usage(err, tool, "--key is not a private key of the certificate's curve");
        goto done;
    }
    /* the key must be the certificate's (an implicit certificate's key cannot be compared
     * without its issuer: then the receiver's verification is the check) */
    if (v.type == V2X_CERT_EXPLICIT
        && (v2x_key_public_compressed(pkey, mine, sizeof mine, &mine_len) != V2X_OK
            || memcmp(mine, v.key_point, mine_len) != 0)) {
        code = sg17_tool_usage(err, tool, "--key does not match the certificate's key");
        goto done;
    }
    v2x_sign_params_t p = {.psid = psid,
                           .generation_time = t64,
                           .signer = a.digest ? V2X_SIGNER_DIGEST : V2X_SIGNER_CERTIFICATE};
    rc =
        v2x_spdu_sign(&p, payload, payload_len, pkey, cert, cert_len, spdu, sizeof spdu, &spdu_len);
    if (rc != V2X_OK) {
        fprintf(err, "%s: %s\n", tool, v2x_strerror(rc));
        code = SG17_TOOL_REFUSED;
        goto done;
    }
    sg17_tool_print_hex(out, "SPDU", spdu, spdu_len);
    code = SG17_TOOL_OK;
done:
    OPENSSL_cleanse(key, sizeof key);
    EVP_PKEY_free(pkey);
    return code;
}

/* ---- hashedid8 ---- */

static int run_hashedid8(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    sg17_tool_opt_t o[] = {{"cert", true, NULL}, {NULL, false, NULL}};
    uint8_t cert[V2X_CERT_MAX], id[8];
    size_t len;
    if (sg17_tool_parse(tool, argc, argv, o, err) != 0
        || sg17_tool_hex(tool, "cert", sg17_tool_opt(o, "cert"), cert, sizeof cert, &len, err) != 0)
        return SG17_TOOL_USAGE;
    int rc = v2x_cert_hashedid8(cert, len, id);
    if (rc != V2X_OK)
        return refused(tool, NULL, err, "certificate", rc);
    sg17_tool_print_hex(out, "HASHEDID8", id, 8);
    return SG17_TOOL_OK;
}

/* ---- decode ---- */

static const char *curve_name(v2x_curve_t c)
{
    switch (c) {
    case V2X_CURVE_P256:
        return "nistP256";
    case V2X_CURVE_BP256:
        return "brainpoolP256r1";
    case V2X_CURVE_BP384:
        return "brainpoolP384r1";
    case V2X_CURVE_P384:
        return "nistP384";
    default:
        return "none";
    }
}

static void print_cert(FILE *out, const uint8_t *raw, size_t len)
{
    v2x_cert_view_t v;
    uint8_t id[8];
    if (v2x_cert_decode(raw, len, &v) != V2X_OK || v2x_cert_hashedid8(raw, len, id) != V2X_OK)
        return;
    fprintf(out, "CERT_TYPE=%s\n", v.type == V2X_CERT_IMPLICIT ? "implicit" : "explicit");
    if (v.self_signed)
        fprintf(out, "CERT_ISSUER=self\n");
    else
        sg17_tool_print_hex(out, "CERT_ISSUER", v.issuer, 8);
    if (v.has_name)
        fprintf(out, "CERT_NAME=%s\n", v.name);
    print_time(out, "CERT_VALIDITY_START", (uint64_t)v.validity.start * 1000000u);
    print_time(out, "CERT_VALIDITY_END", v2x_validity_end64(&v.validity));
    for (size_t i = 0; i < v.n_psids; i++) {
        fprintf(out, "CERT_PSID=%" PRIu64 "\n", v.psids[i].psid);
        if (v.psids[i].has_ssp)
            sg17_tool_print_hex(out, "CERT_SSP", v.psids[i].ssp, v.psids[i].ssp_len);
    }
    if (v.region.kind == V2X_REGION_CIRCLE)
        fprintf(out, "CERT_REGION=circle %d %d %u\n", v.region.center.lat, v.region.center.lon,
                v.region.radius_m);
    else if (v.region.kind == V2X_REGION_RECT)
        fprintf(out, "CERT_REGION=rectangles %zu\n", v.region.n_rects);
    fprintf(out, "CERT_KEY_CURVE=%s\n", curve_name(v.curve));
    sg17_tool_print_hex(out, "CERT_KEY", v.key_point, 1 + v2x_curve_size(v.curve));
}

static void print_payload(FILE *out, const uint8_t *p, size_t len)
{
    v2x_gn_t g;
    const uint8_t *app;
    size_t app_len;
    sg17_tool_print_hex(out, "PAYLOAD", p, len);
    if (v2x_gn_decode(p, len, &g, &app, &app_len) != V2X_OK)
        return;
    fprintf(out, "GN_TYPE=%s\n", g.kind == V2X_GN_SHB ? "shb" : "tsb");
    fprintf(out, "GN_STATION_TYPE=%u\n", g.addr_station_type);
    sg17_tool_print_hex(out, "GN_MID", g.mid, 6);
    fprintf(out, "GN_LATITUDE=%d\nGN_LONGITUDE=%d\nGN_SPEED=%d\nGN_HEADING=%u\n", g.lat, g.lon,
            g.speed, g.heading);
    fprintf(out, "BTP_PORT=%u\n", g.btp_port);
    v2x_cam_t c;
    v2x_denm_t d;
    if (g.btp_port == V2X_BTP_PORT_CAM && v2x_cam_decode(app, app_len, &c) == V2X_OK) {
        fprintf(out, "CAM_STATION_ID=%" PRIu32 "\nCAM_STATION_TYPE=%u\n", c.station_id,
                c.station_type);
        fprintf(out, "CAM_GENERATION_DELTA_TIME=%u\n", c.generation_delta_time);
        fprintf(out, "CAM_LATITUDE=%d\nCAM_LONGITUDE=%d\nCAM_ALTITUDE=%d\n", c.pos.lat, c.pos.lon,
                c.pos.altitude);
        if (!c.rsu)
            fprintf(out, "CAM_SPEED=%u\nCAM_HEADING=%u\n", c.speed, c.heading);
    } else if (g.btp_port == V2X_BTP_PORT_DENM && v2x_denm_decode(app, app_len, &d) == V2X_OK) {
        fprintf(out, "DENM_STATION_ID=%" PRIu32 "\n", d.station_id);
        fprintf(out, "DENM_ACTION=%" PRIu32 ":%u\n", d.orig_station_id, d.sequence_number);
        fprintf(out, "DENM_DETECTION_TIME=%" PRIu64 "\n", d.detection_time);
        fprintf(out, "DENM_LATITUDE=%d\nDENM_LONGITUDE=%d\n", d.event_pos.lat, d.event_pos.lon);
        if (d.has_situation)
            fprintf(out, "DENM_CAUSE=%u\nDENM_SUB_CAUSE=%u\n", d.cause, d.sub_cause);
    }
}

static int run_decode(int argc, char **argv, FILE *out, FILE *err)
{
    const char *tool = argv[0];
    sg17_tool_opt_t o[] = {{"spdu", true, NULL}, {NULL, false, NULL}};
    static uint8_t spdu[V2X_SPDU_MAX];
    size_t len;
    if (sg17_tool_parse(tool, argc, argv, o, err) != 0
        || sg17_tool_hex(tool, "spdu", sg17_tool_opt(o, "spdu"), spdu, sizeof spdu, &len, err) != 0)
        return SG17_TOOL_USAGE;
    v2x_spdu_t s;
    int rc = v2x_spdu_decode(spdu, len, &s);
    if (rc != V2X_OK)
        return refused(tool, NULL, err, "SPDU", rc);
    fprintf(out, "PROTOCOL_VERSION=3\n");
    if (s.content == V2X_CONTENT_UNSECURED) {
        fprintf(out, "CONTENT=unsecuredData\n");
        print_payload(out, s.payload, s.payload_len);
    } else if (s.content == V2X_CONTENT_ENCRYPTED) {
        fprintf(out, "CONTENT=encryptedData\n");
        sg17_tool_print_hex(out, "RECIPIENT", s.recipient, 8);
        sg17_tool_print_hex(out, "EPHEMERAL_KEY", s.eph_point, 33);
        sg17_tool_print_hex(out, "NONCE", s.nonce, 12);
        fprintf(out, "CIPHERTEXT_LENGTH=%zu\n", s.ciphertext_len);
    } else {
        fprintf(out, "CONTENT=signedData\n");
        fprintf(out, "HASH=%s\n", s.hash == V2X_HASH_SHA384 ? "sha384" : "sha256");
        fprintf(out, "PSID=%" PRIu64 "\n", s.psid);
        if (s.has_generation_time) {
            print_time(out, "GENERATION_TIME", s.generation_time);
            fprintf(out, "GENERATION_TIME64=%" PRIu64 "\n", s.generation_time);
        }
        if (s.has_expiry)
            print_time(out, "EXPIRY_TIME", s.expiry_time);
        if (s.has_location)
            fprintf(out, "LOCATION_LATITUDE=%d\nLOCATION_LONGITUDE=%d\nLOCATION_ELEVATION=%u\n",
                    s.location.lat, s.location.lon, s.location.elevation);
        fprintf(out, "SIGNER_TYPE=%s\n",
                s.signer == V2X_SIGNER_DIGEST        ? "digest"
                : s.signer == V2X_SIGNER_CERTIFICATE ? "certificate"
                                                     : "self");
        if (s.signer != V2X_SIGNER_SELF)
            sg17_tool_print_hex(out, "SIGNER", s.digest, 8);
        if (s.signer == V2X_SIGNER_CERTIFICATE)
            print_cert(out, s.cert, s.cert_len);
        fprintf(out, "SIGNATURE_CURVE=%s\n", curve_name(s.sig_curve));
        sg17_tool_print_hex(out, "SIGNATURE_R", s.sig_r, 1 + v2x_curve_size(s.sig_curve));
        sg17_tool_print_hex(out, "SIGNATURE_S", s.sig_s, v2x_curve_size(s.sig_curve));
        print_payload(out, s.payload, s.payload_len);
    }
    return SG17_TOOL_OK;
}

const sg17_tool_t v2x_tools[] = {
    {"verify",
     "--spdu HEX --time ISO8601 [--cert HEX ...]  -> RESULT= PSID= SSP= SIGNER= GENERATION_TIME= "
     "(exit 1 with the reason if it does not verify)",
     run_verify},
    {"sign",
     "--key HEX --cert HEX --psid N --time ISO8601 --payload HEX [--digest]  -> SPDU=", run_sign},
    {"hashedid8", "--cert HEX  -> HASHEDID8=", run_hashedid8},
    {"decode", "--spdu HEX  -> one NAME=VALUE line per field", run_decode},
    {NULL, NULL, NULL},
};
