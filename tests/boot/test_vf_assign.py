"""SR-IOV VFs learned by the hypervisor, assigned to children and revoked,
checked against QEMU's own view: query-pci for the VFs and their BARs, the
VF's real MSI-X table read through QEMU's monitor, NPT faults for a child
that touches what it no longer (or never) owned."""
import re

from inventory import RUNNING, records

BOOT = 120
PF = "01:00.0"
VF0, VF1 = "01:10.0", "01:10.2"


def shell(m, command, expect, timeout=30):
    m.send(command + "\r")
    return m.wait_for(expect, timeout=timeout)


def boot(machine, **opts):
    # These tests enable the VFs themselves (`dev sriov`): none at boot.
    opts.setdefault("set", {})["sriov.vfs"] = 0
    m = machine(**opts)
    m.wait_for(RUNNING, timeout=BOOT)
    for name in ("parent", "child1", "child2"):
        m.wait_for(r"%s: heartbeat n=1\b" % name, timeout=30, since=0)
    return m


def enable_vfs(m, count=2):
    shell(m, "dev sriov %s %d" % (PF, count), r"parent: ok$")
    return [r.fields for r in records(m, "vmm", "vf learned")]


def qemu_functions(m):
    """{(bus, slot, fn): device dict} from QMP query-pci, bridges followed."""
    out = {}

    def walk(devices):
        for d in devices:
            out[(d["bus"], d["slot"], d["function"])] = d
            walk(d.get("pci_bridge", {}).get("devices", []))
    for bus in m.qmp("query-pci"):
        walk(bus["devices"])
    return out


def bar0_of(qemu_dev):
    return [r for r in qemu_dev["regions"] if r["bar"] == 0][0]["address"]


def decoded(m, region):
    """Address ranges of the named region in QEMU's flat memory view."""
    mtree = m.qmp("human-monitor-command", **{"command-line": "info mtree -f"})
    return [line.split()[0] for line in mtree.splitlines() if line.rstrip().endswith(region)]


def beats_on(m, name):
    last = [int(x) for x in re.findall(r"%s: heartbeat n=(\d+)" % name, "\n".join(m.serial()))]
    m.wait_for(r"%s: heartbeat n=%d\b" % (name, last[-1] + 1), timeout=30, since=0)


def test_vfs_assigned_revoked_and_moved_as_qemu_sees_them(machine):
    m = boot(machine, set={"partition child1.cmdline": "vf-touch-revoked=yes"})
    learned = enable_vfs(m)
    # The hypervisor read the VFs' routing IDs itself: QEMU has VFs there
    # (a VF's IDs read 0xffff, as the spec has it; QEMU 10 lists all 8).
    fns = qemu_functions(m)
    assert [v["bdf"] for v in learned] == ["0000:01:10.0", "0000:01:10.2"]
    for v in learned:
        bus, dev, fn = (int(x, 16) for x in re.split(r"[:.]", v["bdf"])[1:])
        assert fns[(bus, dev, fn)]["id"]["vendor"] == 0xffff
        assert bar0_of(fns[(bus, dev, fn)]) == -1  # not decoding until assigned

    shell(m, "dev assign %s child1" % VF0, r"parent: ok$")
    ready = m.wait_for(r"child1: vf ready bdf=01:10.0 vendor=8086 device=10ca bar0=(0x[0-9a-f]+)")
    # The BAR the child was shown is where QEMU decodes the VF's registers now
    # (its memory map; query-pci truncates a VF's 64-bit BARs), and where the
    # hypervisor computed it from the PF's capability.
    bar0 = int(ready.group(1), 16)
    assert bar0 == int(learned[0]["bar0"].split("+")[0], 16)
    assert ("%016x-%016x" % (bar0, bar0 + 0x3fff)) in decoded(m, "igbvf-mmio")
    vf = qemu_functions(m)[(1, 0x10, 0)]
    assert bar0_of(vf) == bar0 & 0xffffffff
    # MSI-X entry 0 (own CPU) got an IRTE; entry 1 (a foreign CPU) was refused.
    m.wait_for(r"iommu: msi remapped bdf=0000:01:10.0 source=msix message=0 index=\d+ dest=1 vector=0x50",
               since=0)
    m.wait_for(r"vmm: msix entry refused partition=child1 bdf=0000:01:10.0 entry=1 "
               r"reason=foreign-cpu", since=0)
    m.wait_for(r"child1: vf msix entry=1 dest=0 vector=0x50 readback_addr=0xfee00000", since=0)
    # QEMU's view of the VF's real table: entry 0 holds a remappable-format
    # address (bit 4), not the child's; entry 1 stays masked.
    # The VF's table is the 3-entry one (48 bytes) in QEMU's memory map.
    tables = [r.split("-") for r in decoded(m, "msix-table")]
    table = [int(a, 16) for a, b in tables if int(b, 16) - int(a, 16) == 0x2f][0]
    dump = m.qmp("human-monitor-command", **{"command-line": "xp /8wx 0x%x" % table})
    words = [int(w, 16) for w in re.findall(r"0x([0-9a-f]{8})\b", dump.split(":", 1)[1])]
    assert words[0] & 0xfff00010 == 0xfee00010 and words[3] & 1 == 0
    assert words[7] & 1 == 1

    # Revocation: the child releases, its BAR mapping is gone (its read faults),
    # the device is reset and back with the parent.
    shell(m, "dev revoke %s" % VF0, r"parent: ok$")
    m.wait_for(r"child1: vf revoking bdf=01:10.0 release=0", since=0)
    m.wait_for(r"vmm: partition stopped name=child1 reason=npt-violation .*gpa=0x%x" % (bar0 + 8))
    shell(m, "dev list", r"parent: dev bdf=01:10.0 .*state=held owner=parent")
    # Moved to child2: it sees the VF and programs it afresh.
    shell(m, "dev assign %s child2" % VF0, r"parent: ok$")
    m.wait_for(r"child2: vf ready bdf=01:10.0 vendor=8086 device=10ca")
    m.wait_for(r"iommu: msi remapped bdf=0000:01:10.0 source=msix message=0 index=\d+ dest=2")
    shell(m, "dev list", r"parent: dev bdf=01:10.0 .*state=assigned owner=child2")
    beats_on(m, "parent")
    beats_on(m, "child2")


