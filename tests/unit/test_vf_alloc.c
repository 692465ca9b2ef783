/*
 * VF lifecycle: RIDs from the SR-IOV capability (QEMU's igb layout and bus
 * overflows), the full allocate/assign/revoke/reset/free cycle, more
 * children than VFs, and a table of every operation in every state: a
 * wrong-state transition is refused with the right code and changes
 * nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "drivers/nic/vf_alloc.h"

/* QEMU's igb behind a root port: PF 01:00.0, VF offset 0x80, stride 2. */
static const struct vf_table_config qemu_igb = {
    .layout = {.pf_rid = 0x0100, .offset = 0x80, .stride = 2, .last_bus = 1},
    .num_vfs = 7,
    .max_queue_pairs = 2,
};

static struct vf_params params_for(unsigned port)
{
	struct vf_params p = {
	    .port_id = port, .mac = {{0x02, 0, 0, 0, 0x10, (uint8_t)port}}, .queue_pairs = 1};

	return p;
}

static struct vf_table table(unsigned num_vfs)
{
	struct vf_table_config cfg = qemu_igb;
	struct vf_table t;

	cfg.num_vfs = (uint16_t)num_vfs;
	assert_int_equal(vf_table_init(&t, &cfg, NULL), (int)(num_vfs > 7 ? 7 : num_vfs));
	return t;
}

/* --- RIDs ------------------------------------------------------------------ */

static void test_rids_qemu_layout(void **state)
{
	uint16_t rid;

	(void)state;
	assert_int_equal(vf_rid(&qemu_igb.layout, 0, &rid), 0);
	assert_int_equal(rid, 0x0180); /* 01:10.0 */
	assert_int_equal(vf_rid(&qemu_igb.layout, 1, &rid), 0);
	assert_int_equal(rid, 0x0182); /* 01:10.2 */
	assert_int_equal(vf_rid(&qemu_igb.layout, 6, &rid), 0);
	assert_int_equal(rid, 0x018C); /* 01:11.4 */
	assert_int_equal(vf_rid(&qemu_igb.layout, 63, &rid), 0);
	assert_int_equal(rid, 0x01FE);
	assert_int_equal(vf_rid(&qemu_igb.layout, 64, &rid), -ERANGE); /* bus 2: not routed */
}

static void test_rid_overflows(void **state)
{
	struct vf_rid_layout l = {.pf_rid = 0xFF00, .offset = 0x80, .stride = 2, .last_bus = 0xFF};
	uint16_t rid = 0x1234;

	(void)state;
	assert_int_equal(vf_rid(&l, 63, &rid), 0);
	assert_int_equal(rid, 0xFFFE);
	rid = 0x1234;
	assert_int_equal(vf_rid(&l, 64, &rid), -ERANGE); /* past bus 255 */
	assert_int_equal(rid, 0x1234);
	l = (struct vf_rid_layout){
	    .pf_rid = 0x0300, .offset = 0xFFFF, .stride = 0xFFFF, .last_bus = 0xFF};
	assert_int_equal(vf_rid(&l, 0x10000, &rid), -EINVAL); /* index beyond any VF */
	assert_int_equal(vf_rid(&l, 1000, &rid), -ERANGE);    /* no 16-bit wrap-around */
	l = (struct vf_rid_layout){.pf_rid = 0x0100, .offset = 0, .stride = 2, .last_bus = 1};
	assert_int_equal(vf_rid(&l, 0, &rid), -EINVAL); /* VF would alias the PF */
	l.offset = 0x80;
	l.stride = 0;
	assert_int_equal(vf_rid(&l, 0, &rid), 0);
	assert_int_equal(vf_rid(&l, 1, &rid), -EINVAL); /* two VFs, one RID */
	l.stride = 2;
	l.last_bus = 0;
	assert_int_equal(vf_rid(&l, 0, &rid), -EINVAL); /* bridge below the PF's bus */
}

