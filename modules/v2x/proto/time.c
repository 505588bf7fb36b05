/* time.c — the IEEE 1609.2 time base (TAI counted from 2004-01-01T00:00:00Z) and the error
 * phrases of the v2x codecs. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "v2x_proto.h"

const char *v2x_strerror(int err)
{
    switch (err) {
    case V2X_OK:
        return "ok";
    case V2X_EMALFORMED:
        return "malformed encoding";
    case V2X_EUNSUPPORTED:
        return "unsupported structure";
    case V2X_ESPACE:
        return "output buffer too small";
    case V2X_EARG:
        return "invalid argument";
    case V2X_ECRYPTO:
        return "cryptographic library failure";
    case V2X_ESIGNATURE:
        return "signature does not verify";
    case V2X_ESIGNER:
        return "unknown signer";
    case V2X_EISSUER:
        return "certificate not issued by the given issuer";
    case V2X_EEXPIRED:
        return "certificate not valid at that time";
    case V2X_EPSID:
        return "PSID not permitted by the certificate";
    case V2X_EREGION:
        return "location outside the certificate's region";
    case V2X_EDECRYPT:
        return "decryption failed";
    case V2X_ENOTSIGNED:
        return "not signed data";
    default:
        return "unknown error";
    }
}

/* Unix times (UTC) from which one more leap second counts since 2004 (the second inserted at
 * 23:59:60 of the day before). */
static const int64_t leap_unix[] = {
    1136073600LL, /* 2006-01-01 */
    1230768000LL, /* 2009-01-01 */
    1341100800LL, /* 2012-07-01 */
    1435708800LL, /* 2015-07-01 */
    1483228800LL, /* 2017-01-01 */
};

int v2x_leap_seconds(int64_t unix_s)
{
    int n = 0;
    for (size_t i = 0; i < sizeof leap_unix / sizeof leap_unix[0]; i++)
        if (unix_s >= leap_unix[i])
            n++;
    return n;
}

uint32_t v2x_time32_from_unix(int64_t unix_s)
{
    if (unix_s < V2X_EPOCH_UNIX)
        return 0;
    int64_t t = unix_s - V2X_EPOCH_UNIX + v2x_leap_seconds(unix_s);
    return t > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

/* The leap-second count at TAI second tai (since the epoch): the UTC time is tai - n where n is
 * the count at that UTC time; the table is small, so search it. */
static int leap_at_tai(int64_t tai)
{
    int n = 0;
    for (size_t i = 0; i < sizeof leap_unix / sizeof leap_unix[0]; i++)
        if (tai - (int64_t)(i + 1) + V2X_EPOCH_UNIX >= leap_unix[i])
            n = (int)i + 1;
    return n;
}

int64_t v2x_unix_from_time32(uint32_t t32)
{
    return (int64_t)t32 + V2X_EPOCH_UNIX - leap_at_tai((int64_t)t32);
}

uint64_t v2x_time64_from_unix_us(int64_t unix_us)
{
    int64_t s = unix_us >= 0 ? unix_us / 1000000 : (unix_us - 999999) / 1000000;
    if (s < V2X_EPOCH_UNIX)
        return 0;
    int64_t us = unix_us - s * 1000000;
    return (uint64_t)(s - V2X_EPOCH_UNIX + v2x_leap_seconds(s)) * 1000000u + (uint64_t)us;
}

int64_t v2x_unix_us_from_time64(uint64_t t64)
{
    int64_t tai = (int64_t)(t64 / 1000000u);
    return (tai + V2X_EPOCH_UNIX - leap_at_tai(tai)) * 1000000 + (int64_t)(t64 % 1000000u);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int v2x_time_parse_iso8601(const char *s, int64_t *unix_us)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6
        || n != 19)
        return V2X_EARG;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 59
        || h < 0 || mi < 0 || sec < 0)
        return V2X_EARG;
    bool leap_year = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap_year)
        return V2X_EARG;
    const char *p = s + n;
    int64_t frac = 0;
    if (*p == '.') {
        int digits = 0;
        p++;
        while (*p >= '0' && *p <= '9') {
            if (digits < 6) {
                frac = frac * 10 + (*p - '0');
                digits++;
            }
            p++;
        }
        if (digits == 0)
            return V2X_EARG;
        while (digits++ < 6)
            frac *= 10;
    }
    if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0 && *p != '\0')
        return V2X_EARG;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    *unix_us = ((days * 86400) + h * 3600 + mi * 60 + sec) * 1000000 + frac;
    return V2X_OK;
}

void v2x_time_format_iso8601(int64_t unix_us, char *buf, size_t cap)
{
    time_t s = (time_t)(unix_us >= 0 ? unix_us / 1000000 : (unix_us - 999999) / 1000000);
    long us = (long)(unix_us - (int64_t)s * 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
}
