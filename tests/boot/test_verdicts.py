"""Check mode and the refusal to run: the verdict in the exit status, the
reasons on the console, for machines that can and can't run the hypervisor."""
import pytest

from inventory import RUNNING, one, records


def missing_requirements(m):
    return [r.fields["requirement"] for r in records(m, "check") if "requirement" in r.fields]


def test_check_mode_from_configuration(machine):
    m = machine(set={"hypervisor.mode": "check"})
    assert m.wait_exit(timeout=120) == (0, "ok")
    assert one(m, "config", "loaded")["mode"] == "check"
    assert one(m, "check", "")["verdict"] == "ok"
    m.wait_for(r"check: this machine can run the hypervisor", since=0)
    # Check mode stops after the verdict: it never goes on to run.
    assert not [r for r in records(m, "hv") if r.message.startswith("ready")]


def test_check_mode_from_load_options(machine):
    m = machine(hv_args="check hypervisor.log_level=debug")
    assert m.wait_exit(timeout=120) == (0, "ok")
    started = [r for r in records(m, "hv") if r.message == "core started"]
    assert started[0].fields["cmdline"] == "check hypervisor.log_level=debug"
    assert one(m, "config", "loaded")["mode"] == "check"
    # log_level=debug took effect: the memory map is printed at debug level.
    assert records(m, "mem", "range")


def test_run_refused_without_iommu(machine):
    m = machine(no_iommu=True)
    assert m.wait_exit(timeout=120) == (2, "unsupported")
    assert one(m, "inv", "dmar")["present"] == "no"
    reasons = missing_requirements(m)
    assert any("no DMAR" in r and "unsafe_no_iommu" in r for r in reasons), reasons
    m.wait_for(r"hv: refusing to run", since=0)


def test_check_mode_without_iommu_says_why(machine):
    m = machine(no_iommu=True, set={"hypervisor.mode": "check"})
    assert m.wait_exit(timeout=120) == (2, "unsupported")
    assert one(m, "check", "")["verdict"] == "unsupported"
    m.wait_for(r"check: this machine can NOT run the hypervisor: 1 requirement", since=0)


def test_unsafe_option_runs_without_iommu_loudly(machine):
    # The test mode runs only partitions that own no device: the parent gives up its NIC.
    m = machine(no_iommu=True, set={"hypervisor.unsafe_no_iommu": "yes",
                                    "partition parent.devices": ""})
    m.wait_for(RUNNING, timeout=120)
    unsafe = [r for r in records(m, "check") if r.level == "W" and "UNSAFE" in r.message]
    assert len(unsafe) >= 3
    assert one(m, "check", "")["unsafe"] == "yes"


def test_unsafe_option_refuses_partitions_that_own_devices(machine):
    m = machine(no_iommu=True, set={"hypervisor.unsafe_no_iommu": "yes"})
    assert m.wait_exit(timeout=120) == (3, "config-error")
    refused = [r.fields for r in records(m, "config") if r.message == "refused"]
    assert refused and refused[0]["field"] == "partition parent.devices"
    assert "unsafe_no_iommu" in refused[0]["reason"]
    assert not records(m, "vmm", "partition started")


def test_single_cpu_machine_is_unsupported(machine):
    m = machine(smp=1)
    assert m.wait_exit(timeout=120) == (2, "unsupported")
    assert one(m, "inv", "cpus")["online"] == "1"
    assert any("at least 2 online CPUs" in r for r in missing_requirements(m))


@pytest.mark.parametrize("smp", [2, 3])
def test_every_cpu_comes_up(machine, smp):
    m = machine(smp=smp, set={"hypervisor.mode": "check"})
    assert m.wait_exit(timeout=120) == (0, "ok")
    assert one(m, "inv", "cpus")["online"] == str(smp)
    assert len(records(m, "smp", "cpu online")) == smp - 1


def test_xapic_machine_starts_every_cpu_but_cant_run_partitions(machine):
    # Without x2APIC the core drives the local APICs through their MMIO page
    # and starts every CPU; partitions need x2APIC, so the verdict says no.
    m = machine(smp=3, qemu_args=["-cpu", "max,-x2apic"], set={"hypervisor.mode": "check"})
    assert m.wait_exit(timeout=120) == (2, "unsupported")
    cpus = one(m, "inv", "cpus")
    assert (cpus["apic_mode"], cpus["online"]) == ("xapic", "3")
    assert {r.fields["x2apic"] for r in records(m, "smp", "cpu online")} == {"no"}
    assert any(r.startswith("apic: x2APIC") for r in missing_requirements(m))
