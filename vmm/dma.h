/*
 * Device DMA isolation for partitions: each partition's VT-d domain, the
 * functions it owns assigned to it, RMRRs kept identity-mapped, fault events
 * routed, translation on before any partition runs.
 */
#ifndef VMM_DMA_H
#define VMM_DMA_H

#include "lib/config.h"

/* 0 when remapping is on, or off by the explicit unsafe option. */
int dma_isolation_setup(const struct config *cfg);
/* A device quarantined after a DMA fault: its owner can't turn bus mastering on again. */
bool dma_device_quarantined(uint32_t bdf);

#endif
