"""The vmbus channels and their doorbells (HC_CHANNEL_SIGNAL).

Every child shares one "vmbus" channel with the parent, made by the
hypervisor without a [channel] section. Evidence from outside the guests'
own claims where it can be had: the hypervisor's log of what it created,
text written by one partition and read by the other, interrupt handler
entries counted by the receiver (lib/doorbell.c counts only in the IDT
handler, never by polling), the hypervisor's own per-partition counters
(HC_PARTITION_LIST via the parent's `chan stats`), its throttling report,
and a nested-paging stop for a partition reaching for another's channel.
"""
import re

from harness import REPO_ROOT, parse_log_line
from inventory import RUNNING, records

BOOT = 120
SLOT = 2 * 1024 * 1024
CHANNEL_BASE = 0x8000000000


def config(tmp_path, child1="", child2="", extra=""):
    """qemu.cfg with command lines for the children and text appended."""
    text = (REPO_ROOT / "configs" / "qemu.cfg").read_text()
    for name, cmdline in (("child1", child1), ("child2", child2)):
        if cmdline:
            text = text.replace("[partition %s]\n" % name,
                                "[partition %s]\ncmdline = %s\n" % (name, cmdline))
    cfg = tmp_path / "channel.cfg"
    cfg.write_text(text + extra)
    return str(cfg)


def start(machine, cfg, **opts):
    m = machine(config=cfg, **opts)
    m.wait_for(RUNNING, timeout=BOOT)
    for name in ("parent", "child1", "child2"):
        m.wait_for(r"%s: heartbeat n=1\b" % name, timeout=60, since=0)
    return m


def shell(m, command, expect, timeout=30):
    """Sends a parent shell command; returns the parent's lines it printed."""
    mark = len(m.serial())
    m.send(command + "\r")
    m.wait_for(r"parent: (ok|error \S+)$", timeout=timeout, since=mark)
    out = [r for r in (parse_log_line(line) for line in m.serial()[mark:])
           if r is not None and r.subsys == "parent"]
    text = "\n".join(r.raw for r in out)
    assert re.search(expect, text), "%r: expected %r in:\n%s" % (command, expect, text)
    return out


def fields(lines, message, **match):
    return [r.fields for r in lines if r.message == message
            and all(r.fields.get(k) == v for k, v in match.items())]


def child_vmbus(m, name):
    found = fields(m.lines(name), "vmbus")
    assert found, "%s reported no vmbus channel" % name
    return found[0]


def stats(m):
    out = shell(m, "chan stats", r"parent: ok")
    rows = {r["name"]: r for r in fields(out, "chan partition")}
    received = int(fields(out, "chan received")[-1]["n"])
    return rows, received


def beats(m, name):
    return [int(r.fields["n"]) for r in m.lines(name) if r.message == "heartbeat"]


def test_every_child_shares_a_vmbus_channel_with_the_parent(machine, tmp_path):
    m = start(machine, config(tmp_path, "doorbell=echo", "doorbell=echo"))
    created = {r.fields["between"]: r.fields for r in records(m, "vmm", "channel created")
               if r.fields["name"] == "vmbus"}
    assert set(created) == {"parent,child1", "parent,child2"}
    assert all(int(c["size"]) == SLOT for c in created.values())
    assert created["parent,child1"]["hpa"] != created["parent,child2"]["hpa"]
    # Each child sees its vmbus in its first slot, peer the parent.
    for name in ("child1", "child2"):
        ch = child_vmbus(m, name)
        assert (ch["peer"], ch["index"], int(ch["gpa"], 16)) == ("parent", "0", CHANNEL_BASE)
    # The parent sees one per child, each in its own slot.
    listed = {r["peer"]: r for r in fields(shell(m, "chan list", r"chan received"),
                                            "chan", name="vmbus")}
    assert set(listed) == {"child1", "child2"}
    assert listed["child1"]["gpa"] != listed["child2"]["gpa"]
    # Same memory at both ends, both ways: the parent's text reaches each child
    # (at the same guest-physical address in both children, yet each gets its
    # own), and each child's answer reaches the parent.
    for name in ("child1", "child2"):
        shell(m, "chan write %s pattern-for-%s-5a5a" % (name, name), r"parent: ok")
    for name in ("child1", "child2"):
        shell(m, "chan ring %s" % name, r"chan rang peer=%s index=\d sent=1 dropped=0" % name)
        m.wait_for(r'%s: doorbell received n=1 .*text="pattern-for-%s-5a5a"' % (name, name),
                   timeout=30, since=0)
        m.wait_for(r"%s: doorbell echoed n=1 err=none" % name, timeout=30, since=0)
        shell(m, "chan read %s" % name,
              r'chan text peer=%s .*text="echo n=1 from %s: pattern-for-%s-5a5a"'
              % (name, name, name))
    assert not [r for r in m.lines("child1") + m.lines("child2") if r.message == "channel"]


