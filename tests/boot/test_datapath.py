"""Issue 6's data paths end to end, with a real peer outside the machine
(tests/boot/netpeer.py on the igb PF's netdev): the children's synthetic
NICs (guests/child/netvsc.c, net_app.c) through the parent's NetVSP
(guests/parent/netvsp*.c) to the wire and to each other, the switch of a
child's data path to its VF and back, and hostile children.

The peer is 10.0.2.2 (the children's default gateway); child N is
10.0.2.(15+N) with its switch port's MAC (02:..:0N)."""
import re
import threading
import time
import tempfile

import pytest

from inventory import RUNNING
from netpeer import ARP_REPLY, ICMP_ECHO_REPLY, NetPeer, seq_report

BOOT = 120
VF0_RID = "01:10.00"  # QEMU's trace spells functions with two digits
IP = {"child1": "10.0.2.16", "child2": "10.0.2.17", "child3": "10.0.2.18"}
UDP_ECHO = 7


@pytest.fixture
def peer():
    with NetPeer.dgram(tempfile.mkdtemp(prefix="hvnet-")) as p:
        yield p


def shell(m, command, pattern, timeout=30):
    m.send(command + "\r")
    m.wait_for(r"parent: hv> " + re.escape(command) + r"$", timeout=timeout)
    return m.wait_for(r"parent: " + pattern, timeout=timeout)


def boot(machine, peer, children=("child1", "child2"), **opts):
    m = machine(net=peer.netdev, **opts)
    m.wait_for(RUNNING, timeout=BOOT)
    macs = {}
    for name in children:
        up = m.wait_for(r"%s: net up ip=%s mac=(\S+) path=synthetic"
                        % (name, re.escape(IP[name])), timeout=BOOT, since=0)
        macs[name] = up.group(1)
    for name in children:  # the wire's link (the PF's) comes up after the children
        m.wait_for(r"%s: net link=up" % name, timeout=60, since=0)
    return m, macs


def arp_child(peer, name, timeout=30):
    """The peer asks for a child's address, as a host that never talked to it
    would (the child learns the peer from the request): the MAC that answered."""
    since = len(peer.frames)
    peer.send_arp_request(IP[name])
    return peer.wait_for(lambda f: f.arp_op == ARP_REPLY and f.arp_spa == IP[name],
                         timeout=timeout, since=since).arp_sha


def ping_peer(peer, name, ident, count=3, timeout=30):
    """The peer pings a child: the replies' source MACs."""
    arp_child(peer, name, timeout)
    since = len(peer.frames)
    for seq in range(1, count + 1):
        peer.send_ping(IP[name], ident=ident, seq=seq, data=b"datapath")
    srcs = []
    for seq in range(1, count + 1):
        f = peer.wait_for(lambda f: f.icmp_type == ICMP_ECHO_REPLY and f.icmp_id == ident
                          and f.icmp_seq == seq and f.ip_src == IP[name],
                          timeout=timeout, since=since)
        assert f.l4_csum_ok and f.ip_csum_ok
        srcs.append(f.src)
    return srcs


def net_list(m):
    m.send("net list\r")
    m.wait_for(r"parent: hv> net list$")
    ports = {}
    while True:
        line = m.wait_for(r"parent: (net port=.*|ok)$")
        if line.group(1) == "ok":
            return ports
        fields = dict(kv.split("=", 1) for kv in line.group(1).split()[1:])
        ports[fields["port"]] = fields


