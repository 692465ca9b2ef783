/* The EXPECT counter and its report lines (see expect.h). */
#include "guests/lib/expect.h"
#include "guests/lib/console.h"
#include "hv/string.h"

#define COND_TEXT_MAX 200

static unsigned failures;

/* The condition's text with '"' turned into '\'', so the quoted field stays one field. */
static void quote_safe(char *dst, const char *src, size_t size)
{
	hv_strlcpy(dst, src, size);
	for (char *p = dst; *p; p++) {
		if (*p == '"')
			*p = '\'';
	}
}

bool expect_check(bool ok, const char *file, int line, const char *cond)
{
	char text[COND_TEXT_MAX];

	if (ok)
		return true;
	__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
	quote_safe(text, cond, sizeof(text));
	printf("expect=fail file=%s line=%d cond=\"%s\"\n", file, line, text);
	return false;
}

unsigned expect_failures(void)
{
	return __atomic_load_n(&failures, __ATOMIC_RELAXED);
}

void expect_summary(void)
{
	printf("expect=summary failures=%u\n", expect_failures());
}
