/*
 * The NIC's statistics (82576 datasheet 8.19) kept as 64-bit totals. The
 * global counters clear on read, so each read is added; the octet counters
 * are 64-bit pairs whose low half must be read first (reading the high half
 * clears both). The per-pool counters the PF sees through the VF mirror
 * (8.15: PVFGPRC and friends) do not clear: they wrap at 32 bits, as
 * Linux's igbvf handles them, so their growth since the last read is added.
 *
 * QEMU's model differs on a few: it never clears CRCERRS..MPC on read but
 * never increments them either, so adding their reads stays right there too.
 */
#include "drivers/nic/igb_pf.h"
#include "hv/string.h"

static const struct {
	uint32_t reg; /* 0: the 64-bit pair at pair_low */
	uint32_t pair_low;
	const char *name;
} stat_regs[IGB_STAT_COUNT] = {
    [IGB_STAT_GPRC] = {IGB_GPRC, 0, "gprc"},
    [IGB_STAT_GPTC] = {IGB_GPTC, 0, "gptc"},
    [IGB_STAT_GORC] = {0, IGB_GORCL, "gorc"},
    [IGB_STAT_GOTC] = {0, IGB_GOTCL, "gotc"},
    [IGB_STAT_BPRC] = {IGB_BPRC, 0, "bprc"},
    [IGB_STAT_MPRC] = {IGB_MPRC, 0, "mprc"},
    [IGB_STAT_BPTC] = {IGB_BPTC, 0, "bptc"},
    [IGB_STAT_MPTC] = {IGB_MPTC, 0, "mptc"},
    [IGB_STAT_TPR] = {IGB_TPR, 0, "tpr"},
    [IGB_STAT_TPT] = {IGB_TPT, 0, "tpt"},
    [IGB_STAT_MPC] = {IGB_MPC, 0, "mpc"},
    [IGB_STAT_RNBC] = {IGB_RNBC, 0, "rnbc"},
    [IGB_STAT_RUC] = {IGB_RUC, 0, "ruc"},
    [IGB_STAT_ROC] = {IGB_ROC, 0, "roc"},
    [IGB_STAT_CRCERRS] = {IGB_CRCERRS, 0, "crcerrs"},
    [IGB_STAT_RLEC] = {IGB_RLEC, 0, "rlec"},
    [IGB_STAT_RXERRC] = {IGB_RXERRC, 0, "rxerrc"},
};

static const struct {
	uint32_t reg0; /* pool 0's register; pool p's is 0x100 * p above */
	const char *name;
} pool_regs[IGB_POOL_STATS] = {
    [IGB_POOL_GPRC] = {IGB_PVFGPRC(0), "gprc"},
    [IGB_POOL_GPTC] = {IGB_PVFGPTC(0), "gptc"},
    [IGB_POOL_GORC] = {IGB_PVFGORC(0), "gorc"},
    [IGB_POOL_GOTC] = {IGB_PVFGOTC(0), "gotc"},
};

const char *igb_stat_name(enum igb_stat s)
{
	return (unsigned)s < IGB_STAT_COUNT ? stat_regs[s].name : "?";
}

const char *igb_pool_stat_name(enum igb_pool_stat s)
{
	return (unsigned)s < IGB_POOL_STATS ? pool_regs[s].name : "?";
}

static uint64_t read_stat(struct igb_pf *pf, unsigned s)
{
	uint32_t lo, hi;

	if (stat_regs[s].reg)
		return igb_rd(&pf->hw, stat_regs[s].reg);
	lo = igb_rd(&pf->hw, stat_regs[s].pair_low); /* low first: the high read clears both */
	hi = igb_rd(&pf->hw, stat_regs[s].pair_low + 4);
	return (uint64_t)hi << 32 | lo;
}

/* Growth of a wrapping 32-bit counter since the last read (unsigned arithmetic wraps too). */
static uint32_t pool_delta(struct igb_pf *pf, unsigned pool, unsigned s)
{
	uint32_t now = igb_rd(&pf->hw, pool_regs[s].reg0 + 0x100 * pool);
	uint32_t delta = now - pf->hw_stats.pool_last[pool][s];

	pf->hw_stats.pool_last[pool][s] = now;
	return delta;
}

void igb_stats_update(struct igb_pf *pf)
{
	struct igb_counters *c = &pf->hw_stats;

	for (unsigned s = 0; s < IGB_STAT_COUNT; s++)
		c->v[s] += read_stat(pf, s);
	for (unsigned p = 0; p < IGB_POOLS; p++)
		for (unsigned s = 0; s < IGB_POOL_STATS; s++)
			c->pool[p][s] += pool_delta(pf, p, s);
	c->updated_us = igb_now_us();
}

void igb_stats_reset(struct igb_pf *pf)
{
	igb_stats_update(pf);
	memset(pf->hw_stats.v, 0, sizeof(pf->hw_stats.v));
	memset(pf->hw_stats.pool, 0, sizeof(pf->hw_stats.pool));
	memset(&pf->sw_stats, 0, sizeof(pf->sw_stats));
}
