/*
 * Walks a guest's 4-level page tables (see vmm/guest_walk.h for the checks
 * and what is left out) and fetches instruction bytes through them. Entry
 * formats: Intel SDM vol. 3, tables 4-15 to 4-20; AMD APM vol. 2, 5.3.3.
 */
#include "vmm/guest_walk.h"
#include "hv/errno.h"
#include "hv/log.h"

/* Page-table entry bits common to all levels. */
#define PTE_P	 BIT(0)		       /* present */
#define PTE_RW	 BIT(1)		       /* writable */
#define PTE_US	 BIT(2)		       /* user */
#define PTE_PS	 BIT(7)		       /* PDPTE/PDE: maps a page; PML4E: reserved; PTE: PAT */
#define PTE_XD	 BIT(63)	       /* execute disable (NX) */
#define PTE_ADDR 0x000ffffffffff000ULL /* bits 51:12 */

#define LEVELS		 4
#define ENTRY_INDEX_MASK 511

/* What PS (bit 7) means in an entry of a level. */
enum ps_meaning { PS_RESERVED, PS_LARGE_PAGE, PS_PAT };

/* One level of the walk, PML4 first. */
struct walk_level {
	const char *name;   /* entry name, for log lines */
	unsigned shift;	    /* gva bits this level's index starts at */
	enum ps_meaning ps; /* PS_PAT: the last level, always a leaf */
	uint64_t leaf_rsvd; /* reserved bits of a PS = 1 entry (bit 12 is its PAT) */
};

static const struct walk_level walk_levels[LEVELS] = {
    {"pml4e", 39, PS_RESERVED, 0},
    {"pdpte", 30, PS_LARGE_PAGE, 0x3fffe000ULL}, /* 29:13 */
    {"pde", 21, PS_LARGE_PAGE, 0x001fe000ULL},	 /* 20:13 */
    {"pte", 12, PS_PAT, 0},
};

/* Why a walk stopped, for the log line guest_walk() writes. */
struct walk_fault {
	const char *reason;
	const char *level;
	uint64_t entry_gpa; /* where the entry was (to be) read */
	uint64_t entry;
};

static bool canonical48(uint64_t gva)
{
	return (uint64_t)((int64_t)(gva << 16) >> 16) == gva;
}

static int walk_stop(struct walk_fault *fault, const char *reason, const char *level,
		     uint64_t entry_gpa, uint64_t entry, int err)
{
	fault->reason = reason;
	fault->level = level;
	fault->entry_gpa = entry_gpa;
	fault->entry = entry;
	return err;
}

static void accumulate(uint64_t entry, struct guest_walk_result *acc)
{
	acc->writable = acc->writable && (entry & PTE_RW);
	acc->user = acc->user && (entry & PTE_US);
	acc->nx = acc->nx || (entry & PTE_XD);
}

/* Where the entry of level lv that covers gva is in the table at table_gpa. */
static uint64_t entry_address(uint64_t table_gpa, const struct walk_level *lv, uint64_t gva)
{
	return table_gpa + ((gva >> lv->shift) & ENTRY_INDEX_MASK) * sizeof(uint64_t);
}

/* Checks an entry; returns 0 and sets *leaf if it maps the page, or an error. */
static int check_entry(const struct walk_level *lv, uint64_t entry_gpa, uint64_t entry, bool *leaf,
		       struct walk_fault *fault)
{
	bool ps = entry & PTE_PS;

	if (!(entry & PTE_P))
		return walk_stop(fault, "not-present", lv->name, entry_gpa, entry, -ENOENT);
	if ((ps && lv->ps == PS_RESERVED) || (ps && (entry & lv->leaf_rsvd)))
		return walk_stop(fault, "reserved-bits", lv->name, entry_gpa, entry, -EINVAL);
	*leaf = lv->ps == PS_PAT || (ps && lv->ps == PS_LARGE_PAGE);
	return 0;
}

static void set_result(const struct walk_level *lv, uint64_t entry, uint64_t gva,
		       struct guest_walk_result *acc)
{
	acc->page_size = BIT(lv->shift);
	acc->gpa = (entry & PTE_ADDR & ~(acc->page_size - 1)) | (gva & (acc->page_size - 1));
}

