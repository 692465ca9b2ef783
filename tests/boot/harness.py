"""Boot-test harness: one Machine is one tools/hvrun run, watched from outside.

A test starts the launcher with the options it needs and then observes the
machine the way a user would: the serial console (as lines, and as the
hypervisor's parsed log records), QEMU's own view over QMP, and the verdict the
hypervisor leaves in the exit status. Every wait is on an event (a new serial
line, the process ending) with a deadline; nothing sleeps and hopes.

Machines are started through the `machine` fixture (conftest.py), which closes
every one of them, also when the test fails.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
HVRUN = REPO_ROOT / "tools" / "hvrun"
HV_EFI = REPO_ROOT / "build" / "hv.efi"

TAIL_LINES = 60
STOP_SECONDS = 10
# OVMF's screen handling: cursor moves, colours, mode switches.
_ANSI = re.compile(r"\x1b(?:\[[0-9;=?]*[A-Za-z]|[()][0-9A-Za-z]|[=>])")
_SUMMARY = re.compile(r"^hvrun: verdict=(\S+) qemu_status=(-?\d+)$")
# "[    1.234567] cpu0 I pci: message key=value key2="quoted value""
_LOG_LINE = re.compile(r"^\[\s*(?P<time>\d+\.\d+)\]\s+cpu(?P<cpu>\d+)\s+"
                       r"(?P<level>[EWID])\s+(?P<subsys>[^\s:]+):\s?(?P<text>.*)$")
_FIELD = re.compile(r'(?:^|(?<=\s))(?P<key>[A-Za-z_][\w.\-]*)='
                    r'(?P<value>"(?:[^"\\]|\\.)*"|\S*)')


def clean(text):
    """A serial line without escape sequences and carriage returns."""
    return _ANSI.sub("", text).replace("\r", "")


@dataclass(frozen=True)
class LogRecord:
    """One line of the hypervisor's log."""
    time: float
    cpu: int
    level: str      # E, W, I or D
    subsys: str
    message: str    # the text before the first key=value field
    fields: dict = field(default_factory=dict)
    raw: str = ""


def _unquote(value):
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_log_line(line):
    """LogRecord for a hypervisor log line, None for any other line."""
    m = _LOG_LINE.match(line)
    if not m:
        return None
    text = m.group("text")
    fields = {f.group("key"): _unquote(f.group("value")) for f in _FIELD.finditer(text)}
    first = _FIELD.search(text)
    message = (text[:first.start()] if first else text).strip()
    return LogRecord(float(m.group("time")), int(m.group("cpu")), m.group("level"),
                     m.group("subsys"), message, fields, line)


def hvrun_args(opts):
    """Keyword options -> hvrun's command line.

    smp=2 -> --smp 2; no_iommu=True -> --no-iommu; a list repeats the option
    (set=["a.b=1"], trace=[...], esp_file=[...], net_extra=[...]); set may also
    be a dict {"sriov.vfs": 2}; qemu_args=[...] goes after --. None and False
    leave the option out.
    """
    args, tail = [], []
    for key, value in opts.items():
        if key == "qemu_args":
            tail = ["--"] + [str(v) for v in value]
            continue
        flag = "--" + key.replace("_", "-")
        if isinstance(value, dict):
            value = ["%s=%s" % kv for kv in value.items()]
        if value is None or value is False:
            continue
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple)):
            for v in value:
                args += [flag, str(v)]
        else:
            args += [flag, str(value)]
    return args + tail


class QmpError(Exception):
    """QEMU answered a QMP command with an error."""


