/* The core's side of hv/log.h: where lines go and which are kept. */
#ifndef KERNEL_LOG_SINK_H
#define KERNEL_LOG_SINK_H

#include "hv/log.h"

void log_set_level(enum log_level level);
/* Writes text as is, under the console lock (used for multi-line dumps). */
void log_emit_raw(const char *text, size_t len);

#endif