static void test_table_init(void **state)
{
	struct vf_table_config cfg = qemu_igb;
	struct vf_table t;
	const char *why;

	(void)state;
	cfg.num_vfs = 8; /* TotalVFs of the 82576 */
	assert_int_equal(vf_table_init(&t, &cfg, &why), VF_IGB_MAX);
	assert_int_equal(t.vf[6].rid, 0x018C);
	assert_int_equal(vf_free_count(&t), 7);
	cfg.num_vfs = 0;
	assert_int_equal(vf_table_init(&t, &cfg, &why), 0);
	memset(&t, 0x5a, sizeof(t));
	struct vf_table untouched = t;
	cfg.num_vfs = 7;
	cfg.layout.stride = 0x80; /* VF 2 lands on bus 2, beyond the bridge */
	assert_int_equal(vf_table_init(&t, &cfg, &why), -ERANGE);
	assert_string_equal(why, "VF RID beyond the PF's buses");
	cfg.layout = qemu_igb.layout;
	cfg.layout.offset = 0;
	assert_int_equal(vf_table_init(&t, &cfg, &why), -EINVAL);
	cfg = qemu_igb;
	cfg.max_queue_pairs = 3;
	assert_int_equal(vf_table_init(&t, &cfg, &why), -EINVAL);
	assert_memory_equal(&t, &untouched, sizeof(t));
}

/* An I350 table (one queue pair per VF): two pairs are refused, at allocation and after. */
static void test_i350_one_queue_pair(void **state)
{
	struct vf_table_config cfg = qemu_igb;
	struct vf_table t;
	struct vf_params p = params_for(1);
	uint16_t id;
	const char *why;

	(void)state;
	cfg.max_queue_pairs = 1;
	assert_int_equal(vf_table_init(&t, &cfg, &why), 7);
	p.queue_pairs = 2;
	assert_int_equal(vf_allocate(&t, &p, &id, &why), -EINVAL);
	assert_string_equal(why, "bad number of queue pairs");
	assert_int_equal(vf_free_count(&t), 7);
	p.queue_pairs = 1;
	assert_int_equal(vf_allocate(&t, &p, &id, &why), 0);
	p.queue_pairs = 2;
	assert_int_equal(vf_set_params(&t, id, &p, &why), -EINVAL);
	assert_int_equal(t.vf[id].params.queue_pairs, 1);
}

/* --- The cycle ---------------------------------------------------------- */

static void test_full_cycle(void **state)
{
	struct vf_table t = table(7);
	struct vf_params p = params_for(3);
	struct vf_entry e;
	uint16_t id = 0xFFFF, rid = 0;
	const char *why;

	(void)state;
	assert_int_equal(vf_allocate(&t, &p, &id, &why), 0);
	assert_int_equal(id, 0);
	assert_int_equal(t.vf[0].state, VF_ALLOCATING);
	assert_false(vf_operational(&t.vf[0])); /* not until allocation completes */
	assert_int_equal(vf_query(&t, id, &e), -EBUSY);
	p.queue_pairs = 2;
	assert_int_equal(vf_set_params(&t, id, &p, &why), 0); /* still under way */
	assert_int_equal(vf_allocate_complete(&t, id, &rid, &why), 0);
	assert_int_equal(rid, 0x0180);
	assert_true(vf_operational(&t.vf[0]));
	assert_int_equal(vf_query(&t, id, &e), 0);
	assert_int_equal(e.rid, 0x0180);
	assert_int_equal(e.params.queue_pairs, 2);
	p.queue_pairs = 1;
	assert_int_equal(vf_set_params(&t, id, &p, &why), -EBUSY);
	assert_string_equal(why, "VF parameters are fixed after allocation");
	assert_int_equal(t.vf[0].params.queue_pairs, 2);

	assert_int_equal(vf_assign(&t, id, 2, &why), 0);
	assert_int_equal(t.vf[0].owner, 2);
	assert_int_equal(vf_free(&t, id, &why), -EBUSY); /* still attached */
	assert_string_equal(why, "VF assigned to a child");
	assert_int_equal(vf_reset_begin(&t, id, &why), 0);
	assert_int_equal(vf_reset_complete(&t, id, &why), 0);
	assert_int_equal(t.vf[0].state, VF_ASSIGNED);
	assert_int_equal(t.vf[0].resets, 1);
	assert_int_equal(vf_revoke(&t, id, &why), 0);
	assert_int_equal(t.vf[0].owner, VF_OWNER_NONE);

	/* Moving to another child: only after a reset. */
	assert_int_equal(vf_assign(&t, id, 4, &why), -EAGAIN);
	assert_string_equal(why, "VF must be reset before it changes hands");
	assert_int_equal(vf_reset_begin(&t, id, &why), 0);
	assert_int_equal(vf_reset_complete(&t, id, &why), 0);
	assert_int_equal(vf_assign(&t, id, 4, &why), 0);
	assert_int_equal(vf_revoke(&t, id, &why), 0);

	assert_int_equal(vf_free(&t, id, &why), 0);
	assert_int_equal(vf_free(&t, id, &why), -ENOENT); /* double free */
	assert_string_equal(why, "VF not allocated");
	assert_int_equal(vf_find_by_port(&t, 3), -ENOENT);

	/* The next allocation of that VF can't skip the reset either. */
	assert_int_equal(vf_allocate(&t, &p, &id, &why), 0);
	assert_int_equal(vf_allocate_complete(&t, id, &rid, &why), 0);
	assert_int_equal(vf_assign(&t, id, 5, &why), -EAGAIN);
}

