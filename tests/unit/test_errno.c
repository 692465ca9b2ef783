/*
 * Unit tests of lib/errno.c: every code of hv/errno.h has its own name, in
 * both signs, and anything else is "E?" rather than an out-of-bounds read.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "hv/errno.h"
#include "hv/types.h"

#define CODE(e) { e, #e }

static const struct {
	int code;
	const char *name;
} codes[] = {
	CODE(EPERM),   CODE(ENOENT),  CODE(EIO),     CODE(E2BIG),     CODE(ENOMEM),
	CODE(EFAULT),  CODE(EBUSY),   CODE(EEXIST),  CODE(ENODEV),    CODE(EINVAL),
	CODE(ENOSPC),  CODE(ERANGE),  CODE(ENOSYS),  CODE(ELOOP),     CODE(ENODATA),
	CODE(EBADMSG), CODE(EOVERFLOW), CODE(ENOTSUP), CODE(ETIMEDOUT), CODE(ENOTCONN),
	CODE(EPIPE),   CODE(EPROTO),  CODE(EMSGSIZE),
};

static void test_every_code(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		assert_string_equal(errno_name(-codes[i].code), codes[i].name);
		assert_string_equal(errno_name(codes[i].code), codes[i].name);
	}
}

static void test_unknown_codes(void **state)
{
	static const int unknown[] = { 0, 3, -3, 23, -111, 4096, -4096, INT_MAX, INT_MIN };
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++)
		assert_string_equal(errno_name(unknown[i]), "E?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code),
		cmocka_unit_test(test_unknown_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
