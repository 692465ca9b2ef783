/* Bounds of the running image (see image.h). */
#include "kernel/image.h"

static uint64_t image_base, image_size;

void image_set_bounds(uint64_t base, uint64_t size)
{
	image_base = base;
	image_size = size;
}

bool image_contains(uint64_t addr)
{
	return addr >= image_base && addr - image_base < image_size;
}

uint64_t image_offset(uint64_t addr)
{
	return image_contains(addr) ? addr - image_base : addr;
}
