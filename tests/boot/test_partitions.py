"""Partitions: the parent and two children run, are isolated, and a hostile
child is stopped while the others go on. Evidence from outside each guest:
the hypervisor's containment report, the other partitions' heartbeats going
on after it, the canary page, and the parent's own view over its shell."""
import re

import pytest

from harness import REPO_ROOT
from inventory import RUNNING, records

BOOT = 120


def beats(m, name):
    return [int(r.fields["n"]) for r in m.lines(name) if r.message == "heartbeat"]


def wait_beat_past(m, name, n, timeout=30):
    m.wait_for(r"%s: heartbeat n=%d\b" % (name, n + 1), timeout=timeout, since=0)


def stopped(m, name):
    found = [r.fields for r in records(m, "vmm", "partition stopped")
             if r.fields.get("name") == name]
    assert found, "%s was not stopped: %r" % (name, [x for x in m.serial() if "stopped" in x])
    return found[0]


def shell(m, command, expect, timeout=20):
    m.send(command + "\r")
    return m.wait_for(expect, timeout=timeout)


def start(machine, **opts):
    m = machine(**opts)
    m.wait_for(RUNNING, timeout=BOOT)
    for name in ("parent", "child1", "child2"):
        m.wait_for(r"%s: heartbeat n=2\b" % name, timeout=30, since=0)
    return m


def test_parent_and_children_run_isolated_with_heartbeats(machine):
    m = start(machine)
    created = {r.fields["name"]: r.fields for r in records(m, "vmm", "partition created")}
    assert set(created) == {"parent", "child1", "child2"}
    # Dedicated host memory: three disjoint ranges.
    spans = sorted((int(c["hpa"], 16), int(c["hpa"], 16) + int(c["memory"])) for c in created.values())
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    # Each partition runs on its own CPU.
    for name, cpu in (("parent", 0), ("child1", 1), ("child2", 2)):
        assert {r.cpu for r in m.lines(name)} == {cpu}
    assert not [line for line in m.serial() if "expect=fail" in line]
    assert all(r.fields["failures"] == "0" for r in m.lines("child1") + m.lines("child2")
               if r.message == "expect=summary" or "failures" in r.fields)


def test_shell_lists_partitions_with_exit_counters(machine):
    m = start(machine)
    shell(m, "help", r"parent: .*partitions")
    shell(m, "partitions", r"parent: partition name=child2 state=running")
    rows = {r.fields["name"]: r.fields for r in m.lines("parent") if r.message == "partition"
            and "exits" in r.fields}
    assert set(rows) >= {"parent", "child1", "child2"}
    for row in rows.values():
        assert int(row["exits"]) > 0 and int(row["hypercall"]) > 0
    # An idle child costs a few exits per heartbeat, not per timer tick: its
    # 100 Hz tick and HLT never leave the guest.
    child = rows["child1"]
    assert int(child["hlt"]) == 0 and int(child["intr"]) == 0


def test_idle_child_exit_rate(machine):
    m = start(machine)
    shell(m, "partitions", r"parent: partition name=child2 state=running")
    rows = [r.fields for r in m.lines("parent") if r.message == "partition"
            and r.fields.get("name") == "child1" and "exits" in r.fields]
    n0, e0 = beats(m, "child1")[-1], int(rows[-1]["exits"])
    wait_beat_past(m, "child1", n0 + 3)
    shell(m, "partitions", r"parent: partition name=child2 state=running")
    rows = [r.fields for r in m.lines("parent") if r.message == "partition"
            and r.fields.get("name") == "child1" and "exits" in r.fields]
    n1, e1 = beats(m, "child1")[-1], int(rows[-1]["exits"])
    per_second = (e1 - e0) / max(1, n1 - n0)
    print("idle child exits per second: %.1f (100 timer ticks per second)" % per_second)
    assert per_second < 10, per_second


def hostile(machine, cmdline):
    m = machine(set={"partition child1.cmdline": cmdline})
    m.wait_for(RUNNING, timeout=BOOT)
    return m


