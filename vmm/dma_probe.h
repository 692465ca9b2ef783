/*
 * hypervisor.debug_dma_probe: a test aid that shows a device nobody owns
 * can't DMA. The hypervisor itself points an unowned 82576's transmit ring
 * at its own canary page and rings the doorbell; with no context entry for
 * the device, VT-d must refuse the fetch.
 */
#ifndef VMM_DMA_PROBE_H
#define VMM_DMA_PROBE_H

#include "lib/config.h"

void dma_probe_unowned(const struct config *cfg);

#endif
