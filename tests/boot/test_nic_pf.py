"""The parent's igb PF driver (drivers/nic/igb_*.c), checked from outside the
code: QEMU's trace of what the NIC model was told (reset, PHY writes,
autonegotiation, VF registration, config writes to the VFs, DMA
translations), QMP (link changes, query-pci for the VFs and their BARs), a
datagram peer and a pcap on the host side for the frames on the wire, and
the counters the NIC itself keeps."""
import os
import re
import socket
import struct
import tempfile

from inventory import RUNNING

PF_MAC = "52:54:00:12:34:56"  # tools/hvlib/qemu.py, NIC 0
PEER_MAC = "52:54:00:ab:cd:ef"
TEST_TYPE = 0x88b5
FRAME_LEN = 64   # what `nic send` sends, without FCS
FCS = 4          # counted in the NIC's octet counters


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def shell(m, command, pattern, timeout=30):
    m.send(command + "\r")
    m.wait_for(r"parent: hv> " + re.escape(command) + r"$", timeout=timeout)
    return m.wait_for(pattern, timeout=timeout)


def fields(line):
    return dict(re.findall(r"(\w+)=(\S+)", line))


def stats(m, vfs=0):
    """`nic stats` as {kind: fields}: link, hw (both lines), sw, pool<n>, mbx<vf>."""
    start = len(m.serial())
    shell(m, "nic stats", r"parent: nic stats link=")
    m.wait_for(r"parent: nic stats mbx vf=%d " % (vfs - 1) if vfs else r"parent: nic stats pool=7 ")
    out = {}
    for line in m.serial()[start:]:
        text = line.split("parent: ", 1)[-1]
        if not text.startswith("nic stats "):
            continue
        kind, f = text.split()[2], fields(text)
        if kind == "hw":
            out.setdefault("hw", {}).update(f)
        elif kind.startswith(("link=", "pool=")):
            out[kind.split("=")[0] if kind.startswith("link") else "pool" + f["pool"]] = f
        elif kind == "mbx":
            out["mbx" + f["vf"]] = f
        else:
            out[kind] = f
    return out


def test_pf_reset_link_and_shell(machine, tmp_path):
    trace = tmp_path / "igb.log"
    m = machine(set={"partition parent.cmdline": "vfs=8"}, trace_log=str(trace),
                trace=["e1000e_core_ctrl_sw_reset", "igb_core_mdic_write",
                       "e1000x_link_negotiation_*"])
    m.wait_for(r"parent: igb: probe bdf=0000:01:00.0 id=8086:10c9 model=82576", timeout=120)
    m.wait_for(r"parent: igb: reset done")
    m.wait_for(r"parent: igb: mac=" + PF_MAC)
    m.wait_for(r"parent: igb: phy autoneg started phy_id=0x02a8039\d bmcr=0x1340")
    # More VFs than the PF keeps pools for: refused, the PF itself runs on.
    m.wait_for(r"parent: igb: sriov refused vfs=8 total=8 max=7")
    m.wait_for(r"parent: nic ready bdf=01:00.0 mac=%s ports=2 vfs=0 vf_error=EINVAL" % PF_MAC)
    up = m.wait_for(r"parent: igb: link up speed=1000 duplex=full after_ms=(\d+) changes=1")
    assert 400 <= int(up.group(1)) <= 2000, up.group(0)
    # QEMU's side: a software reset, then BMCR (PHY register 0) = autoneg
    # enable + restart, then negotiation done, in that order.
    events = trace.read_text()
    order = [events.find("Doing SW reset"), events.find("PHY[0] = 0x1340"),
             events.find("Auto negotiation is completed")]
    assert -1 not in order and order == sorted(order), events[-2000:]

    # The link follows QEMU's: down and back up (autonegotiation again).
    m.qmp("set_link", name="n0", up=False)
    m.wait_for(r"parent: igb: link down changes=2", timeout=30)
    m.qmp("set_link", name="n0", up=True)
    m.wait_for(r"parent: igb: link up speed=1000 duplex=full after_ms=\d+ changes=3", timeout=30)

    shell(m, "help", r"parent: help nic stats")
    line = shell(m, "port list", r"parent: port=1 name=child1 .*").group(0)
    f = fields(line)
    assert (f["mac"], f["vlan"], f["mac_change"], f["vf_id"]) == \
        ("02:54:00:12:34:01", "0", "off", "-"), line
    m.wait_for(r"parent: port=2 name=child2 mac=02:54:00:12:34:02 ")
    m.wait_for(r"parent: port list count=2")
    shell(m, "port set child1 mac_change=on vlan=12", r"parent: ok port=child1 changes=0x")
    line = shell(m, "port list", r"parent: port=1 name=child1 .*").group(0)
    assert (fields(line)["mac_change"], fields(line)["vlan"]) == ("on", "12"), line
    shell(m, "port set nosuch vlan=1", r"parent: error ENOENT port=nosuch")
    shell(m, "port set child2 colour=blue", r"parent: error EINVAL port=child2")
    shell(m, "vf list", r"parent: vf list count=0 enabled=0")
    m.wait_for(r"parent: heartbeat n=\d+", timeout=30)