def test_echo_over_the_synthetic_path(machine, peer):
    m, macs = boot(machine, peer, set={"partition child1.cmdline":
                                       "ping=10.0.2.2 pingn=3 pingms=300"})
    assert macs["child1"] != macs["child2"]
    for ident, name in ((0x101, "child1"), (0x102, "child2")):
        assert ping_peer(peer, name, ident) == [macs[name]] * 3
    # A child pings the peer: its requests come from its port MAC, replies come back.
    for seq in (1, 2, 3):
        m.wait_for(r"child1: ping reply from=10\.0\.2\.2 seq=%d rtt_us=\d+ path=synthetic" % seq,
                   timeout=60, since=0)
    m.wait_for(r"child1: ping stats sent=3 received=3", timeout=30, since=0)
    assert all(f.src == macs["child1"] for f in peer.received(lambda f: f.icmp_type == 8))
    ports = net_list(m)
    for name in ("child1", "child2"):
        p = ports[name]
        assert p["state"] == "open" and p["path"] == "synthetic" and p["mac"] == macs[name]
        assert int(p["syn_tx"]) >= 3 and int(p["syn_rx"]) >= 3, p
    # `net stats`: a STATS_REQ to each child, which prints its own counters and answers.
    shell(m, "net stats", r"net stats asked=2 request=1")
    for name in ("child1", "child2"):
        m.wait_for(r"%s: net stats path=synthetic syn_tx=[1-9]\d* syn_rx=[1-9]" % name, since=0)
        m.wait_for(r"parent: net stats port=%s request=1 tx=[1-9]\d* rx=[1-9]\d* "
                   r"tx_dropped=0 rx_dropped=\d+" % name, since=0)


def test_child_to_child_both_ways(machine, peer):
    m, macs = boot(machine, peer, set={
        "partition child1.cmdline": "ping=%s pingn=3 pingms=200" % IP["child2"],
        "partition child2.cmdline": "ping=%s pingn=3 pingms=200" % IP["child1"]})
    for me, other in (("child1", "child2"), ("child2", "child1")):
        for seq in (1, 2, 3):
            m.wait_for(r"%s: ping reply from=%s seq=%d rtt_us=\d+ path=synthetic"
                       % (me, re.escape(IP[other]), seq), timeout=60, since=0)
        m.wait_for(r"%s: ping stats sent=3 received=3" % me, timeout=30, since=0)
    # Switched in the parent's software: no child's echo went out to the wire.
    assert not peer.received(lambda f: f.icmp_type is not None)
    ports = net_list(m)
    assert all(ports[n]["drops"] == "0" for n in ("child1", "child2")), ports


def vf_translations(trace, hpa, size=32 << 20):
    """QEMU's translations with VF 0's requester ID that landed in [hpa, hpa+size)."""
    found = re.findall(r"vtd_dmar_translate dev %s iova (0x[0-9a-f]+) -> gpa (0x[0-9a-f]+)"
                       % re.escape(VF0_RID), trace.read_text())
    return [(int(i, 16), int(g, 16)) for i, g in found if hpa <= int(g, 16) < hpa + size]


def give_vf(m, child, vf):
    mark = len(m.serial())
    shell(m, "vf alloc %s" % child, r"ok op=alloc vf=%d " % vf)
    shell(m, "vf assign %d %s" % (vf, child), r"ok op=assign vf=%d " % vf)
    reset = m.wait_for(r"%s: vf reset result=(\S+)" % child, timeout=60, since=mark)
    assert reset.group(1) == "ok", reset.group(0)  # the VF driver's handshake with the PF
    return m.wait_for(r"%s: net path=vf reason=\S+" % child, timeout=60, since=mark)


def test_echo_over_the_vf_path(machine, peer, tmp_path):
    trace = tmp_path / "vtd.log"
    m, macs = boot(machine, peer, trace=["vtd_dmar_translate"], trace_log=str(trace))
    hpa = int(m.wait_for(r"vmm: partition created name=child1 .* hpa=(0x[0-9a-f]+)",
                         since=0).group(1), 16)
    give_vf(m, "child1", 0)
    m.wait_for(r"parent: netvsp switch port=child1 request=\d+ want=vf path=vf", since=0)
    before = len(vf_translations(trace, hpa))
    assert ping_peer(peer, "child1", 0x201, count=5) == [macs["child1"]] * 5
    # QEMU's side: the VF (01:10.0) did DMA into child1's memory for these frames.
    assert len(vf_translations(trace, hpa)) > before
    ports = net_list(m)
    p = ports["child1"]
    assert p["path"] == "vf" and p["switches"] == "1", p
    assert int(p["vf_tx"]) >= 5 and int(p["vf_rx"]) >= 5, p
    # child2 stays synthetic and still answers.
    assert ports["child2"]["path"] == "synthetic"
    assert ping_peer(peer, "child2", 0x202) == [macs["child2"]] * 3


