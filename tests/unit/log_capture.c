/*
 * Host-side log_write() for unit tests: keeps the lines the code under test
 * logged, so tests can assert that a refusal names what it refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/log.h"
#include "tests/unit/log_capture.h"

static char captured[64 * 1024];
static size_t captured_len;

void log_vwrite(enum log_level level, const char *subsys, const char *fmt, va_list ap)
{
	static const char levels[] = "EWID";
	char line[1024];
	int n = snprintf(line, sizeof(line), "%c %s: ", levels[level], subsys);

	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	size_t len = strlen(line);
	if (captured_len + len + 2 < sizeof(captured)) {
		memcpy(captured + captured_len, line, len);
		captured_len += len;
		captured[captured_len++] = '\n';
		captured[captured_len] = '\0';
	}
	if (getenv("HV_UNIT_LOG"))
		fprintf(stderr, "%s\n", line);
}

void log_write(enum log_level level, const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, subsys, fmt, ap);
	va_end(ap);
}

void log_capture_reset(void)
{
	captured_len = 0;
	captured[0] = '\0';
}

bool log_capture_contains(const char *needle)
{
	return strstr(captured, needle) != NULL;
}

const char *log_capture_text(void)
{
	return captured;
}
