/*
 * `dev`: the hypervisor's view of the devices the parent owns or gave away,
 * and VF assignment by hand (the NIC switch's `vf` commands build on it).
 *   dev list                   one `dev ...` line per function
 *   dev assign <bb:dd.f> <partition>
 *   dev revoke <bb:dd.f>       waits for the child's release or the deadline
 *   dev sriov <bb:dd.f> <n>    enables n VFs on an owned PF (0: disables)
 */
#include "guests/lib/guest.h"
#include "guests/parent/parent.h"

#define REVOKE_MAX_US 2000000

static const char *state_name(uint32_t state)
{
	static const char *const names[] = {
		[HV_DEVICE_OWNED] = "owned", [HV_DEVICE_VF_HELD] = "held",
		[HV_DEVICE_VF_ASSIGNED] = "assigned", [HV_DEVICE_VF_REVOKING] = "revoking",
	};

	return state < ARRAY_SIZE(names) ? names[state] : "?";
}

static void dev_list(void)
{
	static struct hv_device_status list[32];
	char bdf[12], pf[12], owner[HV_NAME_LEN + 1];
	long n = hc_device_list(list, ARRAY_SIZE(list));

	partitions_fetch();
	for (long i = 0; i < n; i++) {
		const struct hv_device_status *d = &list[i];

		printf("dev bdf=%s vendor=%04x device=%04x state=%s owner=%s pf=%s vf=%u faults=%u "
		       "quarantined=%s bar0=0x%lx\n", bdf_format(d->bdf, bdf, sizeof(bdf)),
		       d->vendor, d->device, state_name(d->state),
		       partition_name(d->owner, owner, sizeof(owner)),
		       d->state == HV_DEVICE_OWNED ? "-" : bdf_format(d->pf_bdf, pf, sizeof(pf)),
		       d->vf_index, d->dma_faults, d->quarantined ? "yes" : "no", d->bar0);
	}
	if (n < 0)
		printf("error %s\n", errno_name((int)n));
	else
		printf("ok count=%ld\n", n);
}

static long dev_assign(char *args)
{
	char *name = args;
	uint32_t bdf, id;
	long err;

	while (*name && *name != ' ')
		name++;
	if (*name)
		*name++ = '\0';
	while (*name == ' ')
		name++;
	err = bdf_parse(args, &bdf);
	if (!err)
		err = partitions_fetch() < 0 ? -EIO : partition_find(name, &id);
	return err ? err : hc_vf_assign(bdf, id);
}

static long dev_revoke(const char *arg)
{
	uint32_t bdf;
	long err = bdf_parse(arg, &bdf);

	return err ? err : vf_revoke_wait(bdf, REVOKE_MAX_US);
}

static long dev_sriov(char *args)
{
	char *count = args;
	uint32_t bdf;
	long err;
	unsigned n = 0;

	while (*count && *count != ' ')
		count++;
	if (*count)
		*count++ = '\0';
	err = bdf_parse(args, &bdf);
	if (err || *count < '0' || *count > '9')
		return -EINVAL;
	for (; *count >= '0' && *count <= '9'; count++)
		n = n * 10 + (unsigned)(*count - '0');
	return n ? sriov_enable((pci_bdf_t)bdf, n) : sriov_disable((pci_bdf_t)bdf);
}

void cmd_dev(const char *line)
{
	char arg[64];
	char *rest = arg;
	long err;

	hv_strlcpy(arg, line, sizeof(arg));
	while (*rest && *rest != ' ')
		rest++;
	if (*rest)
		*rest++ = '\0';
	while (*rest == ' ')
		rest++;
	if (!strcmp(arg, "list")) {
		dev_list();
		return;
	}
	if (!strcmp(arg, "assign"))
		err = dev_assign(rest);
	else if (!strcmp(arg, "revoke"))
		err = dev_revoke(rest);
	else if (!strcmp(arg, "sriov"))
		err = dev_sriov(rest);
	else
		err = -EINVAL;
	if (err < 0)
		printf("error %s\n", errno_name((int)err));
	else
		printf("ok\n");
}