def stream(peer, name, first, count, interval, sport):
    """The peer's UDP stream to a child's echo port, in a thread."""
    t = threading.Thread(target=peer.send_udp_stream, daemon=True,
                         args=(IP[name], sport, UDP_ECHO, first, count, interval))
    t.start()
    return t


def wait_echoes(peer, sport, last, timeout=30):
    try:
        peer.wait_for(lambda f: f.dport == sport and f.seq == last, timeout=timeout)
    except TimeoutError:
        pass  # the report says what is missing


def test_failover_under_a_stream_loses_nothing(machine, peer):
    m, macs = boot(machine, peer)
    give_vf(m, "child1", 0)
    arp_child(peer, "child1")
    count, sport = 600, 40001
    t = stream(peer, "child1", 1, count, 0.005, sport)
    peer.wait_for(lambda f: f.dport == sport and f.seq is not None and f.seq >= 100,
                  timeout=60)
    shell(m, "vf revoke 0", r"ok op=revoke vf=0 ", timeout=90)
    t.join(timeout=120)
    wait_echoes(peer, sport, count)
    report = seq_report(peer.udp_seqs(dport=sport), 1, count)
    # Where each echo came from: every one from the port's MAC, on either path.
    assert set(f.src for f in peer.received(lambda f: f.dport == sport)) == {macs["child1"]}
    m.wait_for(r"child1: net path=synthetic reason=dissociate", since=0)
    m.wait_for(r"parent: netvsp vf released port=child1 vf=0 was=vf by=child", since=0)
    m.wait_for(r"child1: vf revoking bdf=01:10.0 release=0", since=0)
    ports = net_list(m)
    print("failover: lost=%d gaps=%s dups=%d reordered=%d net=%s"
          % (report.lost, report.gaps, len(report.duplicates), report.reordered,
             ports["child1"]))
    assert report.lost == 0, report.gaps
    assert ports["child1"]["path"] == "synthetic" and ports["child1"]["failovers"] == "1"


def test_switch_to_the_vf_under_a_stream_loses_nothing(machine, peer):
    """The switch synthetic -> VF while the peer streams: every echo sent during the
    switch window waits in the bond's hold queue (the child stops reading its rings
    before the queue could overflow) and leaves on the VF after the ACK."""
    m, macs = boot(machine, peer)
    arp_child(peer, "child1")
    count, sport = 600, 40002
    t = stream(peer, "child1", 1, count, 0.005, sport)
    peer.wait_for(lambda f: f.dport == sport and f.seq is not None and f.seq >= 100,
                  timeout=60)
    mark = len(m.serial())
    give_vf(m, "child1", 0)
    window = m.wait_for(r"child1: net switch to=vf window_us=(\d+) held=(\d+) hold_max=(\d+) "
                        r"backpressure=(\d+)", timeout=30, since=mark)
    t.join(timeout=120)
    wait_echoes(peer, sport, count)
    report = seq_report(peer.udp_seqs(dport=sport), 1, count)
    assert set(f.src for f in peer.received(lambda f: f.dport == sport)) == {macs["child1"]}
    ports = net_list(m)
    print("switch to vf: lost=%d gaps=%s dups=%d reordered=%d %s"
          % (report.lost, report.gaps, len(report.duplicates), report.reordered,
             window.group(0)))
    assert report.lost == 0, report.gaps
    assert window.group(4) == "0", window.group(0)  # the stack never saw -EAGAIN
    assert ports["child1"]["path"] == "vf" and ports["child1"]["switches"] == "1", ports


