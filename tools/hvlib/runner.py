"""Running QEMU: serial relay, shell countdown, timeout, clean stop.

Without --console, QEMU's serial chardev is its stdio, and both ends are pipes
to this launcher, which relays them:
- QEMU's stdout (the serial output, nothing else: QEMU's diagnostics go to
  stderr) is copied to our stdout as it arrives. If our stdout goes away, the
  run goes on (--serial-log still has everything).
- Our stdin, when it is not a terminal, is copied to the serial input, so a
  test can type into the machine.
- The UEFI shell waits 5 s ("Press ESC in 5 seconds to skip startup.nsh")
  before running \\startup.nsh; the relay presses a key as soon as it sees
  that prompt, which starts the script at once.

QEMU runs in its own session, so a Ctrl-C meant for the launcher does not make
QEMU quit with status 0 (which would read as "no verdict"); the launcher stops
it instead and reports "interrupted". QEMU also gets a parent-death signal:
if the launcher is killed outright, QEMU does not outlive it.
"""
import ctypes
import errno
import os
import re
import selectors
import signal
import subprocess
import sys
import time

from . import verdict

PR_SET_PDEATHSIG = 1
STOP_GRACE_SECONDS = 5
_ANSI = re.compile(rb"\x1b(?:\[[0-9;=?]*[A-Za-z]|[()][0-9A-Za-z]|[=>])")


class Interrupted(Exception):
    """SIGINT, SIGTERM or SIGHUP arrived: stop QEMU and report it."""


def _raise_interrupted(signum, frame):
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)  # one stop is enough
    raise Interrupted(signal.Signals(signum).name)


def install_signal_handlers():
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _raise_interrupted)


def _die_with_parent(sig):
    """preexec_fn: QEMU gets sig when the launcher dies, however it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def setup():
        libc.prctl(PR_SET_PDEATHSIG, int(sig))
        if os.getppid() != parent:  # the parent died before prctl
            os._exit(1)
    return setup


class ShellCountdown:
    """Spots the UEFI shell's startup.nsh countdown in the serial stream."""

    PROMPT = re.compile(rb"Press ESC in \d+ seconds? to skip")
    BANNER = b"UEFI Interactive Shell"
    TAIL_BYTES = 4096

    def __init__(self):
        self._tail = b""
        self._armed = True

    def feed(self, data):
        """True when a key should be pressed now (once per shell start)."""
        self._tail = (self._tail + data)[-self.TAIL_BYTES:]
        text = _ANSI.sub(b"", self._tail)
        if not self._armed and self.BANNER in text:
            self._armed = True
            text = text[text.rindex(self.BANNER):]
        if self._armed and self.PROMPT.search(text):
            self._armed = False
            self._tail = b""
            return True
        return False


class _Output:
    """Our stdout, or nothing once it has gone away."""

    def __init__(self):
        self._out = getattr(sys.stdout, "buffer", None)

    def write(self, data):
        if self._out is None:
            return
        try:
            self._out.write(data)
            self._out.flush()
        except (OSError, ValueError):
            self._out = None
            _detach_stdout()


def _detach_stdout():
    # Python flushes sys.stdout at exit; a dead pipe must not fail that.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def _readable_stdin():
    """Our stdin's fd if it should feed the serial input, else None."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    return None if os.isatty(fd) else fd


class Relay:
    """Copies serial output out and input in until QEMU closes its stdout."""

    def __init__(self, proc):
        self._proc = proc
        self._out = _Output()
        self._countdown = ShellCountdown()
        self._pending = b""
        self._sel = selectors.PollSelector()  # poll: works on regular files too
        self._qin = proc.stdin.fileno()
        os.set_blocking(self._qin, False)
        self._sel.register(proc.stdout.fileno(), selectors.EVENT_READ, "qemu")
        stdin = _readable_stdin()
        if stdin is not None:
            self._sel.register(stdin, selectors.EVENT_READ, "user")

    def _from_qemu(self, fd):
        data = os.read(fd, 65536)
        if not data:
            self._sel.unregister(fd)
            return False
        self._out.write(data)
        if self._countdown.feed(data):
            self._to_qemu(b" ")
        return True

    def _from_user(self, fd):
        data = os.read(fd, 65536)
        if not data:
            self._sel.unregister(fd)
        else:
            self._to_qemu(data)

    def _to_qemu(self, data):
        was_idle = not self._pending
        self._pending += data
        self._flush()
        if was_idle and self._pending:
            self._sel.register(self._qin, selectors.EVENT_WRITE, "qemu-in")

    def _flush(self):
        try:
            n = os.write(self._qin, self._pending)
        except BlockingIOError:
            return
        except OSError as e:
            if e.errno != errno.EPIPE:
                raise
            n = len(self._pending)  # QEMU is gone: input has nowhere to go
        self._pending = self._pending[n:]
        if not self._pending and self._qin in self._sel.get_map():
            self._sel.unregister(self._qin)

    def run(self, deadline):
        """False if the deadline passed first."""
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            for key, _ in self._sel.select(remaining):
                if key.data == "qemu" and not self._from_qemu(key.fd):
                    return True
                if key.data == "user":
                    self._from_user(key.fd)
                if key.data == "qemu-in":
                    self._flush()


def _stop(proc):
    if proc.poll() is not None:
        return proc.returncode
    proc.terminate()
    try:
        return proc.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def _wait(proc, deadline):
    """QEMU's status, or None if the deadline passed first."""
    try:
        remaining = None if deadline is None else max(deadline - time.monotonic(), 0)
        return proc.wait(remaining)
    except subprocess.TimeoutExpired:
        return None


def _start(argv, console):
    if console:
        # Same process group: QEMU owns the terminal; signal=off keeps Ctrl-C
        # for the guest. SIGTERM lets QEMU restore the terminal on the way out.
        return subprocess.Popen(argv, preexec_fn=_die_with_parent(signal.SIGTERM))
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            start_new_session=True,
                            preexec_fn=_die_with_parent(signal.SIGKILL))


def run(argv, console, timeout):
    """Run QEMU to the end; returns (Verdict, QEMU's status)."""
    deadline = time.monotonic() + timeout if timeout else None
    try:
        proc = _start(argv, console)
    except OSError as e:
        print("hvrun: cannot start %s: %s" % (argv[0], e.strerror), file=sys.stderr)
        return verdict.QEMU_ERROR, -1
    try:
        ended = console or Relay(proc).run(deadline)
        status = _wait(proc, deadline) if ended else None
    except Interrupted:
        return verdict.INTERRUPTED, _stop(proc)
    except BaseException:
        _stop(proc)
        raise
    if status is None:
        return verdict.TIMEOUT, _stop(proc)
    return verdict.from_qemu_status(status), status
