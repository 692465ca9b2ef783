/* Device hypercalls and names (see devices.h). */
#include "guests/lib/devices.h"
#include "guests/lib/apic.h"
#include "guests/lib/hypercalls.h"
#include "guests/lib/idt.h"
#include "hv/errno.h"
#include "hv/format.h"

#define REVOKE_POLL_US 10000

static uint64_t gpa_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

long hc_notice(struct hv_notice *notice)
{
	return hc_raw(HC_NOTICE, gpa_of(notice), 0, 0, 0, 0);
}

static volatile uint64_t signals;

static void on_notice(struct trap_frame *frame)
{
	(void)frame;
	signals++;
	apic_eoi();
}

void notices_enable(void)
{
	irq_set_handler(HV_NOTICE_VECTOR, on_notice);
}

uint64_t notices_signalled(void)
{
	return signals;
}

unsigned notices_poll(void (*handle)(const struct hv_notice *n))
{
	static uint64_t seen = ~0ULL; /* drain once at the start: notices may predate us */
	struct hv_notice n;
	unsigned count = 0;

	if (seen == signals)
		return 0;
	seen = signals;
	while (hc_notice(&n) == 1) {
		handle(&n);
		count++;
	}
	return count;
}

long hc_device_release(uint32_t bdf)
{
	return hc_raw(HC_DEVICE_RELEASE, bdf, 0, 0, 0, 0);
}

long hc_vf_assign(uint32_t bdf, uint32_t partition_id)
{
	return hc_raw(HC_VF_ASSIGN, bdf, partition_id, 0, 0, 0);
}

long hc_vf_revoke(uint32_t bdf)
{
	return hc_raw(HC_VF_REVOKE, bdf, 0, 0, 0, 0);
}

long hc_device_list(struct hv_device_status *list, size_t max)
{
	return hc_raw(HC_DEVICE_LIST, gpa_of(list), max, 0, 0, 0);
}

long vf_revoke_wait(uint32_t bdf, uint64_t max_us)
{
	long err = hc_vf_revoke(bdf);

	for (uint64_t waited = 0; err == -EAGAIN && waited < max_us; waited += REVOKE_POLL_US) {
		hc_idle(REVOKE_POLL_US);
		err = hc_vf_revoke(bdf);
	}
	return err;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Up to max_digits hex digits; *s moves past them. */
static int hex_field(const char **s, unsigned max_digits, unsigned *out)
{
	unsigned v = 0, n = 0;

	while (n < max_digits && hex_digit(**s) >= 0) {
		v = v * 16 + (unsigned)hex_digit(**s);
		(*s)++;
		n++;
	}
	*out = v;
	return n ? 0 : -EINVAL;
}

int bdf_parse(const char *s, uint32_t *bdf)
{
	unsigned bus, dev, fn;

	if (hex_field(&s, 2, &bus) || *s++ != ':' || hex_field(&s, 2, &dev) || *s++ != '.' ||
	    hex_field(&s, 1, &fn) || *s || dev > 0x1f || fn > 7)
		return -EINVAL;
	*bdf = bus << 8 | dev << 3 | fn;
	return 0;
}

const char *bdf_format(uint32_t bdf, char *buf, size_t size)
{
	hv_snprintf(buf, size, "%02x:%02x.%x", (bdf >> 8) & 0xff, (bdf >> 3) & 0x1f, bdf & 7);
	return buf;
}

const char *notice_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		[HV_NOTICE_DEVICE_OFFERED] = "offered",	  [HV_NOTICE_DEVICE_REVOKING] = "revoking",
		[HV_NOTICE_DEVICE_REVOKED] = "revoked",	  [HV_NOTICE_DMA_FAULT] = "dma-fault",
		[HV_NOTICE_QUARANTINED] = "quarantined",
	};

	return kind < ARRAY_SIZE(names) && names[kind] ? names[kind] : "unknown";
}
