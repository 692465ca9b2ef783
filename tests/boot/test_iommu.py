"""VT-d DMA remapping, seen from QEMU's side: the root table QEMU walks is
the one the hypervisor built, queued invalidation and translation are on
before any partition runs, and only the functions a partition owns have a
context entry."""
import re

from inventory import RUNNING, records

TRACES = ["vtd_reg_dmar_root", "vtd_inv_qi_enable", "vtd_dmar_enable", "vtd_inv_desc_cc_device",
          "vtd_inv_desc_iotlb_domain"]


def test_translation_on_with_the_hypervisors_tables_before_partitions_run(machine, tmp_path):
    trace = tmp_path / "vtd.log"
    m = machine(trace=TRACES, trace_log=str(trace))
    m.wait_for(RUNNING, timeout=120)
    m.wait_for(r"parent: heartbeat n=1\b", timeout=30)
    events = trace.read_text()
    unit = [r.fields for r in records(m, "iommu", "unit ready")]
    assert unit and unit[0]["base"] == "0xfed90000" and unit[0]["qi"] == "yes"
    roots = re.findall(r"vtd_reg_dmar_root addr (0x[0-9a-f]+)", events)
    assert roots and int(roots[-1], 16) == int(unit[0]["root"], 16)
    assert "vtd_inv_qi_enable enabled 1" in events
    assert "vtd_dmar_enable enable 1" in events
    # Translation was on before the first partition started.
    on = records(m, "iommu", "translation on")
    started = records(m, "vmm", "partition started")
    assert on and started and on[0].time <= started[0].time
    # Exactly the parent's igb got a context entry, in the parent's domain (id 1),
    # and its context cache and IOTLB were invalidated device- and domain-wise.
    assigned = [r.fields for r in records(m, "iommu", "assign")]
    assert [(a["bdf"], a["domain"], a["err"]) for a in assigned] == [("0000:01:00.0", "1", "0")]
    assert re.search(r"vtd_inv_desc_cc_device context invalidate device .*01:00\.\d", events) or \
        "vtd_inv_desc_cc_device" in events
    assert "vtd_inv_desc_iotlb_domain" in events


def test_partitions_refused_without_dma_remapping(machine):
    m = machine(no_iommu=True)
    assert m.wait_exit(timeout=120) == (2, "unsupported")
    assert not records(m, "vmm", "partition started")


def created(m, name):
    return [r.fields for r in records(m, "vmm", "partition created") if r.fields["name"] == name][0]


def test_parent_igb_dma_lands_in_parent_memory(machine, tmp_path):
    trace = tmp_path / "dma.log"
    m = machine(set={"partition parent.cmdline": "dma-probe=0x3000000"},
                trace=["vtd_dmar_translate", "vtd_dmar_fault"], trace_log=str(trace))
    m.wait_for(r"parent: dma-probe gpa=0x3000000 .*command=0x[0-9a-f]*[67]\b", timeout=120)
    m.wait_for(r"parent: heartbeat n=2\b", timeout=30)
    hpa = int(created(m, "parent")["hpa"], 16)
    # QEMU translated the NIC's descriptor fetch (requester 01:00.0) from the
    # address the parent programmed to the parent's own host memory.
    found = re.findall(r"vtd_dmar_translate dev 01:00\.00 iova 0x3000000 -> gpa (0x[0-9a-f]+)",
                       trace.read_text())
    assert found and int(found[0], 16) == hpa + 0x3000000
    assert "vtd_dmar_fault" not in trace.read_text()
    assert not records(m, "iommu", "quarantine")


def test_dma_at_the_hypervisors_memory_faults_and_quarantines(machine, tmp_path):
    first = machine()
    first.wait_for(RUNNING, timeout=120)
    canary = [r.fields["hpa"] for r in records(first, "vmm", "canary")][0]
    first.kill()
    trace = tmp_path / "dma.log"
    m = machine(set={"partition parent.cmdline": "dma-probe=%s" % canary},
                trace=["vtd_dmar_fault", "pci_cfg_write"], trace_log=str(trace))
    m.wait_for(r"iommu: quarantine bdf=0000:01:00.0 partition=parent reason=0x6", timeout=120)
    fault = [r.fields for r in records(m, "iommu", "dma fault")][0]
    assert (fault["sid"], fault["reason"], fault["access"]) == ("01:00.0", "0x6", "read")
    assert int(fault["addr"], 16) == int(canary, 16)
    m.wait_for(r"vmm: canary state=intact where=dma-fault", since=0)
    m.wait_for(r"parent: event partition=parent device=01:00.0 quarantined=yes", timeout=30)
    # The owner is told on its own queue too: the fault, then the quarantine.
    m.wait_for(r"parent: notice kind=dma-fault device=01:00.0 addr=%s" % canary, since=0)
    m.wait_for(r"parent: notice kind=quarantined device=01:00.0", since=0)
    # QEMU's side: the fault with the NIC's requester id, then bus mastering cleared.
    events = trace.read_text()
    assert re.search(r"vtd_dmar_fault sid 0x100 fault 6 addr %s" % canary, events)
    after = events[events.index("vtd_dmar_fault"):]
    commands = [int(v, 16) for v in re.findall(r"pci_cfg_write igb 01:00\.0 @0x4 <- 0x([0-9a-f]+)",
                                               after)]
    assert commands and not commands[-1] & 0x4
    # Everyone keeps running after the quarantine.
    for name in ("parent", "child1", "child2"):
        m.wait_for(r"%s: heartbeat n=3\b" % name, timeout=30, since=0)


