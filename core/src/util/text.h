/* text.h — parsing and formatting of the small value types scenario files and tools use:
 * durations, hex strings, numbers; and the "did you mean" suggestion for misspelt names. */
#ifndef SG17_UTIL_TEXT_H
#define SG17_UTIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sg17tb/module.h"

/* "250ms", "2s", "15min", "6h", "1d", "1h30min", "500us", or a bare number of seconds.
 * Returns 0, or -1 for anything else (including overflow and negative values). */
int sg17_duration_parse(const char *text, sg17_time_t *out);

/* Shortest exact form: "15min", "1h30min", "250ms", "0s". buf of at least 32 bytes. */
const char *sg17_duration_format(sg17_time_t t, char *buf, size_t size);

/* Decodes hex (upper or lower case, even length, no separators) into a fresh buffer the caller
 * frees. Returns NULL on bad input. *len receives the decoded length. */
uint8_t *sg17_hex_decode(const char *hex, size_t *len);

/* Decodes into a caller buffer of exactly `want` bytes; -1 if the length differs or bad hex. */
int sg17_hex_decode_exact(const char *hex, uint8_t *out, size_t want);

/* Upper-case hex of len bytes into a fresh NUL-terminated string the caller frees. */
char *sg17_hex_encode(const uint8_t *data, size_t len);

/* Strict numbers: the whole string must be consumed, finite. */
int sg17_parse_int(const char *text, long long *out);
int sg17_parse_number(const char *text, double *out);
int sg17_parse_bool(const char *text, bool *out);

/* The candidate closest to `word` by edit distance, if close enough to be a plausible typo
 * (distance <= max(2, strlen/3)); NULL otherwise. */
const char *sg17_nearest(const char *word, const char *const *candidates, size_t n);

/* Glob match with '*' and '?' (for --filter and adversary match rules). */
bool sg17_glob(const char *pattern, const char *text);

#endif
