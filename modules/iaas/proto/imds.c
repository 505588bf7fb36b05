/* imds.c — the metadata service's request parser and response codec, and the user-data script
 * parser (imds.h). Everything here is untrusted input: every field is bounded, every refusal says
 * why. */
#include "proto/imds.h"

#include <stdio.h>
#include <string.h>

#include <sg17tb/wire.h>

static const struct {
    const char *text;
    imds_path_t path;
    bool put;
} routes[] = {
    {"/latest/api/token", IMDS_PATH_TOKEN, true},
    {"/latest/meta-data/instance-id", IMDS_PATH_INSTANCE_ID, false},
    {"/latest/meta-data/iam/security-credentials/role", IMDS_PATH_CREDENTIALS, false},
    {"/latest/user-data", IMDS_PATH_USER_DATA, false},
};

/* The next CRLF-terminated line of [*p, end): its start and length; -1 without a CRLF. */
static int next_line(const uint8_t **p, const uint8_t *end, const uint8_t **line, size_t *n)
{
    for (const uint8_t *q = *p; q + 1 < end; q++)
        if (q[0] == '\r' && q[1] == '\n') {
            *line = *p;
            *n = (size_t)(q - *p);
            *p = q + 2;
            return 0;
        }
    return -1;
}

static bool printable(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7e)
            return false;
    return true;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool name_is(const uint8_t *s, size_t n, const char *want)
{
    size_t w = strlen(want);
    if (n != w)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t a = s[i], b = (uint8_t)want[i];
        if (a >= 'A' && a <= 'Z')
            a = (uint8_t)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (uint8_t)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

#define FAIL(reason)     \
    do {                 \
        *why = (reason); \
        return -1;       \
    } while (0)

/* One header line: a known name, ": ", a value; each header at most once (seen is a bit set). */
static int parse_header(const uint8_t *s, size_t n, imds_request_t *rq, unsigned *seen,
                        const char **why)
{
    const uint8_t *colon = memchr(s, ':', n);
    if (!colon || colon + 1 >= s + n || colon[1] != ' ')
        FAIL("a header line without ': '");
    size_t nl = (size_t)(colon - s), vl = n - nl - 2;
    const uint8_t *v = colon + 2;
    if (vl == 0)
        FAIL("a header with an empty value");
    unsigned bit;
    if (name_is(s, nl, "X-aws-ec2-metadata-token")) {
        bit = 1;
        if (vl != 2 * IMDS_TOKEN_BYTES)
            FAIL("a token that is not 32 hex digits");
        for (size_t i = 0; i < IMDS_TOKEN_BYTES; i++) {
            int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);
            if (hi < 0 || lo < 0)
                FAIL("a token that is not 32 hex digits");
            rq->token[i] = (uint8_t)(hi << 4 | lo);
        }
        rq->has_token = true;
    } else if (name_is(s, nl, "X-aws-ec2-metadata-token-ttl-seconds")) {
        bit = 2;
        uint32_t t = 0;
        if (vl > 5)
            FAIL("a token lifetime above 21600 s");
        for (size_t i = 0; i < vl; i++) {
            if (v[i] < '0' || v[i] > '9')
                FAIL("a token lifetime that is not a number");
            t = t * 10 + (uint32_t)(v[i] - '0');
        }
        if (t == 0 || t > 21600)
            FAIL("a token lifetime outside 1 .. 21600 s");
        rq->token_ttl_s = t;
    } else if (name_is(s, nl, "X-Instance-ID")) {
        bit = 4;
        if (vl > IMDS_INSTANCE_MAX)
            FAIL("an instance id longer than 32 characters");
        memcpy(rq->instance_id, v, vl);
        rq->instance_id[vl] = 0;
    } else if (name_is(s, nl, "User-Agent")) {
        bit = 8;
        if (vl > IMDS_UA_MAX)
            FAIL("a user agent longer than 64 characters");
        memcpy(rq->user_agent, v, vl);
        rq->user_agent[vl] = 0;
    } else {
        FAIL("an unknown header");
    }
    if (*seen & bit)
        FAIL("a repeated header");
    *seen |= bit;
    return 0;
}

int imds_request_parse(const uint8_t *buf, size_t len, imds_request_t *rq, const char **why)
{
    static const char *unused;
    if (!why)
        why = &unused;
    memset(rq, 0, sizeof *rq);
    if (!buf || len < 2 || len > IMDS_REQUEST_MAX)
        FAIL("no request, or longer than 1024 octets");
    rq->ttl = buf[0];
    const uint8_t *p = buf + 1, *end = buf + len, *line;
    size_t n;
    if (next_line(&p, end, &line, &n) != 0 || !printable(line, n))
        FAIL("no request line");
    const char *sp1 = memchr(line, ' ', n);
    if (!sp1)
        FAIL("a request line without a method");
    size_t ml = (size_t)((const uint8_t *)sp1 - line);
    if (ml == 3 && memcmp(line, "GET", 3) == 0)
        rq->put = false;
    else if (ml == 3 && memcmp(line, "PUT", 3) == 0)
        rq->put = true;
    else
        FAIL("a method other than GET or PUT");
    const uint8_t *path = line + ml + 1;
    size_t rest = n - ml - 1;
    static const char version[] = " HTTP/1.1";
    size_t vl = sizeof version - 1;
    if (rest <= vl || memcmp(path + rest - vl, version, vl) != 0)
        FAIL("a request line that does not end in HTTP/1.1");
    size_t pl = rest - vl;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strlen(routes[i].text) == pl && memcmp(routes[i].text, path, pl) == 0)
            rq->path = routes[i].path;
    if (!rq->path)
        FAIL("an unknown path");
    bool put_route = rq->path == IMDS_PATH_TOKEN;
    if (put_route != rq->put)
        FAIL("a method the path does not take");
    unsigned seen = 0, headers = 0;
    for (;;) {
        if (next_line(&p, end, &line, &n) != 0)
            FAIL("headers without the final empty line");
        if (n == 0)
            break;
        if (++headers > 8 || !printable(line, n))
            FAIL("more than 8 headers, or a header with control characters");
        if (parse_header(line, n, rq, &seen, why) != 0)
            return -1;
    }
    if (p != end)
        FAIL("octets after the final empty line");
    return 0;
}