static void test_more_children_than_vfs(void **state)
{
	struct vf_table t = table(2);
	uint16_t id, rid;
	const char *why;

	(void)state;
	for (unsigned port = 1; port <= 2; port++) {
		struct vf_params p = params_for(port);

		assert_int_equal(vf_allocate(&t, &p, &id, &why), 0);
		assert_int_equal(vf_allocate_complete(&t, id, &rid, &why), 0);
	}
	struct vf_params third = params_for(3);
	assert_int_equal(vf_allocate(&t, &third, &id, &why), -ENOSPC);
	assert_string_equal(why, "no free VF");
	assert_int_equal(vf_find_by_port(&t, 3), -ENOENT); /* stays synthetic */
	assert_int_equal(vf_free_count(&t), 0);
	/* Port 1's child goes away: port 3 gets the freed VF. */
	assert_int_equal(vf_free(&t, (uint16_t)vf_find_by_port(&t, 1), &why), 0);
	assert_int_equal(vf_allocate(&t, &third, &id, &why), 0);
	assert_int_equal(id, 0);
	assert_int_equal(vf_find_by_port(&t, 3), 0);
}

static void test_allocation_refusals(void **state)
{
	struct vf_table t = table(3);
	struct vf_params p = params_for(1);
	uint16_t id, rid;
	const char *why;

	(void)state;
	p.queue_pairs = 0;
	assert_int_equal(vf_allocate(&t, &p, &id, &why), -EINVAL);
	p.queue_pairs = 3;
	assert_int_equal(vf_allocate(&t, &p, &id, &why), -EINVAL);
	assert_string_equal(why, "bad number of queue pairs");
	p = params_for(1);
	p.mac.b[0] = 0x01;
	assert_int_equal(vf_allocate(&t, &p, &id, &why), -EINVAL);
	p = params_for(1);
	memset(p.mac.b, 0, sizeof(p.mac.b));
	assert_int_equal(vf_allocate(&t, &p, &id, &why), -EINVAL);
	p = params_for(1);
	p.port_id = VF_PORT_NONE;
	assert_int_equal(vf_allocate(&t, &p, &id, &why), -EINVAL);
	assert_int_equal(vf_free_count(&t), 3);

	p = params_for(1);
	assert_int_equal(vf_allocate(&t, &p, &id, &why), 0);
	assert_int_equal(vf_allocate(&t, &p, &id, &why), -EEXIST); /* one VF per port */
	struct vf_params q = params_for(2);
	uint16_t id2;
	assert_int_equal(vf_allocate(&t, &q, &id2, &why), 0);
	assert_int_equal(vf_set_params(&t, id2, &p, &why), -EEXIST); /* port 1 is taken */
	assert_int_equal(vf_allocate_abort(&t, id2, &why), 0);
	assert_int_equal(t.vf[id2].state, VF_FREE);
	assert_int_equal(vf_allocate_abort(&t, id2, &why), -EINVAL);
	assert_int_equal(vf_allocate_complete(&t, id2, &rid, &why), -EINVAL);
	assert_int_equal(vf_assign(&t, id, VF_OWNER_NONE, &why), -EINVAL);
}

/* --- Every operation in every state ------------------------------------- */

enum op {
	OP_COMPLETE,
	OP_ABORT,
	OP_SET_PARAMS,
	OP_ASSIGN,
	OP_REVOKE,
	OP_FREE,
	OP_RESET,
	OP_RESET_DONE,
	OP_COUNT
};

static int run_op(struct vf_table *t, enum op op, uint16_t id)
{
	struct vf_params p = params_for(1);
	uint16_t rid;

	switch (op) {
	case OP_COMPLETE:
		return vf_allocate_complete(t, id, &rid, NULL);
	case OP_ABORT:
		return vf_allocate_abort(t, id, NULL);
	case OP_SET_PARAMS:
		return vf_set_params(t, id, &p, NULL);
	case OP_ASSIGN:
		return vf_assign(t, id, 9, NULL);
	case OP_REVOKE:
		return vf_revoke(t, id, NULL);
	case OP_FREE:
		return vf_free(t, id, NULL);
	case OP_RESET:
		return vf_reset_begin(t, id, NULL);
	default:
		return vf_reset_complete(t, id, NULL);
	}
}

