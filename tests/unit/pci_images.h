/*
 * Configuration-space images for the PCI unit tests: 4 KiB of registers per
 * function with per-bit write masks and RW1C masks, so BAR sizing (write
 * all-ones, read back the writable bits) and Status semantics behave as on
 * hardware. The image also counts what the code under test must never do:
 * accesses outside 0..4095 or unaligned, and BAR writes while they decode.
 */
#ifndef TESTS_UNIT_PCI_IMAGES_H
#define TESTS_UNIT_PCI_IMAGES_H

#include "kernel/pci/pci.h"

struct pci_image_fn {
	uint32_t bdf;
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	uint8_t wmask[PCI_CFG_SPACE_EXP_SIZE]; /* bits software may change */
	uint8_t w1c[PCI_CFG_SPACE_EXP_SIZE];   /* bits a written 1 clears */
	uint16_t sriov_off;		       /* SR-IOV capability, for the VF BAR decode check */
};

struct pci_image {
	struct pci_cfg_ops ops;
	struct pci_image_fn *fns;
	unsigned count, capacity;
	unsigned reads, writes;
	unsigned bad_accesses;	    /* out of range or unaligned */
	unsigned decode_violations; /* BAR written while its decode was on */
};

struct pci_image *pci_image_new(unsigned capacity);
void pci_image_free(struct pci_image *img);
struct pci_image_fn *pci_image_fn(struct pci_image *img, uint32_t bdf);

/* A function with a header; hdr is the Header Type byte (layout | 0x80 for MFD). */
struct pci_image_fn *img_add_fn(struct pci_image *img, uint32_t bdf, uint16_t vendor,
				uint16_t device, uint32_t class_code, uint8_t hdr);
void img_set8(struct pci_image_fn *f, uint16_t off, uint8_t v);
void img_set16(struct pci_image_fn *f, uint16_t off, uint16_t v);
void img_set32(struct pci_image_fn *f, uint16_t off, uint32_t v);
uint16_t img_get16(const struct pci_image_fn *f, uint16_t off);
uint32_t img_get32(const struct pci_image_fn *f, uint16_t off);
void img_wmask32(struct pci_image_fn *f, uint16_t off, uint32_t mask);

/* A BAR register at reg: flags are its low bits (PCI_BAR_*), size a power of two. */
void img_bar(struct pci_image_fn *f, uint16_t reg, uint32_t flags, uint64_t base, uint64_t size);
/* A standard capability: id and next at off (sets Status.Capabilities List). */
void img_cap(struct pci_image_fn *f, uint16_t off, uint8_t id, uint8_t next);
void img_ext_cap(struct pci_image_fn *f, uint16_t off, uint16_t id, uint16_t next);
/* A version 2 PCI Express capability at off. */
void img_exp_cap(struct pci_image_fn *f, uint16_t off, uint8_t next, uint8_t port_type);

/* The 82576-like PF below: where its capabilities are. */
#define IGB_MSI_OFF   0x50
#define IGB_MSIX_OFF  0x70
#define IGB_EXP_OFF   0xa0
#define IGB_AER_OFF   0x100
#define IGB_ARI_OFF   0x150
#define IGB_SRIOV_OFF 0x160

/* Where the machines below put the root port and the 82576. */
#define ROOT_PORT PCI_BDF(0, 0, 2, 0)
#define IGB	  PCI_BDF(0, 1, 0, 0)

/* q35-like: host bridge 00:00.0, VGA 00:01.0, ICH9 00:1f.{0,2,3}. */
void img_add_q35(struct pci_image *img);
/* A PCIe root port with the bus numbers given. */
struct pci_image_fn *img_add_root_port(struct pci_image *img, uint32_t bdf, uint8_t secondary,
				       uint8_t subordinate, bool ari_forwarding);
/* An 82576-like SR-IOV PF: 8086:10c9 with MSI, MSI-X, PCIe, AER, ARI, SR-IOV. */
struct pci_image_fn *img_add_82576(struct pci_image *img, uint32_t bdf);
/* q35 plus a root port 00:02.0 (secondary bus 1) with the 82576 at 01:00.0. */
void img_build_igb_machine(struct pci_image *img, bool ari_forwarding);
/* A plain single-function endpoint without capabilities or BARs. */
struct pci_image_fn *img_add_endpoint(struct pci_image *img, uint32_t bdf);

/*
 * The fixture of the PCI tests: a fresh image and topology and an empty log
 * per test; teardown fails the test if the code under test accessed
 * configuration space out of range or wrote a BAR while it decoded.
 */
extern struct pci_image *img;
extern const struct pci_cfg_ops *ops;
extern struct pci_topology *topo;
int pci_test_setup(void **state);
int pci_test_teardown(void **state);
void assert_logged(const char *text);
void assert_no_warnings(void);

#endif
