#!/usr/bin/python3
"""The data paths under load, in the boot scenario (`make bench`, not a test).

Boots the default configuration as `make run` does (the Makefile's
STORY_SETS), with the parent's story phases stretched (story_ms) and the PF's
wire a peer outside the machine (tests/boot/netpeer.py over a dgram socket,
answering as 10.0.2.2 what slirp would). While the story hands the VF around,
the peer streams UDP datagrams with sequence numbers to each child's echo
port in bursts; the children echo them. Printed:

- per story step and child: datagrams sent, echoed, lost (the peer's count);
- hypervisor exits per packet on each path, from the story's table (the data
  path's exits: doorbells both ways, MMIO/NPF/interrupt exits of the child;
  and all of the child's exits), against the targets (0 on the VF path in
  steady state, <= 0.05 on the synthetic path under load);
- the blackout of every path change (the failover above all): datagrams of
  the moving child's stream lost in that step, and the longest gap between
  their echoes (also in frames at the stream's rate).

Usage: tools/bench/datapath.py [--story-ms MS] [--rate FPS] [--burst N]
"""
import argparse
import os
import re
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "boot"))

from harness import Machine  # noqa: E402
from netpeer import NetPeer  # noqa: E402
from test_story import ROW, story_sets  # noqa: E402

ECHO_PORT = 7
SPORT = {"child1": 9001, "child2": 9002}
BOOT_S = 120


class Stream(threading.Thread):
    """Bursts of UDP datagrams to one child's echo port; remembers when each left."""

    def __init__(self, peer, name, ip, mac, rate, burst):
        super().__init__(daemon=True)
        self.peer, self.name, self.ip, self.mac = peer, name, ip, mac
        self.period = burst / rate
        self.burst = burst
        self.sent = {}  # seq -> time
        self.stop = threading.Event()

    def run(self):
        seq, due = 1, time.monotonic()
        while not self.stop.is_set():
            now = time.monotonic()
            for _ in range(self.burst):
                self.peer.send_udp(self.ip, SPORT[self.name], ECHO_PORT,
                                   struct.pack("!I", seq).ljust(32, b"\0"), self.mac)
                self.sent[seq] = now
                seq += 1
            due += self.period
            time.sleep(max(0.0, due - time.monotonic()))

    def echoed(self):
        """seq -> arrival time of the child's echoes."""
        frames = self.peer.received(lambda f: f.src == self.mac and f.sport == ECHO_PORT
                                    and f.dport == SPORT[self.name] and f.seq is not None)
        return {f.seq: f.time for f in frames}


def boot(peer, story_ms, logdir):
    sets = story_sets()
    sets["partition parent.cmdline"] += " story_ms=%d" % story_ms
    m = Machine({"net": peer.netdev, "set": sets}, logdir)
    m.start()
    addrs = {}
    for name in SPORT:
        up = m.wait_for(r"%s: net up ip=(\S+) mac=(\S+)" % name, timeout=BOOT_S, since=0)
        addrs[name] = up.groups()
    return m, addrs


def follow_story(m, story_s):
    """Host times at which each story step began, until the summary."""
    starts = {}
    while True:
        line = m.wait_for(r"parent: story (step=(\d+) what=(\S+).*|error .*)$", timeout=story_s)
        if line.group(1).startswith("error"):
            raise SystemExit("datapath: " + line.group(0))
        starts[int(line.group(2))] = (line.group(3), time.monotonic())
        if line.group(3) == "summary":
            return starts


def step_windows(starts):
    order = sorted(starts)
    return [(n, starts[n][0], starts[n][1], starts[order[i + 1]][1])
            for i, n in enumerate(order[:-1])]


def longest_gap(times):
    times = sorted(times)
    return max((b - a for a, b in zip(times, times[1:])), default=0.0)


def report_steps(streams, windows):
    print("%-5s %-10s %-7s %8s %8s %6s" % ("step", "what", "child", "sent", "echoed", "lost"))
    for s in streams.values():
        echoed = s.echoed()
        for n, what, t0, t1 in windows:
            seqs = [q for q, t in s.sent.items() if t0 <= t < t1]
            got = sum(1 for q in seqs if q in echoed)
            print("%-5d %-10s %-7s %8d %8d %6d" % (n, what, s.name, len(seqs), got,
                                                   len(seqs) - got))


# The child whose data path each step moves (story.c: A is child1, B child2).
SWITCHED = {"vf": "child1", "failover": "child1", "move": "child2", "second-vf": "child1"}


def report_blackouts(streams, windows, rate):
    print("path changes (failover = VF -> synthetic, planned; target 0 lost):")
    for n, what, t0, t1 in windows:
        if what not in SWITCHED:
            continue
        s = streams[SWITCHED[what]]
        echoed = s.echoed()
        seqs = [q for q, t in s.sent.items() if t0 <= t < t1]
        lost = [q for q in seqs if q not in echoed]
        gap = longest_gap([echoed[q] for q in seqs if q in echoed])
        print("  step %d %-9s %s: blackout %d datagrams lost of %d; longest echo gap %.0f ms "
              "(%.0f frames at %d/s)" % (n, what, s.name, len(lost), len(seqs), gap * 1000,
                                         gap * rate, rate))


def report_exits(m):
    rows = {}
    for line in m.serial():
        row = ROW.search(line)
        if row:
            rows[row.group("child")] = row.groupdict()  # the last table wins
    print("exits per packet (story table; dp = data path, all = every exit of the child):")
    for r in rows.values():
        print("  %-7s synthetic dp=%-5s all=%-5s   vf dp=%-5s all=%-5s   frames syn=%d vf=%d"
              "   child tx_drop=%s"
              % (r["child"], r["dp_syn"], r["all_syn"], r["dp_vf"], r["all_vf"],
                 int(r["syn_tx"]) + int(r["syn_rx"]), int(r["vf_tx"]) + int(r["vf_rx"]),
                 r["tx_drop"]))
    print("  targets: vf dp = 0 in steady state, synthetic dp <= 0.05 under load")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--story-ms", type=int, default=10000, help="steady window per step")
    p.add_argument("--rate", type=int, default=400, help="datagrams per second per child")
    p.add_argument("--burst", type=int, default=8, help="datagrams per burst")
    a = p.parse_args(argv)
    logdir = tempfile.mkdtemp(prefix="hvbench-")
    print("datapath: story_ms=%d stream=%d/s per child in bursts of %d; logs in %s"
          % (a.story_ms, a.rate, a.burst, logdir))
    with NetPeer.dgram(tempfile.mkdtemp(prefix="hvnet-")) as peer:
        m, addrs = boot(peer, a.story_ms, os.path.join(logdir, "machine"))
        try:
            m.wait_for(r"parent: story step=1 what=synthetic$", timeout=BOOT_S, since=0)
            first = time.monotonic()
            streams = {n: Stream(peer, n, ip, mac, a.rate, a.burst)
                       for n, (ip, mac) in addrs.items()}
            for s in streams.values():
                s.start()
            starts = follow_story(m, a.story_ms / 1000 * 3 + 60)
            starts[1] = ("synthetic", first)
            m.wait_for(r"parent: story done", timeout=10)
            time.sleep(0.5)
            for s in streams.values():
                s.stop.set()
                s.join()
            time.sleep(0.5)  # the last echoes
            windows = step_windows(starts)
            report_steps(streams, windows)
            report_exits(m)
            report_blackouts(streams, windows, a.rate)
        finally:
            m.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