class Qmp:
    """Minimal QMP client: greeting, capabilities, one command at a time."""

    def __init__(self, sock, timeout):
        sock.settimeout(timeout)
        self._sock = sock
        self._rfile = sock.makefile("rb")
        greeting = self._read()
        if "QMP" not in greeting:
            raise QmpError("no QMP greeting: %r" % greeting)
        self.execute("qmp_capabilities")

    def _read(self):
        line = self._rfile.readline()
        if not line:
            raise QmpError("QMP connection closed")
        return json.loads(line)

    def execute(self, command, arguments=None):
        request = {"execute": command}
        if arguments:
            request["arguments"] = arguments
        self._sock.sendall(json.dumps(request).encode() + b"\n")
        while True:
            reply = self._read()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise QmpError("%s: %s" % (command, reply["error"].get("desc", reply)))
            # anything else is an asynchronous event: not what we asked for

    def close(self):
        self._rfile.close()
        self._sock.close()


class Machine:
    """One run of tools/hvrun with QMP and a serial log, observed by a test."""

    def __init__(self, opts, logdir):
        self.logdir = Path(logdir)
        self.logdir.mkdir(parents=True, exist_ok=True)
        # A unix socket path must stay under 108 bytes: not in pytest's tmp_path.
        self._sockdir = tempfile.mkdtemp(prefix="hvm-")
        self.qmp_path = os.path.join(self._sockdir, "qmp.sock")
        self.serial_log = self.logdir / "serial.log"
        if "qmp" in opts or "serial_log" in opts:
            raise ValueError("the harness sets --qmp and --serial-log itself")
        self.argv = [str(HVRUN), "--qmp", self.qmp_path, "--serial-log",
                     str(self.serial_log)] + hvrun_args(opts)
        self._cond = threading.Condition()  # re-entrant: tail() inside waits
        self._lines = []
        self._partial = ""
        self._errors = []
        self._cursor = 0
        self._exited = False
        self._qmp = None
        self._threads = []
        self.status = None
        self.proc = None

    # ---- process -------------------------------------------------------

    def start(self):
        self.proc = subprocess.Popen(self.argv, cwd=REPO_ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        readers = [threading.Thread(target=self._read_serial, daemon=True),
                   threading.Thread(target=self._read_stderr, daemon=True)]
        waiter = threading.Thread(target=self._wait_process, args=(readers,), daemon=True)
        self._threads = readers + [waiter]
        for t in self._threads:
            t.start()
        return self

    def _read_serial(self):
        fd = self.proc.stdout.fileno()
        while True:
            data = os.read(fd, 65536)
            if not data:
                break
            self._add_serial(data.decode("utf-8", errors="replace"))
        with self._cond:
            if self._partial:
                self._lines.append(clean(self._partial))
                self._partial = ""
            self._cond.notify_all()

    def _add_serial(self, text):
        with self._cond:
            parts = (self._partial + text).split("\n")
            self._partial = parts.pop()
            self._lines += [clean(p) for p in parts]
            self._cond.notify_all()

    def _read_stderr(self):
        for raw in self.proc.stderr:
            with self._cond:
                self._errors.append(raw.decode("utf-8", errors="replace").rstrip("\n"))
                self._cond.notify_all()

    def _wait_process(self, readers):
        for t in readers:
            t.join()
        status = self.proc.wait()
        with self._cond:
            self.status = status
            self._exited = True
            self._cond.notify_all()

    @property
    def running(self):
        with self._cond:
            return not self._exited

    # ---- serial --------------------------------------------------------

    def _search(self, rx, start, partial):
        """(match, index) in complete lines from start, then (if asked) the partial line."""
        for i in range(start, len(self._lines)):
            m = rx.search(self._lines[i])
            if m:
                return m, i
        if partial and self._partial:
            m = rx.search(clean(self._partial))
            if m:
                return m, len(self._lines)
        return None, None

    def wait_for(self, pattern, timeout=60, since=None, partial=False):
        """Wait for a serial line matching pattern (re.search); returns the Match.

        Searches from the line after the previous wait_for's match (or from
        line `since`), so successive waits follow the console in order. Only
        complete lines match, unless partial=True (prompts that end no line).
        Fails the test if the timeout passes or the machine stops first.
        """
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._cond:
            pos = self._cursor if since is None else since
            while True:
                m, index = self._search(rx, pos, partial)
                if m:
                    self._cursor = index + 1
                    return m
                pos = len(self._lines)
                if self._exited:
                    self._fail("machine stopped (%s) before /%s/ appeared"
                               % (self._verdict_text(), rx.pattern))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._fail("no /%s/ within %s s" % (rx.pattern, timeout))
                self._cond.wait(remaining)

    def serial(self):
        """All complete serial lines so far, cleaned."""
        with self._cond:
            return list(self._lines)

    def lines(self, subsys=None):
        """The hypervisor's log records so far, optionally of one subsystem."""
        records = [parse_log_line(line) for line in self.serial()]
        return [r for r in records if r is not None and subsys in (None, r.subsys)]

    def send(self, text):
        """Type text into the serial console."""
        self.proc.stdin.write(text.encode() if isinstance(text, str) else text)
        self.proc.stdin.flush()

    # ---- end of run ----------------------------------------------------

    def _summary(self):
        for line in reversed(self._errors):
            m = _SUMMARY.match(line)
            if m:
                return m.group(1), int(m.group(2))
        return None, None

    def _verdict_text(self):
        name, qemu_status = self._summary()
        return "exit %s, verdict %s, qemu_status %s" % (self.status, name, qemu_status)

    def wait_exit(self, timeout=60):
        """(hvrun's exit status, verdict name) once the run is over."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._exited:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._fail("still running after %s s" % timeout)
                self._cond.wait(remaining)
            return self.status, self._summary()[0]

    def stderr(self):
        with self._cond:
            return list(self._errors)

    def tail(self, n=TAIL_LINES):
        """The last n serial lines and hvrun's stderr, for failure reports."""
        with self._cond:
            serial = self._lines[-n:] + ([clean(self._partial)] if self._partial else [])
            errors = self._errors[-20:]
        return ("--- serial, last %d lines ---\n%s\n--- hvrun stderr ---\n%s"
                % (n, "\n".join(serial), "\n".join(errors)))

    def _fail(self, reason):
        pytest.fail("%s\n%s" % (reason, self.tail()), pytrace=False)

    # ---- QMP -----------------------------------------------------------

    def _connect_qmp(self, timeout):
        # QEMU creates its QMP socket a few milliseconds after hvrun starts
        # it, and nothing announces the moment: retry the connect, waking at
        # once if the machine stops meanwhile.
        deadline = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.qmp_path)
                return Qmp(s, timeout)
            except (FileNotFoundError, ConnectionRefusedError):
                s.close()
            with self._cond:
                if self._exited:
                    self._fail("machine stopped (%s) before QMP answered"
                               % self._verdict_text())
                if time.monotonic() >= deadline:
                    self._fail("no QMP socket at %s within %s s" % (self.qmp_path, timeout))
                self._cond.wait(0.05)

    def qmp(self, command, arguments=None, timeout=30, **kwargs):
        """Execute a QMP command; returns its 'return' value, raises QmpError.

        Arguments come as keywords (set_link: name=..., up=False) or, for
        names with dashes, as the arguments dict.
        """
        if self._qmp is None:
            self._qmp = self._connect_qmp(timeout)
        return self._qmp.execute(command, dict(arguments or {}, **kwargs))

    # ---- teardown ------------------------------------------------------

    def _signal(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def kill(self):
        """Stop the run: SIGTERM (hvrun stops QEMU), then SIGKILL."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self._signal(signal.SIGTERM)
        try:
            self.proc.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.proc.wait()

    def close(self):
        """Stop the run, release everything, keep the logs in logdir."""
        self.kill()
        if self._qmp is not None:
            self._qmp.close()
            self._qmp = None
        for t in self._threads:
            t.join(STOP_SECONDS)
        if self.proc is not None:
            for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                try:
                    f.close()
                except OSError:
                    pass
        (self.logdir / "hvrun.stderr").write_text("\n".join(self.stderr()) + "\n")
        shutil.rmtree(self._sockdir, ignore_errors=True)
