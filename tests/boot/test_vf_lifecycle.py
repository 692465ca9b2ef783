"""The parent's VF lifecycle (guests/parent/nic_vf.c on drivers/nic/vf_alloc.c)
and the PF's mailbox policy, driven through the shell and a child writing raw
mailbox words (guests/child/vf_mbx.c), checked from QEMU's side: QMP
query-pci for the VFs, the PF's switch registers (RAL/RAH, VLVF, VMOLR) read
with the monitor's `xp` on the PF's BAR0, and QEMU's trace of VF resets."""
import os
import re
import socket
import struct
import tempfile

from inventory import RUNNING, records

BOOT = 120
PF_BDF = "0000:01:00.0"
PORT_MAC = "02:54:00:12:34:%02x"  # the PF's MAC, locally administered, partition id last
VF_RAR = {0: 23, 1: 22}           # a VF's own receive address: top of the 82576's 24
RAH_AV = 1 << 31
VMOLR_DEFAULT = (1 << 24) | (1 << 27) | (1 << 31) | (1 << 30) | (1 << 16) | 1526


def shell(m, command, pattern, timeout=30):
    m.send(command + "\r")
    m.wait_for(r"parent: hv> " + re.escape(command) + r"$", timeout=timeout)
    return m.wait_for(r"parent: " + pattern, timeout=timeout)


def fields(line):
    return dict(re.findall(r"(\w+)=(\S+)", line))


def boot(machine, children=("child1", "child2"), **opts):
    # No vmbus channel: with one, the port's MAC moves to the VF's pool only
    # when the child's NetVSC switches its data path (guests/parent/netvsp_vf.c);
    # these tests are about the PF and the mailbox, so `vf assign` moves it.
    opts.setdefault("set", {}).setdefault("hypervisor.vmbus", "no")
    m = machine(**opts)
    m.wait_for(RUNNING, timeout=BOOT)
    for name in ("parent",) + tuple(children):
        m.wait_for(r"%s: heartbeat n=1\b" % name, timeout=60, since=0)
    m.wait_for(r"parent: nic ready .* vfs=2", since=0)
    return m


def beats_on(m, name):
    last = [int(x) for x in re.findall(r"%s: heartbeat n=(\d+)" % name, "\n".join(m.serial()))]
    m.wait_for(r"%s: heartbeat n=%d\b" % (name, last[-1] + 1), timeout=30, since=0)


def pf_bar0(m):
    return int([r.fields["base"] for r in records(m, "vmm", "device bar mapped")
                if r.fields["bdf"] == PF_BDF and r.fields["bar"] == "0"][0], 16)


def xp(m, addr, count=1):
    out = m.qmp("human-monitor-command", **{"command-line": "xp /%dwx 0x%x" % (count, addr)})
    return [int(w, 16) for line in out.splitlines()
            for w in re.findall(r"0x([0-9a-f]{8})\b", line.split(":", 1)[-1])]


def rar(m, i):
    """(MAC text, RAH) of receive address i, as the NIC holds it."""
    off = 0x5400 + 8 * i if i < 16 else 0x54e0 + 8 * (i - 16)
    lo, hi = xp(m, pf_bar0(m) + off, 2)
    b = lo.to_bytes(4, "little") + (hi & 0xffff).to_bytes(2, "little")
    return ":".join("%02x" % x for x in b), hi


def pool_of(rah):
    return [p for p in range(8) if rah & (1 << (18 + p))]


def vlvf_of_pool(m, pool):
    return [v & 0xfff for v in xp(m, pf_bar0(m) + 0x5d00, 32)
            if v & (1 << 31) and v & (1 << (12 + pool))]


def vmolr(m, pool):
    return xp(m, pf_bar0(m) + 0x5ad0 + 4 * pool)[0]


def alloc(m, port, vf):
    line = shell(m, "vf alloc %s" % port, r"ok op=alloc vf=%d .*" % vf).group(0)
    return fields(line)


