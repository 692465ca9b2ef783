/*
 * The story of the seeds, told by the parent on its own (`make run`,
 * README "make run"): the children come up on the synthetic path and ping
 * the gateway; a VF is allocated and assigned to the first child, whose data
 * path moves to it; the VF is revoked (failover to synthetic, the pings go
 * on) and given to the other child; a second VF, when configured, goes to
 * the first child. Each step prints `story step=N what=..`; at the end a
 * table per child: its path, frames per path, frames lost around the path
 * changes and hypervisor exits per packet on each path.
 *
 * It runs from the main loop, never blocking it except inside `vf revoke`
 * (which serves the rings itself); every wait has a deadline that ends the
 * story with `story error step=N reason=..`.
 *
 * Command line: story=yes starts it at boot; story_ms=<ms> is how long each
 * step measures its steady state (default 3000; the benchmark's longer).
 * Shell: `story` runs it again (VFs handed out before are taken back first).
 */
#ifndef GUESTS_PARENT_STORY_H
#define GUESTS_PARENT_STORY_H

#include "hv/guest_abi.h"

void story_start(const struct hv_guest_boot_info *bi);
/* One step of the state machine: called from the main loop on every wakeup. */
void story_poll(void);
/* The `story` shell command. */
void cmd_story(const char *arg);

struct nvsp_stats;
/* A child's answer to `net stats` (netvsp_net.c): the story reads its TX drops. */
void story_child_stats(const char *child, const struct nvsp_stats *s);

#endif
