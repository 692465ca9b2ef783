/*
 * Freestanding string and memory functions (lib/string.c). Host unit tests
 * build with HV_HOSTED and get the C library's versions instead.
 */
#ifndef HV_STRING_H
#define HV_STRING_H

#include "hv/types.h"

#ifdef HV_HOSTED
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t hv_strlcpy(char *dst, const char *src, size_t size);

#endif