# Back-to-back bursts on the VF path. One no longer than the RX ring (256 descriptors,
# Linux igbvf's default; 32 before, which lost most of such a burst) is taken whole
# however late the child gets to it. A longer one loses what the peer's send loop
# outruns the child's echoes by once the ring is full: under TCG on two loaded cores
# 145..563 of 2000 (183..1212 with 32 descriptors), in runs of about a ring's worth.
# Bound with margin above the measured worst.
VF_BURST_SHORT, VF_BURST_LONG, VF_BURST_LONG_MAX_LOST = 200, 2000, 1000


def udp_burst(peer, sport, count):
    peer.send_udp_stream(IP["child1"], sport, UDP_ECHO, 1, count)
    wait_echoes(peer, sport, count, timeout=20)
    time.sleep(1)
    return seq_report(peer.udp_seqs(dport=sport), 1, count)


def test_vf_path_takes_back_to_back_bursts(machine, peer):
    m, macs = boot(machine, peer)
    give_vf(m, "child1", 0)
    arp_child(peer, "child1")
    short = udp_burst(peer, 40003, VF_BURST_SHORT)
    long = udp_burst(peer, 40004, VF_BURST_LONG)
    ports = net_list(m)
    print("vf burst: short lost=%d of %d, long lost=%d of %d gaps=%s net=%s"
          % (short.lost, VF_BURST_SHORT, long.lost, VF_BURST_LONG, long.gaps[:8],
             ports["child1"]))
    assert ports["child1"]["path"] == "vf"
    assert short.lost == 0, short.gaps
    assert long.lost <= VF_BURST_LONG_MAX_LOST, long.gaps


def test_vf_moves_from_child1_to_child2(machine, peer):
    m, macs = boot(machine, peer)
    give_vf(m, "child1", 0)
    assert ping_peer(peer, "child1", 0x301) == [macs["child1"]] * 3
    shell(m, "vf revoke 0", r"ok op=revoke vf=0 ", timeout=90)
    shell(m, "vf free 0", r"ok op=free vf=0")
    give_vf(m, "child2", 0)
    for ident, name in ((0x302, "child1"), (0x303, "child2")):
        assert ping_peer(peer, name, ident) == [macs[name]] * 3
    ports = net_list(m)
    assert ports["child1"]["path"] == "synthetic" and ports["child2"]["path"] == "vf", ports


def test_restarted_child_gets_its_synthetic_nic_back(machine, peer):
    """`restart child1`: the hypervisor zeroes child1's vmbus region inside the call, the
    parent sets its ends up anew after it, the new child1 finds the rings as at boot.
    child1 answers the peer again on the synthetic path; child2 never noticed."""
    m, macs = boot(machine, peer)
    assert ping_peer(peer, "child1", 0x501) == [macs["child1"]] * 3
    mark = len(m.serial())
    shell(m, "restart child1", r"ok$")
    m.wait_for(r"vmm: partition started name=child1 starts=2", since=mark)
    m.wait_for(r"vmm: channel reset name=vmbus partition=child1 size=2097152", since=mark)
    m.wait_for(r"parent: netvsp channel reset port=child1 reason=child-started state=waiting",
               since=mark)
    m.wait_for(r"child1: net up ip=%s mac=%s path=synthetic"
               % (re.escape(IP["child1"]), re.escape(macs["child1"])), timeout=BOOT, since=mark)
    m.wait_for(r"child1: net link=up", timeout=60, since=mark)
    assert ping_peer(peer, "child1", 0x502) == [macs["child1"]] * 3
    assert ping_peer(peer, "child2", 0x503) == [macs["child2"]] * 3
    serial = "\n".join(m.serial()[mark:])
    assert "channel closed" not in serial and "ring: broken" not in serial, serial
    assert "child2: netvsc down" not in serial
    ports = net_list(m)
    assert ports["child1"]["state"] == "open" and ports["child2"]["state"] == "open", ports
    # And once more: the sequence holds for every start, not only the first.
    mark = len(m.serial())
    shell(m, "restart child1", r"ok$")
    m.wait_for(r"vmm: partition started name=child1 starts=3", since=mark)
    m.wait_for(r"child1: net up ip=%s" % re.escape(IP["child1"]), timeout=BOOT, since=mark)
    m.wait_for(r"child1: net link=up", timeout=60, since=mark)
    assert ping_peer(peer, "child1", 0x504) == [macs["child1"]] * 3


