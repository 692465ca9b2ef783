/*
 * The parent's NIC: the igb PF it owns (drivers/nic/igb_pf.h), the VFs it
 * enables, and the switch ports of the child partitions (one each, with the
 * identity and policy of drivers/nic/switch_port.h). Started at boot from
 * main.c, polled on every tick and on the PF's mailbox interrupt (nic_wait),
 * inspected and configured from the shell:
 *   nic stats | nic send [count] [dst-mac]
 *   vf list | vf alloc <port> | vf free|reset|revoke <id> | vf assign <id> <child>
 *   port list | port set <port> key=value ...
 */
#ifndef GUESTS_PARENT_NIC_H
#define GUESTS_PARENT_NIC_H

#include "hv/guest_abi.h" /* before parent.h, which needs it */
#include "drivers/nic/igb_pf.h"
#include "drivers/nic/vf_alloc.h"
#include "guests/parent/parent.h"

#define NIC_MAX_PORTS PARENT_MAX_PARTITIONS

struct nic {
	bool up;
	struct igb_pf pf;
	struct vf_table vfs; /* count 0 while SR-IOV is off */
	struct switch_port ports[NIC_MAX_PORTS];
	unsigned port_count;
	uint64_t rx_frames_logged;
};

/* nic.c: bring-up and the per-tick poll */
/*
 * Finds the igb PF among the parent's devices, starts it, creates the
 * ports and enables the VFs the configuration asks for ([sriov] vfs in
 * the boot info, or vfs=N on the command line). Prints
 * `nic ready ...` or `nic error ...`; `nic=off` (or a dma-probe test run)
 * leaves the NIC alone. 0, or the first error.
 */
int nic_start(const struct hv_guest_boot_info *bi);
void nic_poll(void);
/* The NIC, or NULL when none is up. */
struct nic *nic_get(void);

/* nic_irq.c: the PF's MSI-X entry 0 for its mailbox causes */
#define NIC_IRQ_VECTOR 0x51
/* Programs and enables it; prints `nic irq mode=msix|poll ...`. 0 or -ENODEV/-EINVAL. */
int nic_irq_start(struct nic *n);
uint64_t nic_irq_count(void);
/*
 * The main loop's wait: HLTs until the tick count differs from seen or the
 * PF interrupted; returns the tick count, with interrupts on.
 */
uint64_t nic_wait(uint64_t seen);
/* Has the PF interrupted since the last nic_wait() or call of this? */
bool nic_irq_taken(void);

/* nic_pci.c: kernel/pci's access method over the emulated ECAM */
const struct pci_cfg_ops *nic_pci_ops(void);

/* nic_ports.c: one port per child partition */
int nic_ports_create(struct nic *n);
/* A port by name or decimal id, or NULL. */
struct switch_port *nic_port_find(struct nic *n, const char *name_or_id);
/* The VF serving port, or -1. */
int nic_port_vf(const struct nic *n, const struct switch_port *port);

/* nic_cmd_*.c: shell commands; false when word is none of theirs */
bool nic_command(const char *word, char *arg);
void nic_help(void);
void nic_cmd_stats(struct nic *n);
void nic_cmd_send(struct nic *n, char *arg);
void nic_cmd_vf_list(struct nic *n);
/* nic_vf.c: the VF lifecycle (vf alloc|free|reset|assign|revoke) */
void nic_cmd_vf_alloc(struct nic *n, char *arg);
void nic_cmd_vf_free(struct nic *n, char *arg);
void nic_cmd_vf_reset(struct nic *n, char *arg);
void nic_cmd_vf_assign(struct nic *n, char *arg);
void nic_cmd_vf_revoke(struct nic *n, char *arg);
void nic_cmd_port_list(struct nic *n);
void nic_cmd_port_set(struct nic *n, char *arg);

#endif
