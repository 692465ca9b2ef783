"""hvrun's command line: parsing, validation and defaults.

Everything the user can ask for is parsed and checked here, before any file is
written or any process started, so a typo fails in milliseconds with a message
that names the option, not half way through a boot. Usage errors exit with 6
(the launcher's "anything else" status): argparse's usual 2 would read as the
hypervisor's "unsupported" verdict.
"""
import argparse
import os
import re
from dataclasses import dataclass

from . import verdict

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
DEFAULT_CONFIG = "configs/qemu.cfg"
DEFAULT_EFI = "build/hv.efi"
DEFAULT_TIMEOUT = 300
MAX_NICS = 16

DESCRIPTION = """\
Boot the hypervisor (hv.efi) in QEMU (q35, TCG, VT-d, igb NICs) from a FAT ESP
image built in a work directory, and exit with the hypervisor's verdict."""

EPILOG = """\
exit status (the verdict the hypervisor wrote to isa-debug-exit, port 0xf4):
  0 ok (0x10)   2 unsupported (0x11)   3 config-error (0x12)   4 panic (0x13)
  5 no-verdict (QEMU exited 0: reset, triple fault, shutdown, quit)
  6 qemu-error (QEMU or the launcher failed, or an unknown value)
  124 timeout   130 interrupted (SIGINT/SIGTERM/SIGHUP)
The last line on stderr is: hvrun: verdict=NAME qemu_status=N

network backends (--net, --net-extra):
  user                      QEMU's slirp (10.0.2.0/24, answers 10.0.2.2)
  stream:PATH               connect to a unix stream socket (start the peer first)
  dgram:LOCALPATH:REMOTEPATH  unix datagram sockets, one frame per datagram
  none                      NIC on an empty hub: links up, frames go nowhere

environment: HVRUN_QEMU, HVRUN_OVMF_CODE, HVRUN_OVMF_VARS override the QEMU
binary and the OVMF images. See docs/launcher.md."""


