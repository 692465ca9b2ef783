"""The hypervisor's verdict: what it wrote to isa-debug-exit, as an exit status.

The hypervisor ends every run by writing a verdict value v to I/O port 0xf4
(isa-debug-exit); QEMU then exits with (v << 1) | 1. QEMU's own exit status 0
means the machine stopped without a verdict: a reset or triple fault (with
-no-reboot), a shutdown, or a quit from the monitor. That must never count as
success, so it has its own status.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    name: str
    status: int


OK = Verdict("ok", 0)
UNSUPPORTED = Verdict("unsupported", 2)
CONFIG_ERROR = Verdict("config-error", 3)
PANIC = Verdict("panic", 4)
NO_VERDICT = Verdict("no-verdict", 5)
QEMU_ERROR = Verdict("qemu-error", 6)
TIMEOUT = Verdict("timeout", 124)
INTERRUPTED = Verdict("interrupted", 130)

# Values the hypervisor writes to isa-debug-exit (see docs/launcher.md).
_BY_DEBUG_EXIT_VALUE = {
    0x10: OK,
    0x11: UNSUPPORTED,
    0x12: CONFIG_ERROR,
    0x13: PANIC,
}


def from_qemu_status(status):
    """Verdict for QEMU's exit status (negative: killed by that signal)."""
    if status == 0:
        return NO_VERDICT
    if status > 0 and status & 1:
        return _BY_DEBUG_EXIT_VALUE.get(status >> 1, QEMU_ERROR)
    return QEMU_ERROR


def summary_line(verdict, qemu_status):
    """The launcher's last line on stderr; the boot tests parse it."""
    return "hvrun: verdict=%s qemu_status=%d" % (verdict.name, qemu_status)
