"""A bootable USB disk image for UEFI machines: GPT, one EFI system partition.

The partition is a FAT image built like hvrun's ESP (esp.build: mkfs.vfat -C,
then mtools, no root, no loop device), laid into a disk image at 1 MiB with a
GPT written by sgdisk (gdisk). The firmware's removable-media path boots it:

  \\EFI\\BOOT\\BOOTX64.EFI        hv.efi
  \\EFI\\BOOT\\hv.cfg             the configuration
  \\EFI\\BOOT\\guests\\NAME.elf    the guests, named as the configuration names them

dd it to a stick (docs/HARDWARE.md); the configuration stays editable on any
machine that reads FAT.
"""
import os
import subprocess

from . import esp

SECTOR = 512
PARTITION_START = 2048        # 1 MiB: aligned for any flash erase block
GPT_TAIL_SECTORS = 2048       # room for the backup GPT at the end
ESP_TYPE = "ef00"
CONFIG_DIR = "EFI/BOOT"


class UsbError(Exception):
    """Building the image failed; the message names the file or tool."""


def layout(efi, config_data, extra_files):
    """ESP files: (src, dest) extras with dest relative to \\EFI\\BOOT."""
    files = [esp.EspFile(CONFIG_DIR + "/BOOTX64.EFI", source=efi)]
    if config_data is not None:
        files.append(esp.EspFile(CONFIG_DIR + "/hv.cfg", data=config_data))
    files += [esp.EspFile(CONFIG_DIR + "/" + dest, source=src) for src, dest in extra_files]
    return files


def _sgdisk(argv):
    try:
        r = subprocess.run(["sgdisk"] + argv, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except FileNotFoundError:
        raise UsbError("sgdisk not found (install gdisk: make setup)")
    if r.returncode != 0:
        raise UsbError("sgdisk %s failed: %s" % (" ".join(argv),
                                                 r.stdout.decode(errors="replace").strip()))


def build(output, files, scratch):
    """Write the disk image to output; scratch holds the partition image."""
    part = os.path.join(scratch, "esp.img")
    try:
        esp.build(part, files, scratch)
    except esp.EspError as e:
        raise UsbError(str(e))
    sectors = os.path.getsize(part) // SECTOR
    with open(output, "wb") as disk:
        disk.truncate((PARTITION_START + sectors + GPT_TAIL_SECTORS) * SECTOR)
    _sgdisk(["--clear", "--new=1:%d:%d" % (PARTITION_START, PARTITION_START + sectors - 1),
             "--typecode=1:" + ESP_TYPE, "--change-name=1:HVESP", output])
    with open(part, "rb") as src, open(output, "r+b") as disk:
        disk.seek(PARTITION_START * SECTOR)
        while True:
            chunk = src.read(1 << 20)
            if not chunk:
                break
            disk.write(chunk)
    os.unlink(part)
