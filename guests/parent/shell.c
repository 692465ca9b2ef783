/*
 * The parent's line editor. Input arrives in batches from HC_CONSOLE_READ,
 * polled once a tick. The hypervisor's console is line based: it prints a
 * partition's output only in whole lines, with control characters replaced.
 * So the shell edits the line here (backspace, Ctrl-C, escape sequences
 * dropped) and echoes it, prompt included, as one line when Enter comes:
 * the log shows exactly the command that ran, and no half line of the
 * shell's ever merges with a heartbeat or event line.
 */
#include "guests/lib/guest.h"
#include "guests/parent/parent.h"

#define SHELL_PROMPT   "hv> "
#define SHELL_LINE_MAX 128
#define SHELL_READ_MAX 64

#define KEY_CTRL_C    0x03
#define KEY_BACKSPACE 0x08
#define KEY_ESC	      0x1b
#define KEY_DEL	      0x7f

/* Escape sequences (arrow keys and the like) are swallowed, not edited with. */
enum esc_state { ESC_NONE, ESC_START, ESC_CSI };

struct shell {
	char line[SHELL_LINE_MAX];
	size_t len;
	bool after_cr; /* a '\n' right after '\r' ends no second line */
	enum esc_state esc;
	bool read_failed;
};

static struct shell sh;

static void key_enter(void)
{
	sh.line[sh.len] = '\0';
	printf("%s%s\n", SHELL_PROMPT, sh.line);
	commands_run(sh.line);
	sh.len = 0;
}

static void key_backspace(void)
{
	if (sh.len)
		sh.len--;
}

static void key_cancel(void)
{
	sh.line[sh.len] = '\0';
	printf("%s%s^C\n", SHELL_PROMPT, sh.line);
	sh.len = 0;
}

/* Keys beyond the line's room are dropped, as a terminal's bell would say. */
static void key_printable(char c)
{
	if (sh.len + 1 < sizeof(sh.line))
		sh.line[sh.len++] = c;
}

/* True while c belongs to an escape sequence (ESC, ESC [ ... final byte). */
static bool in_escape(char c)
{
	switch (sh.esc) {
	case ESC_START:
		sh.esc = c == '[' ? ESC_CSI : ESC_NONE;
		return true;
	case ESC_CSI:
		if (c >= 0x40 && c <= 0x7e)
			sh.esc = ESC_NONE;
		return true;
	case ESC_NONE:
		break;
	}
	if (c == KEY_ESC) {
		sh.esc = ESC_START;
		return true;
	}
	return false;
}

static void shell_key(char c)
{
	bool lf_after_cr = c == '\n' && sh.after_cr;

	sh.after_cr = c == '\r';
	if (lf_after_cr || in_escape(c))
		return;
	if (c == '\r' || c == '\n')
		key_enter();
	else if (c == KEY_BACKSPACE || c == KEY_DEL)
		key_backspace();
	else if (c == KEY_CTRL_C)
		key_cancel();
	else if (c >= 0x20 && c < 0x7f)
		key_printable(c);
}

void shell_start(void)
{
	printf("shell ready prompt=\"%s\" commands=help\n", SHELL_PROMPT);
}

void shell_poll(void)
{
	char buf[SHELL_READ_MAX];
	long n = hc_console_read(buf, sizeof(buf));

	if (n < 0 && !sh.read_failed)
		printf("error console read err=%s\n", errno_name((int)n));
	sh.read_failed = n < 0;
	for (long i = 0; i < n && i < (long)sizeof(buf); i++)
		shell_key(buf[i]);
}
