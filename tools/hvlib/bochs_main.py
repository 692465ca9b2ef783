"""tools/bochs-run: boot the hypervisor in Bochs and exit with its verdict.

Options -> work directory (ISO, bochsrc, debugger commands, Bochs's log and
terminal output) -> Bochs -> verdict, with the same exit statuses as hvrun
(hvlib.verdict) and a last stderr line "bochs-run: verdict=NAME bochs_status=N".
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

from . import bochs, iso, mkimage, runner, verdict

DEFAULT_CONFIG = "configs/bochs.cfg"
DEFAULT_ELF = "build/hv.elf"
DEFAULT_CPU = "corei7_skylake_x"  # VMX with EPT, unrestricted guest, x2APIC
DEFAULT_TIMEOUT = 600
# Emulated time is instructions / ips: at 25M an emulated second costs a
# quarter of what it does at 100M, and the boot reaches partitions in ~8 s.
DEFAULT_IPS = 25000000

EPILOG = """\
exit status: 0 ok, 2 unsupported, 3 config-error, 4 panic, 5 no-verdict (Bochs
ended without one: triple fault, Bochs panic), 6 launcher or Bochs error,
124 timeout, 130 interrupted. The verdict is the core's log line
"hv: finished verdict=NAME"; see docs/launcher.md."""


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _err(message):
    print("bochs-run: " + message, file=sys.stderr, flush=True)


def _positive(text):
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("not an integer: %r" % text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1: %r" % text)
    return value


def build_parser():
    p = _Parser(prog="bochs-run", epilog=EPILOG,
                description="Boot the hypervisor (hv.elf, GRUB Multiboot2 ISO) in Bochs.",
                formatter_class=argparse.RawDescriptionHelpFormatter)
    m = p.add_argument_group("machine")
    m.add_argument("--cpu", default=DEFAULT_CPU, metavar="MODEL",
                   help="Bochs CPU model (default %s; `bochs --help cpu` lists them)"
                   % DEFAULT_CPU)
    m.add_argument("--cpus", type=_positive, default=2, metavar="N", help="CPUs (default 2)")
    m.add_argument("--mem", type=_positive, default=512, metavar="MIB",
                   help="RAM in MiB (default 512)")
    m.add_argument("--ips", type=_positive, default=DEFAULT_IPS, metavar="N",
                   help="instructions per emulated second: the TSC and APIC timer rate "
                        "(default %d; the guests' timers and the BIOS's waits cost fewer "
                        "host cycles at lower rates)" % DEFAULT_IPS)
    i = p.add_argument_group("the ISO")
    i.add_argument("--iso", metavar="PATH", help="boot this ISO as it is (e.g. build/hv.iso)")
    i.add_argument("--elf", metavar="PATH", help="hypervisor image (default %s)" % DEFAULT_ELF)
    i.add_argument("--config", metavar="FILE",
                   help="configuration (default %s); 'none' for none" % DEFAULT_CONFIG)
    i.add_argument("--set", dest="sets", action="append", default=[],
                   metavar="SECTION.KEY=VALUE", help="edit the copy, as hvrun --set")
    i.add_argument("--hv-args", metavar="ARGS", help="load options (GRUB's multiboot2 line)")
    i.add_argument("--module", dest="modules", action="append", default=[],
                   type=mkimage.module_arg, metavar="SRC[:NAME]",
                   help="extra module (default NAME guests/FILE); repeatable")
    r = p.add_argument_group("running")
    r.add_argument("--serial-log", metavar="FILE", help="also copy COM1's output to FILE")
    r.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="stop Bochs after SECONDS and exit 124 (default %d; 0 = none)"
                   % DEFAULT_TIMEOUT)
    r.add_argument("--workdir", metavar="DIR", help="work in DIR and keep it")
    r.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    r.add_argument("--dry-run", action="store_true",
                   help="build the work directory, print the Bochs command line, exit 0")
    return p


def parse(argv):
    opts = build_parser().parse_args(argv)
    if opts.iso and (opts.elf or opts.config or opts.sets or opts.hv_args or opts.modules):
        raise UsageError("--iso boots the ISO as it is: no --elf, --config, --set, "
                         "--hv-args or --module")
    if opts.config == "none" and opts.sets:
        raise UsageError("--set needs a configuration")
    return opts


def _iso(opts, work):
    if opts.iso:
        path = os.path.abspath(opts.iso)
        if not os.path.isfile(path):
            raise mkimage.MediaError("no ISO at %s (make iso)" % path)
        return path
    config = None if opts.config == "none" else mkimage.repo_path(opts.config, DEFAULT_CONFIG)
    path = os.path.join(work, "hv.iso")
    mkimage.build_iso(path, mkimage.repo_path(opts.elf, DEFAULT_ELF),
                      mkimage.config_bytes(config, opts.sets), opts.hv_args, opts.modules)
    return path


def _argv_for(opts, work, iso_path):
    """A function of COM1's device (or file) that writes the machine files, returns argv."""
    def make(serial_dev, serial_mode="term"):
        rc = os.path.join(work, "bochsrc")
        commands = os.path.join(work, "debugger.rc")
        with open(rc, "w") as f:
            f.write(bochs.bochsrc(iso_path, serial_dev, os.path.join(work, "bochs.log"),
                                  opts.cpu, opts.cpus, opts.mem, opts.ips, serial_mode))
        with open(commands, "w") as f:
            f.write(bochs.DEBUGGER_COMMANDS)
        return [bochs.BOCHS, "-q", "-f", rc, "-rc", commands]
    return make


def _launch(opts, work):
    make_argv = _argv_for(opts, work, _iso(opts, work))
    if opts.dry_run:
        # COM1 to a file, so the printed line runs as it is (the pty exists only in a run).
        print(" ".join(make_argv(os.path.join(work, "serial.out"), "file")), flush=True)
        return None
    serial_log = os.path.abspath(opts.serial_log) if opts.serial_log else None
    started = time.monotonic()
    result = bochs.run(make_argv, work, opts.timeout, serial_log,
                       os.path.join(work, "bochs.out"), runner._Output(), _err)
    _err("bochs ran for %.1f s" % (time.monotonic() - started))
    return result


def _workdir(opts):
    if opts.workdir:
        os.makedirs(opts.workdir, exist_ok=True)
        return os.path.abspath(opts.workdir), False
    return tempfile.mkdtemp(prefix="bochs-run-"), not opts.keep


def _run(argv):
    try:
        opts = parse(argv)
    except UsageError as e:
        _err("error: %s (see bochs-run --help)" % e)
        return bochs.BOCHS_ERROR, -1
    work, remove = _workdir(opts)
    try:
        return _launch(opts, work)
    except (mkimage.MediaError, iso.IsoError, bochs.BochsError, OSError) as e:
        _err("error: %s" % e)
        return bochs.BOCHS_ERROR, -1
    except runner.Interrupted:
        return verdict.INTERRUPTED, -1
    finally:
        if remove:
            shutil.rmtree(work, ignore_errors=True)
        elif not opts.workdir:
            _err("work directory kept: " + work)


def main(argv):
    runner.install_signal_handlers()
    result = _run(argv)
    if result is None:
        return 0
    v, status = result
    print("bochs-run: verdict=%s bochs_status=%d" % (v.name, status), file=sys.stderr,
          flush=True)
    return v.status