def assert_others_go_on(m):
    """The parent and child2 keep their heartbeat after child1's stop."""
    p, c = beats(m, "parent")[-1], beats(m, "child2")[-1]
    wait_beat_past(m, "parent", p + 1)
    wait_beat_past(m, "child2", c + 1)
    m.wait_for(r"parent: event partition=child1 state=faulted", since=0)


def test_out_of_bounds_access_is_contained(machine):
    # The hypervisor's canary page and child2's memory, by their host-physical
    # addresses: the same on every boot of this configuration.
    first = start(machine)
    canary = [r.fields["hpa"] for r in records(first, "vmm", "canary")][0]
    child2 = [r.fields["hpa"] for r in records(first, "vmm", "partition created")
              if r.fields["name"] == "child2"][0]
    first.kill()
    m = hostile(machine, "hostile=oob access=both addrs=%s,%s" % (canary, child2))
    m.wait_for(r"vmm: partition stopped name=child1 reason=npt-violation", timeout=30)
    stop = stopped(m, "child1")
    assert int(stop["gpa"], 16) == int(canary, 16)
    m.wait_for(r"vmm: canary state=intact where=containment", since=0)
    assert not [line for line in m.serial() if "canary state=corrupted" in line]
    assert_others_go_on(m)


@pytest.mark.parametrize("cmdline,reason", [
    ("hostile=triple-fault", "triple-fault"),
    ("hostile=ipi target=0", "forbidden"),
    ("hostile=msr", "forbidden"),
    ("hostile=io", "unhandled-exit"),
])
def test_misbehaving_child_is_stopped(machine, cmdline, reason):
    m = hostile(machine, cmdline)
    m.wait_for(r"vmm: partition stopped name=child1 reason=%s" % reason, timeout=30)
    assert_others_go_on(m)


def test_invd_runs_as_wbinvd_and_the_child_goes_on(machine):
    # INVD would drop every partition's dirty cache lines; the hypervisor
    # intercepts it and writes back instead, and the child is not stopped.
    m = hostile(machine, "hostile=invd")
    m.wait_for(r"child1: hostile survived action=invd witness=0x1dc0ffee", timeout=30)
    n = beats(m, "child1")[-1]
    wait_beat_past(m, "child1", n + 1)
    assert not [line for line in m.serial() if "partition stopped name=child1" in line]


def test_invlpga_is_an_undefined_opcode_for_a_child(machine):
    # INVLPGA would flush another address space's TLB entries: the child gets
    # #UD (its own exception report), not the instruction.
    m = hostile(machine, "hostile=invlpga")
    m.wait_for(r"child1: exception vector=6 name=#UD", timeout=30)
    assert not [line for line in m.serial() if "survived action=invlpga" in line]
    p = beats(m, "parent")[-1]
    wait_beat_past(m, "parent", p + 1)


def test_random_hypercall_storm_is_contained(machine):
    m = hostile(machine, "hostile=hypercalls count=100000")
    m.wait_for(r"vmm: partition stopped name=child1 reason=flood", timeout=120)
    refused = [r.fields for r in records(m, "vmm", "hypercall flood")]
    assert refused and int(refused[0]["refused_in_window"]) > 5000
    assert_others_go_on(m)


def test_parent_restarts_a_stopped_child(machine):
    m = hostile(machine, "hostile=triple-fault")
    m.wait_for(r"vmm: partition stopped name=child1 reason=triple-fault", timeout=30)
    shell(m, "restart child1", r"vmm: partition started name=child1 starts=2")
    # Same image, started anew: ready again, heartbeats again, stopped again.
    m.wait_for(r"child1: ready", timeout=30)
    m.wait_for(r"child1: heartbeat n=1\b", timeout=30)
    m.wait_for(r"vmm: partition stopped name=child1 reason=triple-fault", timeout=30)
    shell(m, "partitions", r"parent: partition-info name=child1 .*starts=2")


def test_out_of_bounds_write_is_contained_and_changes_nothing(machine):
    first = start(machine)
    canary = [r.fields["hpa"] for r in records(first, "vmm", "canary")][0]
    first.kill()
    m = hostile(machine, "hostile=oob access=write addrs=%s" % canary)
    m.wait_for(r"vmm: npt violation partition=child1 gpa=%s .*access=write" % canary, timeout=30)
    m.wait_for(r"vmm: canary state=intact where=containment", since=0)
    assert int(stopped(m, "child1")["gpa"], 16) == int(canary, 16)
    assert_others_go_on(m)


