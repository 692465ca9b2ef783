/*
 * The parent partition's guest: a management shell on the serial console,
 * partition events and a heartbeat, all driven from one 100 Hz tick on
 * vCPU 0 (main.c). The pieces talk through these functions.
 */
#ifndef GUESTS_PARENT_PARENT_H
#define GUESTS_PARENT_PARENT_H

#include "hv/hypercall.h"

#define PARENT_MAX_PARTITIONS 16

/* shell.c: the line editor on HC_CONSOLE_READ */
void shell_start(void);
void shell_poll(void);

/* commands.c: runs one command line */
void commands_run(char *line);

/* partitions.c: HC_PARTITION_LIST and what is built on it */
long partitions_fetch(void);
/* The list of the last fetch; count says how many entries hold data. */
const struct hv_partition_status *partitions_get(size_t *count);
/* -ENOENT when no partition has that name, or the fetch's error. */
int partition_find(const char *name, uint32_t *id);
/* Name of a partition by id from the last fetch, "?" when unknown. */
const char *partition_name(uint32_t id, char *buf, size_t size);
void partitions_print(void);

/* device_commands.c: `dev list|assign|revoke` */
void cmd_dev(const char *arg);

/* chan.c: `chan list|write|read|ring|stats`, channels and their doorbells */
void cmd_chan(const char *arg);

/* events.c: HC_PARTITION_EVENT, printed as `event ...` lines */
void events_poll(void);

/* dma_probe.c: the dma-probe=<gpa> test aid (command line) */
void dma_probe_run(const struct hv_guest_boot_info *bi);
/* msi_probe.c: the msi-probe test aid (command line) */
void msi_probe_run(const struct hv_guest_boot_info *bi);

#endif
