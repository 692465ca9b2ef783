"""The boot inventory matches what QEMU was given and what QEMU reports.

Every check compares a value the hypervisor computed from the hardware with
QEMU's own account of the machine (command line, QMP query-pci, QOM
properties of the IOMMU, memory size) or with a fact of QEMU's emulation.
"""
import re

import pytest

from inventory import (INVENTORY_DONE, hv_pci_functions, one, qemu_pci_functions, qom_device_of_type,
                       records, with_prog_if_masked)

IGB_PF = (0x8086, 0x10C9)


@pytest.fixture(scope="module")
def default_machine(request, tmp_path_factory):
    """One boot of the default machine (-smp 4, 2G, one igb), kept halted."""
    from harness import Machine

    # The partitions run on after the report: QEMU stays up for QMP.
    m = Machine({"smp": 4, "mem": "2G"}, tmp_path_factory.mktemp("default"))
    m.start()
    try:
        m.wait_for(INVENTORY_DONE, timeout=120)
        yield m
    finally:
        m.close()


def test_all_cpus_online_with_their_own_apic_ids(default_machine):
    m = default_machine
    cpus = one(m, "inv", "cpus")
    assert cpus["online"] == "4"
    assert cpus["madt_enabled"] == "4"
    assert sorted(int(x) for x in cpus["apic_ids"].split(",")) == [0, 1, 2, 3]
    # Each AP reports itself, from its own CPU, with the id its own APIC reads.
    aps = records(m, "smp", "cpu online")
    assert sorted((r.cpu, int(r.fields["apic_id"])) for r in aps) == [(1, 1), (2, 2), (3, 3)]
    assert len(m.qmp("query-cpus-fast")) == 4


def test_virtualization_support_as_tcg_emulates_it(default_machine):
    virt = one(default_machine, "inv", "virt")
    # PLATFORM.md: TCG -cpu max is AMD with SVM rev 1, 16 ASIDs, NPT, vGIF,
    # and neither NRIPS nor decode assists.
    assert virt["kind"] == "svm"
    assert virt["vendor"] == "AuthenticAMD"
    assert (virt["rev"], virt["asids"], virt["npt"], virt["vgif"]) == ("1", "16", "yes", "yes")
    assert (virt["nrips"], virt["decode_assists"]) == ("no", "no")
    missing = [r.fields["optional"] for r in records(default_machine, "check")
               if "optional" in r.fields]
    assert any(s.startswith("nrips") for s in missing)


def test_dmar_unit_matches_qemu_iommu(default_machine):
    m = default_machine
    dmar = one(m, "inv", "dmar")
    unit = one(m, "inv", "dmar_unit")
    iommu = qom_device_of_type(m, "intel-iommu")
    aw_bits = m.qmp("qom-get", path=iommu, property="aw-bits")
    intremap = m.qmp("qom-get", path=iommu, property="intremap")
    eim = m.qmp("qom-get", path=iommu, property="eim")
    assert dmar["present"] == "yes" and dmar["units"] == "1"
    assert unit["base"] == "0xfed90000"
    assert int(unit["mgaw"]) == aw_bits
    assert int(dmar["haw"]) == aw_bits  # QEMU: DMAR HAW = aw-bits - 1, reported + 1
    assert unit["ir"] == ("yes" if intremap == "on" else "no")
    assert unit["eim"] == ("yes" if eim == "on" else "no")
    # QEMU 10 emulates one fault recording register at 0x220 and queued invalidation.
    assert (unit["frr"], unit["fro"], unit["qi"]) == ("1", "0x220", "yes")


def test_dmar_scopes_cover_every_device_on_the_root_bus(default_machine):
    m = default_machine
    scopes = records(m, "inv", "dmar_scope")
    paths = {(r.fields["type"], r.fields["path"]) for r in scopes if r.fields["start_bus"] == "0x00"}
    for (bus, dev, fn), (vendor, device, cls) in qemu_pci_functions(m).items():
        if bus != 0:
            continue
        kind = "pci-subhierarchy" if cls >> 8 == 0x0604 else "pci-endpoint"
        assert (kind, "%02x.%x" % (dev, fn)) in paths


def test_pci_functions_match_query_pci(default_machine):
    m = default_machine
    hv = with_prog_if_masked(hv_pci_functions(m))
    qemu = with_prog_if_masked(qemu_pci_functions(m))
    assert hv == qemu
    assert one(m, "inv", "pci")["functions"] == str(len(qemu))