int imds_request_build(uint8_t ttl, bool put, imds_path_t path, const uint8_t *token,
                       uint32_t token_ttl_s, const char *instance_id, const char *user_agent,
                       uint8_t *out, size_t cap, size_t *len)
{
    const char *route = NULL;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (routes[i].path == path)
            route = routes[i].text;
    if (!route || cap < 2)
        return -1;
    char text[IMDS_REQUEST_MAX];
    int n = snprintf(text, sizeof text, "%s %s HTTP/1.1\r\n", put ? "PUT" : "GET", route);
    if (token) {
        n += snprintf(text + n, sizeof text - (size_t)n, "X-aws-ec2-metadata-token: ");
        for (int i = 0; i < IMDS_TOKEN_BYTES && n < (int)sizeof text - 3; i++)
            n += snprintf(text + n, sizeof text - (size_t)n, "%02x", token[i]);
        n += snprintf(text + n, sizeof text - (size_t)n, "\r\n");
    }
    if (token_ttl_s && n < (int)sizeof text)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "X-aws-ec2-metadata-token-ttl-seconds: %u\r\n", (unsigned)token_ttl_s);
    if (instance_id && n < (int)sizeof text)
        n += snprintf(text + n, sizeof text - (size_t)n, "X-Instance-ID: %s\r\n", instance_id);
    if (user_agent && n < (int)sizeof text)
        n += snprintf(text + n, sizeof text - (size_t)n, "User-Agent: %s\r\n", user_agent);
    if (n < (int)sizeof text)
        n += snprintf(text + n, sizeof text - (size_t)n, "\r\n");
    if (n <= 0 || (size_t)n >= sizeof text || (size_t)n + 1 > cap)
        return -1;
    out[0] = ttl;
    memcpy(out + 1, text, (size_t)n);
    *len = (size_t)n + 1;
    return 0;
}

int imds_response_encode(const imds_response_t *rs, uint8_t *out, size_t cap, size_t *len)
{
    if (rs->len > IMDS_BODY_MAX || (rs->len && !rs->body))
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, rs->ttl);
    sg17_put_u16(&w, rs->status);
    sg17_put_u16(&w, rs->len);
    if (rs->len)
        sg17_put_bytes(&w, rs->body, rs->len);
    return sg17_writer_finish(&w, len);
}

int imds_response_decode(const uint8_t *buf, size_t len, imds_response_t *rs)
{
    memset(rs, 0, sizeof *rs);
    sg17_reader_t r = sg17_reader(buf, len);
    rs->ttl = sg17_get_u8(&r);
    rs->status = sg17_get_u16(&r);
    rs->len = sg17_get_u16(&r);
    if (rs->len > IMDS_BODY_MAX || rs->status < 100 || rs->status > 599)
        sg17_reader_fail(&r);
    rs->body = rs->len ? sg17_get_bytes(&r, rs->len) : NULL;
    return sg17_reader_done(&r) ? 0 : -1;
}

int userdata_parse(const uint8_t *buf, size_t len, unsigned *post_to)
{
    int posts = 0;
    *post_to = 0;
    if (len > USERDATA_MAX || (len && !buf))
        return -1;
    size_t i = 0;
    while (i < len) {
        const uint8_t *nl = memchr(buf + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (buf + i)) : len - i;
        const uint8_t *s = buf + i;
        i += n + (nl ? 1 : 0);
        if (n == 0 || s[0] == '#')
            continue;
        if (!printable(s, n))
            return -1;
        if (n > 7 && memcmp(s, "secret ", 7) == 0) {
            for (size_t k = 7; k < n; k++)
                if (hexval(s[k]) < 0)
                    return -1;
            continue;
        }
        static const char post[] = "post outside-", tail[] = " disk";
        size_t pl = sizeof post - 1, tl = sizeof tail - 1;
        if (n > pl + tl && n <= pl + tl + 5 && memcmp(s, post, pl) == 0
            && memcmp(s + n - tl, tail, tl) == 0) {
            unsigned v = 0;
            for (size_t k = pl; k < n - tl; k++) {
                if (s[k] < '0' || s[k] > '9')
                    return -1;
                v = v * 10 + (unsigned)(s[k] - '0');
            }
            if (posts++ == 0)
                *post_to = v;
            continue;
        }
        return -1;
    }
    return posts;
}
