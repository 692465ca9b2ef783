/*
 * Reading boot_info.cmdline (the partition's `cmdline` configuration key):
 * whitespace-separated tokens `key=value` or `key`, with numbers in decimal
 * or 0x-hexadecimal and lists separated by commas ("addrs=0x1000,4096").
 */
#ifndef GUESTS_LIB_CMDLINE_H
#define GUESTS_LIB_CMDLINE_H

#include "hv/types.h"

/*
 * Copies the value of the first token `key=value` (empty for a bare `key`)
 * into value, NUL-terminated. Reads at most max bytes of cmdline, which
 * need not be terminated. -ENOENT when absent, -E2BIG when it doesn't fit.
 */
int cmdline_get(const char *cmdline, size_t max, const char *key, char *value, size_t size);

/* The whole of s as a number: -EINVAL if it is not one, -ERANGE above 64 bits. */
int parse_u64(const char *s, uint64_t *out);
/* Comma-separated numbers: how many were stored, -E2BIG beyond max, or parse_u64's errors. */
int parse_u64_list(const char *s, uint64_t *out, size_t max);

#endif
