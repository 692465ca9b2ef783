/*
 * Memory and string functions for code that has no C library: the core and
 * the guests. gcc emits calls to memcpy, memmove and memset on its own (struct
 * copies, zero-initialised arrays), so these must exist under their C names.
 * Host unit tests (HV_HOSTED) use the C library's versions and only get
 * hv_strlcpy from here.
 *
 * The loops rely on -ffreestanding, which keeps gcc from recognising a copy
 * loop and replacing it with a call to the very function it sits in.
 */
#include "hv/string.h"

#ifndef HV_HOSTED
/*
 * memcpy and memset are weak: GNU-EFI's libefi brings its own (needed by its
 * InitializeLib) into hv.efi, and either implementation serves the core.
 *
 * rep movsb/stosb: a single instruction that CPUs with fast string support
 * (ERMS, every x86-64 part of the last decade) run near memory bandwidth,
 * without touching vector registers the core must not use.
 */
__attribute__((weak)) void *memcpy(void *dst, const void *src, size_t n)
{
	void *ret = dst;

	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	return ret;
}

__attribute__((weak)) void *memset(void *dst, int c, size_t n)
{
	void *ret = dst;

	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
	return ret;
}

/*
 * Overlap with the destination above the source needs a backward copy. A
 * byte loop rather than "std; rep movsb": the direction flag would stay set
 * if an interrupt or NMI arrived mid-copy, and handlers assume it is clear.
 */
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x != y)
			return x < y ? -1 : 1;
		if (!x)
			return 0;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}

/* As in C, the terminating NUL counts as part of the string: strchr(s, 0) finds it. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)(uintptr_t)s; /* C's signature drops const */
		if (!*s)
			return NULL;
	}
}
#endif

size_t hv_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