def test_restarted_child_gets_its_vf_back(machine, peer, tmp_path):
    """child1 holds VF 0 when it is stopped. The hypervisor stops the VF with it
    (bus mastering off, FLR): frames the peer sends to child1 meanwhile cause no
    DMA with the VF's requester ID (QEMU's vtd_dmar_translate), where the old
    run's RX ring would have taken them into memory about to be reloaded.
    Started again, child1 is offered the VF anew, its new igbvf does the reset
    handshake and child1 answers from the VF; child2 answers throughout."""
    trace = tmp_path / "vtd.log"
    m, macs = boot(machine, peer, trace=["vtd_dmar_translate"], trace_log=str(trace))
    hpa = int(m.wait_for(r"vmm: partition created name=child1 .* hpa=(0x[0-9a-f]+)",
                         since=0).group(1), 16)
    give_vf(m, "child1", 0)
    assert ping_peer(peer, "child1", 0x511) == [macs["child1"]] * 3
    assert vf_translations(trace, hpa)
    mark = len(m.serial())
    shell(m, "stop child1", r"ok$")
    m.wait_for(r"vmm: vf stopped bdf=0000:01:10\.0 partition=child1 bus_master=off flr=yes",
               since=mark)
    stopped = len(vf_translations(trace, hpa))
    since = len(peer.frames)
    for seq in range(1, 11):
        peer.send_ping(IP["child1"], ident=0x512, seq=seq, data=b"stopped")
    # The socket keeps order: once child2 answered, QEMU has had child1's frames.
    assert ping_peer(peer, "child2", 0x513) == [macs["child2"]] * 3
    assert len(vf_translations(trace, hpa)) == stopped
    assert not [f for f in peer.frames[since:]
                if f.icmp_id == 0x512 and f.icmp_type == ICMP_ECHO_REPLY]
    mark = len(m.serial())
    shell(m, "start child1", r"ok$")
    m.wait_for(r"vmm: vf offered again bdf=0000:01:10\.0 partition=child1 result=ok", since=mark)
    m.wait_for(r"vmm: partition started name=child1 starts=2", since=mark)
    m.wait_for(r"child1: net up ip=%s mac=%s path=synthetic"
               % (re.escape(IP["child1"]), re.escape(macs["child1"])), timeout=BOOT, since=mark)
    reset = m.wait_for(r"child1: vf reset result=(\S+)", timeout=60, since=mark)
    assert reset.group(1) == "ok", reset.group(0)
    m.wait_for(r"child1: net path=vf reason=\S+", timeout=60, since=mark)
    before = len(vf_translations(trace, hpa))
    assert ping_peer(peer, "child1", 0x514) == [macs["child1"]] * 3
    assert len(vf_translations(trace, hpa)) > before
    ports = net_list(m)
    assert ports["child1"]["path"] == "vf" and ports["child2"]["path"] == "synthetic", ports
    assert ping_peer(peer, "child2", 0x515) == [macs["child2"]] * 3


CHILD3 = {"partition child3.role": "child", "partition child3.cpus": "3",
          "partition child3.memory_mb": "32", "partition child3.image": "guests/child.elf"}