def test_doorbells_arrive_as_interrupts_both_ways(machine, tmp_path):
    m = start(machine, config(tmp_path, "doorbell=echo", "doorbell=ring"))
    rows, received0 = stats(m)
    # parent -> child1, three times: each one handler entry in child1, each
    # answered by a doorbell that enters the parent's handler.
    for n in (1, 2, 3):
        shell(m, "chan write child1 round-%d" % n, r"parent: ok")
        shell(m, "chan ring child1", r"sent=1 dropped=0")
        m.wait_for(r'child1: doorbell received n=%d latency_us=\d+ text="round-%d"' % (n, n),
                   timeout=30, since=0)
        m.wait_for(r"child1: doorbell echoed n=%d err=none" % n, timeout=30, since=0)
    # child2 -> parent: one per heartbeat, its text in the mailbox.
    m.wait_for(r"child2: doorbell rang n=4 err=none", timeout=60, since=0)
    shell(m, "chan read child2", r'text="beat \d+ from child2"')
    rows, received = stats(m)
    # The parent's handler ran for child1's three echoes and child2's beats.
    assert received >= received0 + 3 + 1
    # The hypervisor counted what it delivered, per sending partition.
    assert int(rows["parent"]["doorbells_sent"]) >= 3
    assert int(rows["child1"]["doorbells_sent"]) >= 3
    assert int(rows["child2"]["doorbells_sent"]) >= 3
    assert all(r["doorbells_dropped"] == "0" for r in rows.values())
    latencies = [int(r.fields["latency_us"]) for r in m.lines("child1")
                 if r.message == "doorbell received"]
    assert len(latencies) == 3
    # The echo took a doorbell, not a poll of child1's heartbeat (once a second).
    assert max(latencies) < 1000000, latencies


def test_signal_to_a_stopped_peer_is_refused(machine, tmp_path):
    m = start(machine, config(tmp_path))
    shell(m, "stop child2", r"parent: ok")
    m.wait_for(r"vmm: partition stopped name=child2 reason=by-parent", timeout=30, since=0)
    shell(m, "chan ring child2", r"parent: error ENOTCONN")
    shell(m, "chan ring child1", r"sent=1 dropped=0")
    shell(m, "chan ring nobody", r"parent: error ENOENT")


def test_flooding_child_is_throttled_and_others_run_on(machine, tmp_path):
    limit = 1000
    m = start(machine, config(tmp_path, "doorbell=flood flood_s=4"),
              set={"hypervisor.doorbell_limit": str(limit)})
    m.wait_for(r"vmm: doorbells vector=0xf2 limit_per_s=%d" % limit, timeout=10, since=0)
    m.wait_for(r"child1: doorbell flood start", timeout=60, since=0)
    p0, c0 = beats(m, "parent")[-1], beats(m, "child2")[-1]
    end = m.wait_for(r"child1: doorbell flood end .*", timeout=120, since=0)
    # The others heartbeat through the flood and the parent's shell answers.
    assert beats(m, "parent")[-1] >= p0 + 2 and beats(m, "child2")[-1] >= c0 + 2
    flood = fields(m.lines("child1"), "doorbell flood end")[0]
    assert int(flood["dropped"]) > 0 and flood["other"] == "0", flood
    assert int(flood["sent"]) <= limit * (int(flood["seconds"]) + 1)
    throttled = [r.fields for r in records(m, "vmm", "doorbell throttled")]
    assert throttled and all(t["partition"] == "child1" and t["channel"] == "vmbus"
                             and t["peer"] == "parent" for t in throttled)
    assert all(int(t["sent"]) <= limit and int(t["dropped"]) > 0 for t in throttled)
    # One line per window, not per drop.
    assert len(throttled) <= int(flood["seconds"]) + 1
    rows, received = stats(m)
    assert int(rows["child1"]["doorbells_dropped"]) == int(flood["dropped"])
    assert int(rows["child1"]["doorbells_sent"]) == int(flood["sent"])
    m.wait_for(r"child1: heartbeat n=%d\b" % (int(flood["seconds"]) + 3), timeout=60, since=0)
    assert not records(m, "vmm", "partition stopped")
    # Dropped is not refused: the flood does not count toward the stop for floods.
    assert not [r for r in records(m, "vmm", "hypercall refused")
                if r.fields["name"] == "channel-signal"]


def test_other_child_cannot_reach_a_childs_vmbus(machine, tmp_path):
    # With a [channel c1] in child1's first slot, child1's vmbus lies in its
    # second one; child2 has nothing there and aims at it.
    extra = "\n[channel c1]\nbetween = parent, child1\nsize_kb = 64\n"
    addr = CHANNEL_BASE + SLOT
    m = machine(config=config(tmp_path, "", "hostile=oob access=both addrs=0x%x" % addr, extra))
    m.wait_for(r"vmm: partition stopped name=child2 reason=npt-violation", timeout=BOOT)
    stop = [r.fields for r in records(m, "vmm", "partition stopped")][0]
    assert int(stop["gpa"], 16) == addr
    assert int(child_vmbus(m, "child1")["gpa"], 16) == addr
    assert child_vmbus(m, "child1")["index"] == "1"
    m.wait_for(r"child1: heartbeat n=4\b", timeout=60, since=0)


def test_vmbus_off_and_channel_limit_refused(machine, tmp_path):
    # 7 [channel]s to child1 plus a vmbus to each of two children: 9 for the parent.
    extra = "".join("\n[channel c%d]\nbetween = parent, child1\nsize_kb = 4\n" % i
                    for i in range(7))
    m = machine(config=config(tmp_path, extra=extra))
    assert m.wait_exit(timeout=120) == (3, "config-error")
    refusal = [r.fields for r in records(m, "config") if r.message == "refused"][0]
    assert refusal["field"] == "hypervisor.vmbus" and refusal["channels"] == "9"
    # Without vmbus the same file runs, and no child has a vmbus channel.
    m = machine(config=config(tmp_path, extra=extra), set={"hypervisor.vmbus": "no"})
    m.wait_for(r"child2: vmbus absent", timeout=BOOT)
    assert not [r for r in records(m, "vmm", "channel created") if r.fields["name"] == "vmbus"]
