/* http.c — API messages as IPv4 + TCP + HTTP/1.1 with JSON bodies (http.h). The IPv4 header
 * checksum (RFC 791 §3.1) and the TCP checksum over its pseudo-header (RFC 9293 §3.1) are
 * computed, so the packet is valid as captured. */
#include "proto/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sg17tb/wire.h>

#include "proto/api.h"

static const char *status_line(uint8_t status)
{
    switch (status) {
    case API_OK:
        return "200 OK";
    case API_DENIED:
        return "403 Forbidden";
    case API_NOT_FOUND:
        return "404 Not Found";
    case API_AUTH_FAILED:
        return "401 Unauthorized";
    case API_THROTTLED:
        return "429 Too Many Requests";
    default:
        return "400 Bad Request";
    }
}

/* Appends hex of p to text at *n (bounded by cap). */
static void put_hex(char *text, size_t cap, size_t *n, const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len && *n + 2 < cap; i++) {
        text[(*n)++] = digits[p[i] >> 4];
        text[(*n)++] = digits[p[i] & 15];
    }
    text[*n] = 0;
}

/* The HTTP message for a request or response; its length, or 0. */
static size_t http_text(const uint8_t *payload, size_t len, bool response, char *text, size_t cap)
{
    char body[2 * API_BLOB_MAX + 512];
    size_t b = 0;
    int k;
    if (!response) {
        api_request_t rq;
        if (api_request_decode(payload, len, &rq) != 0)
            return 0;
        k = snprintf(body, sizeof body,
                     "{\"Action\":\"%s\",\"AccessKeyId\":%u,\"Timestamp\":%llu,\"Target\":%u,"
                     "\"Value\":%u,\"Flags\":%u,\"CorrelationId\":\"",
                     api_op_name(rq.op), (unsigned)rq.key_id, (unsigned long long)rq.timestamp,
                     (unsigned)rq.target, (unsigned)rq.value, (unsigned)rq.flags);
        if (k < 0 || (size_t)k >= sizeof body)
            return 0;
        b = (size_t)k;
        put_hex(body, sizeof body, &b, rq.corr, API_CORR_BYTES);
        b += (size_t)snprintf(body + b, sizeof body - b, "\",\"Blob\":\"");
        put_hex(body, sizeof body, &b, rq.blob, rq.blob_len);
        b += (size_t)snprintf(body + b, sizeof body - b, "\",\"Signature\":\"");
        put_hex(body, sizeof body, &b, rq.mac, API_MAC_BYTES);
        b += (size_t)snprintf(body + b, sizeof body - b, "\"}");
        k = snprintf(text, cap,
                     "POST /?Action=%s HTTP/1.1\r\nHost: api.iaas.sg17tb\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     api_op_name(rq.op), b, body);
    } else {
        api_response_t rs;
        if (api_response_decode(payload, len, &rs) != 0)
            return 0;
        k = snprintf(body, sizeof body, "{\"Action\":\"%s\",\"Status\":%u,\"Id\":%u,\"Data\":\"",
                     api_op_name(rs.op), (unsigned)rs.status, (unsigned)rs.id);
        if (k < 0 || (size_t)k >= sizeof body)
            return 0;
        b = (size_t)k;
        put_hex(body, sizeof body, &b, rs.data, rs.len);
        b += (size_t)snprintf(body + b, sizeof body - b, "\"}");
        k = snprintf(text, cap,
                     "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "\r\n%s",
                     status_line(rs.status), b, body);
    }
    return k > 0 && (size_t)k < cap ? (size_t)k : 0;
}

/* The Internet checksum (RFC 1071) of p, continuing sum. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

size_t http_frame_api(const uint8_t *payload, size_t len, bool response, uint32_t src, uint32_t dst,
                      uint32_t seq, uint8_t *buf, size_t cap)
{
    char text[HTTP_FRAME_MAX];
    size_t n = http_text(payload, len, response, text, sizeof text);
    size_t total = 40 + n;
    if (n == 0 || total > 65535)
        return 0;
    if (total > cap)
        return total;
    uint8_t *ip = buf, *tcp = buf + 20;
    memset(buf, 0, 40);
    ip[0] = 0x45; /* IPv4, 20-octet header */
    sg17_store_be16(ip + 2, (uint16_t)total);
    ip[6] = 0x40; /* don't fragment */
    ip[8] = 64;   /* TTL */
    ip[9] = 6;    /* TCP */
    sg17_store_be32(ip + 12, src);
    sg17_store_be32(ip + 16, dst);
    sg17_store_be16(ip + 10, fold(sum16(0, ip, 20)));
    uint16_t client = (uint16_t)(40000 + (response ? dst : src) % 20000);
    sg17_store_be16(tcp, response ? 80 : client);
    sg17_store_be16(tcp + 2, response ? client : 80);
    sg17_store_be32(tcp + 4, seq);
    tcp[12] = 0x50; /* 20-octet header */
    tcp[13] = 0x18; /* PSH, ACK */
    sg17_store_be16(tcp + 14, 65535);
    memcpy(buf + 40, text, n);
    uint8_t pseudo[12];
    sg17_store_be32(pseudo, src);
    sg17_store_be32(pseudo + 4, dst);
    pseudo[8] = 0;
    pseudo[9] = 6;
    sg17_store_be16(pseudo + 10, (uint16_t)(20 + n));
    sg17_store_be16(tcp + 16, fold(sum16(sum16(0, pseudo, 12), tcp, 20 + n)));
    return total;
}

uint32_t http_address(const char *entity)
{
    const char *dash = entity ? strrchr(entity, '-') : NULL;
    if (!dash)
        return 0x0a000001u;
    uint32_t h = 2166136261u; /* FNV-1a of the kind */
    for (const char *p = entity; p < dash; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    unsigned long idx = strtoul(dash + 1, NULL, 10);
    return 0x0a000000u | (h % 250 + 1) << 16 | (uint32_t)(idx & 0xffff);
}
