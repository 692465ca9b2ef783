/*
 * Configuration-space images for the PCI unit tests (see pci_images.h): the
 * access method the code under test sees, builders for the machines the tests
 * scan, and the tests' fixture.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/log_capture.h"
#include "tests/unit/pci_images.h"

struct pci_image *img;
const struct pci_cfg_ops *ops;
struct pci_topology *topo;

struct pci_image_fn *pci_image_fn(struct pci_image *image, uint32_t bdf)
{
	for (unsigned i = 0; i < image->count; i++)
		if (image->fns[i].bdf == bdf)
			return &image->fns[i];
	return NULL;
}

static bool access_ok(struct pci_image *image, uint16_t off)
{
	if (off <= PCI_CFG_SPACE_EXP_SIZE - 4 && off % 4 == 0)
		return true;
	image->bad_accesses++;
	return false;
}

static uint32_t image_read32(void *ctx, uint32_t bdf, uint16_t off)
{
	struct pci_image *image = ctx;
	struct pci_image_fn *f = pci_image_fn(image, bdf);

	image->reads++;
	if (!access_ok(image, off) || !f)
		return 0xffffffffu;
	return img_get32(f, off);
}

/* A BAR that decodes must not be rewritten: it could claim any address meanwhile. */
static bool bar_decoding(const struct pci_image_fn *f, uint16_t off)
{
	uint16_t cmd = img_get16(f, PCI_COMMAND);
	uint8_t layout = f->cfg[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_LAYOUT;
	unsigned nbars = layout == PCI_HEADER_TYPE_NORMAL   ? 6
			 : layout == PCI_HEADER_TYPE_BRIDGE ? 2
							    : 0;
	uint16_t vf_bar0 = f->sriov_off + PCI_SRIOV_BAR;

	if (off >= PCI_BASE_ADDRESS(0) && off < PCI_BASE_ADDRESS(nbars) &&
	    (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)))
		return true;
	return f->sriov_off && off >= vf_bar0 && off < vf_bar0 + 4 * PCI_SRIOV_NUM_BARS &&
	       (img_get16(f, f->sriov_off + PCI_SRIOV_CTRL) & PCI_SRIOV_CTRL_MSE);
}

static void image_write32(void *ctx, uint32_t bdf, uint16_t off, uint32_t val)
{
	struct pci_image *image = ctx;
	struct pci_image_fn *f = pci_image_fn(image, bdf);

	image->writes++;
	if (!access_ok(image, off) || !f)
		return;
	if (bar_decoding(f, off))
		image->decode_violations++;
	for (unsigned i = 0; i < 4; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i)), wm = f->wmask[off + i], c = f->w1c[off + i];
		f->cfg[off + i] = (uint8_t)((f->cfg[off + i] & ~wm & ~(b & c)) | (b & wm));
	}
}

struct pci_image *pci_image_new(unsigned capacity)
{
	struct pci_image *image = calloc(1, sizeof(*image));

	image->fns = calloc(capacity, sizeof(*image->fns));
	image->capacity = capacity;
	image->ops =
	    (struct pci_cfg_ops){.read32 = image_read32, .write32 = image_write32, .ctx = image};
	return image;
}

void pci_image_free(struct pci_image *image)
{
	free(image->fns);
	free(image);
}

void img_set8(struct pci_image_fn *f, uint16_t off, uint8_t v)
{
	f->cfg[off] = v;
}

void img_set16(struct pci_image_fn *f, uint16_t off, uint16_t v)
{
	memcpy(&f->cfg[off], &v, 2); /* x86 is little-endian like config space */
}

void img_set32(struct pci_image_fn *f, uint16_t off, uint32_t v)
{
	memcpy(&f->cfg[off], &v, 4);
}

uint16_t img_get16(const struct pci_image_fn *f, uint16_t off)
{
	uint16_t v;

	memcpy(&v, &f->cfg[off], 2);
	return v;
}