/* VF 0 of a fresh table, brought into state s (resetting: from allocated). */
static struct vf_table in_state(enum vf_state s)
{
	struct vf_table t = table(2);
	struct vf_params p = params_for(1);
	uint16_t id, rid;

	if (s == VF_FREE)
		return t;
	assert_int_equal(vf_allocate(&t, &p, &id, NULL), 0);
	if (s == VF_ALLOCATING)
		return t;
	assert_int_equal(vf_allocate_complete(&t, id, &rid, NULL), 0);
	if (s == VF_ASSIGNED)
		assert_int_equal(vf_assign(&t, id, 9, NULL), 0);
	if (s == VF_RESETTING)
		assert_int_equal(vf_reset_begin(&t, id, NULL), 0);
	return t;
}

static void test_state_table(void **state)
{
	/* Expected result of each operation (columns) in each state (rows). */
	static const int expect[VF_STATE_COUNT][OP_COUNT] = {
	    /*               complete abort   params   assign   revoke   free     reset  done */
	    [VF_FREE] = {-EINVAL, -EINVAL, -ENOENT, -ENOENT, -ENOENT, -ENOENT, -ENOENT, -EINVAL},
	    [VF_ALLOCATING] = {0, 0, 0, -EBUSY, -EBUSY, -EBUSY, -EBUSY, -EINVAL},
	    [VF_ALLOCATED] = {-EINVAL, -EINVAL, -EBUSY, 0, -EINVAL, 0, 0, -EINVAL},
	    [VF_ASSIGNED] = {-EINVAL, -EINVAL, -EBUSY, -EBUSY, 0, -EBUSY, 0, -EINVAL},
	    [VF_RESETTING] = {-EINVAL, -EINVAL, -EBUSY, -EBUSY, -EBUSY, -EBUSY, -EBUSY, 0},
	};

	(void)state;
	for (int s = 0; s < VF_STATE_COUNT; s++) {
		for (int op = 0; op < OP_COUNT; op++) {
			struct vf_table t = in_state((enum vf_state)s), before = t;
			int err = run_op(&t, (enum op)op, 0);

			if (err != expect[s][op])
				fail_msg("state %s op %d: got %d want %d",
					 vf_state_name((enum vf_state)s), op, err, expect[s][op]);
			if (err)
				assert_memory_equal(&t, &before, sizeof(t));
		}
	}
}

static void test_unknown_ids(void **state)
{
	struct vf_table t = table(2);
	struct vf_entry e;
	const char *why;

	(void)state;
	for (int op = 0; op < OP_COUNT; op++) {
		assert_int_equal(run_op(&t, (enum op)op, 2), -ENOENT); /* beyond NumVFs */
		assert_int_equal(run_op(&t, (enum op)op, 7), -ENOENT);
		assert_int_equal(run_op(&t, (enum op)op, 0xFFFF), -ENOENT);
	}
	assert_int_equal(vf_query(&t, 0xFFFF, &e), -ENOENT);
	assert_int_equal(vf_query(&t, 0, &e), -ENOENT); /* free */
	assert_int_equal(vf_free(&t, 5, &why), -ENOENT);
	assert_string_equal(why, "no such VF");
}

static void test_format(void **state)
{
	struct vf_table t = in_state(VF_ASSIGNED);
	char line[160];

	(void)state;
	vf_format(&t.vf[0], line, sizeof(line));
	assert_string_equal(line, "vf=0 rid=01:10.0 state=assigned owner=9 port=1 "
				  "mac=02:00:00:00:10:01 queues=1 resets=0");
	vf_format(&t.vf[1], line, sizeof(line));
	assert_string_equal(line, "vf=1 rid=01:10.2 state=free owner=none resets=0");
	assert_string_equal(vf_state_name(VF_STATE_COUNT), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rids_qemu_layout),
	    cmocka_unit_test(test_rid_overflows),
	    cmocka_unit_test(test_table_init),
	    cmocka_unit_test(test_i350_one_queue_pair),
	    cmocka_unit_test(test_full_cycle),
	    cmocka_unit_test(test_more_children_than_vfs),
	    cmocka_unit_test(test_allocation_refusals),
	    cmocka_unit_test(test_state_table),
	    cmocka_unit_test(test_unknown_ids),
	    cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
