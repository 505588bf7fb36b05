/* diag.h — error messages with context, carried by value from where a problem is found to the
 * command line. Functions that can fail take an `sg17_err_t *` (may be NULL) and return -1/NULL. */
#ifndef SG17_UTIL_DIAG_H
#define SG17_UTIL_DIAG_H

#include <stddef.h>

#define SG17_ERR_MAX 2048

typedef struct {
    char msg[SG17_ERR_MAX];
} sg17_err_t;

/* Sets err->msg (if err is not NULL). */
void sg17_err_set(sg17_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prepends context to err->msg (if err is not NULL): "ctx: <old message>". */
void sg17_err_set_prefix(sg17_err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The value every failure returns. */
static inline int sg17_failed(void)
{
    return -1;
}

/* sg17_err sets the message and is -1, so callers can `return sg17_err(...)`; sg17_err_prefix
 * likewise. Macros, so that the -1 is visible in the file that fails: the static analyzer (make
 * lint) then follows error paths instead of assuming a failure may have returned 0. */
#define sg17_err(err, ...)        (sg17_err_set((err), __VA_ARGS__), sg17_failed())
#define sg17_err_prefix(err, ...) (sg17_err_set_prefix((err), __VA_ARGS__), sg17_failed())

#endif
