"""Fixtures of the boot tests (run from the repository root: make boot-test).

machine   factory: machine(**opts) starts tools/hvrun with those options
          (see harness.hvrun_args) and returns the running harness.Machine.
          Every machine it started is stopped at teardown, also when the test
          failed; a failed test's report then carries each machine's serial tail.
          Logs stay in the test's tmp_path (machineN/serial.log, hvrun.stderr).
hv_efi    the built hypervisor image (build/hv.efi); fails if it is missing.
"""
import sys

import pytest

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__

from harness import HV_EFI, Machine  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Remember each phase's outcome on the item: the machine fixture's
    # teardown reads it to decide whether to attach the serial tails.
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


def _failed(node):
    return any(getattr(getattr(node, "rep_" + when, None), "failed", False)
               for when in ("setup", "call"))


@pytest.fixture
def machine(request, tmp_path):
    started = []

    def start(**opts):
        m = Machine(opts, tmp_path / ("machine%d" % len(started)))
        started.append(m)
        return m.start()

    yield start
    for i, m in enumerate(started):
        m.close()
        if _failed(request.node):
            request.node.add_report_section("teardown", "machine%d" % i, m.tail())


@pytest.fixture
def hv_efi():
    if not HV_EFI.is_file():
        pytest.fail("%s is missing: build it with make" % HV_EFI, pytrace=False)
    return HV_EFI
