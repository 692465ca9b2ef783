/* The 16550 UART on COM1: the console of the core and of every partition. */
#ifndef KERNEL_SERIAL_H
#define KERNEL_SERIAL_H

#include "hv/types.h"

#define SERIAL_COM1 0x3f8

void serial_init(uint16_t port);
void serial_write(const char *s, size_t len);
/* Waits (bounded) until every byte written so far has left the UART. */
void serial_drain(void);
/* -1 when no byte is waiting. */
int serial_read_byte(void);

#endif
