/* Loading and checking the configuration in the core (see boot_config.h). */
#include "kernel/boot_config.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/pci_host.h"
#include "kernel/percpu.h"

static const struct boot_info *boot_info;

static void report(const struct config_error *err)
{
	log_error("config", "refused line=%u field=\"%s\" reason=\"%s\"", err->line, err->field,
		  err->message);
}

int boot_config_load(const struct boot_info *bi, struct config *cfg)
{
	struct config_error err = {0};

	boot_info = bi;
	config_defaults(cfg);
	if (bi->config_size == 0)
		log_warn("config", "no configuration file found, using defaults");
	else if (config_parse((const char *)(uintptr_t)bi->config_base, bi->config_size, cfg,
			      &err)) {
		report(&err);
		return -EINVAL;
	}
	if (config_apply_cmdline(cfg, bi->cmdline, &err)) {
		report(&err);
		return -EINVAL;
	}
	log_info("config", "loaded bytes=%llu version=%u mode=%s partitions=%u sriov_vfs=%u "
		 "unsafe_no_iommu=%s", (unsigned long long)bi->config_size, cfg->version,
		 config_mode_name(cfg->mode), cfg->partition_count, cfg->sriov_vfs,
		 cfg->unsafe_no_iommu ? "yes" : "no");
	return 0;
}

static const struct boot_module *find_module(const char *name)
{
	for (uint32_t i = 0; i < boot_info->module_count; i++)
		if (!strcmp(boot_info->modules[i].name, name))
			return &boot_info->modules[i];
	return NULL;
}

static int check_images(const struct config *cfg)
{
	int err = 0;

	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct config_partition *p = &cfg->partitions[i];
		const struct boot_module *m = find_module(p->image);

		if (!m) {
			log_error("config", "refused field=\"partition %s.image\" reason=\"image %s "
					    "was not loaded from the ESP\"", p->name, p->image);
			err = -ENOENT;
			continue;
		}
		log_info("config", "partition name=%s role=%s image=%s image_bytes=%llu",
			 p->name, config_role_name(p->role), p->image,
			 (unsigned long long)m->size);
	}
	return err;
}

int config_validate_for_machine(const struct config *cfg)
{
	struct config_error err = {0};
	int rc;

	if (config_validate_partitions(cfg, percpu_online_count(), &err)) {
		report(&err);
		return -EINVAL;
	}
	rc = check_images(cfg);
	if (!rc)
		rc = pci_host_check_sriov_request(cfg->sriov_vfs);
	return rc;
}
