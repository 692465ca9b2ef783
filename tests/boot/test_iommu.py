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