uint32_t img_get32(const struct pci_image_fn *f, uint16_t off)
{
	uint32_t v;

	memcpy(&v, &f->cfg[off], 4);
	return v;
}

void img_wmask32(struct pci_image_fn *f, uint16_t off, uint32_t mask)
{
	memcpy(&f->wmask[off], &mask, 4);
}

struct pci_image_fn *img_add_fn(struct pci_image *image, uint32_t bdf, uint16_t vendor,
				uint16_t device, uint32_t class_code, uint8_t hdr)
{
	if (image->count >= image->capacity)
		abort();
	struct pci_image_fn *f = &image->fns[image->count++];
	memset(f, 0, sizeof(*f));
	f->bdf = bdf;
	img_set16(f, PCI_VENDOR_ID, vendor);
	img_set16(f, PCI_DEVICE_ID, device);
	img_set32(f, PCI_REVISION_ID, class_code << 8 | 0x01);
	img_set8(f, PCI_HEADER_TYPE, hdr);
	/* Command: I/O, memory, bus master, parity, SERR, INTx disable are writable. */
	img_wmask32(f, PCI_COMMAND, 0x0547);
	uint16_t rw1c = 0xf900;
	memcpy(&f->w1c[PCI_STATUS], &rw1c, 2);
	return f;
}

void img_bar(struct pci_image_fn *f, uint16_t reg, uint32_t flags, uint64_t base, uint64_t size)
{
	uint64_t mask = ~(size - 1);
	uint32_t low_bits = (flags & PCI_BAR_SPACE_IO) ? 0x3 : 0xf;

	img_set32(f, reg, (uint32_t)base | flags);
	img_wmask32(f, reg, (uint32_t)mask & ~low_bits);
	if ((flags & (PCI_BAR_SPACE_IO | PCI_BAR_MEM_TYPE)) == PCI_BAR_MEM_TYPE_64) {
		img_set32(f, reg + 4, (uint32_t)(base >> 32));
		img_wmask32(f, reg + 4, (uint32_t)(mask >> 32));
	}
}

void img_cap(struct pci_image_fn *f, uint16_t off, uint8_t id, uint8_t next)
{
	img_set8(f, off, id);
	img_set8(f, off + 1, next);
	img_set16(f, PCI_STATUS, img_get16(f, PCI_STATUS) | PCI_STATUS_CAP_LIST);
}

void img_ext_cap(struct pci_image_fn *f, uint16_t off, uint16_t id, uint16_t next)
{
	img_set32(f, off, (uint32_t)next << 20 | 1u << 16 | id);
}

void img_exp_cap(struct pci_image_fn *f, uint16_t off, uint8_t next, uint8_t port_type)
{
	img_cap(f, off, PCI_CAP_ID_EXP, next);
	img_set16(f, off + PCI_EXP_FLAGS, (uint16_t)(2 | port_type << 4));
	img_set32(f, off + PCI_EXP_LNKCAP, 0x41); /* 2.5 GT/s, x4 */
	img_set16(f, off + PCI_EXP_LNKSTA, 0x41);
	img_set32(f, off + PCI_EXP_DEVCAP2, PCI_EXP_DEVCAP2_ARI);
	img_wmask32(f, off + PCI_EXP_DEVCTL2, PCI_EXP_DEVCTL2_ARI);
}