/* The walk proper; says in *fault why it stopped, logs nothing. Four reads at most. */
static int walk(uint64_t cr3, uint64_t gva, guest_read_fn read, void *ctx,
		struct guest_walk_result *out, struct walk_fault *fault)
{
	struct guest_walk_result acc = {.writable = true, .user = true, .nx = false};
	uint64_t table = cr3 & PTE_ADDR;
	uint64_t entry_gpa = 0, entry = 0;
	bool leaf;
	int err;

	if (!canonical48(gva))
		return walk_stop(fault, "non-canonical", "gva", 0, 0, -EINVAL);
	for (unsigned i = 0; i < LEVELS; i++) {
		const struct walk_level *lv = &walk_levels[i];

		entry_gpa = entry_address(table, lv, gva);
		/* Little-endian entries read as a uint64_t: host and guest are both x86. */
		if (read(ctx, entry_gpa, &entry, sizeof(entry)))
			return walk_stop(fault, "table-unreadable", lv->name, entry_gpa, 0,
					 -EFAULT);
		err = check_entry(lv, entry_gpa, entry, &leaf, fault);
		if (err)
			return err;
		accumulate(entry, &acc);
		if (leaf) {
			set_result(lv, entry, gva, &acc);
			*out = acc;
			return 0;
		}
		table = entry & PTE_ADDR;
	}
	return walk_stop(fault, "no-leaf", "pte", entry_gpa, entry, -EINVAL); /* not reached */
}

int guest_walk(uint64_t cr3, uint64_t gva, guest_read_fn read, void *ctx,
	       struct guest_walk_result *out)
{
	struct walk_fault fault;
	int err = walk(cr3, gva, read, ctx, out, &fault);

	if (!err)
		return 0;
	/* Not present is an ordinary guest state; the others are broken tables. */
	log_write(err == -ENOENT ? LOG_DEBUG : LOG_WARN, "guest_walk",
		  "walk refused gva=0x%llx cr3=0x%llx level=%s entry_gpa=0x%llx entry=0x%llx "
		  "reason=%s",
		  (unsigned long long)gva, (unsigned long long)cr3, fault.level,
		  (unsigned long long)fault.entry_gpa, (unsigned long long)fault.entry,
		  fault.reason);
	return err;
}

/* Bytes from gva to the end of its 4 KiB page, at most len. */
static size_t chunk_in_page(uint64_t gva, size_t len)
{
	uint64_t left = PAGE_SIZE - (gva & (PAGE_SIZE - 1));

	return left < len ? (size_t)left : len;
}

/*
 * The rest of a fetch that ran past the first page. Any failure here just
 * ends the fetch short: the instruction may end before this page, and the
 * decoder says if it needed more.
 */
static size_t fetch_next_page(uint64_t cr3, uint64_t gva, uint8_t *dst, size_t len,
			      guest_read_fn read, void *ctx)
{
	struct guest_walk_result res;
	struct walk_fault fault;

	if (gva == 0) /* wrapped past the top of the address space */
		return 0;
	if (walk(cr3, gva, read, ctx, &res, &fault) || res.nx)
		return 0;
	return read(ctx, res.gpa, dst, len) ? 0 : len;
}

/*
 * The callback is asked for at most one 4 KiB page at a time, even inside
 * a large page, so it may back guest memory page by page.
 */
int guest_fetch(uint64_t cr3, uint64_t gva, void *buf, size_t len, guest_read_fn read, void *ctx)
{
	struct guest_walk_result res;
	size_t first;
	int err;

	if (len == 0 || len > PAGE_SIZE)
		return -EINVAL;
	err = guest_walk(cr3, gva, read, ctx, &res);
	if (err)
		return err;
	if (res.nx) {
		log_warn("guest_walk", "fetch refused gva=0x%llx reason=not-executable",
			 (unsigned long long)gva);
		return -EPERM;
	}
	first = chunk_in_page(gva, len);
	if (read(ctx, res.gpa, buf, first)) {
		log_warn("guest_walk", "fetch refused gva=0x%llx gpa=0x%llx reason=unreadable",
			 (unsigned long long)gva, (unsigned long long)res.gpa);
		return -EFAULT;
	}
	if (first == len)
		return (int)len;
	return (int)(first + fetch_next_page(cr3, gva + first, (uint8_t *)buf + first, len - first,
					     read, ctx));
}