def test_configured_vfs_reach_the_parent_as_qemu_sees_them(machine):
    # configs/qemu.cfg: [sriov] vfs = 2, no vfs= on the parent's command line.
    m = boot(machine)
    m.wait_for(r"I config: loaded .*sriov_vfs=2", since=0)
    m.wait_for(r"vmm: sriov control partition=parent bdf=%s ctrl=0x[0-9a-f]*9 vfs=2" % PF_BDF,
               since=0)
    learned = [r.fields["bdf"] for r in records(m, "vmm", "vf learned")]
    assert learned == ["0000:01:10.0", "0000:01:10.2"], learned
    fns = {}

    def walk(devices):
        for d in devices:
            fns[(d["bus"], d["slot"], d["function"])] = d
            walk(d.get("pci_bridge", {}).get("devices", []))
    for bus in m.qmp("query-pci"):
        walk(bus["devices"])
    for fn in (0, 2):
        vf = fns[(1, 0x10, fn)]
        bar0 = [r for r in vf["regions"] if r["bar"] == 0][0]
        assert bar0["size"] == 0x4000 and bar0["address"] != -1, vf
    shell(m, "vf list", r"vf=0 rid=01:10\.0 state=free owner=none")
    m.wait_for(r"parent: vf=1 rid=01:10\.2 state=free owner=none")
    m.wait_for(r"parent: vf list count=2 enabled=2 free=2")


def test_allocate_assign_revoke_free_reset_cycle(machine, tmp_path):
    trace = tmp_path / "vfreset.log"
    m = boot(machine, trace=["igb_core_vf_reset"], trace_log=str(trace))
    # A port whose policy forbids a VF gets none; nor does a name that isn't a port.
    shell(m, "port set child2 vf=off", r"ok port=child2")
    shell(m, "vf alloc child2", r"error EPERM op=alloc reason=\"port policy forbids a VF\"")
    shell(m, "vf alloc nosuch", r"error ENOENT op=alloc")
    shell(m, "port set child2 vf=on", r"ok port=child2")

    f = alloc(m, "child1", 0)
    assert (f["rid"], f["state"], f["mac"], f["rar"]) == \
        ("01:10.0", "allocated", PORT_MAC % 1, "23"), f
    # Allocated, not assigned: the port's MAC is not on the VF's pool yet.
    assert not rar(m, VF_RAR[0])[1] & RAH_AV
    shell(m, "vf alloc child1", r"error EEXIST op=alloc reason=\"port already has a VF\"")
    shell(m, "vf free 1", r"error ENOENT op=free reason=\"VF not allocated\"")
    shell(m, "vf assign 0 child2", r"error EINVAL op=assign reason=\"VF serves another")
    shell(m, "vf assign 0 child1", r"ok op=assign vf=0 rid=01:10\.0 state=assigned")
    m.wait_for(r"child1: vf ready bdf=01:10\.0 vendor=8086 device=10ca")
    mac, rah = rar(m, VF_RAR[0])
    assert mac == PORT_MAC % 1 and rah & RAH_AV and pool_of(rah) == [0], (mac, hex(rah))
    # Wrong-state transitions, refused and nothing changed.
    shell(m, "vf assign 0 child1", r"error EBUSY op=assign reason=\"VF already assigned\"")
    shell(m, "vf free 0", r"error EBUSY op=free reason=\"VF assigned to a child\"")
    shell(m, "vf list", r"vf=0 rid=01:10\.0 state=assigned owner=1 port=1 "
          r"mac=%s .*owner_name=child1 .*vlan=0" % PORT_MAC % 1)
    shell(m, "dev list", r"dev bdf=01:10.0 .*state=assigned owner=child1")

    # Reset of an assigned VF from the PF: QEMU saw the VF's own reset.
    before = trace.read_text().count("igb_core_vf_reset VF0")
    shell(m, "vf reset 0", r"ok op=reset vf=0 resets=1")
    m.wait_for(r"parent: igb: vf reset by pf vf=0 port=child1", since=0)
    assert trace.read_text().count("igb_core_vf_reset VF0") > before

    shell(m, "vf revoke 0", r"ok op=revoke vf=0 rid=01:10\.0 state=allocated", timeout=60)
    m.wait_for(r"child1: vf revoking bdf=01:10.0 release=0", since=0)
    assert not rar(m, VF_RAR[0])[1] & RAH_AV
    shell(m, "vf revoke 0", r"error EINVAL op=revoke reason=\"VF not assigned\"")
    shell(m, "dev list", r"dev bdf=01:10.0 .*state=held owner=parent")
    shell(m, "vf free 0", r"ok op=free vf=0 free=2")
    shell(m, "vf reset 0", r"error ENOENT op=reset reason=\"VF not allocated\"")
    shell(m, "vf list", r"vf list count=2 enabled=2 free=2")
    beats_on(m, "parent")
    beats_on(m, "child1")