def test_three_children_two_vfs_the_third_stays_synthetic(machine, peer):
    children = ("child1", "child2", "child3")
    m, macs = boot(machine, peer, children=children, set=CHILD3)
    give_vf(m, "child1", 0)
    give_vf(m, "child2", 1)
    shell(m, "vf alloc child3", r"error ENOSPC op=alloc")  # both VFs are taken
    for i, name in enumerate(children):
        assert ping_peer(peer, name, 0x401 + i) == [macs[name]] * 3
    ports = net_list(m)
    assert [ports[n]["path"] for n in children] == ["vf", "vf", "synthetic"], ports
    assert int(ports["child3"]["syn_rx"]) >= 3 and ports["child3"]["vf_rx"] == "0"


def keeps_serving(m, peer, name, ident):
    """The parent answers its shell and the other child answers the peer."""
    assert ping_peer(peer, name, ident) == [peer.neighbours[IP[name]]] * 3
    shell(m, "net list", r"net port=%s state=open " % name)


def test_hostile_child_corrupting_its_ring_is_cut_off(machine, peer):
    m, macs = boot(machine, peer, set={"partition child2.cmdline": "hostile=ring"})
    m.wait_for(r"child2: hostile ring write_index=", timeout=60, since=0)
    closed = m.wait_for(r"parent: netvsp channel closed port=child2 reason=ring-broken "
                        r"malformed=\d+ syn_tx=\d+ syn_rx=\d+ ring_errors=(\d+)", timeout=30,
                        since=0)
    assert int(closed.group(1)) >= 1
    m.wait_for(r"parent: netvsp broken role=consumer field=write_index value=0x7f018", since=0)
    keeps_serving(m, peer, "child1", 0x501)
    assert net_list(m)["child2"]["state"] == "closed"


def test_hostile_child_flooding_doorbells_is_throttled(machine, peer):
    # TCG rings ~25,000 a second: below the default limit, so a lower one.
    m, macs = boot(machine, peer, set={"partition child2.cmdline": "hostile=doorbells flood_s=4",
                                       "hypervisor.doorbell_limit": "1000"})
    m.wait_for(r"child2: hostile start=doorbells", timeout=60, since=0)
    # While it floods, child1 and the parent keep working.
    keeps_serving(m, peer, "child1", 0x601)
    m.wait_for(r"vmm: doorbell throttled partition=child2 channel=vmbus peer=parent "
               r"limit_per_s=\d+ window_ms=\d+ sent=\d+ dropped=[1-9]", timeout=30, since=0)
    end = m.wait_for(r"child2: hostile doorbells calls=\d+ dropped=(\d+)", timeout=60, since=0)
    assert int(end.group(1)) > 0
    stats = shell(m, "chan stats", r"chan partition name=child2 doorbells_sent=(\d+) "
                  r"doorbells_dropped=(\d+)")
    assert int(stats.group(2)) > 0
    # The flood is over: child2's synthetic NIC still works too.
    keeps_serving(m, peer, "child2", 0x602)


def test_hostile_child_sending_malformed_messages_is_cut_off(machine, peer):
    m, macs = boot(machine, peer, set={"partition child2.cmdline": "hostile=netmsg"})
    m.wait_for(r"child2: hostile spoofed sent=4 src=02:de:ad:be:ef:01", timeout=60, since=0)
    m.wait_for(r"child2: hostile netmsg sent=\d+", timeout=60, since=0)
    m.wait_for(r'parent: netvsp malformed port=child2 what=\S+ reason="[^"]+" count=1$',
               timeout=30, since=0)
    m.wait_for(r"parent: netvsp channel closed port=child2 reason=malformed malformed=17 ",
               timeout=30, since=0)
    keeps_serving(m, peer, "child1", 0x701)
    child2 = net_list(m)["child2"]
    assert child2["state"] == "closed" and int(child2["drops"]) >= 4, child2
    # The forged frames never left the switch.
    assert not peer.frames_from("02:de:ad:be:ef:01")


