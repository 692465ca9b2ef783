/*
 * ELF64 guest image validation and loading (vmm/elf_loader.h). Formats
 * after the System V gABI ("ELF Header", "Program Header") and the AMD64
 * psABI (EM_X86_64). Every header is copied out of the file before use:
 * the file buffer has no alignment guarantee and every field is untrusted.
 * Validation reads only bytes it has proven inside the file; the copy
 * runs only after the whole file passed, so a refused image writes nothing.
 */
#include "vmm/elf_loader.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"

/* e_ident[] indexes and values (gABI "ELF Identification"). */
#define EI_CLASS    4
#define EI_DATA	    5
#define EI_VERSION  6
#define EI_NIDENT   16
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1

#define ET_EXEC	  2  /* e_type: executable file */
#define EM_X86_64 62 /* e_machine: AMD x86-64 */

/* p_type and p_flags (gABI "Program Header"). */
#define PT_LOAD	   1
#define PT_DYNAMIC 2
#define PT_INTERP  3
#define PF_X	   BIT(0)

static const uint8_t elf_magic[4] = {0x7f, 'E', 'L', 'F'}; /* ELFMAG0..ELFMAG3 */

struct elf64_ehdr { /* Elf64_Ehdr */
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} __packed;
_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr is 64 bytes");
_Static_assert(offsetof(struct elf64_ehdr, e_entry) == 24, "e_entry at 24");
_Static_assert(offsetof(struct elf64_ehdr, e_phnum) == 56, "e_phnum at 56");

struct elf64_phdr { /* Elf64_Phdr */
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
} __packed;
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr is 56 bytes");
_Static_assert(offsetof(struct elf64_phdr, p_paddr) == 24, "p_paddr at 24");

/* What a file is checked against. */
struct elf_limits {
	size_t file_size;
	uint64_t min_gpa, mem_size;
};

static int refuse(int err, const char *reason, const char *field, uint64_t value)
{
	log_warn("elf", "refused reason=%s %s=0x%llx", reason, field, (unsigned long long)value);
	return err;
}

static int refuse_segment(int err, const char *reason, unsigned index, const struct elf64_phdr *ph)
{
	log_warn("elf",
		 "refused reason=%s phdr=%u type=0x%x offset=0x%llx filesz=0x%llx "
		 "paddr=0x%llx memsz=0x%llx",
		 reason, index, ph->p_type, (unsigned long long)ph->p_offset,
		 (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_paddr,
		 (unsigned long long)ph->p_memsz);
	return err;
}

static int check_ident(const struct elf64_ehdr *eh)
{
	if (memcmp(eh->e_ident, elf_magic, sizeof(elf_magic)) != 0)
		return refuse(-EINVAL, "bad-magic", "ei_mag0", eh->e_ident[0]);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return refuse(-ENOTSUP, "not-elfclass64", "ei_class", eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return refuse(-ENOTSUP, "not-little-endian", "ei_data", eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT)
		return refuse(-EINVAL, "bad-version", "ei_version", eh->e_ident[EI_VERSION]);
	if (eh->e_version != EV_CURRENT)
		return refuse(-EINVAL, "bad-version", "e_version", eh->e_version);
	return 0;
}

static int check_header(const struct elf64_ehdr *eh, size_t file_size)
{
	/* e_phnum <= ELF_MAX_PHNUM below, so the table size cannot overflow. */
	uint64_t table_size = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
	uint64_t table_end;

	if (eh->e_type != ET_EXEC)
		return refuse(-ENOTSUP, "not-et-exec", "e_type", eh->e_type);
	if (eh->e_machine != EM_X86_64)
		return refuse(-ENOTSUP, "not-x86-64", "e_machine", eh->e_machine);
	if (eh->e_ehsize != sizeof(struct elf64_ehdr))
		return refuse(-EINVAL, "bad-ehsize", "e_ehsize", eh->e_ehsize);
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return refuse(-EINVAL, "bad-phentsize", "e_phentsize", eh->e_phentsize);
	if (eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHNUM)
		return refuse(-EINVAL, "bad-phnum", "e_phnum", eh->e_phnum);
	if (__builtin_add_overflow(eh->e_phoff, table_size, &table_end) || table_end > file_size)
		return refuse(-EINVAL, "phdrs-outside-file", "e_phoff", eh->e_phoff);
	return 0;
}

/* Only after check_header() proved the table inside the file. */
static void read_phdr(const void *file, const struct elf64_ehdr *eh, unsigned index,
		      struct elf64_phdr *ph)
{
	memcpy(ph, (const uint8_t *)file + eh->e_phoff + index * sizeof(*ph), sizeof(*ph));
}

static int check_load(const struct elf64_phdr *ph, unsigned index, const struct elf_limits *lim)
{
	uint64_t file_end, mem_end;

	if (ph->p_filesz > ph->p_memsz)
		return refuse_segment(-EINVAL, "filesz-above-memsz", index, ph);
	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &file_end) ||
	    file_end > lim->file_size)
		return refuse_segment(-EINVAL, "segment-outside-file", index, ph);
	/* Guests run identity-mapped: code linked elsewhere would not find itself. */
	if (ph->p_vaddr != ph->p_paddr)
		return refuse_segment(-ENOTSUP, "vaddr-not-paddr", index, ph);
	if (ph->p_paddr < lim->min_gpa ||
	    __builtin_add_overflow(ph->p_paddr, ph->p_memsz, &mem_end) || mem_end > lim->mem_size)
		return refuse_segment(-ERANGE, "segment-outside-memory", index, ph);
	return 0;
}