def read_pcap(path):
    """The frames of a classic pcap file, in order."""
    data = path.read_bytes()
    frames, at = [], 24
    while at + 16 <= len(data):
        incl = struct.unpack_from("<I", data, at + 8)[0]
        frames.append(data[at + 16:at + 16 + incl])
        at += 16 + incl
    return frames


def test_pf_queue_talks_to_a_peer_outside(machine, tmp_path):
    sockdir = tempfile.mkdtemp(prefix="hvnet-")
    local, remote = os.path.join(sockdir, "qemu.sock"), os.path.join(sockdir, "peer.sock")
    peer = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    peer.bind(remote)
    peer.settimeout(30)
    pcap = tmp_path / "nic0.pcap"
    trace = tmp_path / "dma.log"
    try:
        # No vmbus channels: the children's synthetic NICs would send through
        # the PF too, and this test counts the PF's own frames exactly.
        m = machine(net="dgram:%s:%s" % (local, remote), pcap=str(pcap),
                    trace=["vtd_dmar_translate"], trace_log=str(trace),
                    set={"hypervisor.vmbus": "no"})
        m.wait_for(RUNNING, timeout=120)
        rings = m.wait_for(r"parent: igb: rings queue=7 txd=(0x[0-9a-f]+) rxd=(0x[0-9a-f]+)")
        m.wait_for(r"parent: igb: link up", timeout=30)
        shell(m, "nic send 3 " + PEER_MAC, r"parent: nic sent n=3 len=64 dst=" + PEER_MAC)
        for seq in range(3):
            frame = peer.recv(4096)
            assert frame[:6] == mac_bytes(PEER_MAC) and frame[6:12] == mac_bytes(PF_MAC)
            assert struct.unpack(">H", frame[12:14])[0] == TEST_TYPE
            assert frame[14:].startswith(b"hv-pf-test seq=%d\0" % seq) and len(frame) == 64
        inbound = (mac_bytes(PF_MAC) + mac_bytes(PEER_MAC) + struct.pack(">H", TEST_TYPE) +
                   b"hello-from-peer").ljust(FRAME_LEN, b"\0")
        peer.sendto(inbound, local)
        m.wait_for(r"parent: nic rx len=64 dst=%s src=%s type=0x88b5 text=\"hello-from-peer\" n=1"
                   % (PF_MAC, PEER_MAC), timeout=30)

        s = stats(m)
        hw, sw, pool = s["hw"], s["sw"], s["pool7"]
        assert (hw["gptc"], hw["gotc"]) == ("3", str(3 * (FRAME_LEN + FCS))), hw
        assert (hw["gprc"], hw["gorc"]) == ("1", str(FRAME_LEN + FCS)), hw
        assert (sw["tx_frames"], sw["rx_frames"], sw["rx_errors"]) == ("3", "1", "0"), sw
        assert (pool["gptc"], pool["gprc"], pool["gotc"]) == ("3", "1", hw["gotc"]), pool
        assert s["link"]["link"] == "up" and s["link"]["mac"] == PF_MAC
    finally:
        peer.close()
        for p in (local, remote):
            if os.path.exists(p):
                os.unlink(p)
        os.rmdir(sockdir)
    # QEMU's side: the wire saw exactly these frames, and the NIC fetched the
    # PF's rings by DMA as requester 01:00.0 (queue 7: no VF's RID), through
    # the parent's VT-d domain.
    m.kill()
    test_frames = [f for f in read_pcap(pcap) if f[12:14] == struct.pack(">H", TEST_TYPE)]
    assert len(test_frames) == 4 and test_frames[-1] == inbound, [f[:16].hex() for f in
                                                                  test_frames]
    hpa = int(m.wait_for(r"vmm: partition created name=parent .* hpa=(0x[0-9a-f]+)",
                         since=0).group(1), 16)
    pages = [tuple(int(v, 16) for v in t) for t in re.findall(
        r"vtd_dmar_translate dev 01:00\.00 iova (0x[0-9a-f]+) -> gpa (0x[0-9a-f]+) "
        r"mask (0x[0-9a-f]+)", trace.read_text())]
    for ring in (int(r, 16) for r in rings.groups()):
        assert any(iova <= ring <= iova | mask and gpa == hpa + iova
                   for iova, gpa, mask in pages), (hex(ring), pages[:4])