def peer_rtts(peer, name, ident, n=20):
    """Round trips (us) of n pings from the peer to a child, one at a time."""
    arp_child(peer, name)
    out = []
    for seq in range(1, n + 1):
        since = len(peer.frames)
        t0 = time.monotonic()
        peer.send_ping(IP[name], ident=ident, seq=seq)
        f = peer.wait_for(lambda f: f.icmp_type == ICMP_ECHO_REPLY and f.icmp_id == ident
                          and f.icmp_seq == seq, timeout=10, since=since)
        out.append(int((f.time - t0) * 1e6))
    return out


def test_round_trips_per_path(machine, peer):
    """Not a timed test: round trips on each path, for the figures (printed with -s)."""
    m, macs = boot(machine, peer, set={"partition child1.cmdline":
                                       "ping=10.0.2.2 pingn=20 pingms=50"})
    m.wait_for(r"child1: ping stats sent=20 received=20", timeout=60, since=0)
    child = [int(x) for x in re.findall(r"child1: ping reply from=10\.0\.2\.2 seq=\d+ "
                                        r"rtt_us=(\d+) path=synthetic", "\n".join(m.serial()))]
    synthetic = peer_rtts(peer, "child1", 0x801)
    give_vf(m, "child1", 0)
    vf = peer_rtts(peer, "child1", 0x802)
    median = lambda v: sorted(v)[len(v) // 2]  # noqa: E731
    print("rtt_us median: child->peer synthetic=%d peer->child synthetic=%d vf=%d"
          % (median(child), median(synthetic), median(vf)))
    print("rtt_us all: child=%s synthetic=%s vf=%s" % (child, synthetic, vf))
    assert len(child) == 20 and len(synthetic) == 20 and len(vf) == 20


def exits(m):
    """Exits per partition so far, from the parent's `partitions`."""
    m.send("partitions\r")
    m.wait_for(r"parent: hv> partitions$")
    out = {}
    for name in ("parent", "child1", "child2"):
        out[name] = int(m.wait_for(r"parent: partition name=%s state=\S+ exits=(\d+)"
                                   % name).group(1))
    return out


def echo_burst(m, peer, sport, count, interval):
    """count datagrams to child1's echo port; exits of each partition meanwhile."""
    before, t0 = exits(m), time.monotonic()
    peer.send_udp_stream(IP["child1"], sport, UDP_ECHO, 1, count, interval=interval)
    wait_echoes(peer, sport, count, timeout=10)
    after, dt = exits(m), time.monotonic() - t0
    echoed = seq_report(peer.udp_seqs(dport=sport), 1, count).received
    return {k: after[k] - before[k] for k in after}, dt, echoed


def test_exits_per_packet_per_path(machine, peer):
    """Not a timed test: the hypervisor's exits per frame on each path (printed with -s),
    under load (the peer sends as fast as it can) and paced (one datagram every 0.5 ms:
    every frame finds the rings empty, so each costs a doorbell). A frame is one
    datagram one way: an echo is two. Idle exits (ticks, the parent's polls) are
    subtracted."""
    m, macs = boot(machine, peer)
    arp_child(peer, "child1")
    idle_before, t0 = exits(m), time.monotonic()
    time.sleep(2)
    idle_after, idle_dt = exits(m), time.monotonic() - t0
    rate = {k: (idle_after[k] - idle_before[k]) / idle_dt for k in idle_after}
    sport = 41000
    for path in ("synthetic", "vf"):
        if path == "vf":
            give_vf(m, "child1", 0)
            arp_child(peer, "child1")
        for mode, interval in (("load", 0), ("paced", 0.0005)):
            sport += 1
            delta, dt, echoed = echo_burst(m, peer, sport, 2000, interval)
            frames = max(2 * echoed, 1)
            per = {k: round((delta[k] - rate[k] * dt) / frames, 4) for k in delta}
            print("exits path=%s mode=%s echoed=%d/2000 seconds=%.2f per_frame=%s raw=%s"
                  % (path, mode, echoed, dt, per, delta))
    print("idle exits per second: %s" % {k: round(v, 1) for k, v in rate.items()})