@pytest.mark.parametrize("key,value,field", [
    ("partition child2.cpus", "1", "partition child2.cpus"),     # a CPU given twice
    ("partition child2.cpus", "4", "partition child2.cpus"),     # more CPUs than exist
    ("partition child2.devices", "01:00.0", "partition child2.devices"),  # owned twice
    ("partition child2.memory_mb", "4000", "partition child2.memory_mb"),  # doesn't fit
])
def test_bad_partition_refused_before_anything_starts(machine, key, value, field):
    m = machine(set={key: value})
    assert m.wait_exit(timeout=BOOT) == (3, "config-error")
    refusals = [r.fields for r in records(m, "config") if r.message == "refused"]
    assert refusals and refusals[0]["field"] == field
    assert not records(m, "vmm", "partition started")


def test_sdk_example_guest_runs_as_a_child(machine):
    m = machine(set={"partition child2.image": "guests/example.elf"})
    m.wait_for(RUNNING, timeout=BOOT)
    m.wait_for(r"child2: expect=summary failures=0", timeout=30)
    assert not [line for line in m.serial() if "expect=fail" in line]


def test_parent_reads_the_config_space_of_the_device_it_owns(machine):
    m = start(machine)
    from inventory import qemu_pci_functions
    igb = [k for k, v in qemu_pci_functions(m).items() if v[:2] == (0x8086, 0x10C9)][0]
    seen = [r.fields for r in m.lines("parent") if r.message == "device"]
    assert seen and seen[0]["bdf"] == "%02x:%02x.%x" % igb
    assert (seen[0]["id"], seen[0]["class"]) == ("8086:10c9", "020000")
    # The children own nothing: 00:00.0 reads all-ones there (an EXPECT in the child).
    assert records(m, "vmm", "partition started")
    m.wait_for(r"child1: expect=summary failures=0", since=0)


def channel_config(tmp_path, child2_cmdline=""):
    cfg = tmp_path / "channels.cfg"
    text = (REPO_ROOT / "configs" / "qemu.cfg").read_text()
    text += "\n[channel c1]\nbetween = parent, child1\nsize_kb = 64\n"
    if child2_cmdline:
        text = text.replace("[partition child2]\n", "[partition child2]\ncmdline = %s\n"
                            % child2_cmdline)
    cfg.write_text(text)
    return str(cfg)


def test_channel_memory_is_shared_by_its_two_partitions(machine, tmp_path):
    m = machine(config=channel_config(tmp_path))
    m.wait_for(r'child1: channel name=c1 peer=parent text="greetings from parent over c1"',
               timeout=BOOT)
    created = [r.fields for r in records(m, "vmm", "channel created")]
    assert created and created[0]["between"] == "parent,child1"
    assert not [r for r in m.lines("child2") if r.message == "channel"]


def test_channel_is_out_of_reach_of_other_partitions(machine, tmp_path):
    # child2 aims at the guest-physical address where child1 sees the channel
    # (without its own vmbus channel, which would be there: tests/boot/test_channel.py).
    m = machine(config=channel_config(tmp_path, "hostile=oob access=both addrs=0x8000000000"),
                set={"hypervisor.vmbus": "no"})
    m.wait_for(r"vmm: partition stopped name=child2 reason=npt-violation", timeout=BOOT)
    assert int(stopped(m, "child2")["gpa"], 16) == 0x8000000000
    m.wait_for(r'child1: channel name=c1 peer=parent text="greetings from parent', since=0)


def test_doorbell_ipis_between_a_partitions_own_cpus(machine):
    m = machine(set={"partition child1.cpus": "1,3"})
    m.wait_for(RUNNING, timeout=BOOT)
    m.wait_for(r"child1: doorbell sent to=1 n=2\b", timeout=30)
    m.wait_for(r"cpu3 I child1: doorbell received vcpu=1 n=2\b", timeout=30, since=0)
    assert not records(m, "vmm", "partition stopped")
