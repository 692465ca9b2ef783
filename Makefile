# The hypervisor's build. Plain make, per-directory object lists:
# each directory's objects.mk adds to core-y (the core, freestanding),
# efi-y (the UEFI loader), mb2-y (the Multiboot2 entry) or tests/unit/*.mk
# adds host unit tests.
#
#   make            build build/hv.efi, build/hv.elf and the guests
#   make iso        build/hv.iso: GRUB (BIOS) booting hv.elf by Multiboot2
#   make image      build/hv-usb.img: a GPT disk whose ESP boots hv.efi
#   make run        install what is missing, build, boot the default config
#   make test       install what is missing, unit tests, header check, boot tests
#   make unit       host unit tests only
#   make boot-test  boot tests only (pytest)

BUILD ?= build
CC := gcc
LD := ld
NASM := nasm
OBJCOPY := objcopy
PYTHON := /usr/bin/python3

EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
EFI_CRT0 := $(EFI_LIB)/crt0-efi-x86_64.o
EFI_LDS := $(EFI_LIB)/elf_x86_64_efi.lds

WARNINGS := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
	-Wshadow -Wpointer-arith -Wundef -Wvla -Wwrite-strings -Wcast-qual \
	-Wimplicit-fallthrough

# The core never uses floating point or vector registers: guests own them.
CORE_CFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -ffreestanding -fno-builtin \
	-fno-stack-protector -fno-stack-check -fno-strict-aliasing \
	-fno-omit-frame-pointer -fpic -fshort-wchar -mno-red-zone \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-common \
	-I include -I .
EFI_CFLAGS := $(CORE_CFLAGS) -DGNU_EFI_USE_MS_ABI -isystem $(EFI_INC) \
	-isystem $(EFI_INC)/x86_64 -Wno-cast-qual
NASMFLAGS := -f elf64 -g -F dwarf -w+all -I kernel/arch/

