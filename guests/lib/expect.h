/*
 * In-guest checks whose failures reach the test harness through the
 * console: a failed EXPECT prints
 *   expect=fail file=<file> line=<n> cond="<condition>"
 * and counts; expect_summary() prints "expect=summary failures=<n>".
 * EXPECT evaluates to the condition's truth and never changes control flow.
 */
#ifndef GUESTS_LIB_EXPECT_H
#define GUESTS_LIB_EXPECT_H

#include "hv/types.h"

#define EXPECT(cond) expect_check(!!(cond), __FILE__, __LINE__, #cond)

bool expect_check(bool ok, const char *file, int line, const char *cond);
unsigned expect_failures(void);
void expect_summary(void);

#endif