static void add_q35_ich9(struct pci_image *image)
{
	struct pci_image_fn *f;

	img_add_fn(image, PCI_BDF(0, 0, 0x1f, 0), 0x8086, 0x2918, 0x060100, 0x80);
	f = img_add_fn(image, PCI_BDF(0, 0, 0x1f, 2), 0x8086, 0x2922, 0x010601, 0x00);
	img_bar(f, PCI_BASE_ADDRESS(4), PCI_BAR_SPACE_IO, 0xc040, 32);
	img_bar(f, PCI_BASE_ADDRESS(5), 0, 0xc1001000, 4096);
	img_cap(f, 0x80, PCI_CAP_ID_MSI, 0xa8);
	img_cap(f, 0xa8, PCI_CAP_ID_SATA, 0);
	img_set16(f, 0x80 + PCI_MSI_FLAGS, 0);
	img_set8(f, PCI_CAPABILITY_LIST, 0x80);
	img_set16(f, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	f = img_add_fn(image, PCI_BDF(0, 0, 0x1f, 3), 0x8086, 0x2930, 0x0c0500, 0x00);
	img_bar(f, PCI_BASE_ADDRESS(4), PCI_BAR_SPACE_IO, 0x0700, 64);
	img_set16(f, PCI_COMMAND, PCI_COMMAND_IO);
}

void img_add_q35(struct pci_image *image)
{
	struct pci_image_fn *f;

	img_add_fn(image, PCI_BDF(0, 0, 0, 0), 0x8086, 0x29c0, 0x060000, 0x00);
	f = img_add_fn(image, PCI_BDF(0, 0, 1, 0), 0x1234, 0x1111, 0x030000, 0x00);
	img_bar(f, PCI_BASE_ADDRESS(0), PCI_BAR_MEM_PREFETCH, 0xc0000000, 16 * MiB);
	img_bar(f, PCI_BASE_ADDRESS(2), 0, 0xc1000000, 4096);
	img_set16(f, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	add_q35_ich9(image);
}

struct pci_image_fn *img_add_root_port(struct pci_image *image, uint32_t bdf, uint8_t secondary,
				       uint8_t subordinate, bool ari_forwarding)
{
	struct pci_image_fn *f = img_add_fn(image, bdf, 0x1b36, 0x000c, 0x060400, 0x01);

	img_set8(f, PCI_PRIMARY_BUS, (uint8_t)PCI_BDF_BUS(bdf));
	img_set8(f, PCI_SECONDARY_BUS, secondary);
	img_set8(f, PCI_SUBORDINATE_BUS, subordinate);
	img_set16(f, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	img_set8(f, PCI_CAPABILITY_LIST, 0x40);
	img_exp_cap(f, 0x40, 0, PCI_EXP_TYPE_ROOT_PORT);
	if (ari_forwarding)
		img_set16(f, 0x40 + PCI_EXP_DEVCTL2, PCI_EXP_DEVCTL2_ARI);
	return f;
}

static void add_82576_caps(struct pci_image_fn *f)
{
	img_set8(f, PCI_CAPABILITY_LIST, 0x40);
	img_cap(f, 0x40, PCI_CAP_ID_PM, IGB_MSI_OFF);
	img_cap(f, IGB_MSI_OFF, PCI_CAP_ID_MSI, IGB_MSIX_OFF);
	/* 64-bit, per-vector masking, 8 vectors capable. */
	img_set16(f, IGB_MSI_OFF + PCI_MSI_FLAGS,
		  PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | 3 << 1);
	img_cap(f, IGB_MSIX_OFF, PCI_CAP_ID_MSIX, IGB_EXP_OFF);
	img_set16(f, IGB_MSIX_OFF + PCI_MSIX_FLAGS, 10 - 1);
	img_set32(f, IGB_MSIX_OFF + PCI_MSIX_TABLE, 0x0000 | 3);
	img_set32(f, IGB_MSIX_OFF + PCI_MSIX_PBA, 0x2000 | 3);
	img_exp_cap(f, IGB_EXP_OFF, 0, PCI_EXP_TYPE_ENDPOINT);
	img_set32(f, IGB_EXP_OFF + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_FLR | 0x0cc2);
	img_set32(f, IGB_EXP_OFF + PCI_EXP_DEVCAP2, 0);
}

static void add_82576_sriov(struct pci_image_fn *f)
{
	uint16_t s = IGB_SRIOV_OFF;

	img_ext_cap(f, IGB_AER_OFF, PCI_EXT_CAP_ID_ERR, IGB_ARI_OFF);
	img_ext_cap(f, IGB_ARI_OFF, PCI_EXT_CAP_ID_ARI, IGB_SRIOV_OFF);
	img_ext_cap(f, s, PCI_EXT_CAP_ID_SRIOV, 0);
	f->sriov_off = s;
	img_wmask32(f, s + PCI_SRIOV_CTRL, 0x001f); /* VFE, VFM, VF MIE, VF MSE, ARI */
	img_set16(f, s + PCI_SRIOV_INITIAL_VF, 8);
	img_set16(f, s + PCI_SRIOV_TOTAL_VF, 8);
	img_wmask32(f, s + PCI_SRIOV_NUM_VF, 0xffff);
	img_set16(f, s + PCI_SRIOV_VF_OFFSET, 0x80);
	img_set16(f, s + PCI_SRIOV_VF_STRIDE, 2);
	img_set16(f, s + PCI_SRIOV_VF_DID, 0x10ca);
	img_set32(f, s + PCI_SRIOV_SUP_PGSIZE, 0x553);
	img_set32(f, s + PCI_SRIOV_SYS_PGSIZE, 1);
	img_wmask32(f, s + PCI_SRIOV_SYS_PGSIZE, 0xffffffff);
	uint32_t pref64 = PCI_BAR_MEM_TYPE_64 | PCI_BAR_MEM_PREFETCH;
	img_bar(f, s + PCI_SRIOV_BAR + 0, pref64, 0xc4000000, 16 * KiB);
	img_bar(f, s + PCI_SRIOV_BAR + 12, pref64, 0xc4020000, 16 * KiB);
}

struct pci_image_fn *img_add_82576(struct pci_image *image, uint32_t bdf)
{
	struct pci_image_fn *f = img_add_fn(image, bdf, 0x8086, 0x10c9, 0x020000, 0x00);

	img_bar(f, PCI_BASE_ADDRESS(0), 0, 0xc2020000, 128 * KiB);
	img_bar(f, PCI_BASE_ADDRESS(2), PCI_BAR_SPACE_IO, 0xd000, 32);
	img_bar(f, PCI_BASE_ADDRESS(3), 0, 0xc2040000, 16 * KiB);
	/* Memory decode and bus mastering on, a master abort pending in Status. */
	img_set16(f, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	img_set16(f, PCI_STATUS, PCI_STATUS_RCV_MST_ABORT);
	add_82576_caps(f);
	add_82576_sriov(f);
	return f;
}

void img_build_igb_machine(struct pci_image *image, bool ari_forwarding)
{
	img_add_q35(image);
	img_add_root_port(image, PCI_BDF(0, 0, 2, 0), 1, 1, ari_forwarding);
	img_add_82576(image, PCI_BDF(0, 1, 0, 0));
}

struct pci_image_fn *img_add_endpoint(struct pci_image *image, uint32_t bdf)
{
	return img_add_fn(image, bdf, 0x1af4, 0x1000, 0x020000, 0x00);
}

int pci_test_setup(void **state)
{
	(void)state;
	img = pci_image_new(300);
	ops = &img->ops;
	topo = calloc(1, sizeof(*topo));
	log_capture_reset();
	return 0;
}

int pci_test_teardown(void **state)
{
	(void)state;
	assert_int_equal(img->bad_accesses, 0);
	assert_int_equal(img->decode_violations, 0);
	pci_image_free(img);
	free(topo);
	return 0;
}

void assert_logged(const char *text)
{
	if (!log_capture_contains(text))
		fail_msg("not logged: \"%s\"\nlog:\n%s", text, log_capture_text());
}

void assert_no_warnings(void)
{
	if (log_capture_contains("W pci") || log_capture_contains("E pci"))
		fail_msg("unexpected warning:\n%s", log_capture_text());
}
