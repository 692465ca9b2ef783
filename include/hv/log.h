/*
 * Logging: one event per line, "[seconds] cpuN L subsystem: message".
 * L is E(rror), W(arn), I(nfo) or D(ebug). Tests read key=value fields from
 * these lines, so keep field names stable once a test depends on them.
 *
 * The core implements log_write() over the serial console; host unit tests
 * link a capturing implementation (tests/unit/log_capture.c).
 */
#ifndef HV_LOG_H
#define HV_LOG_H

#include <stdarg.h>
#include "hv/types.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_vwrite(enum log_level level, const char *subsys, const char *fmt, va_list ap);
void log_write(enum log_level level, const char *subsys, const char *fmt, ...) __printf(3, 4);

#define log_error(sub, ...) log_write(LOG_ERROR, sub, __VA_ARGS__)
#define log_warn(sub, ...) log_write(LOG_WARN, sub, __VA_ARGS__)
#define log_info(sub, ...) log_write(LOG_INFO, sub, __VA_ARGS__)
#define log_debug(sub, ...) log_write(LOG_DEBUG, sub, __VA_ARGS__)

#endif
