"""make image: build/hv-usb.img, a GPT disk whose EFI system partition boots
hv.efi, built by tools/mkimage exactly as `make image` builds it, checked
from outside (the partition table with sgdisk, the FAT contents with mtools)
and booted as it is in QEMU with OVMF (hvrun --disk: QEMU writes to an
overlay, never to the image). Then make iso's image: hybrid (El Torito entries for
BIOS and UEFI), booted under OVMF as a disk through GRUB's EFI build and Multiboot2."""
import subprocess

import pytest

from harness import REPO_ROOT
from inventory import RUNNING, one

MKIMAGE = REPO_ROOT / "tools" / "mkimage"
IMAGE = REPO_ROOT / "build" / "hv-usb.img"
ESP_OFFSET = 1 << 20  # the partition starts at sector 2048


def mkimage(output, config=None):
    argv = [str(MKIMAGE), "usb", "--output", str(output)]
    if config:
        argv += ["--config", str(config)]
    subprocess.run(argv, cwd=REPO_ROOT, check=True, stdout=subprocess.PIPE)


@pytest.fixture(scope="module")
def usb_image():
    if not (REPO_ROOT / "build" / "hv.efi").is_file():
        pytest.fail("build/hv.efi is missing: build it with make", pytrace=False)
    mkimage(IMAGE)  # the default configuration: check mode, for a first boot
    return IMAGE


def esp_files(image):
    out = subprocess.run(["mdir", "-i", "%s@@%d" % (image, ESP_OFFSET), "-/", "-b", "::/"],
                         check=True, stdout=subprocess.PIPE, text=True,
                         env={"MTOOLS_SKIP_CHECK": "1", "PATH": "/usr/bin:/bin"}).stdout
    return {line.strip().lstrip(":").lstrip("/") for line in out.splitlines() if line.strip()}


def test_image_is_a_gpt_disk_with_an_esp(usb_image):
    table = subprocess.run(["sgdisk", "-p", str(usb_image)], check=True,
                           stdout=subprocess.PIPE, text=True).stdout
    rows = [line.split() for line in table.splitlines() if line.strip().startswith("1 ")]
    assert rows and rows[0][1] == "2048" and rows[0][5] == "EF00", table
    files = esp_files(usb_image)
    assert {"EFI/BOOT/BOOTX64.EFI", "EFI/BOOT/hv.cfg", "EFI/BOOT/guests/parent.elf",
            "EFI/BOOT/guests/child.elf"} <= files, files
    bootx64 = subprocess.run(["mtype", "-i", "%s@@%d" % (usb_image, ESP_OFFSET),
                              "::/EFI/BOOT/BOOTX64.EFI"], check=True, stdout=subprocess.PIPE,
                             env={"MTOOLS_SKIP_CHECK": "1", "PATH": "/usr/bin:/bin"}).stdout
    assert bootx64 == (REPO_ROOT / "build" / "hv.efi").read_bytes()


def test_image_boots_to_a_verdict(machine, usb_image):
    m = machine(disk=str(usb_image), timeout=120)
    assert m.wait_exit(timeout=120) == (0, "ok")
    assert one(m, "hv", "core started")["loader"] == "uefi"
    assert one(m, "config", "loaded")["mode"] == "check"
    assert one(m, "check", "")["verdict"] == "ok"


def test_image_with_a_run_configuration_starts_partitions(machine, tmp_path):
    # The guests come from the stick, named as the configuration names them.
    image = tmp_path / "run.img"
    mkimage(image, REPO_ROOT / "configs" / "qemu.cfg")
    m = machine(disk=str(image), timeout=180)
    m.wait_for(RUNNING, timeout=120)
    for name in ("parent", "child1", "child2"):
        m.wait_for(r"%s: heartbeat n=1\b" % name, timeout=30, since=0)


# ---- make iso: one image for BIOS and UEFI machines ----

def el_torito_platforms(iso):
    report = subprocess.run(["xorriso", "-indev", str(iso), "-report_el_torito", "plain"],
                            check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True).stdout
    return {line.split()[6] for line in report.splitlines()
            if line.startswith("El Torito boot img :")}


def test_iso_is_hybrid_and_boots_under_ovmf(machine, tmp_path):
    # grub-mkrescue adds GRUB's EFI build (grub-efi-amd64-bin) beside the BIOS one; OVMF
    # boots the ISO as a disk, GRUB EFI loads hv.elf by Multiboot2 after ExitBootServices.
    if not (REPO_ROOT / "build" / "hv.elf").is_file():
        pytest.fail("build/hv.elf is missing: build it with make", pytrace=False)
    iso = tmp_path / "hv.iso"
    subprocess.run([str(MKIMAGE), "iso", "--output", str(iso), "--config",
                    str(REPO_ROOT / "configs" / "hardware-example.cfg")],  # check mode
                   cwd=REPO_ROOT, check=True, stdout=subprocess.PIPE)
    assert el_torito_platforms(iso) == {"BIOS", "UEFI"}
    m = machine(disk=str(iso), timeout=120)
    assert m.wait_exit(timeout=120) == (0, "ok")
    assert one(m, "hv", "core started")["loader"] == "multiboot2"
    assert one(m, "config", "loaded")["mode"] == "check"
    assert one(m, "check", "")["verdict"] == "ok"