def test_faults_below_the_threshold_are_counted_and_told_not_quarantined(machine, tmp_path):
    first = machine()
    first.wait_for(RUNNING, timeout=120)
    canary = [r.fields["hpa"] for r in records(first, "vmm", "canary")][0]
    first.kill()
    trace = tmp_path / "dma.log"
    m = machine(set={"partition parent.cmdline": "dma-probe=%s" % canary,
                     "hypervisor.dma_fault_threshold": "2"},
                trace=["vtd_dmar_fault"], trace_log=str(trace))
    m.wait_for(r"iommu: dma isolation on fault_threshold=2", timeout=120)
    m.wait_for(r"parent: notice kind=dma-fault device=01:00.0 addr=%s" % canary, timeout=60)
    assert re.search(r"vtd_dmar_fault sid 0x100 fault 6 addr %s" % canary, trace.read_text())
    for name in ("parent", "child1", "child2"):
        m.wait_for(r"%s: heartbeat n=3\b" % name, timeout=30, since=0)
    # QEMU retries the fetch, but with its one recording register the unit
    # records the first fault and drops the rest while F is set: the
    # hypervisor counts what the unit recorded, under the threshold here.
    recorded = records(m, "iommu", "dma fault")
    quarantined = records(m, "iommu", "quarantine")
    assert (len(recorded) >= 2) == bool(quarantined)
    m.wait_for(r"vmm: canary state=intact where=dma-fault", since=0)


def msi_writes(trace_text):
    return re.findall(r"pci_cfg_write igb 01:00\.0 @0x(5[0-9a-f]) <- 0x([0-9a-f]+)", trace_text)


def test_owner_msi_goes_through_an_interrupt_remapping_entry(machine, tmp_path):
    trace = tmp_path / "cfg.log"
    m = machine(set={"partition parent.cmdline": "msi-probe"},
                trace=["pci_cfg_write", "vtd_ir_enable", "vtd_reg_ir_root", "vtd_inv_desc_iec"],
                trace_log=str(trace))
    probe = m.wait_for(r"parent: msi-probe cap=0x50 dest=0 ctrl=0x181 addr=(0x[0-9a-f]+) "
                       r"data=(0x[0-9a-f]+)", timeout=120)
    # The owner reads back what it wrote: a compatibility-format MSI to APIC 0.
    assert (probe.group(1), probe.group(2)) == ("0xfee00000", "0x50")
    # The NIC's own MSI-X entry 0 has an entry of its own; the probe's MSI
    # message 0 gets another (they must not share one).
    remaps = [r.fields for r in records(m, "iommu", "msi remapped")]
    remap = [r for r in remaps if r["source"] == "msi"]
    assert remap and (remap[0]["bdf"], remap[0]["dest"], remap[0]["vector"]) == \
        ("0000:01:00.0", "0", "0x50")
    assert all(r["index"] != remap[0]["index"] for r in remaps if r["source"] == "msix")
    assert not records(m, "vmm", "msi write refused")
    events = trace.read_text()
    # QEMU's side: remapping on with our table, the entry's cache invalidated, and the
    # device given a remappable address (format bit 4) carrying the entry's handle.
    assert "vtd_ir_enable enable 1" in events and "vtd_reg_ir_root addr" in events
    assert "vtd_inv_desc_iec" in events
    writes = msi_writes(events)
    addrs = [int(v, 16) for reg, v in writes if reg == "54"]
    handle = int(remap[0]["index"])
    assert any(a & 0xfff00000 == 0xfee00000 and a & 0x10 and (a >> 5) & 0x7fff == handle
               for a in addrs), [hex(a) for a in addrs]
    assert any(reg == "50" and int(v, 16) >> 16 & 1 for reg, v in writes)


def test_msi_towards_a_foreign_cpu_is_refused(machine, tmp_path):
    trace = tmp_path / "cfg.log"
    m = machine(set={"partition parent.cmdline": "msi-probe=foreign"}, trace=["pci_cfg_write"],
                trace_log=str(trace))
    m.wait_for(r"vmm: msi write refused partition=parent bdf=0000:01:00.0 reason=foreign-cpu",
               timeout=120)
    m.wait_for(r"parent: msi-probe cap=0x50 dest=1 ctrl=0x180", timeout=30)
    # The device never had MSI enabled: no write with the enable bit reached it.
    writes = msi_writes(trace.read_text())
    assert not any(reg == "50" and int(v, 16) >> 16 & 1 for reg, v in writes)
    m.wait_for(r"parent: heartbeat n=2\b", timeout=30)


def test_a_device_nobody_owns_cannot_dma(machine, tmp_path):
    # Two igbs: the parent owns 01:00.0; the hypervisor's own probe drives
    # the unowned 02:00.0 at the canary page. No root/context entry: refused.
    trace = tmp_path / "vtd.log"
    m = machine(nics=2, set={"hypervisor.debug_dma_probe": "02:00.0"},
                trace=["vtd_dmar_fault"], trace_log=str(trace))
    probe = m.wait_for(r"vmm: dma probe bdf=0000:02:00\.0 owner=none target=(0x[0-9a-f]+)",
                       timeout=120)
    m.wait_for(r"vmm: canary state=intact where=dma-probe", timeout=30)
    fault = [r.fields for r in records(m, "iommu", "dma fault")][0]
    assert fault["sid"] == "02:00.0" and fault["reason"] in ("0x1", "0x2")
    assert int(fault["addr"], 16) == int(probe.group(1), 16)
    assert re.search(r"vtd_dmar_fault sid 0x200 fault [12] addr %s" % probe.group(1),
                     trace.read_text())
    assert not [r for r in records(m, "iommu", "assign") if r.fields["bdf"] == "0000:02:00.0"]
    m.wait_for(r"child1: heartbeat n=2\b", timeout=30, since=0)
