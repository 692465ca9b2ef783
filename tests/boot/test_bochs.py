"""The Multiboot2 path in Bochs: build/hv.elf booted by GRUB from an ISO on a
machine with VMX and EPT (Bochs's corei7_skylake_x), no PCIe and no IOMMU,
through tools/bochs-run (configs/bochs.cfg: a parent and a child joined by a
channel, in the unsafe no-IOMMU test mode).

Evidence from outside the guests: the hypervisor's own log (loader, backend,
containment), the partitions' console lines (each one a hypercall), the
child reading what the parent wrote into their channel, the parent's
heartbeat going on after the child is stopped, and the verdict Bochs's run
ends with (its shutdown port, tools/bochs-run's exit status).
"""
import re

import pytest

from harness import REPO_ROOT, Machine, hvrun_args
from inventory import RUNNING, one, records

BOCHS_RUN = REPO_ROOT / "tools" / "bochs-run"
HV_ELF = REPO_ROOT / "build" / "hv.elf"
_SUMMARY = re.compile(r"^bochs-run: verdict=(\S+) bochs_status=(-?\d+)$")
# Bochs runs about 2-4x slower than TCG here: BIOS, GRUB and the core take ~15 s.
BOOT = 180


class BochsMachine(Machine):
    """A Machine (harness.py) started through tools/bochs-run instead of hvrun."""

    def __init__(self, opts, logdir):
        super().__init__(opts, logdir)
        self.argv = [str(BOCHS_RUN), "--serial-log", str(self.serial_log)] + hvrun_args(opts)

    def _summary(self):
        for line in reversed(self.stderr()):
            m = _SUMMARY.match(line)
            if m:
                return m.group(1), int(m.group(2))
        return None, None

    def qmp(self, *args, **kwargs):
        raise NotImplementedError("Bochs has no QMP")


@pytest.fixture
def bochs(request, tmp_path):
    if not HV_ELF.is_file():
        pytest.fail("%s is missing: build it with make" % HV_ELF, pytrace=False)
    started = []

    def start(**opts):
        m = BochsMachine(opts, tmp_path / ("bochs%d" % len(started)))
        started.append(m)
        return m.start()

    yield start
    for i, m in enumerate(started):
        m.close()
        failed = any(getattr(getattr(request.node, "rep_" + w, None), "failed", False)
                     for w in ("setup", "call"))
        if failed:
            request.node.add_report_section("teardown", "bochs%d" % i, m.tail())


def beats(m, name):
    return [int(r.fields["n"]) for r in m.lines(name) if r.message == "heartbeat"]


def test_partitions_run_under_vmx_in_bochs(bochs):
    m = bochs()
    m.wait_for(RUNNING, timeout=BOOT)
    # GRUB handed over through the Multiboot2 entry, with both images as modules.
    boot = one(m, "mb2", "boot info")
    assert boot["loader"].startswith("GRUB") and boot["modules"] == "3"
    assert one(m, "hv", "core started")["loader"] == "multiboot2"
    assert one(m, "vmm", "")["backend"] == "vmx"
    # No MCFG, no DMAR: PCI through the legacy ports, running only in the test mode.
    assert one(m, "inv", "dmar")["present"] == "no"
    assert int(one(m, "inv", "pci")["functions"]) > 0
    assert one(m, "check", "")["unsafe"] == "yes"
    # Consoles are hypercalls; the channel is memory both partitions map.
    m.wait_for(r'child1: channel name=c1 peer=parent text="greetings from parent over c1"',
               timeout=60, since=0)
    m.wait_for(r"child1: expect=summary failures=0", timeout=60, since=0)
    m.wait_for(r"parent: heartbeat n=2\b", timeout=60, since=0)
    m.wait_for(r"child1: heartbeat n=2\b", timeout=60, since=0)
    # The parent's shell reads COM1 and lists the partitions by hypercall.
    m.send("partitions\r")
    m.wait_for(r"parent: partition name=child1 state=running", timeout=30)
    assert {r.cpu for r in m.lines("parent")} == {0}
    assert {r.cpu for r in m.lines("child1")} == {1}
    assert not [line for line in m.serial() if "exception vector=" in line or "expect=fail" in line]


def test_child_out_of_bounds_is_stopped_and_parent_goes_on(bochs):
    # 16 MiB is the first byte past child1's memory (memory_mb = 16).
    m = bochs(set={"partition child1.cmdline": "hostile=oob access=both addrs=0x1000000"})
    m.wait_for(RUNNING, timeout=BOOT)
    m.wait_for(r"vmm: partition stopped name=child1 reason=[ne]pt-violation", timeout=60)
    stop = [r.fields for r in records(m, "vmm", "partition stopped")][0]
    assert int(stop["gpa"], 16) == 0x1000000
    m.wait_for(r"vmm: canary state=intact where=containment", since=0)
    m.wait_for(r"parent: event partition=child1 state=faulted", timeout=60, since=0)
    n = max(beats(m, "parent") or [0])
    m.wait_for(r"parent: heartbeat n=%d\b" % (n + 2), timeout=60, since=0)
    assert not [line for line in m.serial() if "canary state=corrupted" in line]


def test_device_owners_refused_without_iommu(bochs):
    # The unsafe no-IOMMU mode admits only partitions that own no device.
    m = bochs(set={"partition parent.devices": "00:01.0"})
    assert m.wait_exit(timeout=BOOT) == (3, "config-error")
    refused = [r.fields for r in records(m, "config") if r.message == "refused"]
    assert refused and refused[0]["field"] == "partition parent.devices"
    assert "unsafe_no_iommu" in refused[0]["reason"]
    assert not records(m, "vmm", "partition started")


def test_check_mode_verdict_ends_the_simulation(bochs):
    m = bochs(set={"hypervisor.mode": "check"})
    assert m.wait_exit(timeout=BOOT) == (0, "ok")
    assert "the core halted" not in "\n".join(m.stderr())  # Bochs ended by itself
    assert one(m, "check", "")["verdict"] == "ok"


def test_load_options_from_grub_and_a_refusal_before_the_exit_port(bochs):
    # GRUB's multiboot2 line carries the load options. This one is refused
    # before the core has read debug_exit_port: the core halts after its
    # verdict and bochs-run stops Bochs.
    m = bochs(hv_args="hypervisor.mode=sideways")
    assert m.wait_exit(timeout=BOOT) == (3, "config-error")
    assert one(m, "hv", "core started")["cmdline"] == "hypervisor.mode=sideways"
    refused = [r.fields for r in records(m, "config") if r.message == "refused"]
    assert refused and refused[0]["field"] == "hypervisor.mode"
    assert "bochs-run: the core halted after its verdict; Bochs stopped" in m.stderr()