class UsageError(Exception):
    """A command line the launcher refuses; the message names the option."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


@dataclass(frozen=True)
class NetBackend:
    kind: str          # user, stream, dgram, none
    paths: tuple = ()  # stream: (path,); dgram: (local, remote)


def _positive_int(text):
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("not an integer: %r" % text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1: %r" % text)
    return value


def _count(text):
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("not an integer: %r" % text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative: %r" % text)
    return value


def _mem_size(text):
    if not re.fullmatch(r"[1-9][0-9]*[KMGT]?", text):
        raise argparse.ArgumentTypeError("expected a size like 2G or 512M: %r" % text)
    return text


def _seconds(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number of seconds: %r" % text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative: %r" % text)
    return value


def parse_net(text):
    """Parse a --net/--net-extra backend description into a NetBackend."""
    kind, _, rest = text.partition(":")
    if kind in ("user", "none") and not rest:
        return NetBackend(kind)
    if kind == "stream" and rest:
        return NetBackend(kind, (os.path.abspath(rest),))
    if kind == "dgram":
        local, sep, remote = rest.partition(":")
        if sep and local and remote:
            return NetBackend(kind, (os.path.abspath(local), os.path.abspath(remote)))
    raise argparse.ArgumentTypeError(
        "expected user, none, stream:PATH or dgram:LOCALPATH:REMOTEPATH: %r" % text)


def _set_item(text):
    name, sep, _ = text.partition("=")
    if not sep or not name or name.endswith(".") or name.startswith("."):
        raise argparse.ArgumentTypeError("expected SECTION.KEY=VALUE: %r" % text)
    return text


def _esp_file(text):
    src, sep, dest = text.rpartition(":")
    if not sep:
        src, dest = text, os.path.basename(text)
    if not src or not dest:
        raise argparse.ArgumentTypeError("expected SRC[:DEST]: %r" % text)
    return (os.path.abspath(src), dest)


def _add_machine_options(p):
    g = p.add_argument_group("machine")
    g.add_argument("--smp", type=_positive_int, default=4, metavar="N",
                   help="number of vCPUs (default 4)")
    g.add_argument("--mem", type=_mem_size, default="2G", metavar="SIZE",
                   help="guest RAM, QEMU -m syntax (default 2G)")
    g.add_argument("--no-iommu", action="store_true",
                   help="omit -device intel-iommu (no VT-d, no DMAR table)")


def _add_esp_options(p):
    g = p.add_argument_group("ESP contents")
    g.add_argument("--efi", metavar="PATH",
                   help="the hypervisor image (default %s in the repository)" % DEFAULT_EFI)
    g.add_argument("--config", metavar="FILE",
                   help="configuration copied onto the ESP (default %s in the "
                        "repository); 'none' puts no configuration there" % DEFAULT_CONFIG)
    g.add_argument("--set", dest="sets", action="append", default=[], type=_set_item,
                   metavar="SECTION.KEY=VALUE",
                   help="rewrite the copied configuration: replace KEY's value in "
                        "[SECTION], or add the key (and the section); repeatable; "
                        "KEY=VALUE without a section means the lines before the "
                        "first section")
    g.add_argument("--vfs", type=_count, metavar="N",
                   help="same as --set sriov.vfs=N (VFs the parent enables); "
                        "applied after every --set")
    g.add_argument("--hv-args", metavar="ARGS",
                   help="boot through the UEFI shell so hv.efi gets ARGS as load "
                        "options: \\EFI\\hv\\hv.efi, \\EFI\\hv\\hv.cfg and a "
                        "\\startup.nsh running it (default: \\EFI\\BOOT\\BOOTX64.EFI "
                        "and \\EFI\\BOOT\\hv.cfg)")
    g.add_argument("--esp-file", dest="esp_files", action="append", default=[],
                   type=_esp_file, metavar="SRC[:DEST]",
                   help="copy an extra file (e.g. a guest image) onto the ESP; DEST "
                        "is relative to the configuration's directory, or to the "
                        "ESP's root when it starts with / (default: SRC's name); "
                        "repeatable; replaces a generated file of the same name")
    g.add_argument("--disk", metavar="IMAGE",
                   help="boot this disk image as it is (e.g. build/hv-usb.img from make "
                        "image) instead of building an ESP; QEMU writes to a temporary "
                        "overlay, never to IMAGE")


def _add_net_options(p):
    g = p.add_argument_group("network (igb NICs, each behind its own PCIe root port)")
    g.add_argument("--nics", type=_count, default=1, metavar="N",
                   help="number of igb NICs, 0 to %d (default 1)" % MAX_NICS)
    g.add_argument("--net", type=parse_net, default=NetBackend("user"), metavar="BACKEND",
                   help="backend of NIC 0: user (default), stream:PATH, "
                        "dgram:LOCALPATH:REMOTEPATH or none")
    g.add_argument("--net-extra", action="append", default=[], type=parse_net,
                   metavar="BACKEND",
                   help="backend of NIC 1, then NIC 2, ... (repeatable); NICs "
                        "without one use user")
    g.add_argument("--pcap", metavar="FILE",
                   help="record NIC 0's traffic to FILE (QEMU filter-dump)")


def _add_run_options(p):
    g = p.add_argument_group("running")
    g.add_argument("--console", action="store_true",
                   help="serial console and QEMU monitor on this terminal "
                        "(Ctrl-A x quits, Ctrl-A c switches to the monitor); "
                        "otherwise serial output goes to stdout")
    g.add_argument("--halt", action="store_true",
                   help="don't tell the hypervisor the isa-debug-exit port: it halts "
                        "at the end instead of exiting QEMU, which stays up (for QMP)")
    g.add_argument("--serial-log", metavar="FILE",
                   help="also copy the serial output to FILE")
    g.add_argument("--qmp", metavar="PATH",
                   help="QMP server on the unix socket PATH")
    g.add_argument("--trace", dest="traces", action="append", default=[],
                   metavar="PATTERN",
                   help="enable QEMU trace events matching PATTERN, e.g. 'vtd_*' "
                        "(repeatable; output to stderr unless --trace-log)")
    g.add_argument("--trace-log", metavar="FILE",
                   help="write QEMU's trace and -d log to FILE (QEMU -D)")
    g.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                   help="kill QEMU after SECONDS and exit 124 (default %d, none "
                        "with --console; 0 means none)" % DEFAULT_TIMEOUT)
    g.add_argument("--workdir", metavar="DIR",
                   help="build the ESP and the OVMF variables in DIR and keep them "
                        "(default: a temporary directory, removed at exit)")
    g.add_argument("--keep", action="store_true",
                   help="keep the temporary work directory (its path is printed "
                        "on stderr)")
    g.add_argument("--dry-run", action="store_true",
                   help="build the work directory, print the QEMU command line "
                        "on stdout and exit 0")


def build_parser():
    p = _Parser(prog="hvrun", description=DESCRIPTION, epilog=EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter,
                usage="%(prog)s [options] [-- QEMU-ARGS...]")
    _add_machine_options(p)
    _add_esp_options(p)
    _add_net_options(p)
    _add_run_options(p)
    p.add_argument("qemu_args", nargs="*", metavar="-- QEMU-ARGS",
                   help="extra QEMU arguments, appended verbatim after --")
    return p


def _repo_path(value, default):
    """User-given paths are relative to the cwd, defaults to the repository."""
    if value is None:
        return os.path.join(REPO_ROOT, default)
    return os.path.abspath(value)


def _check(opts):
    if opts.nics > MAX_NICS:
        raise UsageError("--nics: at most %d" % MAX_NICS)
    if len(opts.net_extra) > max(opts.nics - 1, 0):
        raise UsageError("--net-extra: more backends than NICs after NIC 0")
    if opts.pcap and opts.nics == 0:
        raise UsageError("--pcap needs a NIC (--nics is 0)")
    if opts.config is None and (opts.sets or opts.vfs is not None):
        raise UsageError("--set/--vfs need a configuration (--config is none)")
    if opts.qmp and "," in opts.qmp:
        raise UsageError("--qmp: QEMU cannot take a socket path with a comma")
    if opts.disk and (opts.sets or opts.vfs is not None or opts.hv_args is not None
                      or opts.esp_files):
        raise UsageError("--disk boots the image as it is: no --set, --vfs, --hv-args or "
                         "--esp-file")
    if opts.hv_args is not None and re.search(r"[\r\n]", opts.hv_args):
        raise UsageError("--hv-args: must be one line")


def _split_qemu_args(argv):
    """Everything after the first bare -- goes to QEMU untouched."""
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def parse(argv):
    """Parse and validate argv; raises UsageError."""
    own, qemu_args = _split_qemu_args(list(argv))
    opts = build_parser().parse_args(own)
    if opts.qemu_args:
        raise UsageError("unexpected arguments %s (QEMU arguments go after --)"
                         % " ".join(opts.qemu_args))
    opts.qemu_args = qemu_args
    opts.efi = _repo_path(opts.efi, DEFAULT_EFI)
    if opts.config == "none":
        opts.config = None
    else:
        opts.config = _repo_path(opts.config, DEFAULT_CONFIG)
    for name in ("serial_log", "qmp", "trace_log", "pcap", "workdir", "disk"):
        if getattr(opts, name):
            setattr(opts, name, os.path.abspath(getattr(opts, name)))
    if opts.timeout is None:
        opts.timeout = 0 if opts.console else DEFAULT_TIMEOUT
    _check(opts)
    return opts


USAGE_STATUS = verdict.QEMU_ERROR.status