def test_igb_sriov_capability_in_full(default_machine):
    m = default_machine
    pf = [k for k, v in qemu_pci_functions(m).items() if v[:2] == IGB_PF]
    assert len(pf) == 1
    bus, dev, fn = pf[0]
    bdf = "0000:%02x:%02x.%x" % (bus, dev, fn)
    sriov = [r.fields for r in records(m, "pci", "sriov") if r.fields["bdf"] == bdf]
    assert len(sriov) == 1
    s = sriov[0]
    assert (s["total"], s["initial"], s["num"], s["enabled"]) == ("8", "8", "0", "0")
    assert (s["offset"], s["stride"], s["vf"]) == ("0x80", "2", "8086:10ca")
    # PF RID + 0x80, stride 2: VFs 01:10.0 .. 01:11.6 (PLATFORM.md).
    assert (s["first_vf"], s["last_vf"]) == ("%02x:10.0" % bus, "%02x:11.6" % bus)
    vf_bars = {r.fields["n"]: r.fields for r in records(m, "pci", "vf-bar")
               if r.fields["bdf"] == bdf}
    assert set(vf_bars) == {"0", "3"}
    for bar in vf_bars.values():
        assert (bar["type"], bar["size"], bar["pref"]) == ("mem64", "0x4000", "1")


def test_memory_matches_machine_size(default_machine):
    m = default_machine
    mem = one(m, "inv", "memory")
    base = m.qmp("query-memory-size-summary")["base-memory"]
    assert base == 2 * 1024**3
    # All RAM the firmware describes, minus what it keeps in holes.
    assert base - 64 * 1024**2 <= int(mem["ram_total"]) <= base
    assert int(mem["hv_reserved"]) >= 64 * 1024**2  # the heap (heap_mb = 64) at least


def test_timer_calibration_finds_qemus_1ghz_apic_timer(default_machine):
    timer = one(default_machine, "timer", "calibrated")
    assert timer["reference"] == "acpi-pm"
    # QEMU's local APIC timer counts at 1 GHz of virtual time, as does the PM
    # timer's 3.579545 MHz: their ratio is exact whatever the host's speed.
    assert abs(int(timer["apic_timer_hz"]) - 10**9) < 0.02 * 10**9


def test_second_igb_on_another_root_port(machine):
    m = machine(smp=4, nics=2)
    m.wait_for(INVENTORY_DONE, timeout=120)
    qemu = qemu_pci_functions(m)
    pfs = sorted(k for k, v in qemu.items() if v[:2] == IGB_PF)
    assert len(pfs) == 2 and pfs[0][0] != pfs[1][0]
    assert with_prog_if_masked(hv_pci_functions(m)) == with_prog_if_masked(qemu)
    sriov_bdfs = {r.fields["bdf"] for r in records(m, "pci", "sriov")}
    assert sriov_bdfs == {"0000:%02x:%02x.%x" % k for k in pfs}


def test_bus_mastering_off_before_the_core_runs(machine, tmp_path):
    trace = tmp_path / "pci_cfg_write.log"
    m = machine(trace=["pci_cfg_write"], trace_log=str(trace), set={"hypervisor.mode": "check"})
    assert m.wait_exit(timeout=120) == (0, "ok")
    # QEMU's own record of config writes: "pci_cfg_write igb 01:00.0 @0x4 <- 0x7".
    writes = re.findall(r"pci_cfg_write (\S+) (\S+) @0x4 <- 0x([0-9a-f]+)", trace.read_text())
    last, had_bme = {}, set()
    for name, bdf, value in writes:
        last[(name, bdf)] = int(value, 16)
        if int(value, 16) & 4:
            had_bme.add((name, bdf))
    igb = [k for k in last if k[0] == "igb"]
    assert igb and igb[0] in had_bme, "firmware never enabled the igb's bus mastering"
    for key, command in last.items():
        if key[0] != "pcie-root-port":  # bridges keep BME: endpoints below are off
            assert not command & 4, "%s %s still bus master (command=0x%x)" % (*key, command)
    # The hypervisor's own count agrees with QEMU's record of who had BME.
    cleared = one(m, "pci", "bus mastering off")
    endpoints_with_bme = {k for k in had_bme if k[0] != "pcie-root-port"}
    assert int(cleared["loader_cleared"]) + int(cleared["functions_cleared"]) == \
        len(endpoints_with_bme)
