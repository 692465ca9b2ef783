"""tools/mkimage: bootable media for the hypervisor, outside any emulator.

  mkimage iso --output build/hv.iso [--config FILE] [--set S.K=V]... [--hv-args ARGS]
  mkimage usb --output build/hv-usb.img [--config FILE] [--set S.K=V]...

iso: GRUB (BIOS) booting hv.elf by Multiboot2, for Bochs and BIOS machines
(hvlib.iso). usb: a GPT disk whose EFI system partition boots hv.efi, for UEFI
machines (hvlib.usb). Both carry the configuration (with --set edits, as
hvrun makes them) and every guest built in build/guests. `make iso` and
`make image` call this; tools/bochs-run builds its ISOs with the same code.
"""
import argparse
import os
import sys
import tempfile

from . import config, iso, usb
from .options import REPO_ROOT


class MediaError(Exception):
    """The medium can't be built; the message says what is missing."""


def config_bytes(path, sets):
    """The configuration as it goes onto the medium, --set edits applied; None for none."""
    if path is None:
        return None
    if not os.path.isfile(path):
        raise MediaError("no configuration at %s" % path)
    try:
        return config.encode(config.apply_sets(config.read_text(path), list(sets)))
    except config.ConfigError as e:
        raise MediaError(str(e))


def repo_path(value, default):
    return os.path.abspath(value) if value else os.path.join(REPO_ROOT, default)


def module_arg(text):
    """SRC[:NAME] -> iso.Module; NAME defaults to guests/ + SRC's file name."""
    src, sep, name = text.rpartition(":")
    if not sep:
        src, name = text, "guests/" + os.path.basename(text)
    if not src or not name:
        raise argparse.ArgumentTypeError("expected SRC[:NAME]: %r" % text)
    return iso.Module(name, source=os.path.abspath(src))


def build_iso(output, elf, config_data, hv_args, extra_modules):
    modules = iso.modules_for(config_data,
                              iso.guest_modules(os.path.dirname(elf)) + list(extra_modules))
    with tempfile.TemporaryDirectory(prefix="mkimage-") as scratch:
        iso.build(output, elf, hv_args, modules, scratch)


def build_usb(output, efi, config_data):
    if not os.path.isfile(efi):
        raise MediaError("no hypervisor image at %s (run make)" % efi)
    guests = [(m.source, m.name) for m in iso.guest_modules(os.path.dirname(efi))]
    with tempfile.TemporaryDirectory(prefix="mkimage-") as scratch:
        usb.build(output, usb.layout(efi, config_data, guests), scratch)


def _parser():
    p = argparse.ArgumentParser(prog="mkimage", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="kind", required=True)
    for kind, default_config in (("iso", "configs/bochs.cfg"),
                                 ("usb", "configs/hardware-example.cfg")):
        s = sub.add_parser(kind)
        s.add_argument("--output", required=True, metavar="PATH")
        s.add_argument("--config", metavar="FILE",
                       help="configuration to put on it (default %s)" % default_config)
        s.add_argument("--set", dest="sets", action="append", default=[],
                       metavar="SECTION.KEY=VALUE", help="edit the copy, as hvrun --set")
        s.set_defaults(default_config=default_config)
    sub.choices["iso"].add_argument("--elf", metavar="PATH",
                                    help="hypervisor image (default build/hv.elf)")
    sub.choices["iso"].add_argument("--hv-args", metavar="ARGS",
                                    help="load options on GRUB's multiboot2 line")
    sub.choices["iso"].add_argument("--module", dest="modules", action="append", default=[],
                                    type=module_arg, metavar="SRC[:NAME]",
                                    help="extra module (default NAME guests/FILE)")
    sub.choices["usb"].add_argument("--efi", metavar="PATH",
                                    help="hypervisor image (default build/hv.efi)")
    return p


def main(argv):
    opts = _parser().parse_args(argv)
    output = os.path.abspath(opts.output)
    try:
        data = config_bytes(repo_path(opts.config, opts.default_config), opts.sets)
        if opts.kind == "iso":
            build_iso(output, repo_path(opts.elf, "build/hv.elf"), data, opts.hv_args,
                      opts.modules)
        else:
            build_usb(output, repo_path(opts.efi, "build/hv.efi"), data)
    except (MediaError, iso.IsoError, usb.UsbError, OSError) as e:
        print("mkimage: error: %s" % e, file=sys.stderr)
        return 1
    print("mkimage: wrote %s (%d KiB)" % (output, os.path.getsize(output) >> 10))
    return 0