def query_vfs(m):
    """{function: {bar: (address, size)}} of bus 1 slot 16 functions in query-pci."""
    out = {}

    def walk(devices):
        for d in devices:
            if d["bus"] == 1 and d["slot"] == 16:
                out[d["function"]] = {r["bar"]: (r["address"], r["size"])
                                      for r in d.get("regions", [])}
            if d.get("pci_bridge"):
                walk(d["pci_bridge"].get("devices", []))
    for bus in m.qmp("query-pci"):
        walk(bus["devices"])
    return out


def test_vfs_enabled_as_qemu_sees_them(machine, tmp_path):
    trace = tmp_path / "sriov.log"
    m = machine(set={"partition parent.cmdline": "vfs=2"}, trace_log=str(trace),
                trace=["sriov_register_vfs", "igbvf_write_config", "igb_core_vf_reset",
                       "igb_set_pfmailbox"])
    bars = {}
    for _ in range(2):
        bar = m.wait_for(r"parent: igb: vf bar=(\d) base=(0x[0-9a-f]+) size=(0x[0-9a-f]+) "
                         r"vfs=2", timeout=120)
        bars[int(bar.group(1))] = (int(bar.group(2), 16), int(bar.group(3), 16))
    assert set(bars) == {0, 3} and all(size == 0x4000 for _, size in bars.values()), bars
    # Below 4 GiB: QEMU decodes VF BARs by their low 32 bits.
    assert all(base + 2 * size <= 1 << 32 for base, size in bars.values()), bars
    m.wait_for(r"vmm: sriov control partition=parent bdf=0000:01:00.0 ctrl=0x[0-9a-f]*9 vfs=2",
               since=0)
    for vf, fn in ((0, 0), (1, 2)):
        m.wait_for(r"parent: igb: vf up vf=%d bdf=0000:01:10\.%d id=8086:10ca command=0x6" %
                   (vf, fn))
    m.wait_for(r"parent: igb: sriov enabled vfs=2 offset=0x80 stride=2 vf_device=10ca")
    m.wait_for(r"parent: nic ready bdf=01:00.0 mac=%s ports=2 vfs=2" % PF_MAC)
    # The VF Enable reset the VFs; the PF saw it (VFLRE) and reset their pools.
    m.wait_for(r"parent: igb: vf level reset vf=0 port=-", since=0, timeout=30)
    m.wait_for(r"parent: igb: vf level reset vf=1 port=-", since=0, timeout=30)

    # QMP: the VFs at 01:10.0 and 01:10.2 decode exactly the BARs the parent
    # programmed, VF i at base + i * size.
    vfs = query_vfs(m)
    for i, fn in enumerate((0, 2)):
        for bar, (base, size) in bars.items():
            assert vfs[fn][bar] == (base + i * size, size), (fn, bar, vfs[fn])
    shell(m, "vf list", r"parent: vf=0 rid=01:10\.0 state=free owner=none")
    m.wait_for(r"parent: vf=1 rid=01:10\.2 state=free owner=none")
    m.wait_for(r"parent: vf list count=2 enabled=2 free=2")
    s = stats(m, vfs=2)
    for vf in ("0", "1"):
        assert int(s["mbx" + vf]["vflr"]) >= 1 and s["mbx" + vf]["cts"] == "0", s["mbx" + vf]
        assert "pool" + vf in s
    events = trace.read_text()
    # QEMU's side: two igbvf functions created, each given memory decoding and
    # bus mastering by its own config write, and the PF's mailbox doorbells
    # (take buffer, STS of the ready message) for both.
    assert re.search(r"sriov_register_vfs .*creating 2 vf devs", events)
    assert len(re.findall(r"igbvf_write_config CONFIG write 0x4, value: 0x6", events)) == 2
    for vf in (0, 1):
        assert re.search(r"igb_core_vf_reset VF%d" % vf, events)
        assert re.search(r"PFMailbox\[%d\]: 0x8\b" % vf, events)
        assert re.search(r"PFMailbox\[%d\]: 0x1\b" % vf, events)
