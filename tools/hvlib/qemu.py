"""The QEMU command line for one run.

The machine: q35 under TCG with -cpu max (AMD SVM with NPT; TCG has no VMX),
OVMF from pflash with a private copy of the variable store per run (parallel
runs must not share a writable flash file), the ESP on the ICH9 AHCI port 0,
VT-d with interrupt remapping, igb NICs each behind its own PCIe root port (SR-IOV
VFs need ARI, which needs a port of their own), and isa-debug-exit for the
hypervisor's verdict. Facts checked against QEMU 10.0.2 are in
/work/shared/PLATFORM.md and docs/launcher.md.
"""
import os
import shlex
from dataclasses import dataclass

from .options import NetBackend

QEMU = os.environ.get("HVRUN_QEMU", "qemu-system-x86_64")
OVMF_CODE = os.environ.get("HVRUN_OVMF_CODE", "/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = os.environ.get("HVRUN_OVMF_VARS", "/usr/share/OVMF/OVMF_VARS_4M.fd")

DEBUG_EXIT_PORT = 0xf4
SERIAL_ID = "ser0"


@dataclass(frozen=True)
class Paths:
    """Files of this run's work directory."""
    esp: str
    vars: str
    snapshot: bool = False  # --disk: the user's image, written to an overlay only


def opt(value):
    """Quote a value for QEMU's key=value option syntax (',' doubles)."""
    return str(value).replace(",", ",,")


def _machine(o):
    return ["-machine", "q35", "-accel", "tcg", "-cpu", "max",
            "-smp", str(o.smp), "-m", o.mem,
            "-nodefaults", "-vga", "none", "-display", "none", "-no-reboot"]


def _firmware(paths):
    return ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + opt(OVMF_CODE),
            "-drive", "if=pflash,format=raw,unit=1,file=" + opt(paths.vars)]


def _iommu(o):
    # Must be the first -device: QEMU wants the IOMMU to exist before the
    # PCI devices whose DMA it translates are realized.
    return [] if o.no_iommu else ["-device", "intel-iommu,intremap=on"]


def _esp(paths):
    drive = "if=none,id=esp,format=raw,file=" + opt(paths.esp)
    if paths.snapshot:
        drive += ",snapshot=on"
    return ["-drive", drive, "-device", "ide-hd,drive=esp,bus=ide.0"]


def netdev(backend, i):
    """-netdev for NIC i; 'none' is a hub of its own, so a pcap still works."""
    nid = "n%d" % i
    if backend.kind == "user":
        return "user,id=" + nid
    if backend.kind == "stream":
        return ("stream,id=%s,addr.type=unix,addr.path=%s,server=off"
                % (nid, opt(backend.paths[0])))
    if backend.kind == "dgram":
        return ("dgram,id=%s,local.type=unix,local.path=%s,"
                "remote.type=unix,remote.path=%s"
                % (nid, opt(backend.paths[0]), opt(backend.paths[1])))
    return "hubport,id=%s,hubid=%d" % (nid, i)


def mac(i):
    return "52:54:00:12:34:%02x" % (0x56 + i)


def _backend_of(o, i):
    if i == 0:
        return o.net
    if i - 1 < len(o.net_extra):
        return o.net_extra[i - 1]
    return NetBackend("user")


def _nics(o):
    args = []
    for i in range(o.nics):
        args += ["-device", "pcie-root-port,id=rp%d,chassis=%d,slot=%d" % (i, i + 1, i + 1),
                 "-netdev", netdev(_backend_of(o, i), i),
                 "-device", "igb,bus=rp%d,netdev=n%d,mac=%s" % (i, i, mac(i))]
    return args


# The hypervisor learns the exit port from the machine, through QEMU's
# firmware configuration device, before it has read (or refused) its
# configuration: so even a refused configuration ends with a verdict.
FW_CFG_EXIT_PORT = "opt/hv/debug_exit_port"


def _debug_exit(o):
    args = ["-device", "isa-debug-exit,iobase=0x%x,iosize=0x04" % DEBUG_EXIT_PORT]
    if not o.halt:
        args += ["-fw_cfg", "name=%s,string=0x%x" % (FW_CFG_EXIT_PORT, DEBUG_EXIT_PORT)]
    return args


def _serial(o):
    chardev = "stdio,id=%s,signal=off" % SERIAL_ID
    if o.console:
        chardev += ",mux=on"
    if o.serial_log:
        chardev += ",logfile=%s,logappend=off" % opt(o.serial_log)
    args = ["-chardev", chardev, "-serial", "chardev:" + SERIAL_ID]
    if o.console:
        args += ["-mon", "chardev=%s,mode=readline" % SERIAL_ID]
    return args


def _observe(o):
    args = []
    if o.qmp:
        args += ["-qmp", "unix:%s,server=on,wait=off" % o.qmp]
    for pattern in o.traces:
        args += ["-trace", "enable=" + opt(pattern)]
    if o.trace_log:
        args += ["-D", o.trace_log]
    if o.pcap:
        args += ["-object", "filter-dump,id=pcap0,netdev=n0,file=" + opt(o.pcap)]
    return args


def command(o, paths):
    """The full argv for QEMU; o is the parsed options (hvlib.options)."""
    return ([QEMU] + _machine(o) + _firmware(paths) + _iommu(o) + _esp(paths)
            + _nics(o) + _debug_exit(o) + _serial(o) + _observe(o) + o.qemu_args)


def printable(argv):
    return shlex.join(argv)
