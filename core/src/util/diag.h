/* diag.h — error messages with context, carried by value from where a problem is found to the
 * command line. Functions that can fail take an `sg17_err_t *` (may be NULL) and return -1/NULL. */
#ifndef SG17_UTIL_DIAG_H
#define SG17_UTIL_DIAG_H

#include <stddef.h>

#define SG17_ERR_MAX 2048

typedef struct {
    char msg[SG17_ERR_MAX];
} sg17_err_t;

/* Sets err->msg (if err is not NULL); always returns -1 so callers can `return sg17_err(...)`. */
int sg17_err(sg17_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prepends context: "ctx: <old message>". Returns -1. */
int sg17_err_prefix(sg17_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