static bool loads_bytes(const struct elf64_phdr *ph)
{
	return ph->p_type == PT_LOAD && ph->p_memsz != 0;
}

/* Segment index against the earlier ones, all of them already checked. */
static int check_overlap(const void *file, const struct elf64_ehdr *eh, unsigned index,
			 const struct elf64_phdr *ph)
{
	struct elf64_phdr other;

	if (!loads_bytes(ph))
		return 0;
	for (unsigned i = 0; i < index; i++) {
		read_phdr(file, eh, i, &other);
		if (!loads_bytes(&other))
			continue;
		if (ph->p_paddr < other.p_paddr + other.p_memsz &&
		    other.p_paddr < ph->p_paddr + ph->p_memsz)
			return refuse_segment(-EINVAL, "segments-overlap", index, ph);
	}
	return 0;
}

static int check_phdr(const void *file, const struct elf64_ehdr *eh, unsigned index,
		      const struct elf64_phdr *ph, const struct elf_limits *lim)
{
	int err;

	if (ph->p_type == PT_INTERP || ph->p_type == PT_DYNAMIC)
		return refuse_segment(-ENOTSUP, "not-static", index, ph);
	if (ph->p_type != PT_LOAD)
		return 0; /* PT_NOTE, PT_GNU_STACK, PT_PHDR, PT_TLS ...: nothing to load */
	err = check_load(ph, index, lim);
	if (err)
		return err;
	return check_overlap(file, eh, index, ph);
}

static int check_segments(const void *file, const struct elf64_ehdr *eh,
			  const struct elf_limits *lim, struct elf_image_info *found)
{
	struct elf64_phdr ph;

	found->load_lo = UINT64_MAX;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		read_phdr(file, eh, i, &ph);
		int err = check_phdr(file, eh, i, &ph, lim);

		if (err)
			return err;
		if (!loads_bytes(&ph))
			continue;
		found->load_lo = MIN(found->load_lo, ph.p_paddr);
		found->load_hi = MAX(found->load_hi, ph.p_paddr + ph.p_memsz);
		found->segments++;
	}
	if (found->segments == 0)
		return refuse(-EINVAL, "no-load-segment", "e_phnum", eh->e_phnum);
	return 0;
}

/* The entry must be code from the file, not the zeroed tail of a segment. */
static int check_entry(const void *file, const struct elf64_ehdr *eh)
{
	struct elf64_phdr ph;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		read_phdr(file, eh, i, &ph);
		if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		if (eh->e_entry >= ph.p_paddr && eh->e_entry - ph.p_paddr < ph.p_filesz)
			return 0;
	}
	return refuse(-EINVAL, "entry-not-in-code", "e_entry", eh->e_entry);
}

int elf_validate(const void *file, size_t file_size, uint64_t min_gpa, uint64_t mem_size,
		 struct elf_image_info *info)
{
	const struct elf_limits lim = {file_size, min_gpa, mem_size};
	struct elf_image_info found = {0};
	struct elf64_ehdr eh;
	int err;

	if (file_size < sizeof(eh))
		return refuse(-EINVAL, "truncated-header", "file_size", file_size);
	memcpy(&eh, file, sizeof(eh));
	err = check_ident(&eh);
	if (err)
		return err;
	err = check_header(&eh, file_size);
	if (err)
		return err;
	err = check_segments(file, &eh, &lim, &found);
	if (err)
		return err;
	err = check_entry(file, &eh);
	if (err)
		return err;
	found.entry = eh.e_entry;
	if (info)
		*info = found;
	return 0;
}

/* Cannot fail: every range was proven inside the file and mem by elf_validate(). */
static void load_segments(const void *file, uint8_t *mem)
{
	const uint8_t *bytes = file;
	struct elf64_ehdr eh;
	struct elf64_phdr ph;

	memcpy(&eh, file, sizeof(eh));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		read_phdr(file, &eh, i, &ph);
		if (!loads_bytes(&ph))
			continue;
		memcpy(mem + ph.p_paddr, bytes + ph.p_offset, ph.p_filesz);
		memset(mem + ph.p_paddr + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
	}
}

int elf_load(const void *file, size_t file_size, uint8_t *mem, uint64_t mem_size, uint64_t min_gpa,
	     struct elf_image_info *info)
{
	int err = elf_validate(file, file_size, min_gpa, mem_size, info);

	if (err)
		return err;
	load_segments(file, mem);
	return 0;
}