def test_more_children_than_vfs(machine):
    child3 = {"partition child3.role": "child", "partition child3.cpus": "3",
              "partition child3.memory_mb": "32", "partition child3.image": "guests/child.elf",
              "sriov.vfs": 2}
    m = boot(machine, children=("child1", "child2", "child3"), set=child3)
    m.wait_for(r"parent: nic ready .* ports=3 vfs=2", since=0)
    alloc(m, "child1", 0)
    alloc(m, "child2", 1)
    shell(m, "vf alloc child3", r"error ENOSPC op=alloc reason=\"no free VF\"")
    shell(m, "vf assign 0 child1", r"ok op=assign vf=0")
    shell(m, "vf assign 1 child2", r"ok op=assign vf=1")
    # child3 has no VF of its own, and can't be given another's.
    shell(m, "vf assign 1 child3", r"error EBUSY op=assign")
    shell(m, "vf list", r"vf list count=2 enabled=2 free=0")
    shell(m, "port list", r"port=3 name=child3 .*vf_id=-")
    for name in ("parent", "child1", "child2", "child3"):
        beats_on(m, name)


def test_mac_change_allowed_by_one_port_refused_by_another(machine):
    new1, new2 = "02:54:00:12:34:a1", "02:54:00:12:34:a2"
    m = boot(machine, set={"partition child1.cmdline": "vf-mbx=setmac:" + new1,
                           "partition child2.cmdline": "vf-mbx=setmac:" + new2})
    shell(m, "port set child1 mac_change=on", r"ok port=child1")
    alloc(m, "child1", 0)
    alloc(m, "child2", 1)
    shell(m, "vf assign 0 child1", r"ok op=assign vf=0")
    shell(m, "vf assign 1 child2", r"ok op=assign vf=1")
    m.wait_for(r"child1: vf mbx reset reply=ack word=0x\w+ mac=%s" % PORT_MAC % 1, since=0)
    m.wait_for(r"child2: vf mbx reset reply=ack word=0x\w+ mac=%s" % PORT_MAC % 2, since=0)
    m.wait_for(r"child1: vf mbx setmac mac=%s reply=ack" % new1, since=0)
    m.wait_for(r"child2: vf mbx setmac mac=%s reply=nack" % new2, since=0)
    m.wait_for(r"parent: igb: mbx refused vf=1 port=child2 request=\S+ reason=\"[^\"]+\"",
               since=0)
    # QEMU's registers: child1's pool answers to the new MAC, child2's keeps its own.
    mac, rah = rar(m, VF_RAR[0])
    assert mac == new1 and rah & RAH_AV and pool_of(rah) == [0], (mac, hex(rah))
    mac, rah = rar(m, VF_RAR[1])
    assert mac == PORT_MAC % 2 and rah & RAH_AV and pool_of(rah) == [1], (mac, hex(rah))
    shell(m, "port list", r"port=2 name=child2 .*")
    f = fields(m.wait_for(r"parent: port=2 name=child2 .*", since=0).group(0))
    assert int(f.get("refused", "1")) >= 1, f
    beats_on(m, "child2")


FLOOD = 10000  # long enough that child2 is served while it lasts


