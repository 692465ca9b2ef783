/*
 * Polled 16550 driver, 115200 8N1. Polled because it must work from the
 * first line of the core, in exception handlers and with interrupts off.
 */
#include "kernel/serial.h"
#include "kernel/arch/cpu.h"

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_RBR 0 /* receive buffer (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2
#define UART_FCR_ENABLE_CLEAR 0xc7 /* FIFO on, both cleared, 14-byte trigger */
#define UART_LCR 3
#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_MCR 4
#define UART_MCR_DTR_RTS_OUT2 0x0b
#define UART_LSR 5
#define UART_LSR_DR 0x01   /* data ready */
#define UART_LSR_THRE 0x20 /* transmit holding register empty */
#define UART_LSR_TEMT 0x40 /* transmitter empty: holding and shift register */

#define UART_BASE_CLOCK 115200
#define UART_BAUD 115200
/* Bounded so a missing UART (real hardware without COM1) can't hang us. */
#define UART_TX_SPIN_LIMIT 100000

static uint16_t uart_port;

/*
 * The last byte leaves before the line is reprogrammed (the previous user's,
 * a loader's) or the machine ends (an emulator exits at once).
 */
static void wait_transmitter_empty(uint16_t port)
{
	for (unsigned i = 0; i < UART_TX_SPIN_LIMIT; i++) {
		if (inb(port + UART_LSR) & UART_LSR_TEMT)
			return;
		cpu_relax();
	}
}

void serial_drain(void)
{
	if (uart_port)
		wait_transmitter_empty(uart_port);
}

void serial_init(uint16_t port)
{
	uint16_t divisor = UART_BASE_CLOCK / UART_BAUD;

	wait_transmitter_empty(port);
	uart_port = port;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_DLAB);
	outb(port + UART_DLL, divisor & 0xff);
	outb(port + UART_DLM, divisor >> 8);
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_FCR, UART_FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, UART_MCR_DTR_RTS_OUT2);
}

static void put_byte(char c)
{
	for (unsigned i = 0; i < UART_TX_SPIN_LIMIT; i++) {
		if (inb(uart_port + UART_LSR) & UART_LSR_THRE)
			break;
		cpu_relax();
	}
	outb(uart_port + UART_THR, (uint8_t)c);
}

void serial_write(const char *s, size_t len)
{
	if (!uart_port)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			put_byte('\r');
		put_byte(s[i]);
	}
}

int serial_read_byte(void)
{
	if (!uart_port || !(inb(uart_port + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(uart_port + UART_RBR);
}
