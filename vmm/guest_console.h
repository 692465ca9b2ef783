/*
 * Partition consoles on the serial log: each partition's text becomes log
 * lines with its name as subsystem, cut at '\n' (or when a line outgrows
 * the buffer), so output of several partitions never mixes within a line.
 */
#ifndef VMM_GUEST_CONSOLE_H
#define VMM_GUEST_CONSOLE_H

#include "vmm/partition.h"

void guest_console_write(struct partition *p, const char *text, size_t len);
/* Bytes typed on the serial console, for the parent's shell. */
size_t guest_console_read(char *buf, size_t len);

#endif
