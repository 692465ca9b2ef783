/* Partition consoles (see guest_console.h). */
#include "vmm/guest_console.h"
#include "hv/log.h"
#include "kernel/serial.h"

static void flush_line(struct partition *p)
{
	p->console[p->console_len] = '\0';
	log_info(partition_name(p), "%s", p->console);
	p->console_len = 0;
}

void guest_console_write(struct partition *p, const char *text, size_t len)
{
	uint64_t irq = spin_lock_irqsave(&p->lock);

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (c == '\n') {
			flush_line(p);
			continue;
		}
		/* Only printable text reaches the log: no escape sequences from guests. */
		p->console[p->console_len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? c : '?';
		if (p->console_len == PARTITION_CONSOLE_LINE)
			flush_line(p);
	}
	spin_unlock_irqrestore(&p->lock, irq);
}

size_t guest_console_read(char *buf, size_t len)
{
	size_t n = 0;
	int c;

	while (n < len && (c = serial_read_byte()) >= 0)
		buf[n++] = (char)c;
	return n;
}
