/*
 * Ticket spinlocks: FIFO, so a CPU printing in a loop can't starve another.
 * The _irqsave forms also keep interrupts off while the lock is held, which
 * every lock an interrupt handler may take needs.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "kernel/arch/cpu.h"

struct spinlock {
	volatile uint32_t next;
	volatile uint32_t owner;
};

#define SPINLOCK_INIT {0, 0}

static inline void spin_lock(struct spinlock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
}

/* Gives up after about `spins` iterations; returns whether the lock is held. */
static inline bool spin_lock_bounded(struct spinlock *l, uint64_t spins)
{
	for (uint64_t i = 0; i < spins; i++) {
		/* Free means next == owner: take the next ticket only then. */
		uint32_t expected = __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE);

		if (__atomic_compare_exchange_n(&l->next, &expected, expected + 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
		cpu_relax();
	}
	return false;
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock(l);
	irq_restore(flags);
}

#endif
