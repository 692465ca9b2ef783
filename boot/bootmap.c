/*
 * Memory map normalisation for the hand-over to the core (see bootmap.h).
 * A boundary sweep: every range start and end is a boundary; each piece
 * between two boundaries takes the strongest type covering it. Inputs are
 * a few hundred entries at most, so the quadratic sweep costs nothing.
 */
#include "boot/bootmap.h"
#include "hv/errno.h"

/* Higher wins on overlap: never hand out memory anything else claims. */
static unsigned type_priority(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_USABLE:
		return 1;
	case BOOT_MEM_MODULE:
		return 2;
	case BOOT_MEM_HV:
		return 3;
	case BOOT_MEM_ACPI_RECLAIM:
		return 4;
	case BOOT_MEM_ACPI_NVS:
		return 5;
	case BOOT_MEM_FIRMWARE:
		return 6;
	case BOOT_MEM_MMIO:
		return 7;
	case BOOT_MEM_RESERVED:
		return 8;
	default:
		return 9; /* unusable and anything unknown */
	}
}

struct sweep {
	uint64_t points[2 * (BOOTMAP_MAX_INPUT + BOOT_MAX_MODULES + 8)];
	size_t count;
};

static struct sweep sweep_buf;

static void sort_points(uint64_t *p, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint64_t v = p[i];
		size_t j = i;

		for (; j > 0 && p[j - 1] > v; j--)
			p[j] = p[j - 1];
		p[j] = v;
	}
}

static int add_points(struct sweep *s, const struct boot_mem_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i].size == 0)
			continue;
		if (r[i].base + r[i].size < r[i].base)
			return -EINVAL;
		if (s->count + 2 > ARRAY_SIZE(s->points))
			return -E2BIG;
		s->points[s->count++] = r[i].base;
		s->points[s->count++] = r[i].base + r[i].size;
	}
	return 0;
}

static bool covers(const struct boot_mem_range *r, uint64_t start, uint64_t end)
{
	return r->size && r->base <= start && end <= r->base + r->size;
}

/* 0 when no range covers [start, end): a hole, left out of the map. */
static uint32_t piece_type(const struct boot_mem_range *in, size_t n_in,
			   const struct boot_mem_range *owned, size_t n_owned, uint64_t start,
			   uint64_t end)
{
	uint32_t best = 0;

	for (size_t i = 0; i < n_in; i++)
		if (covers(&in[i], start, end) &&
		    (!best || type_priority(in[i].type) > type_priority(best)))
			best = in[i].type;
	if (best != BOOT_MEM_USABLE)
		return best;
	for (size_t i = 0; i < n_owned; i++)
		if (covers(&owned[i], start, end))
			return owned[i].type;
	return best;
}

static int append_range(struct boot_info *bi, uint64_t start, uint64_t end, uint32_t type)
{
	struct boot_mem_range *last = bi->mem_count ? &bi->mem[bi->mem_count - 1] : NULL;

	if (last && last->type == type && last->base + last->size == start) {
		last->size += end - start;
		return 0;
	}
	if (bi->mem_count == BOOT_MAX_MEM_RANGES)
		return -E2BIG;
	bi->mem[bi->mem_count++] = (struct boot_mem_range){
		.base = start, .size = end - start, .type = type};
	return 0;
}

int bootmap_build(struct boot_info *bi, const struct boot_mem_range *in, size_t n_in,
		  const struct boot_mem_range *owned, size_t n_owned)
{
	struct sweep *s = &sweep_buf;
	int err;

	if (n_in > BOOTMAP_MAX_INPUT || n_owned > BOOT_MAX_MODULES + 8)
		return -E2BIG;
	s->count = 0;
	bi->mem_count = 0;
	err = add_points(s, in, n_in);
	if (!err)
		err = add_points(s, owned, n_owned);
	if (err)
		return err;
	sort_points(s->points, s->count);

	for (size_t i = 0; i + 1 < s->count; i++) {
		uint64_t start = s->points[i], end = s->points[i + 1];
		uint32_t type;

		if (start == end)
			continue;
		type = piece_type(in, n_in, owned, n_owned, start, end);
		if (type) {
			err = append_range(bi, start, end, type);
			if (err)
				return err;
		}
	}
	return 0;
}
