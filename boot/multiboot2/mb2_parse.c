/*
 * The Multiboot2 tag walk (see mb2_parse.h). The structure is checked
 * before any tag is believed: the total size must fit what may be read, each
 * tag must fit the total size, and the walk must end at an end tag. Tags are
 * read through memcpy: the buffer is only as aligned as the loader made it.
 */
#include "boot/multiboot2/mb2_parse.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"

#define MB2_MIN_INFO_SIZE	(sizeof(struct mb2_info_header) + sizeof(struct mb2_tag))
#define MB2_MIN_MMAP_ENTRY_SIZE sizeof(struct mb2_mmap_entry)

/* The NUL-terminated string at s within len bytes, or NULL. */
static const char *bounded_string(const uint8_t *s, size_t len)
{
	return len && strnlen((const char *)s, len) < len ? (const char *)s : NULL;
}

static void take_string(const uint8_t *tag, const struct mb2_tag *h, const char **out,
			const char *what)
{
	const char *s = bounded_string(tag + sizeof(*h), h->size - sizeof(*h));

	if (!s) {
		log_warn("mb2", "ignored tag=%s reason=\"string without its NUL\" size=%u", what,
			 h->size);
		return;
	}
	if (*out)
		log_warn("mb2", "ignored tag=%s reason=\"given twice, the first one counts\"",
			 what);
	else
		*out = s;
}

static void take_module(const uint8_t *tag, const struct mb2_tag *h, struct mb2_info *out)
{
	struct mb2_tag_module m;
	const char *name;

	if (h->size < sizeof(m)) {
		log_warn("mb2", "ignored tag=module reason=\"too short\" size=%u", h->size);
		return;
	}
	memcpy(&m, tag, sizeof(m));
	name = bounded_string(tag + sizeof(m), h->size - sizeof(m));
	if (!name || m.mod_end <= m.mod_start) {
		log_warn("mb2", "ignored tag=module reason=\"%s\" start=0x%x end=0x%x",
			 name ? "empty, or ends before it starts" : "name without its NUL",
			 m.mod_start, m.mod_end);
		return;
	}
	if (out->module_count == MB2_MAX_MODULES) {
		out->modules_dropped++;
		return;
	}
	out->modules[out->module_count++] =
	    (struct mb2_module){.start = m.mod_start, .end = m.mod_end, .name = name};
}

static void take_mmap(const uint8_t *tag, const struct mb2_tag *h, struct mb2_info *out)
{
	struct mb2_tag_mmap m;

	if (h->size < sizeof(m)) {
		log_warn("mb2", "ignored tag=mmap reason=\"too short\" size=%u", h->size);
		return;
	}
	memcpy(&m, tag, sizeof(m));
	if (m.entry_size < MB2_MIN_MMAP_ENTRY_SIZE || m.entry_size % 8) {
		log_warn("mb2", "ignored tag=mmap reason=\"bad entry size\" entry_size=%u",
			 m.entry_size);
		return;
	}
	if (out->mmap) {
		log_warn("mb2", "ignored tag=mmap reason=\"given twice, the first one counts\"");
		return;
	}
	out->mmap = tag + sizeof(m);
	out->mmap_entry_size = m.entry_size;
	out->mmap_count = (h->size - (uint32_t)sizeof(m)) / m.entry_size;
}

/* The 2.0+ copy wins over the 1.0 one: its XSDT reaches 64-bit addresses. */
static void take_rsdp(const uint8_t *tag, const struct mb2_tag *h, struct mb2_info *out)
{
	uint32_t len = h->size - (uint32_t)sizeof(*h);

	if (len == 0) {
		log_warn("mb2", "ignored tag=acpi reason=\"empty\" type=%u", h->type);
		return;
	}
	if (out->rsdp_tag == MB2_TAG_ACPI_NEW)
		return;
	out->rsdp = tag + sizeof(*h);
	out->rsdp_size = len;
	out->rsdp_tag = h->type;
}

static void take_tag(const uint8_t *tag, const struct mb2_tag *h, struct mb2_info *out)
{
	switch (h->type) {
	case MB2_TAG_CMDLINE:
		take_string(tag, h, &out->cmdline, "cmdline");
		break;
	case MB2_TAG_LOADER_NAME:
		take_string(tag, h, &out->loader_name, "loader_name");
		break;
	case MB2_TAG_MODULE:
		take_module(tag, h, out);
		break;
	case MB2_TAG_MMAP:
		take_mmap(tag, h, out);
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		take_rsdp(tag, h, out);
		break;
	default:
		break; /* framebuffer, ELF sections, EFI tables...: not needed */
	}
}

static int broken(const char *reason, size_t offset, uint32_t value)
{
	log_error("mb2", "boot information refused reason=\"%s\" offset=%zu value=%u", reason,
		  offset, value);
	return -EINVAL;
}

static int read_total_size(const uint8_t *p, size_t avail, uint32_t *total)
{
	struct mb2_info_header hdr;

	if (avail < sizeof(hdr))
		return broken("shorter than its header", 0, (uint32_t)avail);
	memcpy(&hdr, p, sizeof(hdr));
	if (hdr.total_size < MB2_MIN_INFO_SIZE || hdr.total_size > MIN(avail, MB2_MAX_INFO_SIZE))
		return broken("total size out of bounds", 0, hdr.total_size);
	*total = hdr.total_size;
	return 0;
}

/* Every tag moves the walk on by at least 8 bytes, so it ends. */
int mb2_parse(const void *mbi, size_t avail, struct mb2_info *out)
{
	const uint8_t *p = mbi;
	size_t off = sizeof(struct mb2_info_header);
	uint32_t total;
	int err;

	memset(out, 0, sizeof(*out));
	err = read_total_size(p, avail, &total);
	if (err)
		return err;
	for (;;) {
		struct mb2_tag h;

		if (off + sizeof(h) > total)
			return broken("no end tag", off, total);
		memcpy(&h, p + off, sizeof(h));
		if (h.size < sizeof(h) || h.size > total - off)
			return broken("tag size out of bounds", off, h.size);
		if (h.type == MB2_TAG_END)
			break;
		take_tag(p + off, &h, out);
		off += ALIGN_UP((size_t)h.size, MB2_TAG_ALIGN);
	}
	out->total_size = total;
	if (out->modules_dropped)
		log_warn("mb2", "modules ignored count=%u reason=\"more than %u\"",
			 out->modules_dropped, MB2_MAX_MODULES);
	return 0;
}

const struct mb2_module *mb2_find_module(const struct mb2_info *info, const char *name)
{
	for (uint32_t i = 0; i < info->module_count; i++)
		if (!strcmp(info->modules[i].name, name))
			return &info->modules[i];
	return NULL;
}

struct mb2_mmap_entry mb2_mmap_entry(const struct mb2_info *info, uint32_t i)
{
	struct mb2_mmap_entry e;

	memcpy(&e, info->mmap + (size_t)i * info->mmap_entry_size, sizeof(e));
	return e;
}
