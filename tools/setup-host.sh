#!/bin/sh
# Installs the Debian packages the build and the tests need, only when missing.
# Idempotent: a second run with everything present does nothing but check.
# QEMU comes from bookworm-backports because bookworm's 7.2 has no igb (SR-IOV NIC).
# GRUB (BIOS platform), xorriso and mtools build build/hv.iso; Bochs boots it
# (VMX with EPT, no PCIe, no IOMMU); gdisk partitions build/hv-usb.img.
set -eu

QEMU_MIN_MAJOR=8
BACKPORTS_LIST=/etc/apt/sources.list.d/hv-bookworm-backports.list

# Packages from the release itself: command or file to probe, then the package.
PACKAGES="
gcc:gcc
ld:binutils
make:make
nasm:nasm
/usr/include/efi/efi.h:gnu-efi
/usr/share/OVMF/OVMF_CODE_4M.fd:ovmf
/usr/include/cmocka.h:libcmocka-dev
/usr/lib/python3/dist-packages/pytest/__init__.py:python3-pytest
mcopy:mtools
mkfs.vfat:dosfstools
pkg-config:pkg-config
grub-mkrescue:grub-common
/usr/lib/grub/i386-pc/multiboot2.mod:grub-pc-bin
/usr/lib/grub/x86_64-efi/multiboot2.mod:grub-efi-amd64-bin
xorriso:xorriso
sgdisk:gdisk
bochs:bochs
/usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so:bochs-term
/usr/share/bochs/BIOS-bochs-latest:bochsbios
/usr/share/vgabios/vgabios.bin:vgabios
"
# `setup-host.sh bench` (make bench) also wants DPDK's rte_ring to compare with.
if [ "${1:-}" = bench ]; then
	PACKAGES="$PACKAGES /usr/include/dpdk/rte_ring.h:libdpdk-dev"
fi

have() {
	case "$1" in
	/*) [ -e "$1" ] ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

qemu_major() {
	qemu-system-x86_64 --version 2>/dev/null |
		sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p'
}

apt_updated=no
apt_update_once() {
	if [ "$apt_updated" = no ]; then
		as_root apt-get update -qq
		apt_updated=yes
	fi
}

missing=""
for entry in $PACKAGES; do
	probe=${entry%%:*}
	pkg=${entry#*:}
	have "$probe" || missing="$missing $pkg"
done

if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	apt_update_once
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi

major=$(qemu_major || true)
if [ -z "$major" ] || [ "$major" -lt "$QEMU_MIN_MAJOR" ]; then
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	if ! grep -rqs "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
		echo "setup: adding ${codename}-backports to apt sources"
		echo "deb http://deb.debian.org/debian ${codename}-backports main" |
			as_root tee "$BACKPORTS_LIST" >/dev/null
		apt_updated=no
	fi
	echo "setup: installing qemu-system-x86 from ${codename}-backports"
	apt_update_once
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		-t "${codename}-backports" qemu-system-x86 qemu-utils
	major=$(qemu_major || true)
	if [ -z "$major" ] || [ "$major" -lt "$QEMU_MIN_MAJOR" ]; then
		echo "setup: qemu-system-x86_64 >= $QEMU_MIN_MAJOR needed (igb SR-IOV), got '${major:-none}'" >&2
		exit 1
	fi
fi
