"""An exception in the core is reported with its full context and stops the
machine with a panic verdict. The report's RIP is checked against the binary
itself (addr2line on build/hv.so), not against what the hypervisor claims."""
import subprocess

import pytest

from harness import REPO_ROOT
from inventory import records

FAULTS = {
    # debug_fault: (vector, name, cr2 or None)
    "page_fault": (14, "page-fault", 0x00000DEAD0000000),
    "divide_error": (0, "divide-error", None),
    "invalid_opcode": (6, "invalid-opcode", None),
    "general_protection": (13, "general-protection", None),
}


def source_of(offset):
    out = subprocess.run(["addr2line", "-f", "-e", str(REPO_ROOT / "build" / "hv.so"), offset],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    return out[0], out[1]


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_exception_report(machine, fault):
    vector, name, cr2 = FAULTS[fault]
    m = machine(set={"hypervisor.debug_fault": fault})
    assert m.wait_exit(timeout=120) == (4, "panic")
    reports = [r.fields for r in records(m, "trap") if r.message == "exception"]
    assert len(reports) == 1
    report = reports[0]
    assert (int(report["vector"]), report["name"]) == (vector, name)
    if cr2 is not None:
        assert int(report["cr2"], 16) == cr2
    function, location = source_of(report["rip_offset"])
    assert function == "raise_fault" and "kernel/debug_fault.c" in location
    # Registers and a stack trace that leads back through the caller.
    dumped = {k for r in records(m, "trap") for k in r.fields}
    assert {"rax", "rsp", "r15", "cr3", "rflags"} <= dumped
    trace = [r.fields for r in records(m, "trap") if r.message == "trace"]
    assert trace[0]["offset"] == report["rip_offset"]
    callers = [source_of(t["offset"])[0] for t in trace[1:]]
    assert "debug_fault_raise" in callers, callers
    assert records(m, "hv", "finished")[0].fields["verdict"] == "panic"