def test_uncooperative_child_loses_its_vf_at_the_deadline(machine):
    m = boot(machine, set={"partition child1.cmdline": "vf=keep"})
    enable_vfs(m)
    shell(m, "dev assign %s child1" % VF1, r"parent: ok$")
    m.wait_for(r"child1: vf ready bdf=01:10.2")
    shell(m, "dev revoke %s" % VF1, r"parent: ok$", timeout=30)
    m.wait_for(r"child1: vf revoking bdf=01:10.2 release=no", since=0)
    m.wait_for(r"vmm: vf revoke forced bdf=0000:01:10.2 partition=child1", since=0)
    shell(m, "dev list", r"parent: dev bdf=01:10.2 .*state=held owner=parent")
    beats_on(m, "child1")  # the uncooperative child itself keeps running


def foreign_bars(machine):
    """BAR0 of the PF and of VF1 on this configuration (the same every boot)."""
    first = boot(machine)
    pf_bar0 = [r.fields["base"] for r in records(first, "vmm", "device bar mapped")
               if r.fields["bdf"] == "0000:01:00.0" and r.fields["bar"] == "0"][0]
    vf1 = [v for v in enable_vfs(first) if v["bdf"] == "0000:01:10.2"][0]
    first.kill()
    return {"pf": pf_bar0, "vf1": vf1["bar0"].split("+")[0]}


def test_child_touching_registers_it_does_not_own_is_stopped(machine):
    # child1 holds VF0; it reads the PF's registers in one boot and VF1's
    # (a VF it was never given) in another. Each read is stopped by the NPT.
    for target, gpa in foreign_bars(machine).items():
        m = boot(machine, set={"partition child1.cmdline": "vf-touch=%s" % gpa})
        enable_vfs(m)
        shell(m, "dev assign %s child1" % VF0, r"parent: ok$")
        m.wait_for(r"vmm: partition stopped name=child1 reason=npt-violation .*gpa=%s" % gpa)
        m.wait_for(r"parent: event partition=child1 state=faulted reason=npt-violation")
        beats_on(m, "parent")
        beats_on(m, "child2")
        # VF1 itself is untouched: still with the parent, and assignable.
        if target == "vf1":
            shell(m, "dev assign %s child2" % VF1, r"parent: ok$")
            m.wait_for(r"child2: vf ready bdf=01:10.2")
        m.kill()


def test_vf_enable_and_assignment_refusals(machine):
    m = boot(machine)
    # VFs can't be assigned before they exist, nor to the parent, nor twice.
    shell(m, "dev assign %s child1" % VF0, r"parent: error ENODEV")
    enable_vfs(m)
    shell(m, "dev assign %s parent" % VF0, r"parent: error EINVAL")
    shell(m, "dev assign %s child1" % VF0, r"parent: ok$")
    shell(m, "dev assign %s child2" % VF0, r"parent: error EBUSY")
    # VFs can't be turned off under an assigned one; the PF itself isn't a VF.
    shell(m, "dev sriov %s 0" % PF, r"parent: error EBUSY")
    m.wait_for(r"vmm: sriov write refused .*reason=vf-assigned-to-a-child", since=0)
    shell(m, "dev assign %s child2" % PF, r"parent: error ENODEV")
    shell(m, "dev revoke %s" % VF1, r"parent: error EINVAL")
