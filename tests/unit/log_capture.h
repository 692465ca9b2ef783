/* What the code under test logged (tests/unit/log_capture.c). */
#ifndef TESTS_UNIT_LOG_CAPTURE_H
#define TESTS_UNIT_LOG_CAPTURE_H

#include <stdbool.h>

void log_capture_reset(void);
bool log_capture_contains(const char *needle);
const char *log_capture_text(void);

#endif