def test_mailbox_flood_is_refused_counted_and_others_served(machine):
    m = boot(machine, set={"partition child1.cmdline": "vf-mbx=flood:%d" % FLOOD,
                           "partition child2.cmdline": "vf-mbx=setmac:02:54:00:12:34:b2"})
    shell(m, "port set child2 mac_change=on", r"ok port=child2")
    alloc(m, "child1", 0)
    alloc(m, "child2", 1)
    shell(m, "vf assign 0 child1", r"ok op=assign vf=0")
    shell(m, "vf assign 1 child2", r"ok op=assign vf=1")
    served = m.wait_for(r"child2: vf mbx setmac mac=02:54:00:12:34:b2 reply=ack", since=0,
                        timeout=60)
    flood = m.wait_for(r"child1: vf mbx flood sent=%d taken=(\d+) lost=(\d+)" % FLOOD, since=0,
                       timeout=180)
    # child2 was answered while child1 was still flooding (figures: the report).
    lines = m.serial()
    at = {name: next(i for i, line in enumerate(lines) if rx.search(line))
          for name, rx in (("served", re.compile(re.escape(served.group(0)))),
                           ("flood", re.compile(re.escape(flood.group(0)))))}
    assert at["served"] < at["flood"], at
    m.wait_for(r"parent: igb: mbx malformed vf=0 reason=", since=0)
    m.wait_for(r"parent: igb: mbx (muted vf=0 reason=malformed|flood vf=0 muted_ms=)", since=0)
    shell(m, "nic stats", r"nic stats link=")
    f = fields(m.wait_for(r"parent: nic stats mbx vf=0 .*", since=0).group(0))
    assert int(f["malformed"]) >= 8 and int(f["mutes"]) >= 1, f
    assert int(f["malformed"]) + int(f["dropped"]) >= FLOOD * 0.99, f
    g = fields(m.wait_for(r"parent: nic stats mbx vf=1 .*", since=0).group(0))
    assert int(g["accepted"]) >= 1 and g["malformed"] == "0" and g["cts"] == "1", g
    for name in ("parent", "child1", "child2"):
        beats_on(m, name)


def test_vf_moved_to_another_child_keeps_nothing(machine):
    m = boot(machine, set={
        "partition child1.cmdline": "vf-mbx=setmac:02:54:00:12:34:c1,vlan:100",
        "partition child2.cmdline": "vf-mbx=reset"})
    shell(m, "port set child1 mac_change=on guest_vlan=on", r"ok port=child1")
    alloc(m, "child1", 0)
    shell(m, "vf assign 0 child1", r"ok op=assign vf=0")
    m.wait_for(r"child1: vf mbx vlan id=100 reply=ack", since=0)
    mac, rah = rar(m, VF_RAR[0])
    assert mac == "02:54:00:12:34:c1" and pool_of(rah) == [0], (mac, hex(rah))
    assert vlvf_of_pool(m, 0) == [100]

    shell(m, "vf revoke 0", r"ok op=revoke vf=0", timeout=60)
    m.wait_for(r"parent: heartbeat n=\d+", timeout=30)  # the FLR's VFLRE served too
    mac, rah = rar(m, VF_RAR[0])
    assert not rah & RAH_AV and mac == "00:00:00:00:00:00", (mac, hex(rah))
    assert vlvf_of_pool(m, 0) == []
    assert vmolr(m, 0) == VMOLR_DEFAULT, hex(vmolr(m, 0))

    shell(m, "vf free 0", r"ok op=free vf=0")
    alloc(m, "child2", 0)
    shell(m, "vf assign 0 child2", r"ok op=assign vf=0")
    # The PF gives child2 its own port's identity, nothing of child1's.
    m.wait_for(r"child2: vf mbx reset reply=ack word=0x\w+ mac=%s" % PORT_MAC % 2, since=0)
    mac, rah = rar(m, VF_RAR[0])
    assert mac == PORT_MAC % 2 and pool_of(rah) == [0], (mac, hex(rah))
    assert vlvf_of_pool(m, 0) == []
    assert vmolr(m, 0) == VMOLR_DEFAULT, hex(vmolr(m, 0))
    shell(m, "vf list", r"vf=0 rid=01:10\.0 state=assigned owner=2 .*owner_name=child2")
    beats_on(m, "child2")


