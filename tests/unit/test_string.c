/*
 * Unit tests of lib/string.c. Host builds normally take the C library's
 * memcpy and friends, so this file compiles lib/string.c a second time
 * without HV_HOSTED and with every function renamed (lib_memcpy...): the
 * freestanding code the core runs is then checked against libc, under ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#undef HV_HOSTED
#define memcpy lib_memcpy
#define memmove lib_memmove
#define memset lib_memset
#define memcmp lib_memcmp
#define strlen lib_strlen
#define strnlen lib_strnlen
#define strcmp lib_strcmp
#define strncmp lib_strncmp
#define strchr lib_strchr
#define hv_strlcpy lib_strlcpy
#include "lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef hv_strlcpy
#define HV_HOSTED 1

/* The hosted build's hv_strlcpy, from lib/string.c compiled with HV_HOSTED. */
size_t hv_strlcpy(char *dst, const char *src, size_t size);

#define AREA 96

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void fill_random(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rand();
}

/* Every length and both alignments within a buffer; bytes around must not change. */
static void test_memcpy_memset(void **state)
{
	unsigned char src[AREA], dst[AREA], want[AREA];
	(void)state;

	srand(1);
	for (size_t off = 0; off < 9; off++) {
		for (size_t n = 0; off + n <= 80; n++) {
			fill_random(src, sizeof(src));
			fill_random(dst, sizeof(dst));
			memcpy(want, dst, sizeof(want));
			memcpy(want + off, src + 3, n);
			assert_ptr_equal(lib_memcpy(dst + off, src + 3, n), dst + off);
			assert_memory_equal(dst, want, sizeof(want));

			memset(want + off, 0x1ab, n); /* only the low byte counts */
			assert_ptr_equal(lib_memset(dst + off, 0x1ab, n), dst + off);
			assert_memory_equal(dst, want, sizeof(want));
		}
	}
}

/* Overlap in both directions, against libc's memmove on the same bytes. */
static void test_memmove(void **state)
{
	unsigned char mine[AREA], ref[AREA];
	(void)state;

	srand(2);
	for (size_t from = 0; from < 24; from++) {
		for (size_t to = 0; to < 24; to++) {
			for (size_t n = 0; n <= 64; n += 3) {
				fill_random(ref, sizeof(ref));
				memcpy(mine, ref, sizeof(mine));
				memmove(ref + to, ref + from, n);
				assert_ptr_equal(lib_memmove(mine + to, mine + from, n), mine + to);
				assert_memory_equal(mine, ref, sizeof(ref));
			}
		}
	}
}

static void test_memcmp(void **state)
{
	unsigned char a[32], b[32];
	(void)state;

	srand(3);
	for (int i = 0; i < 2000; i++) {
		fill_random(a, sizeof(a));
		memcpy(b, a, sizeof(b));
		size_t n = (size_t)rand() % sizeof(a);

		if (i % 3)
			b[rand() % 32] = (unsigned char)rand();
		assert_int_equal(sign(lib_memcmp(a, b, n)), sign(memcmp(a, b, n)));
	}
	assert_int_equal(lib_memcmp("\x80", "\x7f", 1), 1); /* bytes compare unsigned */
	assert_int_equal(lib_memcmp("abc", "abd", 0), 0);
}

static void test_strlen_strnlen(void **state)
{
	const char unterminated[4] = { 'a', 'b', 'c', 'd' };
	(void)state;

	assert_int_equal(lib_strlen(""), 0);
	assert_int_equal(lib_strlen("hypervisor"), 10);
	assert_int_equal(lib_strnlen("hypervisor", 4), 4);
	assert_int_equal(lib_strnlen("hv", 40), 2);
	assert_int_equal(lib_strnlen(unterminated, sizeof(unterminated)), 4); /* reads no further */
	assert_int_equal(lib_strnlen(unterminated, 0), 0);
}

static void test_strcmp_strncmp(void **state)
{
	static const char *const strs[] = {
		"", "a", "ab", "abc", "abd", "b", "\xe9", "A", "ab\x80",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(strs); j++) {
			const char *a = strs[i], *b = strs[j];

			assert_int_equal(sign(lib_strcmp(a, b)), sign(strcmp(a, b)));
			for (size_t n = 0; n < 5; n++)
				assert_int_equal(sign(lib_strncmp(a, b, n)),
						 sign(strncmp(a, b, n)));
		}
	}
}

static void test_strchr(void **state)
{
	const char *s = "key=value=\xe9";
	(void)state;

	assert_ptr_equal(lib_strchr(s, '='), s + 3);
	assert_ptr_equal(lib_strchr(s, 'k'), s);
	assert_ptr_equal(lib_strchr(s, 'z'), NULL);
	assert_ptr_equal(lib_strchr(s, '\0'), s + strlen(s)); /* the terminator is found */
	assert_ptr_equal(lib_strchr(s, 0xe9), s + 10);        /* c converts to char */
	assert_ptr_equal(lib_strchr("", 'a'), NULL);
}

static void check_strlcpy(size_t (*fn)(char *, const char *, size_t))
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(fn(buf, "hello", 0), 5);
	assert_int_equal(buf[0], 'x'); /* size 0 writes nothing */
	assert_int_equal(fn(buf, "hello", 1), 5);
	assert_string_equal(buf, "");
	assert_int_equal(fn(buf, "hello", 3), 5);
	assert_string_equal(buf, "he");
	assert_int_equal(buf[3], 'x');
	assert_int_equal(fn(buf, "hello", 6), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(fn(buf, "overlong string", sizeof(buf)), 15);
	assert_string_equal(buf, "overlon");
	assert_int_equal(fn(buf, "", sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_strlcpy(void **state)
{
	(void)state;
	check_strlcpy(lib_strlcpy);
	check_strlcpy(hv_strlcpy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_memset),  cmocka_unit_test(test_memmove),
		cmocka_unit_test(test_memcmp),	       cmocka_unit_test(test_strlen_strnlen),
		cmocka_unit_test(test_strcmp_strncmp), cmocka_unit_test(test_strchr),
		cmocka_unit_test(test_strlcpy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
