# Guest programs: freestanding ELF images the hypervisor loads into
# partitions (docs/guest-sdk.md). Each program is its directory's objects
# linked with the runtime of guests/lib and lib/'s freestanding string and
# format code, compiled again with the guest flags (no -fpic: guests are
# linked at a fixed address). Objects go to $(BUILD)/guests/.

GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -ffreestanding -fno-builtin \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
	-mcmodel=small -fno-omit-frame-pointer -I include -I . -I guests/lib
GUEST_NASMFLAGS := -f elf64 -g -F dwarf -w+all
GUEST_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 -T guests/guest.ld

guest-lib-y := crt0.o isr_entry.o start.o hypercalls.o console.o idt.o apic.o tick.o \
	tsc.o paging.o pci.o rand.o expect.o cmdline.o hvnames.o channel.o devices.o sriov.o doorbell.o log.o
# The IP stack (guests/lib/net/, docs/guest-sdk.md "Networking") is part of
# every program's runtime, with drivers/nic/mbx_decode.c for the struct
# mac_addr helpers it shares with the NIC drivers (added below).
guest-lib-net-y := net/stats.o net/eth.o net/arp.o net/ipv4.o net/icmp.o net/udp.o net/netif.o
guest-lib-y += $(guest-lib-net-y)
# The channel ring and the vmbus control protocol (docs/channel.md).
guest-lib-y += ring.o ring_producer.o ring_consumer.o vmbus_ctl.o
# The synthetic NIC's messages, the child's bond, the parent's switch (docs/netvsc.md).
guest-lib-y += netvsc_proto.o netbond.o netvsp_switch.o
guest-shared-y := string.o format.o errno.o
guest-parent-y := main.o shell.o commands.o partitions.o events.o dma_probe.o msi_probe.o \
	device_commands.o chan.o
guest-child-y := main.o checks.o hostile.o hostile_memory.o hostile_hypercalls.o \
	hostile_cpu.o vf_user.o doorbell_test.o vf_net.o vf_mbx.o \
	netvsc.o netvsc_hostile.o net_app.o
guest-example-y := main.o

GUEST_PROGRAMS := parent child example

# The parent's NIC (docs/nic-switch.md): every drivers/nic file (PF driver,
# switch ports, mailbox decoding and policy, VF lifecycle) and the
# configuration-space logic of kernel/pci it shares with the core, compiled
# again with the guest flags into $(BUILD)/guests/<their path>.
# The VF driver (drivers/nic/igbvf*) is the child's, not the parent's.
guest-igbvf-y := $(patsubst %.c,%.o,$(wildcard drivers/nic/igbvf*.c))
guest-nic-y := $(filter-out $(guest-igbvf-y),$(patsubst %.c,%.o,$(wildcard drivers/nic/*.c)))
guest-nic-pci-y := kernel/pci/pci_cfg.o kernel/pci/pci_caps.o kernel/pci/pci_bridge.o
GUEST_NIC_OBJS := $(addprefix $(BUILD)/guests/,$(guest-nic-y) $(guest-nic-pci-y))
# mbx_decode.o comes with the runtime (the IP stack's MAC helpers), not twice.
GUEST_NET_MAC_OBJ := $(BUILD)/guests/drivers/nic/mbx_decode.o
guest-parent-extra := $(filter-out $(GUEST_NET_MAC_OBJ),$(GUEST_NIC_OBJS))
GUEST_IGBVF_OBJS := $(addprefix $(BUILD)/guests/,$(guest-igbvf-y))
guest-child-extra := $(GUEST_IGBVF_OBJS)
guest-parent-y += nic.o nic_pci.o nic_ports.o nic_cmd.o nic_cmd_stats.o nic_cmd_port.o \
	nic_vf.o nic_irq.o
# The parent's NetVSP: every child's synthetic NIC (docs/netvsc.md).
guest-parent-y += netvsp.o netvsp_ctl.o netvsp_net.o netvsp_vf.o netvsp_cmd.o
# The `make run` story (guests/parent/story.h).
guest-parent-y += story.o story_measure.o
GUEST_ELFS := $(addprefix $(BUILD)/guests/,$(addsuffix .elf,$(GUEST_PROGRAMS)))

# The first rule here: make's default goal must stay `all`.
all: $(GUEST_ELFS)

GUEST_LIB_OBJS := $(addprefix $(BUILD)/guests/lib/,$(guest-lib-y))
GUEST_SHARED_OBJS := $(addprefix $(BUILD)/guests/lib/,$(guest-shared-y))
GUEST_RUNTIME_OBJS := $(GUEST_LIB_OBJS) $(GUEST_SHARED_OBJS) $(GUEST_NET_MAC_OBJ)
guest-objs = $(addprefix $(BUILD)/guests/$(1)/,$(guest-$(1)-y))
GUEST_PROGRAM_OBJS := $(foreach p,$(GUEST_PROGRAMS),$(call guest-objs,$(p)))
GUEST_C_OBJS := $(filter-out %/crt0.o %/isr_entry.o,$(GUEST_LIB_OBJS)) $(GUEST_PROGRAM_OBJS)
GUEST_ASM_OBJS := $(filter %/crt0.o %/isr_entry.o,$(GUEST_LIB_OBJS))

# Static pattern rules: they take precedence over the core's $(BUILD)/%.o.
$(GUEST_C_OBJS): $(BUILD)/guests/%.o: guests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_SHARED_OBJS): $(BUILD)/guests/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest)"
	@$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_NIC_OBJS) $(GUEST_IGBVF_OBJS): $(BUILD)/guests/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest)"
	@$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_ASM_OBJS): $(BUILD)/guests/%.o: guests/%.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) $(GUEST_NASMFLAGS) -MD $(@:.o=.d) $< -o $@

define guest_program_rule
$(BUILD)/guests/$(1).elf: $(call guest-objs,$(1)) $(guest-$(1)-extra) $(GUEST_RUNTIME_OBJS) \
		guests/guest.ld
	@echo "  LD      $$@"
	@$(LD) $(GUEST_LDFLAGS) -o $$@ $$(filter %.o,$$^)
endef
$(foreach p,$(GUEST_PROGRAMS),$(eval $(call guest_program_rule,$(p))))