def test_refused_mac_change_frames_carry_the_original_mac(machine, tmp_path):
    """The same policy with the VF driver (drivers/nic/igbvf.c, guests/child/
    vf_net.c) asking, then sending: on the wire (QEMU's pcap of the PF's
    port) child1's frames carry the MAC its port allowed, child2's the port's
    own MAC, not the one it asked for."""
    sockdir = tempfile.mkdtemp(prefix="hvvf-")
    local, remote = os.path.join(sockdir, "qemu.sock"), os.path.join(sockdir, "peer.sock")
    peer = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    peer.bind(remote)
    pcap = tmp_path / "nic0.pcap"
    new1, new2 = "02:54:00:12:34:d1", "02:54:00:12:34:d2"
    try:
        m = boot(machine, net="dgram:%s:%s" % (local, remote), pcap=str(pcap),
                 set={"partition child1.cmdline": "vf-mac=%s vf-send=3" % new1,
                      "partition child2.cmdline": "vf-mac=%s vf-send=3" % new2})
        shell(m, "port set child1 mac_change=on", r"ok port=child1")
        alloc(m, "child1", 0)
        alloc(m, "child2", 1)
        shell(m, "vf assign 0 child1", r"ok op=assign vf=0")
        m.wait_for(r"child1: vf sent n=3 of=3 src=%s drained=yes" % new1, since=0, timeout=60)
        shell(m, "vf assign 1 child2", r"ok op=assign vf=1")
        m.wait_for(r"child2: vf set-mac mac=%s result=refused mac_now=%s" % (new2, PORT_MAC % 2),
                   since=0, timeout=60)
        m.wait_for(r"child2: vf sent n=3 of=3 src=%s drained=yes" % (PORT_MAC % 2), since=0,
                   timeout=60)
        beats_on(m, "parent")
        m.kill()
    finally:
        peer.close()
        for p in (local, remote):
            if os.path.exists(p):
                os.unlink(p)
        os.rmdir(sockdir)
    srcs = {}
    for f in read_pcap(pcap):
        if f[12:14] == b"\x88\xb5" and f[14:22] == b"vf-frame":
            srcs.setdefault(":".join("%02x" % b for b in f[6:12]), []).append(f)
    assert set(srcs) == {new1, PORT_MAC % 2}, sorted(srcs)
    assert all(len(v) == 3 for v in srcs.values()), {k: len(v) for k, v in srcs.items()}


def read_pcap(path):
    """The frames of a classic pcap file, in order."""
    data = path.read_bytes()
    frames, at = [], 24
    while at + 16 <= len(data):
        incl = struct.unpack_from("<I", data, at + 8)[0]
        frames.append(data[at + 16:at + 16 + incl])
        at += 16 + incl
    return frames


def test_pf_interrupt_answers_the_mailbox_between_ticks(machine):
    """The PF's MSI-X entry 0 (remapped by the hypervisor) wakes the parent
    for a VF's message: requests are answered well inside the 50 ms between
    the parent's ticks."""
    m = boot(machine, set={"partition child1.cmdline":
                           "vf-mbx=setmac:02:54:00:12:34:e1,vlan:5,setmac:02:54:00:12:34:e3"})
    m.wait_for(r"iommu: msi remapped bdf=%s source=msix message=0 index=\d+ dest=0 vector=0x51" % PF_BDF,
               since=0)
    m.wait_for(r"parent: nic irq mode=msix entry=0 vector=0x51 dest=0 readback=0x0", since=0)
    shell(m, "port set child1 mac_change=on guest_vlan=on", r"ok port=child1")
    alloc(m, "child1", 0)
    shell(m, "vf assign 0 child1", r"ok op=assign vf=0")
    m.wait_for(r"child1: vf mbx done", since=0)
    answered = r"child1: vf mbx (?:reset|setmac|vlan) .*reply=ack .*us=(\d+)"
    took = [int(x) for x in re.findall(answered, "\n".join(m.serial()))]
    assert len(took) == 4 and sorted(took)[len(took) // 2] < 25000, took
    shell(m, "nic stats", r"nic stats link=")
    f = fields(m.wait_for(r"parent: nic stats irq .*", since=0).group(0))
    assert f["mode"] == "msix" and int(f["irqs"]) >= 4, f