core-y :=
efi-y :=
mb2-y :=
UNIT_TESTS :=
include $(sort $(wildcard */objects.mk */*/objects.mk))
include guests/guests.mk

CORE_OBJS := $(addprefix $(BUILD)/,$(core-y))
EFI_OBJS := $(addprefix $(BUILD)/,$(efi-y))
MB2_OBJS := $(addprefix $(BUILD)/,$(mb2-y))

.PHONY: all run test unit boot-test check-headers check-core-standalone setup clean iso image
all: $(BUILD)/hv.efi $(BUILD)/hv.elf

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(if $(filter boot/efi/%,$<),$(EFI_CFLAGS),$(CORE_CFLAGS)) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) $< -o $@

# Real-mode AP start-up code is position independent flat binary, copied
# below 1 MiB at run time and wrapped into the image by trampoline_blob.asm.
$(BUILD)/kernel/arch/trampoline.bin: kernel/arch/trampoline.nasm
	@mkdir -p $(dir $@)
	$(NASM) -f bin -w+all $< -o $@
$(BUILD)/kernel/arch/trampoline_blob.o: $(BUILD)/kernel/arch/trampoline.bin
$(BUILD)/kernel/arch/trampoline_blob.o: NASMFLAGS += -I $(BUILD)/kernel/arch/

$(BUILD)/hv.so: $(EFI_OBJS) $(CORE_OBJS)
	$(LD) -nostdlib -znocombreloc -T $(EFI_LDS) -shared -Bsymbolic \
		--no-undefined -L $(EFI_LIB) $(EFI_CRT0) $^ -o $@ -lefi -lgnuefi

$(BUILD)/hv.efi: $(BUILD)/hv.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 \
		--subsystem=10 $< $@

# The Multiboot2 image: the same core at a fixed physical address (hv.ld),
# entered from boot/multiboot2/entry.asm. No undefined symbol may remain.
MB2_LDS := boot/multiboot2/hv.ld
$(BUILD)/hv.elf: $(MB2_OBJS) $(CORE_OBJS) $(MB2_LDS)
	$(LD) -nostdlib -static -no-pie -z max-page-size=4096 -z noexecstack \
		--no-undefined -T $(MB2_LDS) $(filter %.o,$^) -o $@

# Bootable media (tools/mkimage): the configuration, hv.elf or hv.efi and
# the guests. CONFIG picks the configuration: Bochs's for the ISO (GRUB on
# BIOS machines and Bochs), the check-mode starting point for the USB disk
# (UEFI machines: boot it, read the report, then edit EFI/BOOT/hv.cfg).
ISO_CONFIG ?= configs/bochs.cfg
IMAGE_CONFIG ?= configs/hardware-example.cfg
iso: setup all
	$(PYTHON) tools/mkimage iso --config $(ISO_CONFIG) --output $(BUILD)/hv.iso
image: setup all
	$(PYTHON) tools/mkimage usb --config $(IMAGE_CONFIG) --output $(BUILD)/hv-usb.img

# Host unit tests (cmocka). Fragments in tests/unit/*.mk name each test's
# sources: UNIT_TESTS += foo; unit-foo-srcs := tests/unit/test_foo.c lib/...
HOST_CFLAGS := -std=gnu11 -O1 -g $(WARNINGS) -Wno-missing-prototypes \
	-DHV_HOSTED -I include -I . -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
HOST_LDLIBS := -lcmocka -lpthread
include $(sort $(wildcard tests/unit/*.mk))

UNIT_BINS := $(addprefix $(BUILD)/unit/test_,$(UNIT_TESTS))
# Every header a test may reach: one gcc run builds a test from several
# sources, so there are no per-object dependency files; a header change
# rebuilds them all rather than leave one stale.
UNIT_HEADERS := $(wildcard include/hv/*.h kernel/*.h kernel/*/*.h vmm/*.h iommu/*.h lib/*.h \
	drivers/*/*.h guests/lib/*.h guests/lib/net/*.h guests/*/*.h tests/unit/*.h)
define unit_rule
$(BUILD)/unit/test_$(1): $$(unit-$(1)-srcs) tests/unit/log_capture.c $(UNIT_HEADERS) | $(BUILD)/unit
	@echo "  HOSTCC  $$@"
	@$(CC) $(HOST_CFLAGS) $$(filter %.c,$$^) -o $$@ $(HOST_LDLIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))
$(BUILD)/unit:
	@mkdir -p $@

setup:
	@./tools/setup-host.sh

unit: setup $(UNIT_BINS)
	@./tools/run-unit-tests $(UNIT_BINS)

# Every header must compile on its own.
HEADERS := $(sort $(wildcard include/hv/*.h kernel/*.h kernel/*/*.h vmm/*.h iommu/*.h lib/*.h))
check-headers:
	@for h in $(HEADERS); do \
		echo "#include \"$$h\"" | $(CC) $(CORE_CFLAGS) -x c -fsyntax-only - || exit 1; \
	done; echo "check-headers: $(words $(HEADERS)) headers compile alone"

# The core must stand alone after the hand-over: linked on its own it may
# only miss what any linker script provides, never a loader's symbol.
CORE_ALLOWED_UNDEFINED := _GLOBAL_OFFSET_TABLE_ _text _etext
check-core-standalone: $(CORE_OBJS)
	@$(LD) -r -o $(BUILD)/core-standalone.o $(CORE_OBJS)
	@undef=$$(nm -u $(BUILD)/core-standalone.o | awk '{print $$2}' | \
		grep -vxF $(addprefix -e ,$(CORE_ALLOWED_UNDEFINED)) || true); \
	if [ -n "$$undef" ]; then echo "core depends on loader symbols: $$undef"; exit 1; fi; \
	echo "check-core-standalone: the core links without the loader"

# `make bench`: the channel ring against DPDK's rte_ring, on the host
# (tools/bench/ring_bench.c). Installs libdpdk-dev when missing; without it
# the benchmark runs our ring alone. Then the data paths in the boot
# scenario (tools/bench/datapath.py, about a minute each under TCG): exits
# per packet on each path and the blackout of each path change, with UDP
# streams from a peer outside the machine, at a light load (400 datagrams/s
# per child in bursts of 8) and under load (4000/s in bursts of 32). Not
# part of `make test`.
BENCH_CFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -Wno-missing-prototypes -DHV_HOSTED -I include -I .
.PHONY: bench bench-datapath
bench:
	@./tools/setup-host.sh bench || echo "bench: libdpdk-dev could not be installed"
	@mkdir -p $(BUILD)/bench
	@if pkg-config --exists libdpdk; then \
		dpdk_cflags="-DHAVE_DPDK $$(pkg-config --cflags libdpdk | sed 's/-I/-isystem /g')"; \
		dpdk_libs="$$(pkg-config --libs libdpdk)"; \
	fi; \
	echo "  HOSTCC  $(BUILD)/bench/ring_bench"; \
	$(CC) $(BENCH_CFLAGS) $$dpdk_cflags tools/bench/ring_bench.c guests/lib/ring*.c \
		lib/format.c -o $(BUILD)/bench/ring_bench $$dpdk_libs -lpthread
	@$(BUILD)/bench/ring_bench
	@$(MAKE) --no-print-directory bench-datapath

bench-datapath: setup all
	@$(PYTHON) tools/bench/datapath.py --rate 400 --burst 8
	@$(PYTHON) tools/bench/datapath.py --rate 4000 --burst 32

boot-test: setup all
	PYTHONDONTWRITEBYTECODE=1 $(PYTHON) -m pytest -p no:cacheprovider -v tests/boot

test: setup
	$(MAKE) all
	$(MAKE) check-headers
	$(MAKE) check-core-standalone
	$(MAKE) unit
	$(MAKE) boot-test

# `make run`: the default configuration (configs/qemu.cfg) telling the
# story of the seeds (guests/parent/story.h, README "make run"): the
# children ping QEMU's slirp gateway while the parent hands a VF around;
# then the parent's shell is yours. The boot test tests/boot/test_story.py
# and tools/bench/datapath.py boot the same command lines.
STORY_PING := ping=10.0.2.2 pingn=0 pingms=200 pingquiet
STORY_SETS := --set "partition parent.cmdline=story=yes" \
	--set "partition child1.cmdline=$(STORY_PING)" \
	--set "partition child2.cmdline=$(STORY_PING)"
run: setup all
	./tools/hvrun --console $(STORY_SETS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
